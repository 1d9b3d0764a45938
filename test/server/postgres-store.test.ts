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
import { randomId } from '../../server/crypto.js';
import type { AccountDoc } from '../../server/domain/state.js';
import { createAccount } from '../../server/domain/users.js';
import { PgStore } from '../../server/store/postgres/store.js';
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

async function journalSeqs(accountId: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ seq: string }>('SELECT seq FROM seatkit_journal WHERE account_id = $1 ORDER BY seq', [accountId]);
    return rows.map((r) => Number(r.seq));
  } finally {
    await client.end();
  }
}

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
});
