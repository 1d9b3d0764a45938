/**
 * The change feed every store keeps for live streams: one entry per commit with audit events, in
 * order, with the account's growing sequence; the recent ones kept for a stream that reconnects.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ChangeFeed, type AccountChange } from '../../server/store/changes.js';
import { harnessOn, makeFileHarness, makeHarness, ManualClock, storeHarness, testStore, TEST_STORE } from '../helpers/api.js';

const folders: string[] = [];
after(() => Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true }))));

for (const kind of ['memory', 'file'] as const) {
  describe(`change feed (${kind} store)`, () => {
    it('announces each commit with audit events once, in order, with its sequence, action, users and counts', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'seatkit-changes-'));
      folders.push(dir);
      const h = kind === 'memory' ? { ...makeHarness(), close: async () => {} } : await makeFileHarness(dir);
      const acc = await h.createAccount();
      const seen: AccountChange[] = [];
      const stop = h.store.changes.subscribe(acc.accountId, (change) => seen.push(change));
      const ada = await h.addUser(acc.accountId, acc.ownerToken, { email: 'ada@acme.example' }, false);
      await h.session(acc.accountId, acc.owner.id); // no audit event: not announced
      const removed = await h.request('DELETE', `${acc.base}/users/${ada.user.id}/license`, { token: acc.ownerToken });
      assert.equal(removed.status, 200);
      stop();
      await h.request('POST', `${acc.base}/invitations`, { token: acc.ownerToken, body: { email: 'late@acme.example', firstName: 'L', lastName: 'Ate' } });
      assert.deepEqual(seen.map((c) => c.action), ['user.invited', 'license.unassigned']);
      assert.deepEqual(seen.map((c) => c.userIds), [[ada.user.id], [ada.user.id]]);
      assert.deepEqual(seen.map((c) => c.licenses.inUse), [2, 1]);
      assert.ok(seen[1]!.sequence > seen[0]!.sequence, 'the sequence grows');
      const missed = await h.store.changes.since(acc.accountId, seen[0]!.sequence);
      assert.deepEqual(missed?.map((c) => c.action), ['license.unassigned', 'user.invited'], 'what came after, oldest first');
      assert.deepEqual(await h.store.changes.since(acc.accountId, 10_000), undefined, 'a sequence it never gave');
      await h.close();
    });
  });
}

describe('change feed: what can still be told', () => {
  const change = (sequence: number): AccountChange => ({
    accountId: 'acc_1',
    sequence,
    action: 'user.updated',
    userIds: [],
    licenses: { quantity: 1, enabled: 1, invited: 0, inUse: 1, available: 0, scheduled: null },
  });

  it('tells the changes after any sequence it still keeps, and no longer those before what it dropped', async () => {
    const feed = new ChangeFeed(3);
    feed.start('acc_1', 10);
    for (const sequence of [12, 13, 15, 16]) feed.publish(change(sequence));
    assert.equal(await feed.since('acc_1', 10), undefined, '12 was dropped: what followed 10 cannot be told');
    assert.deepEqual((await feed.since('acc_1', 12))?.map((c) => c.sequence), [13, 15, 16]);
    assert.deepEqual((await feed.since('acc_1', 14))?.map((c) => c.sequence), [15, 16], 'a sequence between announced ones');
    assert.deepEqual(await feed.since('acc_1', 16), []);
    assert.equal(await feed.since('acc_2', 0), undefined, 'an account it does not know');
  });

  it('keeps delivering when a listener throws', () => {
    const feed = new ChangeFeed();
    const got: number[] = [];
    feed.subscribe('acc_1', () => {
      throw new Error('a closed stream');
    });
    feed.subscribe('acc_1', (c) => got.push(c.sequence));
    feed.publish(change(1));
    assert.deepEqual(got, [1]);
  });
});

describe(`change feed: where a stream starts and resumes (${TEST_STORE} store)`, () => {
  it('latest tells the last announced sequence; since tells what followed it', async () => {
    const h = await storeHarness({ rateLimits: false });
    const acc = await h.createAccount();
    const start = await h.store.changes.latest(acc.accountId);
    assert.ok(start >= 1, 'the account’s creation was announced');
    assert.deepEqual(await h.store.changes.since(acc.accountId, start), []);
    await h.addUser(acc.accountId, acc.ownerToken, { email: 'ada@acme.example' }, false);
    await h.session(acc.accountId, acc.owner.id); // no audit event: latest stays on the invite
    const latest = await h.store.changes.latest(acc.accountId);
    assert.ok(latest > start);
    assert.deepEqual((await h.store.changes.since(acc.accountId, start))?.map((c) => [c.action, c.sequence]), [['user.invited', latest]]);
    assert.equal(await h.store.changes.latest('acc_unknown0000000000000'), 0);
  });

  if (TEST_STORE === 'postgres') {
    it('a change committed by another process is known here at once: latest, since and the listeners', async () => {
      const here = await storeHarness({ rateLimits: false });
      const there = harnessOn(await testStore(), new ManualClock(), { rateLimits: false });
      const acc = await here.createAccount();
      const heard: AccountChange[] = [];
      // This process knows the account (a stream would have loaded it).
      const start = await here.store.changes.latest(acc.accountId);
      here.store.changes.subscribe(acc.accountId, (change) => heard.push(change));
      const invited = await there.request('POST', `${acc.base}/invitations`, { token: acc.ownerToken, body: { email: 'far@acme.example', firstName: 'F', lastName: 'Ar' } });
      assert.equal(invited.status, 201);
      // Asked right away (before the NOTIFY may have arrived), this process catches up first.
      const latest = await here.store.changes.latest(acc.accountId);
      assert.ok(latest > start);
      assert.deepEqual((await here.store.changes.since(acc.accountId, start))?.map((c) => c.action), ['user.invited']);
      assert.deepEqual(heard.map((c) => c.action), ['user.invited'], 'its listeners heard it, once');
      await there.app.jobs.stop();
    });
  }
});
