/**
 * The OpenAPI document (`GET /v1/openapi.json`, "the OpenAPI 3.1 document of all of the
 * above"): valid, complete, honest about security and errors, and true to the real responses.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { ERROR_CODES } from '../../sdk/types.js';
import { API_KEY, makeHarness, type Harness, type Reply } from '../helpers/api.js';

type Operation = {
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: unknown;
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
};
type Doc = {
  openapi: string;
  security?: unknown;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, { enum?: string[] }> }>; securitySchemes: Record<string, unknown> };
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * Every route of the API, with who may call it: `account` routes take a session of the account's
 * user or the API key; `apiKey` routes the API key only; `none` anyone. `/healthz` is outside `/v1`.
 */
const ROUTES: Record<string, 'apiKey' | 'account' | 'none'> = {
  'POST /v1/accounts': 'apiKey',
  'POST /v1/accounts/{accountId}/sessions': 'apiKey',
  'POST /v1/accounts/{accountId}/test-clock': 'apiKey',
  'GET /v1/accounts/{accountId}': 'account',
  'GET /v1/accounts/{accountId}/users': 'account',
  'GET /v1/accounts/{accountId}/users/{userId}': 'account',
  'PATCH /v1/accounts/{accountId}/users/{userId}': 'account',
  'GET /v1/accounts/{accountId}/users/{userId}/events': 'account',
  'POST /v1/accounts/{accountId}/invitations': 'account',
  'POST /v1/accounts/{accountId}/users/{userId}/invitation/resend': 'account',
  'DELETE /v1/accounts/{accountId}/users/{userId}/invitation': 'account',
  'PUT /v1/accounts/{accountId}/users/{userId}/license': 'account',
  'DELETE /v1/accounts/{accountId}/users/{userId}/license': 'account',
  'POST /v1/accounts/{accountId}/license-transfers': 'account',
  'POST /v1/accounts/{accountId}/owner': 'account',
  'GET /v1/accounts/{accountId}/licenses/quote': 'account',
  'POST /v1/accounts/{accountId}/licenses': 'account',
  'GET /v1/accounts/{accountId}/invoices': 'account',
  'GET /v1/accounts/{accountId}/events': 'account',
  'GET /v1/invitations/{token}': 'none',
  'POST /v1/invitations/{token}/accept': 'none',
  'GET /v1/openapi.json': 'none',
  'GET /healthz': 'none',
  'GET /readyz': 'none',
  'GET /v1/outbox': 'apiKey',
  'POST /v1/accounts/{accountId}/users': 'apiKey',
  'GET /v1/accounts/{accountId}/users.csv': 'account',
  'GET /v1/accounts/{accountId}/usage': 'account',
  'GET /v1/accounts/{accountId}/stream': 'account',
  'GET /v1/accounts/{accountId}/reclaim-policy': 'account',
  'PUT /v1/accounts/{accountId}/reclaim-policy': 'account',
  'POST /v1/accounts/{accountId}/batch': 'account',
  'POST /v1/accounts/{accountId}/users/{userId}/activity': 'apiKey',
  'GET /v1/accounts/{accountId}/entitlement': 'apiKey',
  'POST /v1/webhook-endpoints': 'apiKey',
  'GET /v1/webhook-endpoints': 'apiKey',
  'GET /v1/webhook-endpoints/{endpointId}': 'apiKey',
  'PATCH /v1/webhook-endpoints/{endpointId}': 'apiKey',
  'DELETE /v1/webhook-endpoints/{endpointId}': 'apiKey',
  'POST /v1/webhook-endpoints/{endpointId}/rotate-secret': 'apiKey',
  'GET /v1/webhook-endpoints/{endpointId}/deliveries': 'apiKey',
  'POST /v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/retry': 'apiKey',
};

/** The error codes docs/api.md lists, with their statuses. */
const API_CODES: Record<string, number> = {
  validation_failed: 400,
  invalid_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  user_exists: 409,
  no_license_available: 409,
  owner_requires_license: 409,
  licenses_in_use: 409,
  quote_changed: 409,
  user_not_eligible: 409,
  user_not_enabled: 409,
  idempotency_key_in_use: 409,
  invitation_invalid: 404,
  idempotency_key_required: 400,
  invitation_expired: 410,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  agreement_required: 422,
  idempotency_key_reused: 422,
  precondition_required: 428,
  rate_limited: 429,
  license_required: 403,
  external_id_exists: 409,
};

function operations(doc: Doc): { key: string; path: string; method: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, method, op })),
  );
}

/** The schemes an operation needs: its own `security`, else the document's. */
function schemes(doc: Doc, op: Operation): string[] | undefined {
  const security = op.security ?? (doc.security as Operation['security']);
  return security?.flatMap((requirement) => Object.keys(requirement)).sort();
}

async function fetchDoc(h: Harness): Promise<Doc> {
  const res = await h.request('GET', '/v1/openapi.json');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  return res.body;
}

describe('GET /v1/openapi.json', () => {
  let doc: Doc;
  before(async () => {
    doc = await fetchDoc(makeHarness());
  });

  it('is an OpenAPI 3.1 document that passes the validator', async () => {
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    const result = await new Validator().validate(structuredClone(doc) as Record<string, unknown>);
    assert.ok(result.valid, `invalid OpenAPI document: ${JSON.stringify(result.errors, null, 2)}`);
  });

  it('is served to anyone, without a token', async () => {
    const h = makeHarness();
    const res = await h.request('GET', '/v1/openapi.json', { token: null });
    assert.equal(res.status, 200);
    assert.equal(res.body.openapi, doc.openapi);
  });

  it('documents exactly the routes of the API, with {param} paths', () => {
    const documented = operations(doc).map((o) => o.key);
    const missing = Object.keys(ROUTES).filter((key) => !documented.includes(key));
    const extra = documented.filter((key) => !(key in ROUTES));
    assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
  });

  it('declares every path parameter of every templated path', () => {
    for (const { key, path, op } of operations(doc)) {
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name).sort();
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
      assert.deepEqual(declared, templated, key);
    }
  });

  it('lists the security of every operation: API key, session or API key, or none', () => {
    assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['apiKey', 'session']);
    const wanted = { account: ['apiKey', 'session'], apiKey: ['apiKey'], none: [] };
    const wrong: string[] = [];
    for (const { key, op } of operations(doc)) {
      const expected = ROUTES[key];
      if (!expected) continue; // an undocumented route is reported by the route test
      // An explicit `security: []` says "public" to readers and tools, whatever the document's default.
      if (!Array.isArray(op.security)) wrong.push(`${key}: no security listed`);
      else if (JSON.stringify(schemes(doc, op)) !== JSON.stringify(wanted[expected])) wrong.push(`${key}: ${JSON.stringify(schemes(doc, op))}, expected ${JSON.stringify(wanted[expected])}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('documents problem+json error responses on every operation', () => {
    for (const { key, op } of operations(doc)) {
      const errors = Object.entries(op.responses).filter(([status]) => Number(status) >= 400);
      if (key === 'GET /healthz' || key === 'GET /v1/openapi.json') continue;
      assert.ok(errors.length > 0, `${key} documents its errors`);
      for (const [status, response] of errors) {
        assert.deepEqual(Object.keys(response.content ?? {}), ['application/problem+json'], `${key} ${status}`);
        assert.deepEqual(response.content!['application/problem+json']!.schema, { $ref: '#/components/schemas/Problem' }, `${key} ${status}`);
      }
      const statuses = new Set(errors.map(([status]) => Number(status)));
      const expect = (status: number, why: string) => assert.ok(statuses.has(status), `${key} documents ${status} (${why})`);
      if (key !== 'GET /readyz') expect(400, 'bad input'); // takes no input at all
      else expect(503, 'storage_unavailable');
      if (ROUTES[key] !== 'none') expect(401, 'a missing or bad token');
      if (key.includes('{accountId}') || key.includes('{userId}')) expect(404, 'an unknown or foreign id');
      if (op.requestBody) {
        expect(413, 'a body over 64 KiB');
        expect(415, 'a body that is not JSON');
      }
      if (key.includes('{token}')) {
        expect(404, 'invitation_invalid');
        expect(410, 'invitation_expired');
        expect(429, 'token lookups are rate limited');
      }
    }
    const statusesOf = (key: string) => {
      const [method, path] = key.split(' ') as [string, string];
      return Object.keys(doc.paths[path]![method.toLowerCase()]!.responses).map(Number);
    };
    for (const status of [409, 422]) assert.ok(statusesOf('POST /v1/accounts/{accountId}/licenses').includes(status), `license change ${status}`);
    for (const status of [409, 412, 428]) assert.ok(statusesOf('PATCH /v1/accounts/{accountId}/users/{userId}').includes(status), `edit ${status}`);
    for (const status of [409, 429]) assert.ok(statusesOf('POST /v1/accounts/{accountId}/invitations').includes(status), `invite ${status}`);
    for (const status of [403, 409]) assert.ok(statusesOf('POST /v1/accounts/{accountId}/owner').includes(status), `transfer ${status}`);
  });

  it('documents the Idempotency-Key header of a license change as required', () => {
    const op = doc.paths['/v1/accounts/{accountId}/licenses']!.post!;
    const header = op.parameters?.find((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key');
    assert.ok(header, 'the header is documented');
    assert.equal(header.required, true, 'a required Idempotency-Key header');
  });

  it("lists every error code of sdk/types.ts and of docs/api.md in the Problem schema's code enum", () => {
    const problem = doc.components.schemas.Problem;
    assert.ok(problem, 'a Problem component');
    const codes = problem.properties?.code?.enum ?? [];
    for (const code of Object.keys(ERROR_CODES)) assert.ok(codes.includes(code), `ERROR_CODES.${code}`);
    for (const code of Object.keys(API_CODES)) assert.ok(codes.includes(code), `docs/api.md: ${code}`);
    assert.equal(new Set(codes).size, codes.length, 'no duplicates');
    for (const [code, status] of Object.entries(API_CODES)) {
      assert.equal(ERROR_CODES[code as keyof typeof ERROR_CODES], status, `${code} answers ${status} as docs/api.md says`);
    }
    for (const name of ['type', 'title', 'status', 'detail', 'code', 'requestId', 'errors']) assert.ok(problem.properties?.[name], `Problem.${name}`);
  });
});

describe('real responses match the documented schemas', () => {
  const Ajv2020 = Ajv2020Module.default;
  const addFormats = addFormatsModule.default;
  let h: Harness;
  let conforms: (method: string, template: string, reply: Reply) => void;

  before(async () => {
    h = makeHarness({ rateLimits: false });
    const doc = await fetchDoc(h);
    // The document is the schema registry: operation schemas `$ref` its components.
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ ...doc, $id: 'seatkit:openapi' });
    const pointer = (parts: string[]) => parts.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
    conforms = (method, template, reply) => {
      const where = `${method} ${template} → ${reply.status}`;
      const response = doc.paths[template]?.[method.toLowerCase()]?.responses[String(reply.status)];
      assert.ok(response, `${where} is a documented response`);
      const type = (reply.headers.get('content-type') ?? '').split(';')[0]!.trim();
      assert.ok(response.content?.[type], `${where}: ${type} is documented (${Object.keys(response.content ?? {})})`);
      const ref = `seatkit:openapi#/${pointer(['paths', template, method.toLowerCase(), 'responses', String(reply.status), 'content', type, 'schema'])}`;
      const validate = ajv.compile({ $ref: ref });
      assert.ok(validate(reply.body), `${where}: ${JSON.stringify(validate.errors, null, 2)}\nbody: ${JSON.stringify(reply.body)}`);
    };
  });

  it('the check rejects a body that does not match (so the checks below are not vacuous)', () => {
    const reply: Reply = { status: 200, headers: new Headers({ 'content-type': 'application/json' }), body: { id: 1, users: 'none' } };
    assert.throws(() => conforms('GET', '/v1/accounts/{accountId}', reply), /must have required property|must be/);
    assert.throws(() => conforms('GET', '/v1/accounts/{accountId}', { ...reply, status: 418 }), /documented response/);
  });

  it('answers the account, session, user, list and license routes in their documented shapes', async () => {
    const created = await h.request('POST', '/v1/accounts', {
      token: API_KEY,
      body: {
        name: 'Schema Co',
        licenses: { quantity: 3, unitPrice: 400, currency: 'USD', interval: 'month' },
        owner: { email: 'olive@schema.example', firstName: 'Olive', lastName: 'Owner' },
        testClock: { frozenTime: '2026-05-15T00:00:00Z' },
      },
    });
    conforms('POST', '/v1/accounts', created);
    const accountId: string = created.body.account.id;
    const ownerId: string = created.body.owner.id;
    const base = `/v1/accounts/${accountId}`;

    const minted = await h.request('POST', `${base}/sessions`, { token: API_KEY, body: { userId: ownerId } });
    conforms('POST', '/v1/accounts/{accountId}/sessions', minted);
    const token: string = minted.body.token;

    conforms('GET', '/v1/accounts/{accountId}', await h.request('GET', base, { token }));
    conforms('GET', '/v1/accounts/{accountId}', await h.request('GET', base, { token: API_KEY }));

    const invited = await h.request('POST', `${base}/invitations`, { token, body: { email: 'ivy@schema.example', firstName: 'Ivy', lastName: 'Invitee', role: 'admin' } });
    conforms('POST', '/v1/accounts/{accountId}/invitations', invited);
    const ivyId: string = invited.body.user.id;

    conforms('GET', '/v1/accounts/{accountId}/users', await h.request('GET', `${base}/users?sort=-createdAt`, { token }));
    conforms('GET', '/v1/accounts/{accountId}/users/{userId}', await h.request('GET', `${base}/users/${ivyId}`, { token }));
    const user = await h.request('GET', `${base}/users/${ivyId}`, { token });
    const edited = await h.request('PATCH', `${base}/users/${ivyId}`, {
      token,
      body: { qualification: 'Surveyor' },
      headers: { 'If-Match': user.headers.get('ETag')! },
    });
    conforms('PATCH', '/v1/accounts/{accountId}/users/{userId}', edited);
    conforms('GET', '/v1/accounts/{accountId}/users/{userId}/events', await h.request('GET', `${base}/users/${ivyId}/events`, { token }));
    conforms('GET', '/v1/accounts/{accountId}/events', await h.request('GET', `${base}/events?limit=2`, { token }));
    conforms('GET', '/v1/outbox', await h.request('GET', '/v1/outbox', { token: API_KEY }));

    const invitationToken = await h.invitationToken('ivy@schema.example');
    conforms('GET', '/v1/invitations/{token}', await h.request('GET', `/v1/invitations/${invitationToken}`));
    conforms('POST', '/v1/invitations/{token}/accept', await h.request('POST', `/v1/invitations/${invitationToken}/accept`, { body: {} }));

    const increase = await h.request('GET', `${base}/licenses/quote?quantity=4`, { token });
    conforms('GET', '/v1/accounts/{accountId}/licenses/quote', increase);
    const changed = await h.request('POST', `${base}/licenses`, {
      token,
      body: { quantity: 4, acceptAgreement: true, expectedAmountDue: increase.body.amountDue },
      headers: { 'Idempotency-Key': 'schema-1' },
    });
    conforms('POST', '/v1/accounts/{accountId}/licenses', changed);
    assert.notEqual(changed.body.invoice, null);
    conforms('GET', '/v1/accounts/{accountId}/licenses/quote', await h.request('GET', `${base}/licenses/quote?quantity=1`, { token }));
    const decrease = await h.request('POST', `${base}/licenses`, {
      token,
      body: { quantity: 3, acceptAgreement: true, expectedAmountDue: 0 },
      headers: { 'Idempotency-Key': 'schema-2' },
    });
    conforms('POST', '/v1/accounts/{accountId}/licenses', decrease);
    assert.notEqual(decrease.body.licenses.scheduled, null);
    conforms('GET', '/v1/accounts/{accountId}/invoices', await h.request('GET', `${base}/invoices`, { token }));

    const unassigned = await h.request('DELETE', `${base}/users/${ivyId}/license`, { token });
    conforms('DELETE', '/v1/accounts/{accountId}/users/{userId}/license', unassigned);
    conforms('PUT', '/v1/accounts/{accountId}/users/{userId}/license', await h.request('PUT', `${base}/users/${ivyId}/license`, { token }));
    const pending = await h.request('POST', `${base}/invitations`, { token, body: { email: 'pat@schema.example', firstName: 'Pat', lastName: 'Pending' } });
    conforms('POST', '/v1/accounts/{accountId}/users/{userId}/invitation/resend', await h.request('POST', `${base}/users/${pending.body.user.id}/invitation/resend`, { token }));
    conforms('DELETE', '/v1/accounts/{accountId}/users/{userId}/invitation', await h.request('DELETE', `${base}/users/${pending.body.user.id}/invitation`, { token }));
    conforms(
      'POST',
      '/v1/accounts/{accountId}/license-transfers',
      await h.request('POST', `${base}/license-transfers`, { token, body: { fromUserId: ivyId, toUserId: pending.body.user.id } }),
    );
    conforms('POST', '/v1/accounts/{accountId}/test-clock', await h.request('POST', `${base}/test-clock`, { token: API_KEY, body: { advanceTo: '2026-06-20T00:00:00Z' } }));
  });

  it('answers errors as problem+json in the documented Problem shape', async () => {
    const created = await h.request('POST', '/v1/accounts', {
      token: API_KEY,
      body: {
        name: 'Problem Co',
        licenses: { quantity: 1, unitPrice: 400, currency: 'EUR', interval: 'year' },
        owner: { email: 'olive@problem.example', firstName: 'Olive', lastName: 'Owner' },
      },
    });
    const base = `/v1/accounts/${created.body.account.id}`;
    const ownerId: string = created.body.owner.id;
    const token: string = (await h.request('POST', `${base}/sessions`, { token: API_KEY, body: { userId: ownerId } })).body.token;

    const cases: [string, string, Reply, number][] = [
      ['POST', '/v1/accounts/{accountId}/invitations', await h.request('POST', `${base}/invitations`, { token, body: { email: 'x@problem.example', firstName: 'X', lastName: 'Y' } }), 409],
      ['POST', '/v1/accounts/{accountId}/invitations', await h.request('POST', `${base}/invitations`, { token, body: { email: 'not an email', firstName: '', lastName: 'Y', extra: 1 } }), 400],
      ['POST', '/v1/accounts/{accountId}/invitations', await h.request('POST', `${base}/invitations`, { token, raw: '{"email":', headers: { 'Content-Type': 'application/json' } }), 400],
      ['POST', '/v1/accounts/{accountId}/invitations', await h.request('POST', `${base}/invitations`, { token, raw: 'email=x', headers: { 'Content-Type': 'text/plain' } }), 415],
      ['GET', '/v1/accounts/{accountId}', await h.request('GET', base, { token: 'not-a-valid-token' }), 401],
      ['GET', '/v1/accounts/{accountId}/users/{userId}', await h.request('GET', `${base}/users/usr_missing`, { token }), 404],
      ['DELETE', '/v1/accounts/{accountId}/users/{userId}/license', await h.request('DELETE', `${base}/users/${ownerId}/license`, { token }), 409],
      ['PATCH', '/v1/accounts/{accountId}/users/{userId}', await h.request('PATCH', `${base}/users/${ownerId}`, { token, body: { firstName: 'Ola' } }), 428],
      ['POST', '/v1/accounts/{accountId}/licenses', await h.request('POST', `${base}/licenses`, { token, body: { quantity: 2, acceptAgreement: true, expectedAmountDue: 0 } }), 400],
      [
        'POST',
        '/v1/accounts/{accountId}/licenses',
        await h.request('POST', `${base}/licenses`, { token, body: { quantity: 2, acceptAgreement: false, expectedAmountDue: 0 }, headers: { 'Idempotency-Key': 'k' } }),
        422,
      ],
      ['GET', '/v1/accounts/{accountId}/licenses/quote', await h.request('GET', `${base}/licenses/quote?quantity=0`, { token }), 400],
      ['GET', '/v1/invitations/{token}', await h.request('GET', '/v1/invitations/AAAAAAAAAAAAAAAAAAAAAA'), 404],
      ['POST', '/v1/accounts/{accountId}/test-clock', await h.request('POST', `${base}/test-clock`, { token: API_KEY, body: { advanceTo: '2027-01-01T00:00:00Z' } }), 409],
    ];
    for (const [method, template, reply, status] of cases) {
      assert.equal(reply.status, status, `${method} ${template}: ${JSON.stringify(reply.body)}`);
      conforms(method, template, reply);
    }
  });
});
