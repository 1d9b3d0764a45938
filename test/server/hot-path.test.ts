/**
 * The entitlement check's hot path (server/http/hot-path.ts): the Node entry answers the check's
 * plain case before a web Request is built. Each request here goes, byte for byte, to the Node
 * entry and to the same app served by @hono/node-server alone; the two answers must be the same
 * (status, headers, body), and the hot path must have answered exactly the plain cases.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import type { HotPath } from '../../server/http/hot-path.js';
import { MemoryStore } from '../../server/store/memory.js';
import { API_KEY, harnessOn, ManualClock } from '../helpers/api.js';
import { liveServer, type LiveServer } from '../helpers/live.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends the request as given: the target unparsed, headers repeated when given a list. */
function send(base: string, method: string, target: string, headers: Record<string, string | string[]>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}/`, { method, path: target, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** What must be equal: the headers but those of the moment and the request's own id, and the body without its request id. */
function comparable(reply: Reply) {
  const headers = { ...reply.headers };
  for (const name of ['date', 'x-request-id', 'content-length']) delete headers[name];
  let body: unknown = reply.body;
  if (reply.body !== '' && reply.headers['content-type']?.toString().includes('json')) {
    const parsed = JSON.parse(reply.body) as Record<string, unknown>;
    if (typeof parsed.requestId === 'string') parsed.requestId = reply.headers['x-request-id'] === parsed.requestId ? '(its own)' : parsed.requestId;
    body = parsed;
  }
  return { status: reply.status, headers, body };
}

/** Counts the requests the server's hot path answers (rather than handing them to the app). */
function countHotAnswers(server: LiveServer): () => number {
  let answered = 0;
  const original: HotPath = server.app.hotPath;
  server.app.hotPath = (request) =>
    original(request)?.then((answer) => {
      if (answer) answered++;
      return answer;
    });
  return () => answered;
}

for (const cors of ['*', 'https://app.host.example']) {
  describe(`the entitlement check's hot path answers as the app does (SEATKIT_CORS_ORIGINS=${cors})`, () => {
    let server: LiveServer;
    let plain: ReturnType<typeof serve>;
    let plainUrl: string;
    let answered: () => number;
    const ids: Record<string, string> = {};
    before(async () => {
      server = await liveServer({ SEATKIT_CORS_ORIGINS: cors });
      answered = countHotAnswers(server);
      plain = serve({ fetch: (request, env) => server.app.fetch(request, env), port: 0 });
      await new Promise((resolve) => plain.once('listening', resolve));
      plainUrl = `http://localhost:${(plain.address() as AddressInfo).port}`;
      const { account, owner } = await server.admin.accounts.create({
        name: 'Hot Co',
        licenses: { quantity: 5, unitPrice: 400, currency: 'USD', interval: 'month' },
        owner: { email: 'owner@hot.example', firstName: 'O', lastName: 'W' },
      });
      const worker = await server.admin.users.provision(account.id, { email: 'Worker@Hot.example', firstName: 'W', lastName: 'K', externalId: 'w-1' });
      const gone = await server.admin.users.provision(account.id, { email: 'gone@hot.example', firstName: 'G', lastName: 'N', license: false });
      const tagged = await server.admin.users.provision(account.id, { email: 'ann+tag@hot.example', firstName: 'A', lastName: 'T' });
      Object.assign(ids, { account: account.id, owner: owner.id, worker: worker.user.id, gone: gone.user.id, tagged: tagged.user.id });
      ids.session = (await server.admin.sessions.create(account.id, { userId: owner.id })).token;
    });
    after(async () => {
      await new Promise((resolve) => plain.close(resolve));
      await server.stop();
    });

    const key = { Authorization: `Bearer ${API_KEY}` };
    // [what, method, target (the account's path is prefixed to a target starting with '?'), headers, taken by the hot path]
    const cases = (): [string, string, string, Record<string, string | string[]>, boolean][] => {
      const check = `/v1/accounts/${ids.account}/entitlement`;
      return [
        ['email, encoded @', 'GET', `${check}?email=worker%40hot.example`, key, true],
        ['email, raw @ and other case', 'GET', `${check}?email=WORKER@Hot.Example`, key, true],
        ['externalId', 'GET', `${check}?externalId=w-1`, key, true],
        ['userId', 'GET', `${check}?userId=${ids.worker}`, key, true],
        ['owner by userId', 'GET', `${check}?userId=${ids.owner}`, key, true],
        ['a user without a license', 'GET', `${check}?userId=${ids.gone}`, key, true],
        ['an unknown email', 'GET', `${check}?email=nobody%40hot.example`, key, true],
        ['an unknown externalId', 'GET', `${check}?externalId=nobody`, key, true],
        ['an unknown userId', 'GET', `${check}?userId=usr_nobody0000000000000`, key, true],
        ['email with an encoded +', 'GET', `${check}?email=ann%2Btag%40hot.example`, key, true],
        ['email with a raw + (a space to Hono)', 'GET', `${check}?email=ann+tag%40hot.example`, key, false],
        ['email with encoded accents', 'GET', `${check}?email=%C3%A9t%C3%A9%40hot.example`, key, true],
        ['a malformed percent sequence', 'GET', `${check}?email=%E0%A4%A%40hot.example`, key, false],
        ['a fragment', 'GET', `${check}?email=worker%40hot.example#x`, key, false],
        ['a trailing &', 'GET', `${check}?email=worker%40hot.example&`, key, false],
        ['a selector twice', 'GET', `${check}?email=worker%40hot.example&email=gone%40hot.example`, key, false],
        ['two selectors', 'GET', `${check}?email=worker%40hot.example&externalId=w-1`, key, false],
        ['no selector', 'GET', check, key, false],
        ['an unknown key', 'GET', `${check}?Email=worker%40hot.example`, key, false],
        ['an empty externalId', 'GET', `${check}?externalId=`, key, false],
        ['an externalId too long', 'GET', `${check}?externalId=${'x'.repeat(300)}`, key, false],
        ['an email too long', 'GET', `${check}?email=${'x'.repeat(400)}%40hot.example`, key, false],
        ['a userId of no known form (unknown, as the route says)', 'GET', `${check}?userId=nope`, key, true],
        ['a trailing slash', 'GET', `${check}/?email=worker%40hot.example`, key, false],
        ['a double slash', 'GET', `/v1/accounts/${ids.account}//entitlement?email=worker%40hot.example`, key, false],
        ['a dot segment', 'GET', `/v1/accounts/x/../${ids.account}/entitlement?email=worker%40hot.example`, key, false],
        ['an encoded path', 'GET', `/v1/accounts/${ids.account}/entitlemen%74?email=worker%40hot.example`, key, false],
        ['an unknown account', 'GET', '/v1/accounts/acc_missing0000000000000/entitlement?email=worker%40hot.example', key, false],
        ['no Authorization', 'GET', `${check}?externalId=w-1`, {}, false],
        ['a wrong key', 'GET', `${check}?externalId=w-1`, { Authorization: `Bearer ${API_KEY}x` }, false],
        ['a key one character short', 'GET', `${check}?externalId=w-1`, { Authorization: `Bearer ${API_KEY.slice(0, -1)}` }, false],
        ['the key sent twice', 'GET', `${check}?externalId=w-1`, { Authorization: [`Bearer ${API_KEY}`, `Bearer ${API_KEY}`] }, false],
        ['a lower-case scheme', 'GET', `${check}?externalId=w-1`, { Authorization: `bearer ${API_KEY}` }, false],
        ['a session of the account', 'GET', `${check}?externalId=w-1`, { Authorization: `Bearer ${ids.session}` }, false],
        ['an allowed Origin', 'GET', `${check}?externalId=w-1`, { ...key, Origin: 'https://app.host.example' }, true],
        ['another Origin', 'GET', `${check}?externalId=w-1`, { ...key, Origin: 'https://evil.example' }, true],
        ['Origin twice', 'GET', `${check}?externalId=w-1`, { ...key, Origin: ['https://app.host.example', 'https://app.host.example'] }, true],
        ['a correlation id', 'GET', `${check}?externalId=w-1`, { ...key, 'X-Request-Id': 'trace-1' }, true],
        ['an upper-case Host', 'GET', `${check}?externalId=w-1`, { ...key, Host: 'LOCALHOST' }, false],
        ['HEAD', 'HEAD', `${check}?externalId=w-1`, key, false],
        ['POST', 'POST', `${check}?externalId=w-1`, key, false],
        ['a preflight', 'OPTIONS', `${check}?externalId=w-1`, { Origin: 'https://app.host.example', 'Access-Control-Request-Method': 'GET' }, false],
      ];
    };

    it('gives the same status, headers and body for every kind of request, and takes only the plain ones', async () => {
      for (const [what, method, target, headers, hot] of cases()) {
        const before = answered();
        const viaEntry = await send(server.url, method, target, headers);
        const taken = answered() - before;
        const viaApp = await send(plainUrl, method, target, headers);
        assert.equal(answered() - before, taken, `${what}: the plain server went through the hot path`);
        assert.deepEqual(comparable(viaEntry), comparable(viaApp), `${what}: ${method} ${target}`);
        assert.equal(taken, hot ? 1 : 0, `${what}: ${hot ? 'not ' : ''}answered by the hot path (${viaEntry.status} ${viaEntry.body.slice(0, 200)})`);
        assert.ok(viaEntry.headers['x-request-id'], `${what}: a request id`);
        if (hot) assert.equal(Number(viaEntry.headers['content-length']), Buffer.byteLength(viaEntry.body), `${what}: Content-Length`);
      }
    });
  });
}

describe("the entitlement check's hot path", () => {
  it('records activity as the route does', async () => {
    const server = await liveServer();
    try {
      const answered = countHotAnswers(server);
      const { account } = await server.admin.accounts.create({
        name: 'Active',
        licenses: { quantity: 3, unitPrice: 400, currency: 'USD', interval: 'month' },
        owner: { email: 'o@active.example', firstName: 'O', lastName: 'C' },
      });
      const worker = (await server.admin.users.provision(account.id, { email: 'w@active.example', firstName: 'W', lastName: 'K', externalId: 'w' })).user;
      await server.app.jobs.run('activity');
      const checked = Date.now();
      assert.equal((await server.admin.entitlements.check(account.id, { externalId: 'w' })).licensed, true);
      assert.equal(answered(), 1);
      await server.app.jobs.run('activity');
      const active = (await server.admin.account(account.id).users.get(worker.id)).lastActiveAt;
      assert.ok(active && Date.parse(active) >= checked - 60_000, `lastActiveAt ${active}`);
    } finally {
      await server.stop();
    }
  });

  it('logs its answers as the Node entry logs every request', async () => {
    const server = await liveServer({ SEATKIT_LOG_REQUESTS: 'on' });
    try {
      const { account } = await server.admin.accounts.create({
        name: 'Logged',
        licenses: { quantity: 3, unitPrice: 400, currency: 'USD', interval: 'month' },
        owner: { email: 'o@logged.example', firstName: 'O', lastName: 'C' },
      });
      const res = await fetch(`${server.url}/v1/accounts/${account.id}/entitlement?email=o%40logged.example`, { headers: { Authorization: `Bearer ${API_KEY}`, 'X-Request-Id': 'trace-7' } });
      assert.equal(res.status, 200);
      const line = server.logs.find((entry) => entry.message === 'request' && entry.requestId === res.headers.get('X-Request-Id'));
      assert.ok(line, 'a request line');
      assert.deepEqual(
        { level: line.level, method: line.method, path: line.path, status: line.status, correlationId: line.correlationId, ms: typeof line.ms },
        { level: 'info', method: 'GET', path: `/v1/accounts/${account.id}/entitlement`, status: 200, correlationId: 'trace-7', ms: 'number' },
      );
    } finally {
      await server.stop();
    }
  });

  it('leaves an account with something to settle to the app, and answers it once settled', async () => {
    const clock = new ManualClock();
    const h = harnessOn(new MemoryStore(), clock, {});
    const acc = await h.createAccount();
    const invited = await h.admin('POST', `${acc.base}/invitations`, { email: 'late@acme.example', firstName: 'L', lastName: 'T' });
    const target = `${acc.base}/entitlement?userId=${invited.body.user.id as string}`;
    const hot = () => h.app.hotPath({ method: 'GET', url: target, header: (name) => ({ authorization: `Bearer ${API_KEY}`, host: 'localhost' } as Record<string, string>)[name] });
    assert.equal(JSON.parse((await hot())!.body).licensed, true);
    clock.advance(30 * 24 * 60 * 60 * 1000);
    assert.equal(await hot(), undefined, 'the invitation expired and the period renewed: not settled yet');
    const viaApp = await h.admin('GET', target);
    assert.equal(viaApp.body.reason, 'invitation_expired');
    assert.deepEqual(JSON.parse((await hot())!.body), viaApp.body);
  });
});
