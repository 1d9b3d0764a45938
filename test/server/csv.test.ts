/**
 * The users CSV over real HTTP: its header, quoting and formula guard (read back with csv-parse),
 * the list's filters and sort, permissions, and a 10,000-user export that arrives as a stream.
 */
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { after, before, describe, it } from 'node:test';
import { SeatClient, SeatForbiddenError, type BatchOperation } from '../../sdk/index.js';
import { API_KEY } from '../helpers/api.js';
import { liveServer, type LiveServer } from '../helpers/live.js';

const HEADER = 'email,firstName,lastName,role,qualification,status,lastActiveAt,licenseAssignedAt,externalId';

let server: LiveServer;
before(async () => {
  server = await liveServer();
});
after(() => server.stop());

async function account(quantity = 20) {
  const { account, owner } = await server.admin.accounts.create({
    name: 'CSV Co',
    licenses: { quantity, unitPrice: 400, currency: 'USD', interval: 'month' },
    owner: { email: 'owner@csv.example', firstName: 'Olive', lastName: 'Owner' },
  });
  return { id: account.id, owner, asKey: server.admin.account(account.id) };
}

async function csvOf(accountId: string, query = '', token = API_KEY) {
  const res = await fetch(`${server.url}/v1/accounts/${accountId}/users.csv${query}`, { headers: { Authorization: `Bearer ${token}` } });
  return { res, text: await res.text() };
}

describe('users.csv', () => {
  it('has the documented header, one quoted-as-needed row per user, and defuses formula-looking cells', async () => {
    const acc = await account();
    await server.admin.users.provision(acc.id, { email: 'quote@csv.example', firstName: 'Anna, "the Ace"', lastName: 'Müller', qualification: 'Line one', externalId: '=HYPERLINK("x")' });
    await server.admin.users.provision(acc.id, { email: 'plus@csv.example', firstName: '+Plus', lastName: '-Minus', qualification: '@mention', license: false });
    const { res, text } = await csvOf(acc.id, '?sort=email');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="users.csv"/);
    assert.equal(text.split('\r\n')[0], HEADER);
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    assert.deepEqual(rows.map((r) => r.email), ['owner@csv.example', 'plus@csv.example', 'quote@csv.example']);
    const quoted = rows[2]!;
    assert.equal(quoted.firstName, 'Anna, "the Ace"', 'commas and quotes survive the round trip');
    assert.equal(quoted.lastName, 'Müller');
    assert.equal(quoted.externalId, `'=HYPERLINK("x")`, 'a formula is not run by a spreadsheet');
    assert.deepEqual([rows[1]!.firstName, rows[1]!.lastName, rows[1]!.qualification], ["'+Plus", "'-Minus", "'@mention"]);
    assert.deepEqual([rows[1]!.status, rows[1]!.licenseAssignedAt, rows[1]!.lastActiveAt], ['disabled', '', '']);
    assert.equal(rows[0]!.role, 'owner');
  });

  it('takes the list’s filters and sort', async () => {
    const acc = await account();
    await acc.asKey.batch({ operations: ['b', 'a', 'c'].map((n): BatchOperation => ({ op: 'provision', email: `${n}@csv.example`, firstName: n.toUpperCase(), lastName: 'Test', externalId: `id-${n}` })) });
    const emails = async (query: string) => (parse((await csvOf(acc.id, query)).text, { columns: true }) as { email: string }[]).map((r) => r.email);
    assert.deepEqual(await emails('?sort=-email&role=member'), ['c@csv.example', 'b@csv.example', 'a@csv.example']);
    assert.deepEqual(await emails('?q=b%40'), ['b@csv.example']);
    assert.deepEqual(await emails('?externalId=id-c'), ['c@csv.example']);
    assert.deepEqual(await emails('?status=invited'), []);
    assert.equal((await csvOf(acc.id, '?limit=2')).res.status, 400, 'no paging: the whole list');
  });

  it('is for the owner and admins (a member: 403), through the SDK as a stream', async () => {
    const acc = await account();
    const member = await server.admin.users.provision(acc.id, { email: 'm@csv.example', firstName: 'M', lastName: 'M' });
    const { token } = await server.admin.sessions.create(acc.id, { userId: member.user.id });
    const asMember = new SeatClient({ baseUrl: server.url, accountId: acc.id, token });
    assert.ok((await asMember.users.exportCsv().catch((e: unknown) => e)) instanceof SeatForbiddenError);
    const stream = await acc.asKey.users.exportCsv({ sort: 'email' });
    assert.ok(stream instanceof ReadableStream);
    assert.equal((await new Response(stream).text()).split('\r\n').length, 4, 'header, 2 users, and the last line end');
  });

  it('streams 10,000 users in chunks, every one of them', async () => {
    const acc = await account(10_001);
    for (let start = 0; start < 10_000; start += 1000) {
      await acc.asKey.batch({ operations: Array.from({ length: 1000 }, (_, i): BatchOperation => ({ op: 'provision', email: `u${start + i}@csv.example`, firstName: 'User', lastName: `${start + i}` })) });
    }
    const res = await fetch(`${server.url}/v1/accounts/${acc.id}/users.csv`, { headers: { Authorization: `Bearer ${API_KEY}` } });
    const reader = res.body!.getReader();
    let chunks = 0;
    let text = '';
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks++;
      text += decoder.decode(value, { stream: true });
    }
    assert.ok(chunks >= 10, `${chunks} chunks`);
    const rows = parse(text, { columns: true }) as { email: string }[];
    assert.equal(rows.length, 10_001);
    assert.equal(new Set(rows.map((r) => r.email)).size, 10_001);
  });
});
