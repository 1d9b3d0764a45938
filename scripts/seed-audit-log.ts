/**
 * Writes a data folder holding one account with `users` users and `events` audit events, through
 * the file store itself (in this process, a thousand events per change), for the large-log bench.
 * One user in ten events is the same "busy" user, as when one admin edits one person in a loop.
 */
import { randomId } from '../server/crypto.js';
import { createAccount } from '../server/domain/users.js';
import { usersOf } from '../server/domain/users-map.js';
import type { UserRecord } from '../server/domain/state.js';
import { FileStore } from '../server/store/file.js';
import type { AuditEvent } from '../sdk/types.js';

export async function seedAuditLog(dir: string, options: { users: number; events: number }): Promise<{ accountId: string; ownerId: string; busyId: string; quietId: string }> {
  const store = await FileStore.open(dir);
  try {
    const now = new Date('2026-05-15T00:00:00.000Z');
    const ctx = { now, actor: { type: 'api_key' as const }, newId: randomId };
    const created = createAccount(
      {
        name: 'Long History Inc',
        licenses: { quantity: options.users + 10, unitPrice: 400, currency: 'USD', interval: 'month' },
        owner: { email: 'owner@history.example', firstName: 'Olive', lastName: 'Owner' },
      },
      ctx,
    );
    const owner = created.doc.users.get(created.result.ownerId)!;
    const people: UserRecord[] = Array.from({ length: options.users - 1 }, (_, i) => ({
      ...owner,
      id: randomId('usr'),
      email: `person${i}@history.example`,
      firstName: `Person${i}`,
      role: 'member',
    }));
    const doc = { ...created.doc, users: usersOf([owner, ...people]) };
    await store.create(doc, created.events);
    const accountId = doc.id;
    const busy = people[0]!;
    const quiet = people[1]!;
    let made = created.events.length;
    let n = 0;
    while (made < options.events) {
      const batch: AuditEvent[] = [];
      for (let i = 0; i < 1000 && made < options.events; i++, made++, n++) {
        const user = n % 10 === 0 ? busy : n % 997 === 1 ? quiet : people[2 + (n % (people.length - 2))]!;
        batch.push({
          id: randomId('evt'),
          accountId,
          action: 'user.updated',
          actor: { type: 'user', userId: owner.id },
          userIds: [user.id],
          before: { qualification: `Title ${n - 1}` },
          after: { qualification: `Title ${n}` },
          createdAt: new Date(now.getTime() + n * 1000).toISOString(),
        });
      }
      await store.transact(accountId, (current) => ({ doc: current, events: batch, result: undefined }));
    }
    return { accountId, ownerId: owner.id, busyId: busy.id, quietId: quiet.id };
  } finally {
    await store.close();
  }
}
