/**
 * Session bookkeeping: a user holds at most SESSIONS_PER_USER_MAX live sessions (the oldest go
 * first), expired sessions are swept on a schedule rather than by the next mint, and minting costs
 * the same however many sessions the account holds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSession, SESSIONS_PER_USER_MAX } from '../../server/domain/users.js';
import { sessionsByUser, sessionsOf, type Sessions } from '../../server/domain/users-map.js';
import type { SessionRecord } from '../../server/domain/state.js';
import { storeHarness } from '../helpers/api.js';

const MINUTE = 60_000;

describe('sessions: at most SESSIONS_PER_USER_MAX live sessions per user', () => {
  it(`revokes the oldest session when a user would hold ${SESSIONS_PER_USER_MAX + 1}, and only that user's`, async () => {
    const h = await storeHarness({ rateLimits: false });
    const acc = await h.createAccount();
    const ada = await h.addUser(acc.accountId, acc.ownerToken, { email: 'ada@acme.example' });
    const tokens: string[] = [];
    h.clock.advance(1000);
    for (let i = 0; i < SESSIONS_PER_USER_MAX; i++) {
      tokens.push(await h.session(acc.accountId, acc.owner.id));
      h.clock.advance(1000);
    }
    // acc.ownerToken was minted first of all: already the oldest beyond the cap.
    assert.equal((await h.request('GET', acc.base, { token: acc.ownerToken })).status, 401, 'the oldest session went first');
    for (const token of tokens) assert.equal((await h.request('GET', acc.base, { token })).status, 200);
    tokens.push(await h.session(acc.accountId, acc.owner.id));
    assert.equal((await h.request('GET', acc.base, { token: tokens[0] })).status, 401, 'minting one more revoked the next oldest');
    for (const token of tokens.slice(1)) assert.equal((await h.request('GET', acc.base, { token })).status, 200);
    assert.equal((await h.request('GET', acc.base, { token: ada.token })).status, 200, "another user's session is untouched");
    const doc = (await h.store.get(acc.accountId))!;
    assert.equal(sessionsByUser(doc.sessions).get(acc.owner.id)?.size, SESSIONS_PER_USER_MAX);
  });
});

describe('sessions: expired ones are swept on a schedule', () => {
  it('drops every expired session of every account when the sweep runs, with no mint needed', async () => {
    const h = await storeHarness({ rateLimits: false });
    const a = await h.createAccount();
    const b = await h.createAccount({ name: 'Other', owner: { email: 'o@other.example', firstName: 'Otto', lastName: 'Other' } });
    for (let i = 0; i < 3; i++) {
      await h.admin('POST', `${a.base}/sessions`, { userId: a.owner.id, ttlSeconds: 60 });
      await h.admin('POST', `${b.base}/sessions`, { userId: b.owner.id, ttlSeconds: 60 });
    }
    const long = (await h.admin('POST', `${a.base}/sessions`, { userId: a.owner.id, ttlSeconds: 86_400 })).body.token as string;
    assert.equal((await h.store.get(a.accountId))!.sessions.size, 5);
    h.clock.advance(2 * 60 * MINUTE);
    await h.app.jobs.run('sessions');
    assert.equal((await h.store.get(a.accountId))!.sessions.size, 1, 'only the day-long session is left');
    assert.equal((await h.store.get(b.accountId))!.sessions.size, 0);
    assert.equal((await h.request('GET', a.base, { token: long })).status, 200);
  });

  it('leaves an account with nothing expired as it was (no write)', async () => {
    const h = await storeHarness({ rateLimits: false });
    const acc = await h.createAccount();
    const before = await h.store.get(acc.accountId);
    await h.app.jobs.run('sessions');
    assert.equal(await h.store.get(acc.accountId), before, 'the same document: nothing committed');
  });
});

describe('sessions: minting does not walk the account', () => {
  it("reads none of 5,000 other users' sessions to mint one", () => {
    const records: [string, SessionRecord][] = Array.from({ length: 5000 }, (_, i) => [
      `hash${i}`,
      { userId: `usr_${i % 1000}`, createdAt: '2026-05-15T00:00:00.000Z', expiresAt: '2026-05-15T01:00:00.000Z' },
    ]);
    let walks = 0;
    const walking = new Set<PropertyKey>([Symbol.iterator, 'entries', 'values', 'keys', 'forEach', 'filter', 'map', 'toArray', 'toObject', 'toJS', 'reduce', 'some', 'every', 'find', 'count']);
    const sessions = new Proxy(sessionsOf(records), {
      get(target, property, receiver) {
        if (walking.has(property)) walks++;
        return Reflect.get(target, property, receiver);
      },
    }) as Sessions;
    // The index by user is carried forward from change to change; here it is built once.
    sessionsByUser(sessions);
    walks = 0;
    const owner = { id: 'usr_owner', status: 'enabled' } as const;
    const doc = { sessions, users: new Map([[owner.id, owner]]) } as never;
    const minted = createSession(doc, { userId: owner.id, tokenHash: 'new', wallNow: new Date('2026-05-15T00:30:00Z'), expiresAt: '2026-05-15T01:30:00.000Z' });
    assert.equal(walks, 0, 'no walk over the sessions');
    assert.equal(minted.doc.sessions.size, 5001);
  });
});
