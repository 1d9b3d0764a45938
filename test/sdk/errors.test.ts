/**
 * The SDK's error tree: every error code the server answers becomes its `SeatError` subclass with
 * `status`, `code`, `detail`, `requestId` (the answer's X-Request-Id) and `errors`. Each code is
 * produced for real against the app where the SDK can cause it; codes the SDK never causes
 * (it always sends JSON, an If-Match and an Idempotency-Key) are produced by corrupting the
 * request on its way to the real app; the status table and non-JSON answers use msw.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Hono } from 'hono';
import { createApp } from '../../server/app.js';
import { licenseGate } from '../../server/host/license-gate.js';
import { errorFromResponse } from '../../sdk/core/errors.js';
import { MemoryStore } from '../../server/store/memory.js';
import { nodeFileSystem, type FileSystem } from '../../server/store/fs.js';
import {
  ERROR_CODES,
  SeatAdmin,
  SeatAuthError,
  SeatClient,
  SeatConflictError,
  SeatError,
  SeatForbiddenError,
  SeatNetworkError,
  SeatNotFoundError,
  SeatRateLimitError,
  SeatServerError,
  SeatTimeoutError,
  SeatValidationError,
  type ErrorCode,
  type LicenseChangeBody,
} from '../../sdk/index.js';
import { API_KEY, appFetch, makeFileHarness, makeSdkHarness, SDK_BASE_URL } from '../helpers/api.js';

type ErrorClass = typeof SeatError;

/** A fetch to the app that remembers the X-Request-Id of every answer (and can rewrite requests). */
function recorder(app: Parameters<typeof appFetch>[0], rewrite: (request: Request) => Request | Promise<Request> = (r) => r) {
  const ids: string[] = [];
  const inner = appFetch(app);
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = await rewrite(new Request(input, init));
    const response = await inner(request);
    ids.push(response.headers.get('X-Request-Id') ?? '');
    return response;
  };
  return { fetch, ids, lastId: () => ids.at(-1) };
}

async function failure(promise: Promise<unknown>): Promise<SeatError> {
  const error = await promise.then(
    (value) => assert.fail(`expected a rejection, got ${JSON.stringify(value)}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof SeatError, `a SeatError, not ${String(error)}`);
  return error;
}

/** Asserts the error's class, status, code, a detail, and the answer's request id. */
function check(error: SeatError, Class: ErrorClass, status: number, code: ErrorCode, requestId: string | undefined): void {
  assert.ok(error instanceof Class, `${error.name} is a ${Class.name}`);
  assert.equal(error.name, Class.name);
  assert.ok(error instanceof Error);
  assert.equal(error.status, status);
  assert.equal(error.code, code);
  assert.equal(ERROR_CODES[code], status, 'the status the code is documented with');
  assert.ok(error.detail.length > 0, 'a detail');
  assert.equal(error.message, error.detail);
  assert.ok(error.requestId.length > 0, 'a request id');
  assert.equal(error.requestId, requestId, 'the X-Request-Id of the answer');
  assert.equal(error.problem?.requestId, requestId);
  assert.equal(error.problem?.status, status);
}

const produced = new Set<ErrorCode>();

async function setupAccount(config: Parameters<typeof makeSdkHarness>[0] = {}, quantity = 5, testClock?: { frozenTime: string }) {
  const h = makeSdkHarness(config);
  const rec = recorder(h.app);
  const admin = new SeatAdmin({ baseUrl: SDK_BASE_URL, apiKey: API_KEY, fetch: rec.fetch });
  const { account, owner } = await admin.accounts.create({
    name: 'Acme',
    licenses: { quantity, unitPrice: 1000, currency: 'USD', interval: 'month' },
    owner: { email: 'owner@acme.example', firstName: 'Olive', lastName: 'Owner' },
    ...(testClock && { testClock }),
  });
  const session = async (userId: string) => (await admin.sessions.create(account.id, { userId })).token;
  const client = (token?: string, options: { maxRetries?: number } = {}) =>
    new SeatClient({ baseUrl: SDK_BASE_URL, accountId: account.id, ...(token && { token }), fetch: rec.fetch, ...options });
  const ownerToken = await session(owner.id);
  const ownerClient = client(ownerToken);
  async function addUser(email: string, role: 'admin' | 'member' = 'member') {
    await ownerClient.invitations.create({ email, firstName: 'Test', lastName: 'User', role });
    const accepted = await client().invitations.accept(await h.invitationToken(email));
    return { user: accepted.user, token: accepted.token, client: client(accepted.token) };
  }
  return { h, rec, admin, account, owner, ownerToken, ownerClient, client, session, addUser, accountId: account.id };
}

describe('SDK errors produced for real by the app', () => {
  let s: Awaited<ReturnType<typeof setupAccount>>;
  before(async () => {
    s = await setupAccount();
  });

  it('validation_failed → SeatValidationError 400 with errors per field', async () => {
    const error = await failure(s.ownerClient.invitations.create({ email: 'not-an-email', firstName: '', lastName: 'L\nX' }));
    check(error, SeatValidationError, 400, 'validation_failed', s.rec.lastId());
    assert.ok(error.errors.email, JSON.stringify(error.errors));
    assert.ok(error.errors.firstName, JSON.stringify(error.errors));
    assert.ok(error.errors.lastName, JSON.stringify(error.errors));
    assert.deepEqual(error.problem?.errors, error.errors);

    const quote = await failure(s.ownerClient.licenses.quote(0));
    check(quote, SeatValidationError, 400, 'validation_failed', s.rec.lastId());
    assert.ok(Object.keys(quote.errors).some((k) => k.includes('quantity')), JSON.stringify(quote.errors));

    const limit = await failure(s.ownerClient.users.list({ limit: 0 }));
    check(limit, SeatValidationError, 400, 'validation_failed', s.rec.lastId());
    produced.add('validation_failed');
  });

  it('unauthorized → SeatAuthError 401 (a bad token, no token, a wrong API key)', async () => {
    check(await failure(s.client('not-a-token').account.get()), SeatAuthError, 401, 'unauthorized', s.rec.lastId());
    check(await failure(s.client().users.list()), SeatAuthError, 401, 'unauthorized', s.rec.lastId());
    const wrongKey = new SeatAdmin({ baseUrl: SDK_BASE_URL, apiKey: 'sk_wrong_key_000000000000', fetch: s.rec.fetch });
    check(await failure(wrongKey.accounts.get(s.accountId)), SeatAuthError, 401, 'unauthorized', s.rec.lastId());
    produced.add('unauthorized');
  });

  it('forbidden → SeatForbiddenError 403 (a member lists users; an admin reads invoices)', async () => {
    const member = await s.addUser('member@acme.example');
    check(await failure(member.client.users.list()), SeatForbiddenError, 403, 'forbidden', s.rec.lastId());
    const admin = await s.addUser('admin@acme.example', 'admin');
    check(await failure(admin.client.invoices.list()), SeatForbiddenError, 403, 'forbidden', s.rec.lastId());
    check(await failure(admin.client.account.transferOwnership(member.user.id)), SeatForbiddenError, 403, 'forbidden', s.rec.lastId());
    produced.add('forbidden');
  });

  it('not_found → SeatNotFoundError 404 (unknown user, malformed id, another account)', async () => {
    check(await failure(s.ownerClient.users.get('usr_doesnotexist0000000')), SeatNotFoundError, 404, 'not_found', s.rec.lastId());
    check(await failure(s.ownerClient.users.history('../../etc/passwd')), SeatNotFoundError, 404, 'not_found', s.rec.lastId());
    const other = await s.admin.accounts.create({
      name: 'Other',
      licenses: { quantity: 1, unitPrice: 1, currency: 'USD', interval: 'month' },
      owner: { email: 'o@other.example', firstName: 'O', lastName: 'O' },
    });
    check(await failure(s.ownerClient.licenses.unassign(other.owner.id)), SeatNotFoundError, 404, 'not_found', s.rec.lastId());
    check(await failure(s.admin.accounts.get('acc_nope')), SeatNotFoundError, 404, 'not_found', s.rec.lastId());
    produced.add('not_found');
  });

  it('invitation_invalid → SeatNotFoundError 404 (an unknown token, to lookup and accept)', async () => {
    const anonymous = s.client();
    check(await failure(anonymous.invitations.lookup('bogus-token')), SeatNotFoundError, 404, 'invitation_invalid', s.rec.lastId());
    check(await failure(anonymous.invitations.accept('bogus-token')), SeatNotFoundError, 404, 'invitation_invalid', s.rec.lastId());
    produced.add('invitation_invalid');
  });

  it('user_exists → SeatConflictError 409 with the existing userId', async () => {
    const error = await failure(s.ownerClient.invitations.create({ email: 'OWNER@acme.example', firstName: 'Again', lastName: 'Owner' }));
    check(error, SeatConflictError, 409, 'user_exists', s.rec.lastId());
    assert.equal(error.problem?.userId, s.owner.id);
    produced.add('user_exists');
  });

  it('no_license_available → SeatConflictError 409 (an invite with every license in use)', async () => {
    const full = await setupAccount({}, 1);
    const error = await failure(full.ownerClient.invitations.create({ email: 'x@acme.example', firstName: 'X', lastName: 'Y' }));
    check(error, SeatConflictError, 409, 'no_license_available', full.rec.lastId());
    assert.equal(error.problem?.available, 0);
    produced.add('no_license_available');
  });

  it('external_id_exists → SeatConflictError 409 with the userId of the holder (provisioning, and an edit by the API key)', async () => {
    const first = await s.admin.users.provision(s.accountId, { email: 'first@acme.example', firstName: 'F', lastName: 'Irst', externalId: 'emp-1', license: false });
    const error = await failure(s.admin.users.provision(s.accountId, { email: 'second@acme.example', firstName: 'S', lastName: 'Econd', externalId: 'emp-1', license: false }));
    check(error, SeatConflictError, 409, 'external_id_exists', s.rec.lastId());
    assert.equal(error.problem?.userId, first.user.id);
    const edit = await failure(s.admin.account(s.accountId).users.update(s.owner.id, { externalId: 'emp-1' }));
    check(edit, SeatConflictError, 409, 'external_id_exists', s.rec.lastId());
    produced.add('external_id_exists');
  });

  it('license_required → SeatForbiddenError 403 (licenseGate in front of a host route, for a person without a license)', async () => {
    const { user } = await s.admin.users.provision(s.accountId, { email: 'nolicense@acme.example', firstName: 'N', lastName: 'O', externalId: 'emp-no', license: false });
    const host = new Hono().use('/app/*', licenseGate({ admin: s.admin, identify: () => ({ accountId: s.accountId, externalId: 'emp-no' }) }));
    host.get('/app/work', (c) => c.text('working'));
    const response = await host.request('/app/work');
    const error = await errorFromResponse(response);
    check(error, SeatForbiddenError, 403, 'license_required', error.requestId);
    assert.equal(user.status, 'disabled');
    produced.add('license_required');
  });

  it('batch_rejected → SeatConflictError 409 with a result per operation and licensesNeeded', async () => {
    const full = await setupAccount({}, 2);
    const error = await failure(
      full.ownerClient.batch({
        operations: [
          { op: 'invite', email: 'one@acme.example', firstName: 'One', lastName: 'X' },
          { op: 'invite', email: 'two@acme.example', firstName: 'Two', lastName: 'X' },
        ],
      }),
    );
    check(error, SeatConflictError, 409, 'batch_rejected', full.rec.lastId());
    assert.deepEqual(error.problem?.results?.map((r) => r.ok), [true, false]);
    assert.equal(error.problem?.licensesNeeded, 1);
    produced.add('batch_rejected');
  });

  it('owner_requires_license → SeatConflictError 409 (unassign or reassign from the owner)', async () => {
    check(await failure(s.ownerClient.licenses.unassign(s.owner.id)), SeatConflictError, 409, 'owner_requires_license', s.rec.lastId());
    produced.add('owner_requires_license');
  });

  it("owner_role_locked → SeatConflictError 409 (changing the owner's role)", async () => {
    check(await failure(s.ownerClient.users.update(s.owner.id, { role: 'member' })), SeatConflictError, 409, 'owner_role_locked', s.rec.lastId());
    produced.add('owner_role_locked');
  });

  it('licenses_in_use → SeatConflictError 409 with mustFree', async () => {
    const t = await setupAccount({}, 3);
    await t.addUser('a@acme.example');
    await t.addUser('b@acme.example');
    const error = await failure(t.ownerClient.licenses.change({ quantity: 1, expectedAmountDue: 0, acceptAgreement: true }));
    check(error, SeatConflictError, 409, 'licenses_in_use', t.rec.lastId());
    assert.equal(error.problem?.mustFree, 2);
    produced.add('licenses_in_use');
  });

  it('quote_changed → SeatConflictError 409 with the amount due now; nothing charged', async () => {
    const quote = await s.ownerClient.licenses.quote(7);
    const error = await failure(s.ownerClient.licenses.change({ quantity: 7, expectedAmountDue: quote.amountDue + 1, acceptAgreement: true }));
    check(error, SeatConflictError, 409, 'quote_changed', s.rec.lastId());
    assert.equal(error.problem?.amountDue, quote.amountDue);
    assert.equal((await s.ownerClient.invoices.list()).total, 0);
    produced.add('quote_changed');
  });

  it('user_not_eligible → SeatConflictError 409 (revoke an enabled user, assign to one who holds a license)', async () => {
    const user = await s.addUser('eligible@acme.example');
    check(await failure(s.ownerClient.invitations.revoke(user.user.id)), SeatConflictError, 409, 'user_not_eligible', s.rec.lastId());
    check(await failure(s.ownerClient.licenses.assign(user.user.id)), SeatConflictError, 409, 'user_not_eligible', s.rec.lastId());
    produced.add('user_not_eligible');
  });

  it('user_not_enabled → SeatConflictError 409 (a session for a disabled user)', async () => {
    const user = await s.addUser('disabled@acme.example');
    await s.ownerClient.licenses.unassign(user.user.id);
    check(await failure(s.admin.sessions.create(s.accountId, { userId: user.user.id })), SeatConflictError, 409, 'user_not_enabled', s.rec.lastId());
    check(await failure(s.admin.sessions.create(s.accountId, { email: 'disabled@acme.example' })), SeatConflictError, 409, 'user_not_enabled', s.rec.lastId());
    produced.add('user_not_enabled');
  });

  it('invitation_expired → SeatNotFoundError 410 (test clock past the expiry)', async () => {
    const t = await setupAccount({ invitationTtlSeconds: 3600 }, 3, { frozenTime: '2026-03-01T00:00:00.000Z' });
    await t.ownerClient.invitations.create({ email: 'late@acme.example', firstName: 'Late', lastName: 'Comer' });
    const token = await t.h.invitationToken('late@acme.example');
    await t.admin.testClock.advance(t.accountId, '2026-03-01T02:00:00.000Z');
    check(await failure(t.client().invitations.lookup(token)), SeatNotFoundError, 410, 'invitation_expired', t.rec.lastId());
    check(await failure(t.client().invitations.accept(token)), SeatNotFoundError, 410, 'invitation_expired', t.rec.lastId());
    produced.add('invitation_expired');
  });

  it('precondition_failed → SeatConflictError 412 (a stale ifMatch) with the current version', async () => {
    const user = await s.addUser('etag@acme.example');
    const fresh = await s.ownerClient.users.update(user.user.id, { qualification: 'v2' });
    const error = await failure(s.ownerClient.users.update(user.user.id, { qualification: 'v3' }, { ifMatch: `"${user.user.version}"` }));
    check(error, SeatConflictError, 412, 'precondition_failed', s.rec.lastId());
    assert.equal(error.problem?.version, fresh.user.version);
    produced.add('precondition_failed');
  });

  it('agreement_required → SeatValidationError 422 (acceptAgreement false)', async () => {
    const quote = await s.ownerClient.licenses.quote(6);
    const body = { quantity: 6, expectedAmountDue: quote.amountDue, acceptAgreement: false } as unknown as LicenseChangeBody;
    check(await failure(s.ownerClient.licenses.change(body)), SeatValidationError, 422, 'agreement_required', s.rec.lastId());
    produced.add('agreement_required');
  });

  it('idempotency_key_reused → SeatValidationError 422 (the same key with another body); the first change stands', async () => {
    const t = await setupAccount();
    const idempotencyKey = 'purchase-42';
    const q6 = await t.ownerClient.licenses.quote(6);
    const first = await t.ownerClient.licenses.change({ quantity: 6, expectedAmountDue: q6.amountDue, acceptAgreement: true }, { idempotencyKey });
    // The same key and body: the first answer again, no second charge.
    const replay = await t.ownerClient.licenses.change({ quantity: 6, expectedAmountDue: q6.amountDue, acceptAgreement: true }, { idempotencyKey });
    assert.deepEqual(replay, first);
    const q7 = await t.ownerClient.licenses.quote(7);
    const error = await failure(t.ownerClient.licenses.change({ quantity: 7, expectedAmountDue: q7.amountDue, acceptAgreement: true }, { idempotencyKey }));
    check(error, SeatValidationError, 422, 'idempotency_key_reused', t.rec.lastId());
    assert.equal((await t.ownerClient.account.get()).licenses.quantity, 6);
    assert.equal((await t.ownerClient.invoices.list()).total, 1);
    produced.add('idempotency_key_reused');
  });

  it('rate_limited → SeatRateLimitError 429 with retryAfter (invites per hour; token lookups per minute)', async () => {
    const t = await setupAccount({ rateLimits: { invitationsPerHour: 1, tokenLookupsPerMinute: 2 } });
    await t.ownerClient.invitations.create({ email: 'one@acme.example', firstName: 'One', lastName: 'O' });
    const error = await failure(t.ownerClient.invitations.create({ email: 'two@acme.example', firstName: 'Two', lastName: 'T' }));
    check(error, SeatRateLimitError, 429, 'rate_limited', t.rec.lastId());
    assert.ok(error instanceof SeatRateLimitError);
    assert.equal(typeof error.retryAfter, 'number');
    assert.ok(error.retryAfter! > 0 && error.retryAfter! <= 3600, `retryAfter ${error.retryAfter}`);

    // A lookup is a GET (retried after Retry-After): with maxRetries 0 the 429 surfaces at once.
    const anonymous = t.client(undefined, { maxRetries: 0 });
    const token = await t.h.invitationToken('one@acme.example');
    await anonymous.invitations.lookup(token);
    await anonymous.invitations.lookup(token);
    const limited = await failure(anonymous.invitations.lookup(token));
    check(limited, SeatRateLimitError, 429, 'rate_limited', t.rec.lastId());
    assert.ok((limited as SeatRateLimitError).retryAfter! > 0 && (limited as SeatRateLimitError).retryAfter! <= 60);
    produced.add('rate_limited');
  });

  it('too_many_streams → SeatRateLimitError 429 with retryAfter (a second live stream of a session capped at one)', async () => {
    const t = await setupAccount({ streams: { perSession: 1 } });
    const first = t.ownerClient.stream()[Symbol.asyncIterator]();
    assert.equal((await first.next()).value?.type, 'ready');
    // `client.stream()` waits and tries again after a 429 (another tab may close its own): asked directly, the answer is the error.
    const response = await t.rec.fetch(`${SDK_BASE_URL}/v1/accounts/${t.accountId}/stream`, { headers: { Authorization: `Bearer ${t.ownerToken}` } });
    const error = await errorFromResponse(response);
    check(error, SeatRateLimitError, 429, 'too_many_streams', t.rec.lastId());
    assert.equal((error as SeatRateLimitError).retryAfter, 5);
    await first.return(undefined);
    produced.add('too_many_streams');
  });

  it('test_clock_required → SeatConflictError 409 (advancing an account without a test clock)', async () => {
    check(await failure(s.admin.testClock.advance(s.accountId, new Date('2027-01-01T00:00:00Z'))), SeatConflictError, 409, 'test_clock_required', s.rec.lastId());
    produced.add('test_clock_required');
  });

  it('payload_too_large → SeatValidationError 413 (a body over 64 KiB)', async () => {
    const error = await failure(s.ownerClient.invitations.create({ email: 'big@acme.example', firstName: 'B', lastName: 'x'.repeat(70 * 1024) }));
    check(error, SeatValidationError, 413, 'payload_too_large', s.rec.lastId());
    produced.add('payload_too_large');
  });

  it('internal_error → SeatServerError 500 (a store that throws); the change is not retried', async () => {
    const store = new MemoryStore();
    let creates = 0;
    store.create = async () => {
      creates++;
      throw new Error('disk on fire');
    };
    const app = createApp({ store, config: { apiKey: API_KEY, log: () => {} } });
    const rec = recorder(app);
    const admin = new SeatAdmin({ baseUrl: SDK_BASE_URL, apiKey: API_KEY, fetch: rec.fetch });
    const error = await failure(
      admin.accounts.create({
        name: 'Acme',
        licenses: { quantity: 1, unitPrice: 1, currency: 'USD', interval: 'month' },
        owner: { email: 'o@acme.example', firstName: 'O', lastName: 'W' },
      }),
    );
    check(error, SeatServerError, 500, 'internal_error', rec.lastId());
    assert.doesNotMatch(error.detail, /fire/);
    assert.equal(creates, 1, 'a POST is not retried');
    produced.add('internal_error');
  });

  it('storage_unavailable → SeatServerError 503 (a file store whose fsync fails); nothing applied, then it works', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seatkit-sdk-errors-'));
    let failing = false;
    const fs: FileSystem = {
      ...nodeFileSystem,
      async open(path, flags) {
        const file = await nodeFileSystem.open(path, flags);
        return {
          ...file,
          sync: async () => {
            if (failing && path.endsWith('.log')) throw Object.assign(new Error('EIO: injected'), { code: 'EIO' });
            return file.sync();
          },
        };
      },
    };
    const fh = await makeFileHarness(dir, { fs });
    try {
      const acc = await fh.createAccount();
      const rec = recorder(fh.app);
      const client = new SeatClient({ baseUrl: SDK_BASE_URL, accountId: acc.accountId, token: acc.ownerToken, fetch: rec.fetch });
      failing = true;
      const error = await failure(client.invitations.create({ email: 'lost@acme.example', firstName: 'L', lastName: 'O' }));
      check(error, SeatServerError, 503, 'storage_unavailable', rec.lastId());
      failing = false;
      assert.equal((await client.users.list({ q: 'lost' })).total, 0, 'nothing was applied');
      assert.equal((await client.invitations.create({ email: 'lost@acme.example', firstName: 'L', lastName: 'O' })).user.status, 'invited');
      produced.add('storage_unavailable');
    } finally {
      await fh.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('SDK errors the SDK never causes itself: the request corrupted on its way to the real app', () => {
  async function corrupted(rewrite: (request: Request) => Request | Promise<Request>) {
    const h = makeSdkHarness();
    const s = await h.setup();
    const rec = recorder(h.app, rewrite);
    const client = new SeatClient({ baseUrl: SDK_BASE_URL, accountId: s.accountId, token: s.ownerToken, fetch: rec.fetch });
    return { ...s, h, rec, client };
  }
  const withHeaders = (request: Request, edit: (headers: Headers) => void, body?: BodyInit) => {
    const headers = new Headers(request.headers);
    edit(headers);
    return new Request(request.url, { method: request.method, headers, body: body ?? (request.method === 'GET' ? undefined : request.body), duplex: 'half' } as RequestInit);
  };

  it('invalid_json → SeatValidationError 400', async () => {
    const t = await corrupted(async (r) => (r.method === 'POST' ? withHeaders(r, () => {}, '{"email": ') : r));
    check(await failure(t.client.invitations.create({ email: 'a@acme.example', firstName: 'A', lastName: 'B' })), SeatValidationError, 400, 'invalid_json', t.rec.lastId());
    produced.add('invalid_json');
  });

  it('unsupported_media_type → SeatValidationError 415', async () => {
    const t = await corrupted((r) => (r.method === 'POST' ? withHeaders(r, (h) => h.set('Content-Type', 'text/plain')) : r));
    check(await failure(t.client.invitations.create({ email: 'a@acme.example', firstName: 'A', lastName: 'B' })), SeatValidationError, 415, 'unsupported_media_type', t.rec.lastId());
    produced.add('unsupported_media_type');
  });

  it('precondition_required → SeatValidationError 428 (If-Match dropped)', async () => {
    const t = await corrupted((r) => (r.method === 'PATCH' ? withHeaders(r, (h) => h.delete('If-Match')) : r));
    check(await failure(t.client.users.update(t.owner.id, { qualification: 'x' })), SeatValidationError, 428, 'precondition_required', t.rec.lastId());
    produced.add('precondition_required');
  });

  it('idempotency_key_required → SeatValidationError 400 (Idempotency-Key dropped)', async () => {
    const t = await corrupted((r) => (r.method === 'POST' ? withHeaders(r, (h) => h.delete('Idempotency-Key')) : r));
    const error = await failure(t.client.licenses.change({ quantity: 6, expectedAmountDue: 0, acceptAgreement: true }));
    check(error, SeatValidationError, 400, 'idempotency_key_required', t.rec.lastId());
    produced.add('idempotency_key_required');
  });

  it('idempotency_key_in_use (409) is handled inside licenses.change: a concurrent call with the same key waits, then gets the replay', async () => {
    const h = makeSdkHarness();
    const s = await h.setup();
    const seen: number[] = [];
    const client = h.client(s.accountId, s.ownerToken, {
      fetch: async (input, init) => {
        const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
        const response = await h.fetch(input, init);
        if (method === 'POST') seen.push(response.status);
        return response;
      },
    });
    const quote = await client.licenses.quote(8);
    // A slow store, so that the second call arrives while the first is still running.
    const transact = h.store.transact.bind(h.store);
    h.store.transact = (accountId, fn) =>
      transact(accountId, async (doc) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return fn(doc);
      });
    const started = Date.now();
    const body: LicenseChangeBody = { quantity: 8, expectedAmountDue: quote.amountDue, acceptAgreement: true };
    const [a, b] = await Promise.all([client.licenses.change(body, { idempotencyKey: 'same' }), client.licenses.change(body, { idempotencyKey: 'same' })]);
    assert.deepEqual(a, b);
    assert.equal((await client.invoices.list()).total, 1, 'charged once');
    assert.equal((await client.account.get()).licenses.quantity, 8);
    // The in-process app interleaves the two: one saw 409 idempotency_key_in_use and waited.
    assert.deepEqual([...seen].sort(), [200, 200, 409], `POST answers: ${seen.join(', ')}`);
    assert.ok(Date.now() - started >= 1000, 'the SDK waited (1 s) before asking again');
    produced.add('idempotency_key_in_use');
  });
});

describe('SDK error mapping of every status (msw answers a problem+json, or a proxy an HTML page)', () => {
  const FAULTS = 'http://faults.test';
  let answer: () => Response = () => HttpResponse.json({});
  let requests = 0;
  const server = setupServer(
    http.all(`${FAULTS}/v1/*`, () => {
      requests++;
      return answer();
    }),
  );
  before(() => server.listen({ onUnhandledRequest: 'error' }));
  after(() => server.close());

  const table: [number, ErrorClass][] = [
    [400, SeatValidationError],
    [413, SeatValidationError],
    [415, SeatValidationError],
    [422, SeatValidationError],
    [428, SeatValidationError],
    [401, SeatAuthError],
    [403, SeatForbiddenError],
    [404, SeatNotFoundError],
    [410, SeatNotFoundError],
    [409, SeatConflictError],
    [412, SeatConflictError],
    [429, SeatRateLimitError],
    [500, SeatServerError],
    [503, SeatServerError],
  ];

  const client = new SeatClient({ baseUrl: FAULTS, accountId: 'acc_x', token: 't', maxRetries: 0 });

  for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
    const status = ERROR_CODES[code];
    const Class = table.find(([s]) => s === status)![1];
    it(`${code} (${status}) → ${Class.name}`, async () => {
      const requestId = `req_${code}`;
      answer = () =>
        HttpResponse.json(
          { type: `urn:seatkit:problem:${code}`, title: code, status, detail: `detail of ${code}`, code, requestId, ...(status === 400 && { errors: { field: 'bad' } }) },
          { status, headers: { 'Content-Type': 'application/problem+json', 'X-Request-Id': requestId, ...(status === 429 && { 'Retry-After': '7' }) } },
        );
      requests = 0;
      const error = await failure(client.account.get());
      check(error, Class, status, code, requestId);
      assert.equal(error.detail, `detail of ${code}`);
      if (status === 400) assert.deepEqual(error.errors, { field: 'bad' });
      if (status === 429) assert.equal((error as SeatRateLimitError).retryAfter, 7);
      assert.equal(requests, 1, 'maxRetries 0: one request');
    });
  }

  it('an HTML 502 from a proxy → SeatServerError 502 (code internal_error, detail from the status line, X-Request-Id kept)', async () => {
    answer = () => new HttpResponse('<html><body><h1>502 Bad Gateway</h1></body></html>', { status: 502, statusText: 'Bad Gateway', headers: { 'Content-Type': 'text/html', 'X-Request-Id': 'req_proxy' } });
    const error = await failure(client.users.list());
    assert.ok(error instanceof SeatServerError);
    assert.equal(error.status, 502);
    assert.equal(error.code, 'internal_error');
    assert.equal(error.detail, 'HTTP 502 Bad Gateway');
    assert.equal(error.requestId, 'req_proxy');
    assert.equal(error.problem, undefined);
  });

  it('a plain-text 404 and a JSON body without a code still map by status', async () => {
    answer = () => new HttpResponse('Not Found', { status: 404, headers: { 'Content-Type': 'text/plain' } });
    const notFound = await failure(client.users.get('usr_x'));
    assert.ok(notFound instanceof SeatNotFoundError);
    assert.equal(notFound.code, 'not_found');
    assert.equal(notFound.requestId, '');
    answer = () => HttpResponse.json({ message: 'nope' }, { status: 400 });
    const bad = await failure(client.users.get('usr_x'));
    assert.ok(bad instanceof SeatValidationError);
    assert.equal(bad.code, 'validation_failed');
    assert.equal(bad.status, 400);
  });

  it('the classes: network and timeout errors are SeatErrors with status 0 and no request id', () => {
    const network = new SeatNetworkError({ status: 0, code: 'network_error', detail: 'down', cause: new TypeError('fetch failed') });
    const timeout = new SeatTimeoutError({ status: 0, code: 'timeout', detail: 'slow' });
    for (const error of [network, timeout]) {
      assert.ok(error instanceof SeatError);
      assert.equal(error.status, 0);
      assert.equal(error.requestId, '');
      assert.deepEqual(error.errors, {});
    }
    assert.ok(network.cause instanceof TypeError);
  });
});

describe('coverage of the error codes', () => {
  it('every documented code was produced against the real app above (except none)', () => {
    const missing = (Object.keys(ERROR_CODES) as ErrorCode[]).filter((code) => !produced.has(code));
    assert.deepEqual(missing, [], `codes never produced for real: ${missing.join(', ')}`);
  });
});
