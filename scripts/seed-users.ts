/**
 * Writes one account with `users` users straight through a store (file or PostgreSQL), for bench
 * sections that need a big account without inviting each person over HTTP. The people are named
 * as the bench's invitations name them (User<i> big, big<i>@bench.example), so the same searches
 * find a few each.
 */
import { randomId } from '../server/crypto.js';
import { createAccount } from '../server/domain/users.js';
import { usersOf } from '../server/domain/users-map.js';
import type { UserRecord } from '../server/domain/state.js';
import type { Store } from '../server/store/types.js';

export interface SeededAccount {
  accountId: string;
  ownerId: string;
  userIds: string[];
}

export async function seedUsers(store: Store, options: { users: number; spare?: number; tag?: string }): Promise<SeededAccount> {
  const tag = options.tag ?? 'big';
  const now = new Date();
  const ctx = { now, actor: { type: 'api_key' as const }, newId: randomId };
  const created = createAccount(
    {
      name: 'Big Corp',
      licenses: { quantity: options.users + (options.spare ?? 1000), unitPrice: 400, currency: 'USD', interval: 'month' },
      owner: { email: `owner@${tag}.example`, firstName: 'Olive', lastName: 'Owner' },
    },
    ctx,
  );
  const owner = created.doc.users.get(created.result.ownerId)!;
  const people: UserRecord[] = Array.from({ length: options.users - 1 }, (_, i) => ({
    ...owner,
    id: randomId('usr'),
    email: `${tag}${i}@bench.example`,
    firstName: `User${i}`,
    lastName: tag,
    qualification: i % 2 ? 'Engineer' : 'Designer',
    role: 'member',
  }));
  const doc = { ...created.doc, users: usersOf([owner, ...people]) };
  await store.create(doc, created.events);
  return { accountId: doc.id, ownerId: owner.id, userIds: people.map((p) => p.id) };
}
