/**
 * The PostgreSQL store's commit paths, two stores on one database standing for two processes. A
 * group of changes is first computed on the process's copy of the account and written only if the
 * account is still at that copy's sequence; when another process committed first, nothing of it is
 * written, and the changes are computed again on the account as it is. No change is lost, none
 * is applied twice, and the journal stays contiguous.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { AuditEvent } from '../../sdk/types.js';
import { createApp } from '../../server/app.js';
import { randomId } from '../../server/crypto.js';
import type { AccountDoc } from '../../server/domain/state.js';
import { createAccount } from '../../server/domain/users.js';
import { PgStore } from '../../server/store/postgres/store.js';
import type { Store } from '../../server/store/types.js';
import { API_KEY } from '../helpers/api.js';
import { freshDatabase } from '../helpers/postgres.js';

let database: Awaited<ReturnType<typeof freshDatabase>>;
let a: PgStore;
let b: PgStore;

before(async () => {
  database = await freshDatabase();
  a = await PgStore.open({ connectionString: database.url, poolSize: 4 });
  b = await PgStore.open({ connectionString: database.url, poolSize: 4 });
});
after(async () => {
  await a.close();
  await b.close();
  await database.drop();
});

async function newAccount(): Promise<string> {
  const created = createAccount(
    {
      name: 'Two Co',
      licenses: { quantity: 5, unitPrice: 400, currency: 'USD', interval: 'month' },
      owner: { email: 'owner@two.example', firstName: 'Olive', lastName: 'Owner' },
    },
    { now: new Date(), actor: { type: 'api_key' }, newId: randomId },
  );
  await a.create(created.doc, created.events);
  return created.result.accountId;
}

/** A change that appends `mark` to the account's name: the name tells every change applied, in order. */
const append = (mark: string, seen?: string[]) => (doc: AccountDoc) => {
  seen?.push(doc.name);
  return { doc: { ...doc, name: `${doc.name}${mark}` }, events: [], result: undefined };
};

async function sql<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const journalSeqs = async (accountId: string) => (await sql<{ seq: string }>('SELECT seq FROM seatkit_journal WHERE account_id = $1 ORDER BY seq', [accountId])).map((r) => Number(r.seq));

describe('PostgreSQL store: commits from two processes', () => {
  it('recomputes a change made on a copy another process has moved past, and writes it once', async () => {
    const id = await newAccount();
    await b.get(id); // b's copy: the account as created
    await a.transact(id, append('A'));
    const seen: string[] = [];
    await b.transact(id, append('B', seen));
    assert.equal(seen[0], 'Two Co', 'first computed on the copy, which lacked the other change');
    assert.equal(seen.at(-1), 'Two CoA', 'then on the account as it is');
    assert.equal((await a.get(id))!.name, 'Two CoAB');
    assert.equal((await b.get(id))!.name, 'Two CoAB');
    assert.deepEqual(await journalSeqs(id), [2, 3], 'one journal row per change, contiguous');
  });

  it('answers a refusal computed on the copy without writing anything', async () => {
    const id = await newAccount();
    await assert.rejects(
      b.transact(id, () => {
        throw new Error('refused');
      }),
      /refused/,
    );
    assert.deepEqual(await journalSeqs(id), []);
  });

  it('loses no change and applies none twice when two processes change one account at once', async () => {
    const id = await newAccount();
    await b.get(id);
    const marks = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? 'a' : 'b'));
    await Promise.all(marks.map((mark, i) => (i % 2 === 0 ? a : b).transact(id, append(mark))));
    const name = (await a.get(id))!.name;
    assert.equal(name.length, 'Two Co'.length + 60);
    assert.equal([...name.slice(6)].filter((c) => c === 'a').length, 30);
    assert.equal((await b.get(id))!.name, name, 'both processes see the same account');
    assert.deepEqual(await journalSeqs(id), Array.from({ length: 60 }, (_, i) => i + 2));
  });

  it('takes into its transaction the changes that came while it waited for the row lock', async () => {
    const id = await newAccount();
    await b.get(id);
    await a.transact(id, append('A'));
    await b.transact(id, append('0')); // b found its copy stale: its next changes go to the lock
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM seatkit_accounts WHERE id = $1 FOR UPDATE', [id]);
      const first = b.transact(id, append('1'));
      // Until PostgreSQL shows b's transaction waiting for the lock the holder has.
      for (let tries = 0; ; tries++) {
        const [row] = await sql<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", [database.name]);
        if (row!.n === '1') break;
        if (tries > 200) throw new Error('b never waited for the lock');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const more = [b.transact(id, append('2')), b.transact(id, append('3'))];
      await holder.query('COMMIT');
      await Promise.all([first, ...more]);
    } finally {
      await holder.end();
    }
    assert.equal((await a.get(id))!.name, 'Two CoA0123');
    const rows = await sql<{ seq: string; xmin: string }>('SELECT seq, xmin::text FROM seatkit_journal WHERE account_id = $1 AND seq >= 4 ORDER BY seq', [id]);
    assert.deepEqual(rows.map((r) => Number(r.seq)), [4, 5, 6]);
    assert.equal(new Set(rows.map((r) => r.xmin)).size, 1, 'the three changes in one transaction');
  });

  it('writes text that needs quoting intact when it commits under the lock', async () => {
    // Under the row lock the write and the COMMIT go as one message of quoted literals: every
    // character SQL or an array literal gives a meaning to must come back as it was sent.
    const id = await newAccount();
    const odd = `O'Brien "\\" {a,b} \\\\N NULL ; -- é 😀 $1`;
    await b.get(id);
    await a.transact(id, append('A')); // b's copy is now stale: b commits under the lock
    const event = (doc: AccountDoc): AuditEvent => ({
      id: `ev_${odd}`,
      accountId: doc.id,
      action: 'user.updated',
      actor: { type: 'api_key' },
      userIds: [odd, `${odd}2`],
      before: { lastName: odd },
      after: { lastName: `${odd}!`, list: [odd, null] },
      createdAt: new Date().toISOString(),
    });
    const seen: string[] = [];
    const done = await b.transact(id, (doc) => {
      seen.push(doc.name);
      return { doc: { ...doc, name: `${doc.name}${odd}` }, events: [event(doc)], result: undefined };
    });
    assert.equal(seen.at(-1), 'Two CoA', 'computed again under the lock');
    const fresh = await PgStore.open({ connectionString: database.url, poolSize: 1 });
    try {
      assert.equal((await fresh.get(id))!.name, `Two CoA${odd}`, 'the journal row, read by a process that had no copy');
      const page = await fresh.events(id, { limit: 10, userId: `${odd}2` });
      assert.deepEqual(page.data, done.events, 'the audit event, found by a user id with the same characters');
    } finally {
      await fresh.close();
    }
  });

  it('talks UTF-8 to the database whatever client encoding the database sets', async () => {
    // Read as SJIS, the UTF-8 of "Á" (C3 81) ends in a lead byte that swallows the next byte (the
    // first of an escaped backslash pair); PostgreSQL then refuses the literal ("unsafe use of \'
    // in a string literal"), so the write under the lock, which sends quoted literals, works only
    // over UTF-8: the driver asks for it when it connects, over what the database sets.
    const id = await newAccount();
    await sql(`ALTER DATABASE ${database.name} SET client_encoding = 'SJIS'`, []);
    const sjis = await PgStore.open({ connectionString: database.url, poolSize: 1 });
    try {
      await sjis.get(id);
      await a.transact(id, append('A')); // the new store's copy is stale: it commits under the lock
      const mark = `Á\\'Á"Á\\`;
      await sjis.transact(id, append(mark));
      assert.equal((await a.get(id))!.name, `Two CoA${mark}`);
    } finally {
      await sjis.close();
      await sql(`ALTER DATABASE ${database.name} RESET client_encoding`, []);
    }
  });

  it('reads the account afresh when the copy is ahead of the database (restored from a backup under running processes)', async () => {
    const id = await newAccount();
    await a.transact(id, append('A'));
    await a.transact(id, append('B'));
    // The database goes back to the account as created; process a still holds 'Two CoAB'.
    await sql('DELETE FROM seatkit_journal WHERE account_id = $1', [id]);
    await sql('UPDATE seatkit_accounts SET seq = 1, event_count = snapshot_event_count WHERE id = $1', [id]);
    const seen: string[] = [];
    await a.transact(id, append('C', seen));
    assert.equal(seen.at(-1), 'Two Co', 'computed on the account the database holds');
    assert.equal((await b.get(id))!.name, 'Two CoC');
    assert.deepEqual(await journalSeqs(id), [2]);
  });

  it('counts the emails of a batch against the hourly limit once when the change is computed again', async () => {
    // Process b's copy goes stale between the request's read and its commit (process a commits
    // in between), so b computes the batch on the copy, finds a's commit, and computes it again.
    let interleave: (() => Promise<unknown>) | null = null;
    const staleOnce = new Proxy(b, {
      get(target, name) {
        if (name === 'transact') {
          return async (...args: Parameters<Store['transact']>) => {
            const before = interleave;
            interleave = null;
            await before?.();
            return target.transact(...args);
          };
        }
        const value = Reflect.get(target, name, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const app = createApp({ store: staleOnce as Store, config: { apiKey: API_KEY } });
    try {
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await app.request(path, { method, headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
        return { status: res.status, body: await res.json() };
      };
      const created = await call('POST', '/v1/accounts', {
        name: 'Limit Co',
        licenses: { quantity: 200, unitPrice: 400, currency: 'USD', interval: 'month' },
        owner: { email: 'owner@limit.example', firstName: 'Olive', lastName: 'Owner' },
      });
      const id = created.body.account.id as string;
      await a.get(id);
      const invites = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ op: 'invite', email: `p${from + i}@limit.example`, firstName: 'P', lastName: String(from + i) }));
      interleave = () => a.transact(id, append('!'));
      // 60 of the hour's 100: counted twice, the second count would pass the limit (429).
      const first = await call('POST', `/v1/accounts/${id}/batch`, { operations: invites(0, 60) });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(interleave, null, 'the other process committed in between');
      assert.equal((await b.get(id))!.name, 'Limit Co!', 'both changes are there');
      const over = await call('POST', `/v1/accounts/${id}/batch`, { operations: invites(60, 41) });
      assert.equal(over.status, 429, '60 + 41 is over the limit');
      const fits = await call('POST', `/v1/accounts/${id}/batch`, { operations: invites(60, 40) });
      assert.equal(fits.status, 200, `60 + 40 fits: ${JSON.stringify(fits.body)}`);
    } finally {
      await app.jobs.stop();
    }
  });
});

describe('PostgreSQL store: the processes that share accounts\' changes (seatkit_peers)', () => {
  it('answers every process noted within the time given, itself at once, and forgets one that leaves', async () => {
    const [one, two] = ['http://10.1.0.1:8801', 'http://10.1.0.2:8802'];
    assert.deepEqual(await a.beat(one, 60_000), [one], 'a first beat answers itself');
    assert.deepEqual((await b.beat(two, 60_000)).sort(), [one, two]);
    assert.deepEqual((await a.beat(one, 60_000)).sort(), [one, two]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(await a.beat(one, 20), [one], 'a process not noted within 20 ms is not live');
    await b.leave(two);
    assert.deepEqual(await a.beat(one, 60_000), [one], 'one that left is gone at once');
    await a.leave(one);
  });
});

describe('PostgreSQL store: reads', () => {
  /**
   * Counts the store's account reads (the prepared `seatkit_read`) while `work` runs: `count` sent,
   * `answered` whose answer the database gave; `hold` keeps those answers from the store until it
   * settles.
   */
  async function countingReads<T>(work: (reads: { count: number; answered: number }) => Promise<T>, hold?: Promise<unknown>): Promise<T> {
    const reads = { count: 0, answered: 0 };
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const result = (query as (...a: unknown[]) => unknown).apply(this, args);
      if ((args[0] as { name?: string } | undefined)?.name !== 'seatkit_read') return result;
      reads.count++;
      return (result as Promise<unknown>).then(async (answer) => {
        reads.answered++;
        await hold;
        return answer;
      });
    } as typeof query;
    try {
      return await work(reads);
    } finally {
      pg.Client.prototype.query = query;
    }
  }

  it('answers the reads of one account asked for together with one query', async () => {
    const id = await newAccount();
    await a.transact(id, append('A'));
    const docs = await countingReads(async (reads) => {
      const docs = await Promise.all(Array.from({ length: 5 }, () => a.get(id)));
      assert.equal(reads.count, 1, 'five reads asked for in one turn: one query');
      return docs;
    });
    assert.deepEqual(new Set(docs.map((doc) => doc!.name)), new Set(['Two CoA']));
  });

  it('does not answer a read with one sent before it was asked for (a change committed in between is seen)', async () => {
    const id = await newAccount();
    await a.get(id);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await countingReads(async (reads) => {
      const early = a.get(id);
      // Until the database has answered the first read (the answer is held back from the store).
      while (reads.answered === 0) await new Promise((resolve) => setImmediate(resolve));
      await b.transact(id, append('B')); // acknowledged after the first read was answered
      const later = a.get(id);
      release();
      assert.equal((await early)!.name, 'Two Co', 'the first read ran before the change');
      assert.equal((await later)!.name, 'Two CoB', 'the read asked for after the change sees it');
      assert.equal(reads.count, 2);
    }, held);
  });
});
