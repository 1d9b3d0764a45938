/**
 * The users search's trigram index (server/domain/search-index.ts) answers exactly what a scan of
 * every user answers: over random names, emails and qualifications (with letters whose lowercase
 * changes length or depends on context), edits along a line of states and on a branch, and on each
 * store through the list route (the run's store: memory, file or PostgreSQL).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { randomId } from '../../server/crypto.js';
import type { UserRecord } from '../../server/domain/state.js';
import { searchQuery, searchText, searchUsers, GRAM } from '../../server/domain/search-index.js';
import { usersOf, withUser, type Users } from '../../server/domain/users-map.js';
import { storeHarness, TEST_STORE } from '../helpers/api.js';

/**
 * Letters that make case folding hard: İ lowercases to two code units, Σ to σ or ς by context,
 * ẞ to ß, the Kelvin sign to k, Å (Angstrom sign) to å, fullwidth and Cyrillic/Greek look-alikes, an emoji (surrogate pair).
 */
const LETTERS = ['a', 'b', 'A', 'B', 'i', 'I', 'İ', 'ı', 'Σ', 'σ', 'ς', 'ẞ', 'ß', 'K', 'k', 'Å', 'å', 'Ａ', 'ａ', 'е', 'Ε', ' ', '-', '1', '😀', 'ǅ'];
const text = (min: number, max: number) => fc.array(fc.constantFrom(...LETTERS), { minLength: min, maxLength: max }).map((chars) => chars.join(''));
const name = text(1, 8).filter((v) => /[\p{L}\p{N}]/u.test(v) && v.trim() !== '');
const local = fc.array(fc.constantFrom('a', 'b', 'i', 'k', 'I', 'K', '1', '-'), { minLength: 1, maxLength: 6 }).map((c) => `x${c.join('')}x`);
const person = fc.record({ firstName: name, lastName: name, local, qualification: fc.oneof(fc.constant(''), name) });

function record(p: { firstName: string; lastName: string; local: string; qualification: string }, i: number): UserRecord {
  return {
    id: `usr_${String(i).padStart(4, '0')}`,
    email: `${p.local}${i}@Ex.example`,
    firstName: p.firstName,
    lastName: p.lastName,
    qualification: p.qualification,
    role: 'member',
    status: 'enabled',
    invitationExpired: false,
    externalId: null,
    createdAt: '2026-05-15T00:00:00.000Z',
    lastActiveAt: null,
    version: 1,
    invitation: null,
  } as unknown as UserRecord;
}

/** What the list did before the index: every user's text tested. */
const scan = (users: Users, q: string) => [...users.values()].filter((u) => searchText(u).includes(q)).map((u) => u.id).sort();
const found = (users: Users, q: string) => {
  const hits = searchUsers(users, q);
  return hits && hits.map((u) => u.id).sort();
};

/** Queries: pieces of the users' texts in another case, and random text. */
function queriesFor(users: Users, picks: { user: number; start: number; length: number; upper: boolean }[], extra: string[]): string[] {
  const all = [...users.values()];
  const raw = picks.map(({ user, start, length, upper }) => {
    const u = all[user % all.length]!;
    const source = `${u.firstName} ${u.lastName}\n${u.email}\n${u.qualification}`;
    const piece = source.slice(start % source.length, (start % source.length) + length);
    return upper ? piece.toUpperCase() : piece;
  });
  return [...raw, ...extra].map(searchQuery);
}

const pick = fc.record({ user: fc.nat(), start: fc.nat(), length: fc.integer({ min: 1, max: 9 }), upper: fc.boolean() });
const edit = fc.record({ user: fc.nat(), person, add: fc.boolean() });

describe('users search index', () => {
  it('finds exactly what a scan finds, through edits, on every map of the line and on a branch', () => {
    fc.assert(
      fc.property(
        fc.array(person, { minLength: 1, maxLength: 25 }),
        fc.array(edit, { maxLength: 15 }),
        fc.array(pick, { minLength: 1, maxLength: 12 }),
        fc.array(text(1, 6), { maxLength: 4 }),
        (people, edits, picks, extra) => {
          let users = usersOf(people.map(record));
          const line: Users[] = [users];
          searchIndex0(users);
          let next = people.length;
          for (const e of edits) {
            if (e.add) users = withUser(users, record(e.person, next++));
            else {
              const target = [...users.values()][e.user % users.size]!;
              users = withUser(users, { ...target, firstName: e.person.firstName, lastName: e.person.lastName, qualification: e.person.qualification });
            }
            line.push(users);
          }
          // A branch from the middle of the line (a change computed and then not committed).
          const middle = line[Math.floor(line.length / 2)]!;
          const first = [...middle.values()][0]!;
          line.push(withUser(middle, { ...first, firstName: `${first.firstName}Zz`, qualification: 'İΣς' }));
          // Newest first, then the older maps (their index is the shared one, grown by later edits).
          for (const map of [...line].reverse()) {
            for (const q of queriesFor(map, picks, extra)) {
              const hits = found(map, q);
              if (q.length < GRAM) assert.equal(hits, undefined, 'a short query is left to the scan');
              else assert.deepEqual(hits, scan(map, q), `query ${JSON.stringify(q)}`);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('folds case as the scan does: İ, final sigma, ẞ, the Kelvin sign', () => {
    const users = usersOf([
      record({ firstName: 'İlker', lastName: 'ΟΔΟΣ', local: 'xkx', qualification: 'STRAẞE' }, 1),
      record({ firstName: 'Kelvin', lastName: 'ΣΟΦΙΑ', local: 'xax', qualification: '' }, 2),
    ]);
    for (const q of ['i̇lk', 'İLK', 'οδος', 'ΟΔΟΣ', 'ΟΔΟΣ ', 'σοφ', 'ΣΟΦ', 'straße', 'STRAẞE', 'kel', 'KELVIN', 'KEL', 'xkx1']) {
      const query = searchQuery(q);
      if (query.length >= GRAM) assert.deepEqual(found(users, query), scan(users, query), q);
    }
    assert.deepEqual(found(users, searchQuery('ΟΔΟΣ')), ['usr_0001']);
    assert.deepEqual(found(users, searchQuery('kel')), ['usr_0002']);
  });

  it('rebuilds itself after many edits and still finds the same', () => {
    let users = usersOf(Array.from({ length: 50 }, (_, i) => record({ firstName: `Ann${i}`, lastName: 'Lee', local: 'xax', qualification: 'Eng' }, i)));
    for (let round = 0; round < 60; round++) {
      for (const u of [...users.values()].slice(0, 40)) users = withUser(users, { ...u, lastName: `Lee${round}${randomId('usr').slice(-4)}` });
    }
    for (const q of ['ann1', 'lee5', 'lee59', 'eng', 'xax3@']) assert.deepEqual(found(users, q), scan(users, q), q);
  });
});

/** Builds the index of the first map (so the line's later maps step it). */
function searchIndex0(users: Users): void {
  searchUsers(users, 'zzz');
}

describe(`users search through the list route (${TEST_STORE} store)`, () => {
  it('answers every query, sort and filter exactly as a scan of the whole list', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(person, { minLength: 1, maxLength: 10 }),
        fc.array(edit, { maxLength: 5 }),
        fc.array(pick, { minLength: 1, maxLength: 6 }),
        fc.constantFrom('name', '-name', 'email', 'createdAt', '-status'),
        fc.constantFrom(undefined, 'invited', 'enabled'),
        async (people, edits, picks, sort, status) => {
          const h = await storeHarness();
          const { accountId, ownerToken, base } = await h.createAccount({ licenses: { quantity: 40, unitPrice: 400, currency: 'USD', interval: 'month' } });
          const ids: string[] = [];
          for (const [i, p] of people.entries()) {
            const { user } = await h.addUser(accountId, ownerToken, { email: `${p.local}${i}@ex.example`, firstName: p.firstName, lastName: p.lastName, qualification: p.qualification }, i % 3 === 0);
            ids.push(user.id);
          }
          for (const e of edits.filter((x) => !x.add)) {
            const id = ids[e.user % ids.length]!;
            const current = await h.request('GET', `${base}/users/${id}`, { token: ownerToken });
            const res = await h.request('PATCH', `${base}/users/${id}`, {
              token: ownerToken,
              headers: { 'If-Match': current.headers.get('etag')! },
              body: { firstName: e.person.firstName, lastName: e.person.lastName, qualification: e.person.qualification },
            });
            assert.equal(res.status, 200, JSON.stringify(res.body));
          }
          const everyone = await listAllIn(h, `${base}/users?sort=${sort}${status ? `&status=${status}` : ''}`, ownerToken);
          const map = usersOf((await listAllIn(h, `${base}/users?sort=name`, ownerToken)) as UserRecord[]);
          const texts = new Map([...map.values()].map((u) => [u.id, searchText(u)]));
          for (const q of queriesFor(map, picks, ['ann', 'İ'])) {
            if (q === '' || /\p{Cs}/u.test(q)) continue; // a piece cut inside an emoji is not text a client can send
            const listed = await listAllIn(h, `${base}/users?sort=${sort}${status ? `&status=${status}` : ''}&q=${encodeURIComponent(q)}`, ownerToken);
            const expected = everyone.filter((u) => texts.get(u.id)!.includes(q)).map((u) => u.id);
            assert.deepEqual(
              listed.map((u) => u.id),
              expected,
              `q=${JSON.stringify(q)} over ${JSON.stringify([...texts.values()])}`,
            );
          }
        },
      ),
      { numRuns: TEST_STORE === 'memory' ? 15 : 8 },
    );
  });
});

/** Every page of a list, through the in-process app. */
async function listAllIn(h: Awaited<ReturnType<typeof storeHarness>>, path: string, token: string): Promise<{ id: string }[]> {
  const all: { id: string }[] = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; body: any } = await h.request('GET', `${path}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    all.push(...(res.body.data as { id: string }[]));
    cursor = res.body.nextCursor as string | null;
  } while (cursor);
  return all;
}
