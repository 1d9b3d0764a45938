/**
 * Who may call what (permissions, routes and authentication): every route × every
 * kind of caller, each cell on a fresh world so one cell's change cannot decide another's answer.
 * Each request is valid, so the caller is what decides.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API_KEY, makeHarness, type Reply } from '../helpers/api.js';

const FROZEN = '2026-05-15T00:00:00.000Z';
const MISSING_ACCOUNT = 'acc_doesNotExist000000000';
const MISSING_USER = 'usr_doesNotExist0000000000';

async function makeWorld() {
  // Webhooks are answered at once (no network): deliveries succeed in the background.
  const h = makeHarness({ rateLimits: false, webhookTransport: { send: async () => ({ status: 204 }) } });
  const endpoint = await h.admin('POST', '/v1/webhook-endpoints', { url: 'https://hooks.example/seatkit' });
  assert.equal(endpoint.status, 201);
  const a = await h.createAccount({
    licenses: { quantity: 10, unitPrice: 400, currency: 'USD', interval: 'month' },
    testClock: { frozenTime: FROZEN },
  });
  const admin = await h.addUser(a.accountId, a.ownerToken, { email: 'admin@acme.example', role: 'admin' });
  const member = await h.addUser(a.accountId, a.ownerToken, { email: 'member@acme.example' });
  // Enabled and activated: the target of an ownership transfer, the source of a reassign.
  const colleague = await h.addUser(a.accountId, a.ownerToken, { email: 'colleague@acme.example' });
  // Activated, then unassigned: a license can be assigned to them, or reassigned to them.
  const leaver = await h.addUser(a.accountId, a.ownerToken, { email: 'leaver@acme.example' });
  const unassigned = await h.request('DELETE', `${a.base}/users/${leaver.user.id}/license`, { token: a.ownerToken });
  assert.equal(unassigned.status, 200);
  const pending = await h.addUser(a.accountId, a.ownerToken, { email: 'pending@acme.example' }, false);
  const invitationToken = await h.invitationToken('pending@acme.example');
  const quote = await h.request('GET', `${a.base}/licenses/quote?quantity=12`, { token: a.ownerToken });
  assert.equal(quote.status, 200);

  const b = await h.createAccount({ name: 'Globex', owner: { email: 'owner@globex.example', firstName: 'Gus', lastName: 'Globex' } });
  const foreignUser = await h.addUser(b.accountId, b.ownerToken, { email: 'worker@globex.example' });
  const endpointId = endpoint.body.id as string;
  const delivery = (await h.admin('GET', `/v1/webhook-endpoints/${endpointId}/deliveries?limit=1`)).body.data[0];

  return {
    h,
    endpointId,
    deliveryId: delivery.id as string,
    a,
    b,
    admin,
    member,
    colleague,
    leaver,
    pending,
    invitationToken,
    foreignUser,
    amountFor12: quote.body.amountDue as number,
    tokens: {
      apiKey: API_KEY,
      owner: a.ownerToken,
      admin: admin.token!,
      member: member.token!,
      foreignOwner: b.ownerToken,
      none: null,
    } as Record<Caller, string | null>,
  };
}

type World = Awaited<ReturnType<typeof makeWorld>>;

const CALLERS = ['apiKey', 'owner', 'admin', 'member', 'foreignOwner', 'none'] as const;
type Caller = (typeof CALLERS)[number];

interface Route {
  /** As docs/api.md lists it. */
  route: string;
  /** A valid request of this route on account `a` (or on `accountId` when given: a missing account). */
  send: (w: World, token: string | null, accountId?: string) => Promise<Reply>;
}

const base = (w: World, accountId?: string) => `/v1/accounts/${accountId ?? w.a.accountId}`;
const versionOf = async (w: World, userId: string) => (await w.h.store.get(w.a.accountId))!.users.get(userId)!.version;

/** Opens the live stream and, once it answers 200, closes it (it never ends by itself); a refusal is read whole. */
async function openStreamOnce(w: World, path: string, token: string | null): Promise<Reply> {
  const response = await w.h.app.request(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (response.ok) {
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    await response.body?.cancel();
    return { status: response.status, headers: response.headers, body: null };
  }
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const ROUTES: Route[] = [
  {
    route: 'POST /v1/accounts',
    send: (w, token) =>
      w.h.request('POST', '/v1/accounts', {
        token,
        body: {
          name: 'Initech',
          licenses: { quantity: 3, unitPrice: 400, currency: 'USD', interval: 'month' },
          owner: { email: 'peter@initech.example', firstName: 'Peter', lastName: 'Gibbons' },
        },
      }),
  },
  { route: 'POST /v1/accounts/{accountId}/sessions', send: (w, token, id) => w.h.request('POST', `${base(w, id)}/sessions`, { token, body: { userId: w.member.user.id } }) },
  { route: 'POST /v1/accounts/{accountId}/test-clock', send: (w, token, id) => w.h.request('POST', `${base(w, id)}/test-clock`, { token, body: { advanceTo: '2026-05-20T00:00:00.000Z' } }) },
  { route: 'GET /v1/accounts/{accountId}', send: (w, token, id) => w.h.request('GET', base(w, id), { token }) },
  { route: 'GET /v1/accounts/{accountId}/users', send: (w, token, id) => w.h.request('GET', `${base(w, id)}/users`, { token }) },
  { route: 'GET /v1/accounts/{accountId}/users/{userId}', send: (w, token, id) => w.h.request('GET', `${base(w, id)}/users/${w.colleague.user.id}`, { token }) },
  {
    route: 'PATCH /v1/accounts/{accountId}/users/{userId}',
    send: async (w, token, id) =>
      w.h.request('PATCH', `${base(w, id)}/users/${w.colleague.user.id}`, {
        token,
        body: { firstName: 'Colette', qualification: 'Surveyor' },
        headers: { 'If-Match': `"${await versionOf(w, w.colleague.user.id)}"` },
      }),
  },
  { route: 'GET /v1/accounts/{accountId}/users/{userId}/events', send: (w, token, id) => w.h.request('GET', `${base(w, id)}/users/${w.colleague.user.id}/events`, { token }) },
  {
    route: 'POST /v1/accounts/{accountId}/invitations',
    send: (w, token, id) => w.h.request('POST', `${base(w, id)}/invitations`, { token, body: { email: 'newcomer@acme.example', firstName: 'New', lastName: 'Comer' } }),
  },
  { route: 'POST /v1/accounts/{accountId}/users/{userId}/invitation/resend', send: (w, token, id) => w.h.request('POST', `${base(w, id)}/users/${w.pending.user.id}/invitation/resend`, { token }) },
  { route: 'DELETE /v1/accounts/{accountId}/users/{userId}/invitation', send: (w, token, id) => w.h.request('DELETE', `${base(w, id)}/users/${w.pending.user.id}/invitation`, { token }) },
  { route: 'PUT /v1/accounts/{accountId}/users/{userId}/license', send: (w, token, id) => w.h.request('PUT', `${base(w, id)}/users/${w.leaver.user.id}/license`, { token }) },
  { route: 'DELETE /v1/accounts/{accountId}/users/{userId}/license', send: (w, token, id) => w.h.request('DELETE', `${base(w, id)}/users/${w.colleague.user.id}/license`, { token }) },
  {
    route: 'POST /v1/accounts/{accountId}/license-transfers',
    send: (w, token, id) => w.h.request('POST', `${base(w, id)}/license-transfers`, { token, body: { fromUserId: w.colleague.user.id, toUserId: w.leaver.user.id } }),
  },
  { route: 'POST /v1/accounts/{accountId}/owner', send: (w, token, id) => w.h.request('POST', `${base(w, id)}/owner`, { token, body: { userId: w.colleague.user.id } }) },
  { route: 'GET /v1/accounts/{accountId}/licenses/quote', send: (w, token, id) => w.h.request('GET', `${base(w, id)}/licenses/quote?quantity=12`, { token }) },
  {
    route: 'POST /v1/accounts/{accountId}/licenses',
    send: (w, token, id) =>
      w.h.request('POST', `${base(w, id)}/licenses`, {
        token,
        body: { quantity: 12, acceptAgreement: true, expectedAmountDue: w.amountFor12 },
        headers: { 'Idempotency-Key': 'authz-buy-2' },
      }),
  },
  { route: 'GET /v1/accounts/{accountId}/invoices', send: (w, token, id) => w.h.request('GET', `${base(w, id)}/invoices`, { token }) },
  { route: 'GET /v1/accounts/{accountId}/events', send: (w, token, id) => w.h.request('GET', `${base(w, id)}/events`, { token }) },
  {
    route: 'POST /v1/accounts/{accountId}/users',
    send: (w, token, id) => w.h.request('POST', `${base(w, id)}/users`, { token, body: { email: 'provisioned@acme.example', firstName: 'Pro', lastName: 'Visioned' } }),
  },
  { route: 'POST /v1/accounts/{accountId}/users/{userId}/activity', send: (w, token, id) => w.h.request('POST', `${base(w, id)}/users/${w.colleague.user.id}/activity`, { token }) },
  { route: 'GET /v1/accounts/{accountId}/entitlement', send: (w, token, id) => w.h.request('GET', `${base(w, id)}/entitlement?userId=${w.colleague.user.id}`, { token }) },
  { route: 'GET /v1/accounts/{accountId}/users.csv', send: (w, token, id) => w.h.request('GET', `${base(w, id)}/users.csv`, { token }) },
  { route: 'GET /v1/accounts/{accountId}/usage', send: (w, token, id) => w.h.request('GET', `${base(w, id)}/usage`, { token }) },
  { route: 'GET /v1/accounts/{accountId}/stream', send: (w, token, id) => openStreamOnce(w, `${base(w, id)}/stream`, token) },
  { route: 'GET /v1/accounts/{accountId}/reclaim-policy', send: (w, token, id) => w.h.request('GET', `${base(w, id)}/reclaim-policy`, { token }) },
  { route: 'PUT /v1/accounts/{accountId}/reclaim-policy', send: (w, token, id) => w.h.request('PUT', `${base(w, id)}/reclaim-policy`, { token, body: { enabled: false, inactiveDays: 60 } }) },
  {
    route: 'POST /v1/accounts/{accountId}/batch',
    send: (w, token, id) => w.h.request('POST', `${base(w, id)}/batch`, { token, body: { operations: [{ op: 'invite', email: 'batched@acme.example', firstName: 'Bat', lastName: 'Ched' }] } }),
  },
  { route: 'POST /v1/webhook-endpoints', send: (w, token) => w.h.request('POST', '/v1/webhook-endpoints', { token, body: { url: 'https://hooks.example/two' } }) },
  { route: 'GET /v1/webhook-endpoints', send: (w, token) => w.h.request('GET', '/v1/webhook-endpoints', { token }) },
  { route: 'GET /v1/webhook-endpoints/{endpointId}', send: (w, token) => w.h.request('GET', `/v1/webhook-endpoints/${w.endpointId}`, { token }) },
  { route: 'PATCH /v1/webhook-endpoints/{endpointId}', send: (w, token) => w.h.request('PATCH', `/v1/webhook-endpoints/${w.endpointId}`, { token, body: { description: 'Ours' } }) },
  { route: 'DELETE /v1/webhook-endpoints/{endpointId}', send: (w, token) => w.h.request('DELETE', `/v1/webhook-endpoints/${w.endpointId}`, { token }) },
  { route: 'POST /v1/webhook-endpoints/{endpointId}/rotate-secret', send: (w, token) => w.h.request('POST', `/v1/webhook-endpoints/${w.endpointId}/rotate-secret`, { token }) },
  { route: 'GET /v1/webhook-endpoints/{endpointId}/deliveries', send: (w, token) => w.h.request('GET', `/v1/webhook-endpoints/${w.endpointId}/deliveries`, { token }) },
  {
    route: 'POST /v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/retry',
    send: (w, token) => w.h.request('POST', `/v1/webhook-endpoints/${w.endpointId}/deliveries/${w.deliveryId}/retry`, { token }),
  },
  { route: 'GET /v1/outbox', send: (w, token) => w.h.request('GET', '/v1/outbox', { token }) },
  { route: 'GET /v1/invitations/{token}', send: (w, token) => w.h.request('GET', `/v1/invitations/${w.invitationToken}`, { token }) },
  { route: 'POST /v1/invitations/{token}/accept', send: (w, token) => w.h.request('POST', `/v1/invitations/${w.invitationToken}/accept`, { token, body: {} }) },
  { route: 'GET /v1/openapi.json', send: (w, token) => w.h.request('GET', '/v1/openapi.json', { token }) },
  { route: 'GET /healthz', send: (w, token) => w.h.request('GET', '/healthz', { token }) },
  { route: 'GET /readyz', send: (w, token) => w.h.request('GET', '/readyz', { token }) },
];

/**
 * The expected status of each cell. A session token on an API-key route is 403; the API key may do
 * everything in any account (it has no viewer). A session of another account gets 404 on this
 * account's routes, like a missing account; on server-wide API-key routes it is just a session
 * token (403), as it would be for a missing account too.
 */
const MATRIX: Record<string, Record<Caller, number>> = {
  //                                                                   apiKey owner admin member foreign none
  'POST /v1/accounts':                                             row(201, 403, 403, 403, 403, 401),
  'POST /v1/accounts/{accountId}/sessions':                        row(200, 403, 403, 403, 403, 401),
  'POST /v1/accounts/{accountId}/test-clock':                      row(200, 403, 403, 403, 403, 401),
  'GET /v1/accounts/{accountId}':                                  row(200, 200, 200, 200, 404, 401),
  'GET /v1/accounts/{accountId}/users':                            row(200, 200, 200, 403, 404, 401),
  'GET /v1/accounts/{accountId}/users/{userId}':                   row(200, 200, 200, 403, 404, 401),
  'PATCH /v1/accounts/{accountId}/users/{userId}':                 row(200, 200, 200, 403, 404, 401),
  'GET /v1/accounts/{accountId}/users/{userId}/events':            row(200, 200, 200, 403, 404, 401),
  'POST /v1/accounts/{accountId}/invitations':                     row(201, 201, 201, 403, 404, 401),
  'POST /v1/accounts/{accountId}/users/{userId}/invitation/resend': row(200, 200, 200, 403, 404, 401),
  'DELETE /v1/accounts/{accountId}/users/{userId}/invitation':     row(200, 200, 200, 403, 404, 401),
  'PUT /v1/accounts/{accountId}/users/{userId}/license':           row(200, 200, 200, 403, 404, 401),
  'DELETE /v1/accounts/{accountId}/users/{userId}/license':        row(200, 200, 200, 403, 404, 401),
  'POST /v1/accounts/{accountId}/license-transfers':               row(200, 200, 200, 403, 404, 401),
  'POST /v1/accounts/{accountId}/owner':                           row(200, 200, 403, 403, 404, 401),
  'GET /v1/accounts/{accountId}/licenses/quote':                   row(200, 200, 403, 403, 404, 401),
  'POST /v1/accounts/{accountId}/licenses':                        row(200, 200, 403, 403, 404, 401),
  'GET /v1/accounts/{accountId}/invoices':                         row(200, 200, 403, 403, 404, 401),
  'GET /v1/accounts/{accountId}/events':                           row(200, 200, 200, 403, 404, 401),
  'POST /v1/accounts/{accountId}/users':                           row(201, 403, 403, 403, 404, 401),
  'POST /v1/accounts/{accountId}/users/{userId}/activity':         row(200, 403, 403, 403, 404, 401),
  'GET /v1/accounts/{accountId}/entitlement':                      row(200, 403, 403, 403, 404, 401),
  'GET /v1/accounts/{accountId}/users.csv':                        row(200, 200, 200, 403, 404, 401),
  'GET /v1/accounts/{accountId}/usage':                            row(200, 200, 200, 403, 404, 401),
  'GET /v1/accounts/{accountId}/stream':                           row(200, 200, 200, 200, 404, 401),
  'GET /v1/accounts/{accountId}/reclaim-policy':                   row(200, 200, 403, 403, 404, 401),
  'PUT /v1/accounts/{accountId}/reclaim-policy':                   row(200, 200, 403, 403, 404, 401),
  'POST /v1/accounts/{accountId}/batch':                           row(200, 200, 200, 409, 404, 401),
  'POST /v1/webhook-endpoints':                                    row(201, 403, 403, 403, 403, 401),
  'GET /v1/webhook-endpoints':                                     row(200, 403, 403, 403, 403, 401),
  'GET /v1/webhook-endpoints/{endpointId}':                        row(200, 403, 403, 403, 403, 401),
  'PATCH /v1/webhook-endpoints/{endpointId}':                      row(200, 403, 403, 403, 403, 401),
  'DELETE /v1/webhook-endpoints/{endpointId}':                     row(200, 403, 403, 403, 403, 401),
  'POST /v1/webhook-endpoints/{endpointId}/rotate-secret':         row(200, 403, 403, 403, 403, 401),
  'GET /v1/webhook-endpoints/{endpointId}/deliveries':             row(200, 403, 403, 403, 403, 401),
  'POST /v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/retry': row(200, 403, 403, 403, 403, 401),
  'GET /v1/outbox':                                                row(200, 403, 403, 403, 403, 401),
  'GET /v1/invitations/{token}':                                   row(200, 200, 200, 200, 200, 200),
  'POST /v1/invitations/{token}/accept':                           row(200, 200, 200, 200, 200, 200),
  'GET /v1/openapi.json':                                          row(200, 200, 200, 200, 200, 200),
  'GET /healthz':                                                  row(200, 200, 200, 200, 200, 200),
  'GET /readyz':                                                   row(200, 200, 200, 200, 200, 200),
};

function row(apiKey: number, owner: number, admin: number, member: number, foreignOwner: number, none: number): Record<Caller, number> {
  return { apiKey, owner, admin, member, foreignOwner, none };
}

const CODES: Record<number, string> = { 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'batch_rejected' };

/**
 * What a refused request must leave as it was (lastActiveAt aside: an authenticated request records
 * it; and the progress of webhook deliveries, which are sent in the background).
 */
async function state(w: World) {
  const docs = [];
  for (const id of [w.a.accountId, w.b.accountId]) {
    const { webhookDeliveries: _deliveries, ...stored } = (await w.h.store.get(id))!;
    const doc = { ...stored, users: [...stored.users.values()].map((user) => ({ ...user, lastActiveAt: null })) };
    docs.push({ doc, events: (await w.h.store.events(id, { limit: 1 })).total });
  }
  return { docs, outbox: (await w.h.mailer.list!()).length };
}

function assertProblem(res: Reply, status: number): void {
  const shown = `${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`;
  assert.equal(res.status, status, shown);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, shown);
  assert.equal(res.body.code, CODES[status], shown);
  assert.equal(res.body.status, status, shown);
  assert.equal(typeof res.body.requestId, 'string');
}

describe('authorization matrix', () => {
  it('covers every route of the API', async () => {
    assert.deepEqual(
      ROUTES.map((r) => r.route),
      Object.keys(MATRIX),
    );
    const document = (await makeHarness().request('GET', '/v1/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    assert.deepEqual(ROUTES.map((r) => r.route).sort(), documented.sort(), 'every route of the OpenAPI document, and only those');
  });

  for (const r of ROUTES) {
    describe(r.route, () => {
      for (const caller of CALLERS) {
        const expected = MATRIX[r.route]![caller];
        it(`answers ${expected} to ${caller}`, async () => {
          const w = await makeWorld();
          const before = await state(w);
          const res = await r.send(w, w.tokens[caller]);
          if (expected < 300) {
            assert.equal(res.status, expected, `${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`);
            return;
          }
          assertProblem(res, expected);
          assert.deepEqual(await state(w), before, 'a refused request changes nothing');
          if (caller === 'foreignOwner' && r.route.includes('{accountId}')) {
            // A foreign account answers exactly like a missing one.
            const missing = await r.send(w, w.tokens[caller], MISSING_ACCOUNT);
            assert.deepEqual(
              { status: res.status, code: res.body.code, detail: res.body.detail },
              { status: missing.status, code: missing.body.code, detail: missing.body.detail },
            );
          }
        });
      }
    });
  }
});

describe('permissions inside an account', () => {
  let w: World;
  const fresh = async () => {
    w = await makeWorld();
    return w;
  };
  const ownerPath = () => `${w.a.base}/users/${w.a.owner.id}`;

  it("refuses an admin who unassigns the owner's license (409 owner_requires_license)", async () => {
    await fresh();
    const res = await w.h.request('DELETE', `${ownerPath()}/license`, { token: w.tokens.admin });
    assert.equal(res.status, 409);
    assert.equal(res.body.code, 'owner_requires_license');
    const owner = await w.h.request('GET', ownerPath(), { token: w.tokens.owner });
    assert.equal(owner.body.status, 'enabled');
  });

  it("refuses an admin who reassigns the owner's license (409 owner_requires_license)", async () => {
    await fresh();
    const res = await w.h.request('POST', `${w.a.base}/license-transfers`, {
      token: w.tokens.admin,
      body: { fromUserId: w.a.owner.id, toUserId: w.leaver.user.id },
    });
    assert.equal(res.status, 409);
    assert.equal(res.body.code, 'owner_requires_license');
  });

  it("refuses an admin who changes the owner's role (409 owner_role_locked)", async () => {
    await fresh();
    const res = await w.h.request('PATCH', ownerPath(), {
      token: w.tokens.admin,
      body: { role: 'member' },
      headers: { 'If-Match': `"${await versionOf(w, w.a.owner.id)}"` },
    });
    assert.equal(res.status, 409);
    assert.equal(res.body.code, 'owner_role_locked');
    const owner = await w.h.request('GET', ownerPath(), { token: w.tokens.owner });
    assert.equal(owner.body.role, 'owner');
  });

  it("lets an admin edit the owner's name", async () => {
    await fresh();
    const res = await w.h.request('PATCH', ownerPath(), {
      token: w.tokens.admin,
      body: { firstName: 'Olivia', lastName: 'Owens' },
      headers: { 'If-Match': `"${await versionOf(w, w.a.owner.id)}"` },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.user.firstName, 'Olivia');
    assert.equal(res.body.user.lastName, 'Owens');
    assert.equal(res.body.user.role, 'owner');
  });

  it('refuses a member who edits themselves (403)', async () => {
    await fresh();
    const res = await w.h.request('PATCH', `${w.a.base}/users/${w.member.user.id}`, {
      token: w.tokens.member,
      body: { firstName: 'Mallory' },
      headers: { 'If-Match': `"${await versionOf(w, w.member.user.id)}"` },
    });
    assertProblem(res, 403);
  });

  it('lets a member read their own user, with its ETag', async () => {
    await fresh();
    const res = await w.h.request('GET', `${w.a.base}/users/${w.member.user.id}`, { token: w.tokens.member });
    assert.equal(res.status, 200);
    assert.equal(res.body.id, w.member.user.id);
    assert.equal(res.headers.get('etag'), `"${res.body.version}"`);
  });

  it("gives each role the viewer permissions of docs/rules.md in the account summary", async () => {
    await fresh();
    const expected: Record<string, string[]> = {
      owner: ['users:read', 'users:manage', 'licenses:manage', 'owner:transfer'],
      admin: ['users:read', 'users:manage'],
      member: [],
    };
    for (const role of ['owner', 'admin', 'member'] as const) {
      const res = await w.h.request('GET', w.a.base, { token: w.tokens[role] });
      assert.equal(res.body.viewer.role, role);
      assert.deepEqual([...res.body.viewer.permissions].sort(), [...expected[role]!].sort());
    }
  });

  it('ends the session of a user whose license is unassigned (401)', async () => {
    await fresh();
    const unassigned = await w.h.request('DELETE', `${w.a.base}/users/${w.member.user.id}/license`, { token: w.tokens.admin });
    assert.equal(unassigned.status, 200);
    assertProblem(await w.h.request('GET', w.a.base, { token: w.tokens.member }), 401);
  });

  it('refuses a session token once it has expired (401), by wall time', async () => {
    await fresh();
    const minted = await w.h.admin('POST', `${w.a.base}/sessions`, { userId: w.member.user.id, ttlSeconds: 60 });
    assert.equal(minted.status, 200);
    assert.equal((await w.h.request('GET', w.a.base, { token: minted.body.token })).status, 200);
    w.h.clock.advance(61_000);
    assertProblem(await w.h.request('GET', w.a.base, { token: minted.body.token }), 401);
  });

  it("answers a foreign account's user id through this account's path like a missing id", async () => {
    await fresh();
    for (const token of [w.tokens.owner, w.tokens.admin]) {
      const foreign = await w.h.request('GET', `${w.a.base}/users/${w.foreignUser.user.id}`, { token });
      const missing = await w.h.request('GET', `${w.a.base}/users/${MISSING_USER}`, { token });
      assertProblem(foreign, 404);
      assert.deepEqual(
        { status: foreign.status, code: foreign.body.code, detail: foreign.body.detail },
        { status: missing.status, code: missing.body.code, detail: missing.body.detail },
      );
    }
  });

  it('answers a member who reads a foreign, a missing or another user alike (403, no existence leak)', async () => {
    await fresh();
    const foreign = await w.h.request('GET', `${w.a.base}/users/${w.foreignUser.user.id}`, { token: w.tokens.member });
    const colleague = await w.h.request('GET', `${w.a.base}/users/${w.colleague.user.id}`, { token: w.tokens.member });
    const missing = await w.h.request('GET', `${w.a.base}/users/${MISSING_USER}`, { token: w.tokens.member });
    assert.deepEqual([foreign.status, missing.status], [colleague.status, colleague.status]);
    assert.equal(foreign.body.detail, missing.body.detail);
  });
});
