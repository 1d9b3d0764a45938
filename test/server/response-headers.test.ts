/**
 * Every answer carries the request id, CORS and the security headers, set in one middleware after
 * the route (server/response-headers.ts): the same security headers Hono's `secureHeaders` sets
 * (checked against it, so an upgrade that changes them is noticed), on JSON answers, answers made
 * from text (a list page), errors and 404s; preflights answered by Hono's `cors`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { SECURITY_HEADERS, requestIds } from '../../server/response-headers.js';
import { makeHarness } from '../helpers/api.js';

describe('response headers', () => {
  it('are the headers of secureHeaders({ crossOriginResourcePolicy: "cross-origin" })', async () => {
    const app = new Hono();
    app.use(secureHeaders({ crossOriginResourcePolicy: 'cross-origin' }));
    app.get('/', (c) => c.json({}));
    const res = await app.request('/');
    const theirs = [...res.headers].filter(([name]) => name !== 'content-type').sort();
    const ours = SECURITY_HEADERS.map(([name, value]) => [name.toLowerCase(), value]).sort();
    assert.deepEqual(ours, theirs);
  });

  it('come with every kind of answer, with a fresh request id each', async () => {
    const h = makeHarness();
    const { base, ownerToken, owner } = await h.createAccount();
    const answers = [
      await h.request('GET', `${base}/users/${owner.id}`, { token: ownerToken }), // c.json
      await h.request('GET', `${base}/users?limit=5`, { token: ownerToken }), // text already serialised
      await h.request('GET', `${base}/users?limit=0`, { token: ownerToken }), // a problem
      await h.request('GET', '/v1/nothing-here'), // not found
      await h.request('POST', `${base}/invitations`, { token: ownerToken, raw: 'x', headers: { 'Content-Type': 'text/plain' } }), // 415
    ];
    const ids = new Set<string>();
    for (const res of answers) {
      for (const [name, value] of SECURITY_HEADERS) assert.equal(res.headers.get(name), value, `${name} on a ${res.status}`);
      assert.equal(res.headers.get('Access-Control-Allow-Origin'), '*');
      assert.match(res.headers.get('Access-Control-Expose-Headers') ?? '', /X-Request-Id/);
      const id = res.headers.get('X-Request-Id') ?? '';
      assert.match(id, /^req_[A-Za-z0-9_-]{16}[0-9a-z]+$/);
      ids.add(id);
    }
    assert.deepEqual(answers.map((r) => r.status), [200, 200, 400, 404, 415]);
    assert.equal(ids.size, answers.length);
    assert.equal(answers[2]!.body.requestId, answers[2]!.headers.get('X-Request-Id'), 'a problem names the same id');
  });

  it('answer a preflight with CORS and a request id', async () => {
    const h = makeHarness();
    const res = await h.request('OPTIONS', '/v1/accounts/acc_x/users', { headers: { Origin: 'https://host.example', 'Access-Control-Request-Method': 'PATCH' } });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('Access-Control-Allow-Origin'), '*');
    assert.match(res.headers.get('Access-Control-Allow-Methods') ?? '', /PATCH/);
    assert.match(res.headers.get('X-Request-Id') ?? '', /^req_/);
  });

  it('only the listed origins, with Vary: Origin, when SEATKIT_CORS_ORIGINS names some', async () => {
    const h = makeHarness({ corsOrigins: ['https://host.example'] });
    const allowed = await h.request('GET', '/healthz', { headers: { Origin: 'https://host.example' } });
    assert.equal(allowed.headers.get('Access-Control-Allow-Origin'), 'https://host.example');
    assert.match(allowed.headers.get('Vary') ?? '', /Origin/);
    const other = await h.request('GET', '/healthz', { headers: { Origin: 'https://elsewhere.example' } });
    assert.equal(other.headers.get('Access-Control-Allow-Origin'), null);
  });

  it('request ids never repeat in a process, and differ between processes', () => {
    const a = requestIds();
    const b = requestIds();
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add(a());
    assert.equal(seen.size, 10_000);
    assert.ok(!seen.has(b()));
  });
});
