/**
 * HTTP fuzzing driven by the OpenAPI document (GET /v1/openapi.json): for every operation, random
 * and boundary values for each path, query and header parameter and each body field (per its
 * schema: valid values, values at and beyond the limits, huge, unicode and control-character
 * strings, wrong types, nulls, extra and missing fields, malformed JSON, another content type),
 * sent with no auth, the API key, an owner, admin or member session, a foreign owner or a garbage
 * token. Every answer: never a 5xx; every 4xx is problem+json; after a 4xx the whole store (every
 * account, user, session, idempotency key, invoice, audit event) and the outbox are unchanged.
 *
 * `STRESS=1` sends about 10,000 requests instead of a few hundred; FUZZ_RUNS overrides the runs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { API_KEY, makeHarness, type Harness, type Reply } from '../helpers/api.js';
import type { MemoryStore } from '../../server/store/memory.js';
import type { WebhookTransport } from '../../server/webhooks/transport.js';

const STRESS = process.env.STRESS === '1';
const RUNS = Number(process.env.FUZZ_RUNS ?? (STRESS ? 3000 : 120));
const FROZEN = '2026-05-15T00:00:00.000Z';

type Schema = Record<string, any>;
interface Operation {
  method: string;
  path: string;
  parameters: { in: 'path' | 'query' | 'header'; name: string; required?: boolean; schema: Schema }[];
  body: Schema | null;
}

interface Fixture {
  h: Harness;
  accountId: string;
  foreignAccountId: string;
  userIds: string[];
  emails: string[];
  tokens: Record<'owner' | 'admin' | 'member' | 'foreign', string>;
  invitationToken: string;
}

/** Webhook endpoints the fuzzer creates are never answered (until shutdown): no delivery changes the state mid-case. */
const neverAnswers: WebhookTransport = {
  send: (_attempt, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve({ error: 'aborted' }), { once: true })),
};

async function setUp(): Promise<Fixture> {
  const h = makeHarness({ rateLimits: false, webhookTransport: neverAnswers });
  h.clock.current = new Date(FROZEN);
  const a = await h.createAccount({ licenses: { quantity: 6, unitPrice: 400, currency: 'USD', interval: 'month' }, testClock: { frozenTime: FROZEN } });
  const admin = await h.addUser(a.accountId, a.ownerToken, { email: 'admin@acme.example', role: 'admin' });
  const member = await h.addUser(a.accountId, a.ownerToken, { email: 'member@acme.example' });
  const leaver = await h.addUser(a.accountId, a.ownerToken, { email: 'leaver@acme.example' });
  await h.request('DELETE', `${a.base}/users/${leaver.user.id}/license`, { token: a.ownerToken });
  const pending = await h.addUser(a.accountId, a.ownerToken, { email: 'pending@acme.example' }, false);
  const b = await h.createAccount({ name: 'Globex', owner: { email: 'owner@globex.example', firstName: 'Gus', lastName: 'Globex' } });
  const foreign = await h.addUser(b.accountId, b.ownerToken, { email: 'worker@globex.example' });
  // Each session's first request records lastActiveAt: spend it now (the wall clock stands still).
  for (const token of [admin.token!, member.token!]) await h.request('GET', a.base, { token });
  await h.request('GET', b.base, { token: b.ownerToken });
  await h.app.jobs.run('activity');
  return {
    h,
    accountId: a.accountId,
    foreignAccountId: b.accountId,
    userIds: [a.owner.id, admin.user.id, member.user.id, leaver.user.id, pending.user.id, foreign.user.id],
    emails: ['owner@acme.example', 'ADMIN@acme.example', 'member@acme.example', 'leaver@acme.example', 'worker@globex.example'],
    tokens: { owner: a.ownerToken, admin: admin.token!, member: member.token!, foreign: b.ownerToken },
    invitationToken: await h.invitationToken('pending@acme.example'),
  };
}

async function snapshot(h: Harness): Promise<string> {
  const store = JSON.stringify((h.store as MemoryStore).snapshot());
  return `${store}\n${(await h.mailer.list()).length}`;
}

// ---------------------------------------------------------------------------------------------
// Values

const HUGE = 'x'.repeat(70 * 1024);
const nastyStrings = fc.constantFrom(
  '',
  ' ',
  HUGE,
  'a'.repeat(101),
  'a'.repeat(255),
  'a'.repeat(256),
  'a'.repeat(501),
  '\u0000',
  'line\nbreak',
  'tab\there',
  'zero\u200bwidth',
  'rtl\u202eoverride',
  '\ud800',
  '😀'.repeat(60),
  'Ünïcödé 名前',
  '__proto__',
  'constructor',
  '../../etc/passwd',
  '%00',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  'null',
  '-1',
  '1e309',
  '9'.repeat(30),
);
const anyString = fc.oneof(nastyStrings, fc.string(), fc.string({ unit: 'grapheme', maxLength: 120 }), fc.string({ unit: 'binary', maxLength: 40 }));
const wrongType = fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2, 1e308, [], {}, ['a'], { a: 1 }, 'string');
const wild: fc.Arbitrary<unknown> = fc.oneof(anyString, wrongType, fc.jsonValue({ maxDepth: 2 }));

function stringFor(schema: Schema, f: Fixture, name: string): fc.Arbitrary<string> {
  const options: fc.Arbitrary<string>[] = [anyString];
  if (schema.enum) options.push(fc.constantFrom(...(schema.enum as string[])), fc.constantFrom(...(schema.enum as string[])).map((s) => s.toUpperCase()));
  if (/userid/i.test(name)) options.push(fc.constantFrom(...f.userIds), fc.constant('usr_doesNotExist0000000000'));
  // The fixture's account most of the time, so that requests get past the 404 to the validation.
  if (name === 'accountId') return fc.oneof({ arbitrary: fc.constant(f.accountId), weight: 12 }, fc.constant(f.foreignAccountId), fc.constant('acc_missing'), anyString);
  if (name === 'token') options.push(fc.constant(f.invitationToken), fc.base64String({ minLength: 24, maxLength: 44 }).map((s) => s.replace(/[+/=]/g, '_')));
  if (schema.format === 'email') {
    options.push(
      fc.constantFrom(...f.emails),
      fc.nat({ max: 10_000 }).map((n) => `fuzz${n}@acme.example`),
      fc.constantFrom(`${'a'.repeat(64)}@acme.example`, `${'a'.repeat(65)}@acme.example`, `a@${'b'.repeat(250)}.example`, 'no-at-sign', 'a@b', '"quoted"@x.example'),
    );
  }
  if (schema.format === 'date-time') {
    options.push(
      fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
      fc.constantFrom('2026-05-15T00:00:00Z', '2026-06-15T00:00:00.000Z', '2026-13-40T25:61:61Z', '2026-05-15', 'yesterday'),
    );
  }
  if (schema.pattern === '^\\d{1,9}$') options.push(fc.constantFrom('0', '1', '2', '200', '201', '100000', '100001', '999999999', '0001', ' 1', '1.5', '-1', '1e3'), fc.nat().map(String));
  if (schema.pattern === '^[A-Z]{3}$') options.push(fc.constantFrom('USD', 'EUR', 'usd', 'US', 'USDD'));
  if (schema.minLength !== undefined || schema.maxLength !== undefined) {
    const lengths = [schema.minLength, schema.maxLength, (schema.maxLength ?? 0) + 1, Math.max(0, (schema.minLength ?? 1) - 1)].filter((n): n is number => n !== undefined);
    options.push(fc.tuple(fc.constantFrom(...lengths), fc.constantFrom('a', 'é', ' ')).map(([n, c]) => c.repeat(n)));
  }
  if (schema.example !== undefined) options.push(fc.constant(String(schema.example)));
  return fc.oneof(...options);
}

function valueFor(schema: Schema, doc: Schema, f: Fixture, name: string, depth = 0): fc.Arbitrary<unknown> {
  if (schema.$ref) return valueFor(doc.components.schemas[String(schema.$ref).split('/').pop()!], doc, f, name, depth);
  switch (schema.type) {
    case 'string':
      return fc.oneof({ arbitrary: stringFor(schema, f, name), weight: 4 }, { arbitrary: wild, weight: 1 });
    case 'integer': {
      const min = schema.minimum ?? -1e6;
      const max = schema.maximum ?? 1e6;
      return fc.oneof(
        { arbitrary: fc.constantFrom(min, max, min - 1, max + 1, 0, -1, 1.5, min + 0.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, -0, 1e21), weight: 2 },
        { arbitrary: fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) }), weight: 2 },
        { arbitrary: fc.oneof(fc.double(), fc.constant('1'), wild), weight: 1 },
      );
    }
    case 'boolean':
      return fc.oneof({ arbitrary: fc.boolean(), weight: 3 }, { arbitrary: fc.constantFrom<unknown>('true', 1, 0, null), weight: 1 });
    case 'object': {
      if (depth > 3) return wild;
      const props = Object.entries((schema.properties ?? {}) as Record<string, Schema>);
      const fields = props.map(([key, sub]) =>
        fc.tuple(fc.constant(key), valueFor(sub, doc, f, key, depth + 1), fc.nat({ max: 9 })).map(([k, v, roll]) => ({ k, v, present: roll < 8 })),
      );
      const extras = fc.dictionary(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'id', 'role', 'status', 'extra'), fc.string({ maxLength: 10 })), wild, { maxKeys: 2 });
      const object = fc.tuple(fc.tuple(...fields), fc.oneof({ arbitrary: fc.constant({}), weight: 4 }, { arbitrary: extras, weight: 1 })).map(([entries, extra]) => {
        const out: Record<string, unknown> = {};
        for (const { k, v, present } of entries) if (present) out[k] = v;
        for (const [k, v] of Object.entries(extra)) Object.defineProperty(out, k, { value: v, enumerable: true, configurable: true, writable: true });
        return out;
      });
      return fc.oneof({ arbitrary: object, weight: 8 }, { arbitrary: wrongType, weight: 1 });
    }
    default:
      return wild;
  }
}

// ---------------------------------------------------------------------------------------------
// Requests

type Auth = 'none' | 'apiKey' | 'owner' | 'admin' | 'member' | 'foreign' | 'garbage';
const auths: Auth[] = ['none', 'apiKey', 'apiKey', 'owner', 'owner', 'owner', 'owner', 'admin', 'admin', 'member', 'foreign', 'garbage'];

interface Generated {
  op: Operation;
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  body: { mode: 'json'; value: unknown } | { mode: 'raw'; text: string; type: string } | { mode: 'none' };
  auth: Auth;
  ifMatch: string | null;
}

function requestFor(op: Operation, doc: Schema, f: Fixture): fc.Arbitrary<Generated> {
  const byIn = (where: string) => {
    const list = op.parameters.filter((p) => p.in === where);
    return fc.tuple(...list.map((p) => fc.tuple(fc.constant(p.name), valueFor(p.schema, doc, f, p.name), fc.nat({ max: 9 }).map((n) => p.required || n < 7)))).map((entries) => {
      const out: Record<string, unknown> = {};
      for (const [name, value, present] of entries) if (present) out[name] = value;
      return out;
    });
  };
  const body: fc.Arbitrary<Generated['body']> = op.body
    ? fc.oneof(
        { arbitrary: valueFor(op.body, doc, f, 'body').map((value) => ({ mode: 'json' as const, value })), weight: 12 },
        { arbitrary: fc.constantFrom('{', '{"a":', 'nul', '[1,2', '{"email": "x"}}', '\u0000').map((text) => ({ mode: 'raw' as const, text, type: 'application/json' })), weight: 1 },
        { arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data').map((type) => ({ mode: 'raw' as const, text: '{}', type })), weight: 1 },
        { arbitrary: fc.constant({ mode: 'none' as const }), weight: 1 },
      )
    : op.method === 'GET'
      ? fc.constant({ mode: 'none' as const })
      : fc.oneof({ arbitrary: fc.constant({ mode: 'none' as const }), weight: 6 }, { arbitrary: fc.jsonValue({ maxDepth: 1 }).map((value) => ({ mode: 'json' as const, value })), weight: 1 });
  return fc.record({
    op: fc.constant(op),
    params: byIn('path'),
    query: byIn('query'),
    headers: byIn('header'),
    body,
    auth: fc.constantFrom(...auths),
    ifMatch: fc.option(fc.oneof({ arbitrary: fc.constantFrom('*', '"1"', '"2"', '"3"', 'W/"1"', '1', '"999999999999"', ''), weight: 4 }, anyString)),
  });
}

const asText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v) ?? 'undefined');

async function send(f: Fixture, g: Generated): Promise<Reply | null> {
  // A lone surrogate cannot be put in a URL at all (the client refuses it): such a request is skipped.
  const encodable = (v: unknown) => !/[\ud800-\udfff]/.test(asText(v).replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''));
  if (![...Object.values(g.params), ...Object.values(g.query)].every(encodable)) return null;
  let path = g.op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(asText(g.params[name])));
  const query = new URLSearchParams(Object.entries(g.query).map(([k, v]) => [k, asText(v)])).toString();
  if (query) path += `?${query}`;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(g.headers)) headers[k] = asText(v);
  if (g.ifMatch !== null) headers['If-Match'] = g.ifMatch;
  // A header that is not a ByteString cannot be sent at all (fetch refuses it on the client side).
  if (Object.values(headers).some((v) => /[^\t\x20-\x7e\x80-\xff]/.test(v))) return null;
  const token = { none: null, apiKey: API_KEY, garbage: 'not-a-real-token-0000000000000', ...f.tokens }[g.auth];
  // The live stream never ends by itself: once it answers 200 it is closed; a refusal is read whole.
  if (g.op.path.endsWith('/stream') && g.body.mode !== 'json' && g.body.mode !== 'raw') {
    const response = await f.h.app.request(path, { headers: { ...headers, ...(token && { Authorization: `Bearer ${token}` }) } });
    if (response.ok) {
      await response.body?.cancel();
      return { status: response.status, headers: response.headers, body: null };
    }
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }
  if (g.body.mode === 'json') return f.h.request(g.op.method, path, { token, body: g.body.value, headers });
  if (g.body.mode === 'raw') return f.h.request(g.op.method, path, { token, raw: g.body.text, headers: { ...headers, 'Content-Type': g.body.type } });
  return f.h.request(g.op.method, path, { token, headers });
}

function assertAnswer(res: Reply, shown: string): void {
  assert.ok(res.status < 500, `never a 5xx: ${shown}`);
  if (res.status < 400) return;
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, `a 4xx is problem+json: ${shown}`);
  assert.equal(res.body?.status, res.status, shown);
  for (const member of ['type', 'title', 'detail', 'code', 'requestId']) assert.equal(typeof res.body?.[member], 'string', `problem member ${member}: ${shown}`);
}

const figures = { requests: 0, skipped: 0, by: {} as Record<string, number>, operations: 0 };

describe('HTTP fuzzing from the OpenAPI document', () => {
  it('answers every random request to every operation without a 5xx, with problem+json, and changes nothing on a 4xx', async () => {
    const doc = (await makeHarness().request('GET', '/v1/openapi.json')).body as Schema;
    const operations: Operation[] = [];
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, Schema>>)) {
      for (const [method, op] of Object.entries(methods)) {
        operations.push({
          method: method.toUpperCase(),
          path,
          parameters: (op.parameters ?? []) as Operation['parameters'],
          body: op.requestBody?.content?.['application/json']?.schema ?? null,
        });
      }
    }
    figures.operations = operations.length;
    assert.ok(operations.length >= 20, 'the document lists every route');

    let fixture: Fixture | null = null;
    const requests = fc.constant(null).chain(() => fc.array(fc.constantFrom(...operations), { minLength: 1, maxLength: 5 }));
    await fc.assert(
      fc.asyncProperty(requests, fc.infiniteStream(fc.nat()), async (ops, seeds) => {
        const f = (fixture = await setUp());
        const it = seeds[Symbol.iterator]();
        for (const op of ops) {
          const [g] = fc.sample(requestFor(op, doc, f), { numRuns: 1, seed: it.next().value as number });
          const before = await snapshot(f.h);
          const res = await send(f, g!);
          if (!res) {
            figures.skipped++;
            continue;
          }
          figures.requests++;
          const key = `${res.status}`;
          figures.by[key] = (figures.by[key] ?? 0) + 1;
          const shown = `${g!.op.method} ${g!.op.path} as ${g!.auth} → ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)} (params ${JSON.stringify(g!.params).slice(0, 200)}, body ${JSON.stringify(g!.body).slice(0, 300)})`;
          assertAnswer(res, shown);
          if (res.status >= 400) assert.equal(await snapshot(f.h), before, `a 4xx changes nothing: ${shown}`);
        }
      }),
      { numRuns: RUNS },
    );
    assert.ok(fixture);
    console.log(`fuzz-figures ${JSON.stringify(figures)}`);
  });
});
