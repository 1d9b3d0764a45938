/**
 * Test helpers: a real app (memory store) on a controllable wall clock, and a small HTTP client
 * that speaks to it in-process through `app.request`.
 */
import { createApp, type SeatApp } from '../../server/app.js';
import type { AppConfig, Clock } from '../../server/config.js';
import { MemoryStore } from '../../server/store/memory.js';
import type { Store } from '../../server/store/types.js';
import { OutboxMailer } from '../../server/mail/outbox.js';
import { PgStore } from '../../server/store/postgres/store.js';
import { clearRateLimits, freshDatabase } from './postgres.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach } from 'node:test';
import type { CreateAccountBody, CreateAccountResult, OutboxMessage, PageBody, SessionResult, User, UserResult } from '../../sdk/types.js';

export const API_KEY = 'sk_test_0123456789abcdefghijklmnop';

/** A wall clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(public current = new Date('2026-05-15T00:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** The helpers on an app over any store. */
export type Harness = ReturnType<typeof harnessOn<Store>>;

export function makeHarness(config: Partial<AppConfig> = {}) {
  return harnessOn(new MemoryStore(), new ManualClock(), config);
}

/**
 * The store the rules are checked on: memory (the default), or with SEATKIT_TEST_STORE `file` (a
 * temporary folder) or `postgres` (one database for the test file's run). The conformance run
 * (scripts/test-node.mjs) runs the rule tests once on each.
 */
export const TEST_STORE = (process.env.SEATKIT_TEST_STORE ?? 'memory') as 'memory' | 'file' | 'postgres';

const opened: Store[] = [];
const apps: SeatApp[] = [];
let database: ReturnType<typeof freshDatabase> | undefined;
if (TEST_STORE !== 'memory') {
  // A test's apps and stores end with it (apps sweep every account of a shared database; each store holds connections).
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.jobs.stop()));
    await Promise.all(opened.splice(0).map((store) => store.close().catch(() => {})));
    // Rate-limit counters live in the database, shared like across processes: each test starts afresh, as in memory.
    if (database) await clearRateLimits((await database).url);
  });
  after(async () => {
    await (await database)?.drop();
    await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
  });
}
const folders: string[] = [];

/** A new store of the kind the run checks (closed, and its folder or database removed, when the test file ends). */
export async function testStore(): Promise<Store> {
  let store: Store;
  if (TEST_STORE === 'file') {
    const dir = await mkdtemp(join(tmpdir(), 'seatkit-conformance-'));
    folders.push(dir);
    store = await FileStore.open(dir);
  } else if (TEST_STORE === 'postgres') {
    store = await PgStore.open({ connectionString: await testDatabaseUrl(), poolSize: 4 });
  } else {
    store = new MemoryStore();
  }
  opened.push(store);
  return store;
}

/** The run's PostgreSQL database (created on first use, dropped when the test file ends). */
export async function testDatabaseUrl(): Promise<string> {
  database ??= freshDatabase();
  return (await database).url;
}

/** `makeHarness` on the store the run checks (see TEST_STORE). */
export async function storeHarness(config: Partial<AppConfig> = {}) {
  const harness = harnessOn(await testStore(), new ManualClock(), config);
  apps.push(harness.app);
  return harness;
}

/** The helpers on an app over `store` (memory or file) and a hand-moved wall clock. */
export function harnessOn<S extends Store>(store: S, clock: ManualClock, config: Partial<AppConfig>) {
  const mailer = new OutboxMailer({ now: () => clock.now() });
  const app = createApp({ store, mailer, clock, config: { apiKey: API_KEY, ...config } });

  async function request<T = any>(
    method: string,
    path: string,
    options: { token?: string | null; body?: unknown; raw?: BodyInit; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    let body: BodyInit | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] ??= 'application/json';
    }
    const response = await app.request(path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  const admin = (method: string, path: string, body?: unknown) => request(method, path, { token: API_KEY, body });

  async function createAccount(overrides: Partial<CreateAccountBody> = {}) {
    const body: CreateAccountBody = {
      name: 'Acme Engineering',
      licenses: { quantity: 5, unitPrice: 400, currency: 'USD', interval: 'month' },
      owner: { email: 'owner@acme.example', firstName: 'Olive', lastName: 'Owner' },
      ...overrides,
    };
    const res = await request<CreateAccountResult>('POST', '/v1/accounts', { token: API_KEY, body });
    if (res.status !== 201) throw new Error(`createAccount: ${res.status} ${JSON.stringify(res.body)}`);
    const accountId = res.body.account.id;
    const owner = res.body.owner;
    const ownerToken = await session(accountId, owner.id);
    return { accountId, owner, ownerToken, account: res.body.account, base: `/v1/accounts/${accountId}` };
  }

  async function session(accountId: string, userId: string): Promise<string> {
    const res = await request<SessionResult>('POST', `/v1/accounts/${accountId}/sessions`, { token: API_KEY, body: { userId } });
    if (res.status !== 200) throw new Error(`session: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token;
  }

  /** The invitation token of the newest email to `email`. */
  async function invitationToken(email: string): Promise<string> {
    const messages = (await mailer.list()) as OutboxMessage[];
    const message = [...messages].reverse().find((m) => m.to === email);
    if (!message?.activationUrl) throw new Error(`no invitation for ${email}`);
    return decodeURIComponent(message.activationUrl.split('/').pop()!);
  }

  /** Invites someone; with `accept`, activates them too and returns their session token. */
  async function addUser(
    accountId: string,
    token: string,
    person: { email: string; firstName?: string; lastName?: string; role?: 'admin' | 'member'; qualification?: string },
    accept = true,
  ): Promise<{ user: User; token?: string }> {
    const res = await request<UserResult>('POST', `/v1/accounts/${accountId}/invitations`, {
      token,
      body: { firstName: 'Test', lastName: 'User', ...person },
    });
    if (res.status !== 201) throw new Error(`invite: ${res.status} ${JSON.stringify(res.body)}`);
    if (!accept) return { user: res.body.user };
    const accepted = await request('POST', `/v1/invitations/${await invitationToken(person.email)}/accept`, { body: {} });
    if (accepted.status !== 200) throw new Error(`accept: ${accepted.status} ${JSON.stringify(accepted.body)}`);
    return { user: accepted.body.user, token: accepted.body.token };
  }

  async function outbox(): Promise<PageBody<OutboxMessage>> {
    return (await admin('GET', '/v1/outbox?limit=200')).body;
  }

  return { app, store, mailer, clock, request, admin, createAccount, session, invitationToken, addUser, outbox };
}

/** Asserts a problem+json answer with this status and code. */
export function isProblem(res: Reply, status: number, code: string): boolean {
  return (
    res.status === status &&
    res.headers.get('content-type')?.startsWith('application/problem+json') === true &&
    res.body?.code === code &&
    typeof res.body?.requestId === 'string' &&
    res.body?.status === status
  );
}

// ---------------------------------------------------------------------------------------------
// The same app on the durable file store (server/store/file.ts), for the store's own tests.

import { FileStore, type FileStoreOptions } from '../../server/store/file.js';

export type FileHarness = Awaited<ReturnType<typeof makeFileHarness>>;

/**
 * A real app on a `FileStore` opened on `dir` (its lock taken; `close()` releases it), with the
 * same in-process client as `makeHarness`. Rate limits are off unless `config` sets them. Pass
 * the `clock` of an earlier harness to reopen the folder at the same wall time (sessions and
 * idempotency keys follow wall time).
 */
export async function makeFileHarness(
  dir: string,
  options: FileStoreOptions & { clock?: ManualClock; config?: Partial<AppConfig> } = {},
) {
  const { clock = new ManualClock(), config = {}, ...storeOptions } = options;
  const store = await FileStore.open(dir, storeOptions);
  const harness = harnessOn(store, clock, { rateLimits: false, ...config });
  return {
    ...harness,
    close: async () => {
      await harness.app.jobs.stop();
      await store.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The SDK on the real app: clients whose fetch calls the app in-process (no network, no mock).

import { SeatAdmin, SeatClient, type SeatClientOptions } from '../../sdk/index.js';

/** The base URL the SDK tests use for the in-process app (never resolved: fetch goes to the app). */
export const SDK_BASE_URL = 'http://seatkit.test';

/** A `fetch` that hands every request to the app in-process. */
export function appFetch(app: { request: (input: Request | string | URL, init?: RequestInit) => Response | Promise<Response> }): typeof fetch {
  return async (input, init) => app.request(input instanceof URL ? input.href : input, init);
}

/**
 * A harness plus the SDK: `admin` (API key) and `client(token)` for one account, all on the same
 * in-process app. `setup()` creates an account (owner signed in) through the SDK itself.
 */
export function makeSdkHarness(config: Partial<AppConfig> = {}) {
  const h = makeHarness(config);
  const fetch = appFetch(h.app);
  const admin = new SeatAdmin({ baseUrl: SDK_BASE_URL, apiKey: API_KEY, fetch });
  const client = (accountId: string, token?: string, options: Partial<SeatClientOptions> = {}) =>
    new SeatClient({ baseUrl: SDK_BASE_URL, accountId, ...(token !== undefined && { token }), fetch, ...options });

  async function setup(overrides: Partial<CreateAccountBody> = {}) {
    const { account, owner } = await admin.accounts.create({
      name: 'Acme Engineering',
      licenses: { quantity: 5, unitPrice: 400, currency: 'USD', interval: 'month' },
      owner: { email: 'owner@acme.example', firstName: 'Olive', lastName: 'Owner' },
      ...overrides,
    });
    const { token: ownerToken } = await admin.sessions.create(account.id, { userId: owner.id });
    return { account, accountId: account.id, owner, ownerToken, ownerClient: client(account.id, ownerToken) };
  }

  return { ...h, fetch, admin, client, setup };
}
