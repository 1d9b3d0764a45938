/**
 * Faults between the SDK and the REAL app: msw/node sits in front of the in-process app and every
 * handler passes through to `app.fetch` after injecting its fault (a 503, a dropped connection, a
 * slow answer, a dropped answer to a change that was applied). Plus 401 → getToken once more,
 * aborts, and a server that is down.
 */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { createServer } from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  SeatAuthError,
  SeatClient,
  SeatError,
  SeatNetworkError,
  SeatServerError,
  SeatTimeoutError,
  type LicenseChangeBody,
} from '../../sdk/index.js';
import { makeSdkHarness } from '../helpers/api.js';

const BASE = 'http://seatkit.test';

interface Seen {
  method: string;
  path: string;
  idempotencyKey: string | null;
  authorization: string | null;
  /** The real app's status, when the request reached it. */
  status?: number;
  replayed?: boolean;
}

/** What to do with a request: answer a fault, or `undefined` to pass it to the real app. */
type Fault = (request: Request, attempt: number) => Promise<Response | undefined> | Response | undefined;

let h: ReturnType<typeof makeSdkHarness>;
let fault: Fault | undefined;
let seen: Seen[] = [];

/** Forwards to the real app and records its answer. */
async function forward(request: Request, record: Seen): Promise<Response> {
  const response = await h.app.fetch(request);
  record.status = response.status;
  record.replayed = response.headers.get('Idempotent-Replayed') === 'true';
  return response;
}

const msw = setupServer(
  http.all(`${BASE}/*`, async ({ request }) => {
    const record: Seen = {
      method: request.method,
      path: new URL(request.url).pathname,
      idempotencyKey: request.headers.get('Idempotency-Key'),
      authorization: request.headers.get('Authorization'),
    };
    seen.push(record);
    const attempt = seen.filter((s) => s.method === record.method && s.path === record.path).length;
    const injected = await fault?.(request, attempt);
    return injected ?? forward(request, record);
  }),
);

before(() => msw.listen({ onUnhandledRequest: 'bypass' }));
after(() => msw.close());

let accountId: string;
let ownerToken: string;
let client: SeatClient;

beforeEach(async () => {
  h = makeSdkHarness();
  const s = await h.setup(); // set up in-process, outside msw
  accountId = s.accountId;
  ownerToken = s.ownerToken;
  client = new SeatClient({ baseUrl: BASE, accountId, token: ownerToken }); // global fetch: through msw
  fault = undefined;
  seen = [];
});
afterEach(() => {
  fault = undefined;
});

const problem503 = (retryAfter: string) =>
  HttpResponse.json(
    { type: 'urn:seatkit:problem:storage_unavailable', title: 'Storage is unavailable', status: 503, detail: 'Try again shortly.', code: 'storage_unavailable', requestId: 'req_fault' },
    { status: 503, headers: { 'Content-Type': 'application/problem+json', 'Retry-After': retryAfter } },
  );

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => assert.fail(`expected a rejection, got ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
}

describe('retries of safe calls', () => {
  it('a GET answered 503 (Retry-After: 0, then 1) is retried and succeeds on the third attempt', async () => {
    fault = (_request, attempt) => (attempt === 1 ? problem503('0') : attempt === 2 ? problem503('1') : undefined);
    const started = Date.now();
    const account = await client.account.get();
    const elapsed = Date.now() - started;
    assert.equal(account.id, accountId);
    assert.equal(seen.length, 3, 'three attempts');
    assert.equal(seen[2]?.status, 200, 'the third reached the app');
    assert.ok(elapsed >= 950, `Retry-After: 1 was honoured (${elapsed} ms)`);
  });

  it('a GET answered 503 on every attempt gives up after 1 + maxRetries attempts with SeatServerError 503', async () => {
    const limited = new SeatClient({ baseUrl: BASE, accountId, token: ownerToken, maxRetries: 1 });
    fault = () => problem503('0');
    const error = await rejection(limited.users.list());
    assert.ok(error instanceof SeatServerError);
    assert.equal(error.status, 503);
    assert.equal(error.code, 'storage_unavailable');
    assert.equal(seen.length, 2);
    seen = [];
    await rejection(client.users.list());
    assert.equal(seen.length, 3, 'default maxRetries 2');
  });

  it('a GET whose connection fails (network error) is retried and succeeds', async () => {
    fault = (_request, attempt) => (attempt === 1 ? HttpResponse.error() : undefined);
    const page = await client.users.list();
    assert.equal(page.total, 1);
    assert.equal(seen.length, 2);
  });

  it('an answer slower than `timeout` → SeatTimeoutError with its cause (maxRetries 0: one attempt)', async () => {
    const impatient = new SeatClient({ baseUrl: BASE, accountId, token: ownerToken, timeout: 100, maxRetries: 0 });
    fault = async () => {
      await delay(600);
      return undefined;
    };
    const started = Date.now();
    const error = await rejection(impatient.account.get());
    assert.ok(error instanceof SeatTimeoutError, String(error));
    assert.ok(error instanceof SeatError);
    assert.equal(error.status, 0);
    assert.equal(error.code, 'timeout');
    assert.equal(error.requestId, '');
    assert.ok(error.cause instanceof Error, 'the underlying error is kept');
    assert.equal((error.cause as Error).name, 'TimeoutError');
    assert.ok(Date.now() - started < 500, 'gave up at the timeout');
    assert.equal(seen.length, 1);
    // The per-call option overrides the client's.
    seen = [];
    const patient = await impatient.account.get({ timeout: 2000 });
    assert.equal(patient.id, accountId);
  });

  it('with retries, a GET that is slow once and then fast succeeds', async () => {
    const retrying = new SeatClient({ baseUrl: BASE, accountId, token: ownerToken, timeout: 150 });
    fault = async (_request, attempt) => {
      if (attempt === 1) await delay(1000);
      return undefined;
    };
    const page = await retrying.users.list();
    assert.equal(page.total, 1);
    assert.equal(seen.length, 2);
  });
});

describe('license changes: one Idempotency-Key per call, reused on every retry', () => {
  it('a change whose first answer is dropped (after the app applied it) is retried with the same key and applied once', async () => {
    const quote = await client.licenses.quote(7);
    seen = [];
    fault = async (request, attempt) => {
      if (request.method !== 'POST' || attempt > 1) return undefined;
      await forward(request, seen.at(-1)!); // the change IS applied…
      return HttpResponse.error(); // …but its answer never arrives
    };
    const result = await client.licenses.change({ quantity: 7, expectedAmountDue: quote.amountDue, acceptAgreement: true });
    const posts = seen.filter((s) => s.method === 'POST');
    assert.equal(posts.length, 2, 'retried once');
    assert.ok(posts[0]!.idempotencyKey && posts[0]!.idempotencyKey.length >= 16, 'a key was made');
    assert.equal(posts[1]!.idempotencyKey, posts[0]!.idempotencyKey, 'the same Idempotency-Key on the retry');
    assert.equal(posts[0]!.status, 200, 'the first attempt was applied by the app');
    assert.equal(posts[1]!.status, 200);
    assert.equal(posts[1]!.replayed, true, 'the retry got the replayed first answer');

    assert.equal(result.licenses.quantity, 7);
    assert.equal(result.invoice?.amount, quote.amountDue);
    fault = undefined;
    const invoices = await client.invoices.list();
    assert.equal(invoices.total, 1, 'charged once');
    assert.equal(invoices.data[0]?.id, result.invoice?.id);
    assert.equal((await client.account.get()).licenses.quantity, 7, 'increased once (5 → 7), not twice');
    const increases = (await client.events.list({ limit: 200 })).data.filter((e) => e.action === 'licenses.increased');
    assert.equal(increases.length, 1);
  });

  it('two calls make two keys; a key passed in is used as is', async () => {
    const q6 = await client.licenses.quote(6);
    await client.licenses.change({ quantity: 6, expectedAmountDue: q6.amountDue, acceptAgreement: true });
    const q7 = await client.licenses.quote(7);
    await client.licenses.change({ quantity: 7, expectedAmountDue: q7.amountDue, acceptAgreement: true }, { idempotencyKey: 'order-7' });
    const keys = seen.filter((s) => s.method === 'POST').map((s) => s.idempotencyKey);
    assert.equal(keys.length, 2);
    assert.notEqual(keys[0], keys[1]);
    assert.equal(keys[1], 'order-7');
  });

  it('a change answered 503 storage_unavailable is retried with the same key and succeeds', async () => {
    const quote = await client.licenses.quote(8);
    seen = [];
    fault = (request, attempt) => (request.method === 'POST' && attempt === 1 ? problem503('0') : undefined);
    const result = await client.licenses.change({ quantity: 8, expectedAmountDue: quote.amountDue, acceptAgreement: true } satisfies LicenseChangeBody);
    assert.equal(result.licenses.quantity, 8);
    const posts = seen.filter((s) => s.method === 'POST');
    assert.equal(posts.length, 2);
    assert.equal(posts[0]!.idempotencyKey, posts[1]!.idempotencyKey);
    assert.equal(posts[1]!.replayed, false, 'the first never reached the app');
  });
});

describe('changes without a key are not retried', () => {
  it('an invite whose connection drops (after the app applied it) rejects with SeatNetworkError; one request only', async () => {
    fault = async (request) => {
      if (request.method !== 'POST') return undefined;
      await forward(request, seen.at(-1)!);
      return HttpResponse.error();
    };
    const error = await rejection(client.invitations.create({ email: 'ada@acme.example', firstName: 'Ada', lastName: 'L' }));
    assert.ok(error instanceof SeatNetworkError, String(error));
    assert.equal(error.status, 0);
    assert.equal(error.code, 'network_error');
    assert.ok(error.cause instanceof Error);
    assert.equal(seen.filter((s) => s.method === 'POST').length, 1, 'not retried');
    fault = undefined;
    assert.equal((await client.users.list({ q: 'ada' })).total, 1, 'invited exactly once');
  });

  it('an unassign answered 503 is not retried either', async () => {
    const { user } = await h.client(accountId, ownerToken).invitations.create({ email: 'bo@acme.example', firstName: 'Bo', lastName: 'B' });
    seen = [];
    fault = (request) => (request.method === 'DELETE' ? problem503('0') : undefined);
    const error = await rejection(client.licenses.unassign(user.id));
    assert.ok(error instanceof SeatServerError);
    assert.equal(seen.length, 1);
  });
});

describe('401: getToken is asked once more', () => {
  it('an expired token first, then a valid one: getToken called exactly twice and the call succeeds', async () => {
    const expired = (await h.admin.sessions.create(accountId, { email: 'owner@acme.example', ttlSeconds: 60 })).token;
    h.clock.advance(5 * 60_000); // sessions follow the app's wall clock
    const fresh = (await h.admin.sessions.create(accountId, { email: 'owner@acme.example' })).token;
    const tokens = [expired, fresh];
    let calls = 0;
    const refreshing = new SeatClient({ baseUrl: BASE, accountId, getToken: async () => tokens[calls++]! });
    const account = await refreshing.account.get();
    assert.equal(account.id, accountId);
    assert.equal(calls, 2);
    assert.deepEqual(
      seen.map((s) => [s.authorization, s.status]),
      [
        [`Bearer ${expired}`, 401],
        [`Bearer ${fresh}`, 200],
      ],
    );
  });

  it('a revoked token (the session of an owner who transferred ownership) then a valid one, on a change (POST)', async () => {
    const revoked = (await h.admin.sessions.create(accountId, { email: 'owner@acme.example' })).token;
    const s = h.client(accountId, ownerToken);
    await s.invitations.create({ email: 'ada@acme.example', firstName: 'Ada', lastName: 'L' });
    const { user, token: adaToken } = await h.client(accountId).invitations.accept(await h.invitationToken('ada@acme.example'));
    await s.account.transferOwnership(user.id); // ends every session of the old owner
    const tokens = [revoked, adaToken];
    let calls = 0;
    const refreshing = new SeatClient({ baseUrl: BASE, accountId, getToken: () => tokens[calls++]! });
    seen = [];
    const invited = await refreshing.invitations.create({ email: 'bob@acme.example', firstName: 'Bob', lastName: 'B' });
    assert.equal(invited.user.status, 'invited');
    assert.equal(calls, 2);
    assert.deepEqual(seen.map((x) => x.status), [401, 201]);
  });

  it('both tokens bad → SeatAuthError after exactly two getToken calls (and two requests)', async () => {
    let calls = 0;
    const refreshing = new SeatClient({ baseUrl: BASE, accountId, getToken: () => `bad-token-${++calls}` });
    const error = await rejection(refreshing.users.list());
    assert.ok(error instanceof SeatAuthError, String(error));
    assert.equal(error.status, 401);
    assert.equal(error.code, 'unauthorized');
    assert.equal(calls, 2);
    assert.deepEqual(seen.map((x) => x.authorization), ['Bearer bad-token-1', 'Bearer bad-token-2']);
  });

  it('a fixed token (no getToken) is not retried after a 401', async () => {
    const fixed = new SeatClient({ baseUrl: BASE, accountId, token: 'bad-token' });
    assert.ok((await rejection(fixed.account.get())) instanceof SeatAuthError);
    assert.equal(seen.length, 1);
  });
});

describe('abort: rejects with the signal reason, never a SeatError', () => {
  function assertAbortError(error: unknown, reason: unknown) {
    assert.equal(error, reason, 'the very reason of the signal');
    assert.ok(error instanceof DOMException);
    assert.equal(error.name, 'AbortError');
    assert.ok(!(error instanceof SeatError));
  }

  it('an already-aborted signal: rejects at once and sends nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    assertAbortError(await rejection(client.account.get({ signal: controller.signal })), controller.signal.reason);
    assertAbortError(await rejection(client.users.list({}, { signal: controller.signal })), controller.signal.reason);
    assertAbortError(
      await rejection(client.licenses.change({ quantity: 6, expectedAmountDue: 0, acceptAgreement: true }, { signal: controller.signal })),
      controller.signal.reason,
    );
    assert.equal(seen.length, 0);
  });

  it('an abort during a slow answer rejects at once with the reason', async () => {
    fault = async () => {
      await delay(3000);
      return undefined;
    };
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    assertAbortError(await rejection(client.users.list({}, { signal: controller.signal })), controller.signal.reason);
    assert.ok(Date.now() - started < 1000, `settled at the abort (${Date.now() - started} ms)`);
  });

  it('a custom abort reason is the rejection as is', async () => {
    fault = async () => {
      await delay(3000);
      return undefined;
    };
    const controller = new AbortController();
    const reason = new Error('the user left the page');
    setTimeout(() => controller.abort(reason), 20);
    assert.equal(await rejection(client.account.get({ signal: controller.signal })), reason);
  });

  it('an abort during a retry back-off (503, Retry-After: 30) rejects at once; no second attempt', async () => {
    fault = () => problem503('30');
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    assertAbortError(await rejection(client.account.get({ signal: controller.signal })), controller.signal.reason);
    assert.ok(Date.now() - started < 1000, `settled at the abort (${Date.now() - started} ms)`);
    assert.equal(seen.length, 1);
    await delay(50);
    assert.equal(seen.length, 1, 'no retry after the abort');
  });
});

describe('a long-lived signal', () => {
  it('one signal for many calls: no abort listener is left behind (no MaxListenersExceededWarning)', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      const { signal } = controller;
      for (let i = 0; i < 15; i++) await client.account.get({ signal });
      for await (const user of client.users.list({ limit: 1 }, { signal })) assert.ok(user.id);
      await assert.rejects(client.users.get('usr_missing', { signal }));
      assert.equal(getEventListeners(signal, 'abort').length, 0, 'every call removed its listener');
      await delay(20);
      assert.deepEqual(
        warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message),
        [],
      );
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('a server that is down', () => {
  it('a closed port → SeatNetworkError with its cause (after the retries of a GET)', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const down = new SeatClient({ baseUrl: `http://127.0.0.1:${port}`, accountId: 'acc_x', token: 't', maxRetries: 0 });
    const error = await rejection(down.account.get());
    assert.ok(error instanceof SeatNetworkError, String(error));
    assert.equal(error.status, 0);
    assert.equal(error.code, 'network_error');
    assert.equal(error.requestId, '');
    assert.ok(error.cause instanceof TypeError, 'fetch’s TypeError is the cause');
    assert.match(error.detail, /could not be reached/);

    const retrying = new SeatClient({ baseUrl: `http://127.0.0.1:${port}`, accountId: 'acc_x', token: 't' });
    assert.ok((await rejection(retrying.users.list())) instanceof SeatNetworkError);
  });
});
