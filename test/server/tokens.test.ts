/**
 * Session and invitation tokens (docs/rules.md, docs/api.md): ≥ 128 bits of base64url, all distinct, stored only
 * as SHA-256 hashes (not in the store's documents, not in any file of a FileStore's folder);
 * refused once expired, revoked, rotated or used, and never accepted in place of each other;
 * token lookups rate limited per client, wrong tokens included.
 *
 * Also covered elsewhere: 20 concurrent accepts of one invitation → exactly one succeeds
 * (test/server/races.test.ts), a used / revoked / rotated / expired invitation token
 * (test/server/invitations.test.ts), expired and revoked sessions (test/server/authz.test.ts,
 * test/server/users.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sha256 } from '../../server/crypto.js';
import type { MemoryStore } from '../../server/store/memory.js';
import { isProblem, makeFileHarness, makeHarness, storeHarness } from '../helpers/api.js';

const folders: string[] = [];
after(async () => {
  await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
});

const DAY = 86_400_000;

function bytesOf(token: string): number {
  assert.match(token, /^[A-Za-z0-9_-]+$/, `base64url: ${token}`);
  return Buffer.from(token, 'base64url').length;
}

describe('tokens: entropy and distinctness', () => {
  it('mints session and invitation tokens of ≥ 16 random bytes (128 bits), all distinct over 300 of each', async () => {
    const h = await storeHarness({ rateLimits: false });
    const acc = await h.createAccount({ licenses: { quantity: 310, unitPrice: 400, currency: 'USD', interval: 'month' } });
    const sessions = new Set<string>();
    const invitations = new Set<string>();
    for (let i = 0; i < 300; i++) {
      await h.addUser(acc.accountId, acc.ownerToken, { email: `p${i}@acme.example` }, false);
      invitations.add(await h.invitationToken(`p${i}@acme.example`));
    }
    // (A user keeps only the newest 50 live sessions; the tokens minted are what is checked.)
    for (let i = 0; i < 300; i++) sessions.add(await h.session(acc.accountId, acc.owner.id));
    assert.equal(sessions.size, 300, 'session tokens are distinct');
    assert.equal(invitations.size, 300, 'invitation tokens are distinct');
    for (const token of [...sessions, ...invitations]) assert.ok(bytesOf(token) >= 16, `${token}: ${bytesOf(token)} bytes`);
    // No shared prefix: the randomness is spread over the whole token.
    const prefixes = new Set([...sessions].map((t) => t.slice(0, 4)));
    assert.ok(prefixes.size > 250, `distinct 4-character prefixes: ${prefixes.size}`);
  });
});

describe('tokens: stored only hashed', () => {
  it('keeps no plaintext token in the documents of the memory store, only their SHA-256', async () => {
    const h = makeHarness({ rateLimits: false });
    const acc = await h.createAccount();
    const member = await h.addUser(acc.accountId, acc.ownerToken, { email: 'member@acme.example' });
    await h.addUser(acc.accountId, acc.ownerToken, { email: 'pending@acme.example' }, false);
    const invitation = await h.invitationToken('pending@acme.example');
    const snapshot = JSON.stringify((h.store as MemoryStore).snapshot());
    for (const token of [acc.ownerToken, member.token!, invitation]) {
      assert.ok(!snapshot.includes(token), 'the plaintext token is nowhere in the store');
      assert.ok(snapshot.includes(await sha256(token)), 'its hash is');
    }
  });

  it('writes no plaintext token to any file of the FileStore folder (sessions, accepted and pending invitations)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seatkit-tokens-'));
    folders.push(dir);
    const h = await makeFileHarness(dir, { checkpointEvery: 3, checkpointWeight: 0 });
    const acc = await h.createAccount();
    const tokens = [acc.ownerToken];
    for (let i = 0; i < 3; i++) {
      const { token } = await h.addUser(acc.accountId, acc.ownerToken, { email: `m${i}@acme.example` });
      tokens.push(token!, await h.invitationToken(`m${i}@acme.example`));
    }
    await h.addUser(acc.accountId, acc.ownerToken, { email: 'pending@acme.example' }, false);
    tokens.push(await h.invitationToken('pending@acme.example'));
    const resent = await h.request('POST', `${acc.base}/users/${(await h.request('GET', `${acc.base}/users?q=pending`, { token: acc.ownerToken })).body.data[0].id}/invitation/resend`, {
      token: acc.ownerToken,
    });
    assert.equal(resent.status, 200);
    tokens.push(await h.invitationToken('pending@acme.example'));
    await h.close();

    const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    assert.ok(files.some((f) => f.name.endsWith('.json')), 'a checkpoint was written too');
    let bytes = 0;
    for (const file of files) {
      const text = await readFile(join(file.parentPath, file.name), 'utf8');
      bytes += text.length;
      for (const token of tokens) assert.ok(!text.includes(token), `${file.name} holds no plaintext token`);
    }
    assert.ok(bytes > 1000);
  });
});

describe('tokens: refused once they no longer hold', () => {
  it('never takes an invitation token as a session, nor a session token as an invitation', async () => {
    const h = await storeHarness({ rateLimits: false });
    const acc = await h.createAccount();
    await h.addUser(acc.accountId, acc.ownerToken, { email: 'pending@acme.example' }, false);
    const invitation = await h.invitationToken('pending@acme.example');
    assert.ok(isProblem(await h.request('GET', acc.base, { token: invitation }), 401, 'unauthorized'));
    assert.ok(isProblem(await h.request('GET', `/v1/invitations/${acc.ownerToken}`), 404, 'invitation_invalid'));
    assert.ok(isProblem(await h.request('POST', `/v1/invitations/${acc.ownerToken}/accept`, { body: {} }), 404, 'invitation_invalid'));
  });

  it('refuses the old token of an expired invitation once it is resent (rotated), and the new one works', async () => {
    const h = await storeHarness({ rateLimits: false });
    const acc = await h.createAccount({ testClock: { frozenTime: '2026-05-15T00:00:00.000Z' } });
    const { user } = await h.addUser(acc.accountId, acc.ownerToken, { email: 'late@acme.example' }, false);
    const old = await h.invitationToken('late@acme.example');
    await h.admin('POST', `${acc.base}/test-clock`, { advanceTo: new Date(Date.parse('2026-05-15T00:00:00.000Z') + 8 * DAY).toISOString() });
    assert.ok(isProblem(await h.request('GET', `/v1/invitations/${old}`), 410, 'invitation_expired'));
    assert.equal((await h.request('POST', `${acc.base}/users/${user.id}/invitation/resend`, { token: acc.ownerToken })).status, 200);
    const fresh = await h.invitationToken('late@acme.example');
    assert.notEqual(fresh, old);
    assert.ok(isProblem(await h.request('POST', `/v1/invitations/${old}/accept`, { body: {} }), 404, 'invitation_invalid'));
    assert.equal((await h.request('POST', `/v1/invitations/${fresh}/accept`, { body: {} })).status, 200);
  });

  it('ends the session minted by an acceptance when the user is unassigned, and the used invitation stays refused', async () => {
    const h = await storeHarness({ rateLimits: false });
    const acc = await h.createAccount();
    const { user, token } = await h.addUser(acc.accountId, acc.ownerToken, { email: 'm@acme.example' });
    const invitation = await h.invitationToken('m@acme.example');
    assert.equal((await h.request('GET', acc.base, { token })).status, 200);
    assert.equal((await h.request('DELETE', `${acc.base}/users/${user.id}/license`, { token: acc.ownerToken })).status, 200);
    assert.ok(isProblem(await h.request('GET', acc.base, { token }), 401, 'unauthorized'));
    assert.ok(isProblem(await h.request('POST', `/v1/invitations/${invitation}/accept`, { body: {} }), 404, 'invitation_invalid'));
  });
});

describe('tokens: brute force hits the rate limit', () => {
  it('answers 429 rate_limited with Retry-After to a client guessing tokens, after 30 lookups a minute, wrong tokens included', async () => {
    const h = await storeHarness();
    const acc = await h.createAccount();
    await h.addUser(acc.accountId, acc.ownerToken, { email: 'pending@acme.example' }, false);
    const real = await h.invitationToken('pending@acme.example');
    const statuses: number[] = [];
    let limited = null;
    for (let i = 0; i < 40; i++) {
      const guess = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
      const res = i % 2 ? await h.request('GET', `/v1/invitations/${guess}`) : await h.request('POST', `/v1/invitations/${guess}/accept`, { body: {} });
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
    }
    assert.deepEqual(statuses.slice(0, 30), Array(30).fill(404), 'the first 30 wrong guesses answer 404');
    assert.deepEqual(statuses.slice(30), Array(10).fill(429), 'every later one answers 429');
    assert.ok(isProblem(limited!, 429, 'rate_limited'));
    const retryAfter = Number(limited!.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    // Even the right token is refused while the window is full (the guesser learns nothing)…
    assert.ok(isProblem(await h.request('GET', `/v1/invitations/${real}`), 429, 'rate_limited'));
    // …and works once the minute is over.
    h.clock.advance(61_000);
    assert.equal((await h.request('GET', `/v1/invitations/${real}`)).status, 200);
  });
});
