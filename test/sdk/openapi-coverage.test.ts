/**
 * The SDK covers the API: every operation of the OpenAPI document (GET /v1/openapi.json of the
 * real app) is called by at least one SDK method. The map below says which operation each method
 * calls; it is checked by running every method against the app and recording its requests.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { SeatAdmin, SeatClient } from '../../sdk/index.js';
import { API_KEY, makeSdkHarness, SDK_BASE_URL } from '../helpers/api.js';

type Operation = `${'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} ${string}`;

/** SDK method → the operation it calls (its last request). */
const SDK_OPERATIONS: Record<string, Operation> = {
  'admin.accounts.create': 'POST /v1/accounts',
  'admin.accounts.get': 'GET /v1/accounts/{accountId}',
  'admin.sessions.create': 'POST /v1/accounts/{accountId}/sessions',
  'admin.testClock.advance': 'POST /v1/accounts/{accountId}/test-clock',
  'admin.outbox.list': 'GET /v1/outbox',
  'admin.users.provision': 'POST /v1/accounts/{accountId}/users',
  'admin.users.recordActivity': 'POST /v1/accounts/{accountId}/users/{userId}/activity',
  'admin.entitlements.check': 'GET /v1/accounts/{accountId}/entitlement',
  'admin.webhooks.create': 'POST /v1/webhook-endpoints',
  'admin.webhooks.list': 'GET /v1/webhook-endpoints',
  'admin.webhooks.get': 'GET /v1/webhook-endpoints/{endpointId}',
  'admin.webhooks.update': 'PATCH /v1/webhook-endpoints/{endpointId}',
  'admin.webhooks.delete': 'DELETE /v1/webhook-endpoints/{endpointId}',
  'admin.webhooks.rotateSecret': 'POST /v1/webhook-endpoints/{endpointId}/rotate-secret',
  'admin.webhooks.deliveries': 'GET /v1/webhook-endpoints/{endpointId}/deliveries',
  'admin.webhooks.retry': 'POST /v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/retry',
  'client.account.get': 'GET /v1/accounts/{accountId}',
  'client.account.transferOwnership': 'POST /v1/accounts/{accountId}/owner',
  'client.users.list': 'GET /v1/accounts/{accountId}/users',
  'client.users.get': 'GET /v1/accounts/{accountId}/users/{userId}',
  'client.users.update': 'PATCH /v1/accounts/{accountId}/users/{userId}',
  'client.users.history': 'GET /v1/accounts/{accountId}/users/{userId}/events',
  'client.invitations.create': 'POST /v1/accounts/{accountId}/invitations',
  'client.invitations.resend': 'POST /v1/accounts/{accountId}/users/{userId}/invitation/resend',
  'client.invitations.revoke': 'DELETE /v1/accounts/{accountId}/users/{userId}/invitation',
  'client.invitations.lookup': 'GET /v1/invitations/{token}',
  'client.invitations.accept': 'POST /v1/invitations/{token}/accept',
  'client.licenses.assign': 'PUT /v1/accounts/{accountId}/users/{userId}/license',
  'client.licenses.unassign': 'DELETE /v1/accounts/{accountId}/users/{userId}/license',
  'client.licenses.reassign': 'POST /v1/accounts/{accountId}/license-transfers',
  'client.licenses.quote': 'GET /v1/accounts/{accountId}/licenses/quote',
  'client.licenses.change': 'POST /v1/accounts/{accountId}/licenses',
  'client.invoices.list': 'GET /v1/accounts/{accountId}/invoices',
  'client.events.list': 'GET /v1/accounts/{accountId}/events',
  'client.users.exportCsv': 'GET /v1/accounts/{accountId}/users.csv',
  'client.usage.get': 'GET /v1/accounts/{accountId}/usage',
  'client.stream': 'GET /v1/accounts/{accountId}/stream',
  'client.reclaimPolicy.get': 'GET /v1/accounts/{accountId}/reclaim-policy',
  'client.reclaimPolicy.update': 'PUT /v1/accounts/{accountId}/reclaim-policy',
  'client.batch': 'POST /v1/accounts/{accountId}/batch',
};

/** Operations no SDK method needs (infrastructure). */
const NOT_IN_SDK = new Set<Operation>(['GET /healthz', 'GET /readyz', 'GET /v1/openapi.json']);

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
}

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => HTTP_METHODS.includes(m))
      .map((m) => `${m.toUpperCase()} ${path}` as Operation),
  );
}

/** The document's operation a concrete request matches (a literal segment beats a parameter). */
function templateOf(operations: Operation[], method: string, pathname: string): Operation | undefined {
  const segments = pathname.split('/');
  const candidates = operations.filter((op) => {
    const [m, template] = op.split(' ') as [string, string];
    const parts = template.split('/');
    return m === method && parts.length === segments.length && parts.every((part, i) => /^\{.+\}$/.test(part) || part === segments[i]);
  });
  const literals = (op: Operation) => op.split(' ')[1]!.split('/').filter((p) => !p.startsWith('{')).length;
  return candidates.sort((a, b) => literals(b) - literals(a))[0];
}

describe('OpenAPI coverage of the SDK', () => {
  let operations: Operation[];
  let admin: SeatAdmin;
  let client: SeatClient;
  /** SDK method → the operations its requests matched, in order. */
  const recorded = new Map<string, Operation[]>();
  let current = '';

  before(async () => {
    const h = makeSdkHarness();
    const res = await h.request<OpenApiDocument>('GET', '/v1/openapi.json');
    assert.equal(res.status, 200);
    assert.match(res.body.openapi, /^3\.1/);
    operations = operationsOf(res.body);

    const fetch: typeof globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      const op = templateOf(operations, request.method, new URL(request.url).pathname);
      assert.ok(op, `${request.method} ${request.url} matches an operation of the document`);
      recorded.set(current, [...(recorded.get(current) ?? []), op]);
      return h.fetch(request);
    };
    admin = new SeatAdmin({ baseUrl: SDK_BASE_URL, apiKey: API_KEY, fetch });
    const as = async <T>(name: string, call: () => Promise<T>): Promise<T> => {
      current = name;
      try {
        return await call();
      } finally {
        current = '';
      }
    };

    // Every method once, each succeeding against the real app.
    const endpoint = await as('admin.webhooks.create', () => admin.webhooks.create({ url: 'https://hooks.example/cov' }));
    const { account, owner } = await as('admin.accounts.create', () =>
      admin.accounts.create({
        name: 'Coverage',
        licenses: { quantity: 5, unitPrice: 100, currency: 'USD', interval: 'month' },
        owner: { email: 'owner@cov.example', firstName: 'O', lastName: 'W' },
        testClock: { frozenTime: '2026-05-01T00:00:00.000Z' },
      }),
    );
    await as('admin.accounts.get', () => admin.accounts.get(account.id));
    const { token } = await as('admin.sessions.create', () => admin.sessions.create(account.id, { userId: owner.id }));
    await as('admin.testClock.advance', () => admin.testClock.advance(account.id, '2026-05-02T00:00:00.000Z'));
    client = new SeatClient({ baseUrl: SDK_BASE_URL, accountId: account.id, token, fetch });
    const anonymous = new SeatClient({ baseUrl: SDK_BASE_URL, accountId: account.id, fetch });
    await as('client.account.get', () => client.account.get());
    const ada = await as('client.invitations.create', () => client.invitations.create({ email: 'ada@cov.example', firstName: 'Ada', lastName: 'L' }));
    await as('admin.outbox.list', () => admin.outbox.list());
    const adaToken = await h.invitationToken('ada@cov.example');
    await as('client.invitations.lookup', () => anonymous.invitations.lookup(adaToken));
    await as('client.invitations.accept', () => anonymous.invitations.accept(adaToken));
    const bob = await client.invitations.create({ email: 'bob@cov.example', firstName: 'Bob', lastName: 'B' });
    await as('client.invitations.resend', () => client.invitations.resend(bob.user.id));
    await as('client.invitations.revoke', () => client.invitations.revoke(bob.user.id));
    await as('client.users.list', () => client.users.list({ sort: 'email', limit: 1 }));
    await as('client.users.get', () => client.users.get(ada.user.id));
    await as('client.users.update', () => client.users.update(ada.user.id, { qualification: 'Maths' }));
    await as('client.users.history', () => client.users.history(ada.user.id));
    await as('client.licenses.unassign', () => client.licenses.unassign(ada.user.id));
    await as('client.licenses.assign', () => client.licenses.assign(ada.user.id));
    await client.licenses.unassign(ada.user.id);
    await client.licenses.assign(bob.user.id); // re-invited
    await as('client.licenses.reassign', () => client.licenses.reassign(bob.user.id, ada.user.id));
    const quote = await as('client.licenses.quote', () => client.licenses.quote(6));
    await as('client.licenses.change', () => client.licenses.change({ quantity: 6, expectedAmountDue: quote.amountDue, acceptAgreement: true }));
    await as('client.invoices.list', () => client.invoices.list());
    await as('client.events.list', () => client.events.list());
    await as('client.users.exportCsv', async () => new Response(await client.users.exportCsv({ sort: 'email' })).text());
    await as('client.usage.get', () => client.usage.get({ days: 7 }));
    await as('client.stream', async () => {
      for await (const event of client.stream()) if (event.type === 'ready') break;
    });
    await as('client.reclaimPolicy.get', () => client.reclaimPolicy.get());
    await as('client.reclaimPolicy.update', () => client.reclaimPolicy.update({ enabled: false, inactiveDays: 45 }));
    await as('client.batch', () => client.batch({ dryRun: true, operations: [{ op: 'invite', email: 'dry@cov.example', firstName: 'D', lastName: 'R' }] }));
    await as('client.account.transferOwnership', () => client.account.transferOwnership(ada.user.id));
    const carl = await as('admin.users.provision', () => admin.users.provision(account.id, { email: 'carl@cov.example', firstName: 'Carl', lastName: 'C', externalId: 'c-1', license: false }));
    await as('admin.users.recordActivity', () => admin.users.recordActivity(account.id, carl.user.id));
    await as('admin.entitlements.check', () => admin.entitlements.check(account.id, { externalId: 'c-1' }));
    await as('admin.webhooks.list', () => admin.webhooks.list());
    await as('admin.webhooks.get', () => admin.webhooks.get(endpoint.id));
    await as('admin.webhooks.update', () => admin.webhooks.update(endpoint.id, { description: 'Coverage' }));
    await as('admin.webhooks.rotateSecret', () => admin.webhooks.rotateSecret(endpoint.id));
    const deliveries = await as('admin.webhooks.deliveries', () => admin.webhooks.deliveries(endpoint.id, { limit: 1 }));
    await as('admin.webhooks.retry', () => admin.webhooks.retry(endpoint.id, deliveries.data[0]!.id));
    await as('admin.webhooks.delete', () => admin.webhooks.delete(endpoint.id));
  });

  it('the document lists the 42 operations of the API', () => {
    assert.equal(operations.length, 42, operations.join('\n'));
  });

  it('every operation of the document (but /healthz, /readyz and /v1/openapi.json) is called by an SDK method: none missing', () => {
    const covered = new Set(Object.values(SDK_OPERATIONS));
    const missing = operations.filter((op) => !NOT_IN_SDK.has(op) && !covered.has(op));
    assert.deepEqual(missing, [], `operations without an SDK method:\n${missing.join('\n')}`);
    const unknown = Object.values(SDK_OPERATIONS).filter((op) => !operations.includes(op));
    assert.deepEqual(unknown, [], 'every mapped operation is in the document');
  });

  it('each mapped method exists on a SeatClient / SeatAdmin instance, and every public method is mapped', () => {
    const roots = { admin, client } as unknown as Record<string, Record<string, Record<string, unknown>>>;
    for (const name of Object.keys(SDK_OPERATIONS)) {
      const [root, resource, method] = name.split('.') as [string, string, string | undefined];
      const found = method === undefined ? roots[root]?.[resource] : roots[root]?.[resource]?.[method];
      assert.equal(typeof found, 'function', `${name} is a function`);
    }
    const onInstances: string[] = [];
    for (const [root, instance] of Object.entries(roots)) {
      for (const [resource, value] of Object.entries(instance)) {
        if (typeof value === 'function') onInstances.push(`${root}.${resource}`); // client.batch
        if (typeof value !== 'object' || value === null) continue; // accountId
        for (const method of Object.getOwnPropertyNames(Object.getPrototypeOf(value))) {
          if (method !== 'constructor' && typeof value[method] === 'function') onInstances.push(`${root}.${resource}.${method}`);
        }
      }
    }
    assert.deepEqual(onInstances.sort(), Object.keys(SDK_OPERATIONS).sort(), 'the public methods are exactly the mapped ones');
  });

  it('each method really calls its mapped operation (recorded through a custom fetch)', () => {
    for (const [name, op] of Object.entries(SDK_OPERATIONS)) {
      const calls = recorded.get(name);
      assert.ok(calls && calls.length > 0, `${name} was called`);
      assert.equal(calls.at(-1), op, `${name} calls ${op} (recorded: ${calls.join(', ')})`);
    }
    // users.update without ifMatch reads the ETag first.
    assert.deepEqual(recorded.get('client.users.update'), ['GET /v1/accounts/{accountId}/users/{userId}', 'PATCH /v1/accounts/{accountId}/users/{userId}']);
    // Every other method makes exactly one request here.
    for (const [name, calls] of recorded) if (name !== '' && name !== 'client.users.update') assert.equal(calls.length, 1, `${name}: ${calls.join(', ')}`);
  });
});
