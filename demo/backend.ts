/**
 * What the demo page needs besides the API: who to act as, sessions, the dev outbox, the test
 * clock and a reset. `npm start` answers it over HTTP (`/demo/…`, demo/server.ts); the static build
 * answers it in the page (demo/browser-backend.ts). Both run the same `DemoOps` against the real
 * app, so one page works with either.
 */
import { SeatError } from '../sdk/index.js';
import type { OutboxMessage, SessionResult, User, WebhookDelivery, WebhookEndpoint } from '../sdk/types.js';
import { sdkFor, seedDemo, signInDemo, type FetchApp } from './seed.js';

export type { FetchApp } from './seed.js';

export const DEMO_ROLES = ['owner', 'admin', 'member'] as const;
export type DemoRole = (typeof DEMO_ROLES)[number];

export interface DemoPerson {
  userId: string;
  name: string;
  email: string;
}

export interface DemoState {
  accountId: string;
  accountName: string;
  /** The user the page acts as for each role (null: nobody fits, e.g. no enabled admin). */
  people: Record<DemoRole, DemoPerson | null>;
}

export interface DemoSession {
  role: DemoRole;
  token: string;
  expiresAt: string;
  user: User;
}

export interface DemoClock {
  now: string | null;
  periodStart: string;
  periodEnd: string;
}

/** A webhook endpoint of the server and its latest deliveries (the demo lists them when there is one). */
export interface DemoWebhook {
  endpoint: WebhookEndpoint;
  deliveries: WebhookDelivery[];
}

export interface DemoBackend {
  /** Where the elements find the API (`base-url`). */
  readonly baseUrl: string;
  /** `server` (npm start) or `browser` (the static build). */
  readonly kind: 'server' | 'browser';
  state(): Promise<DemoState>;
  /** A fresh session for the current owner, an admin or a member (kept in memory only). */
  session(role: DemoRole): Promise<DemoSession>;
  /** The dev outbox, newest first. */
  outbox(): Promise<OutboxMessage[]>;
  /** The server's webhook endpoints with their latest deliveries (none unless one was added with the API key). */
  webhooks(): Promise<DemoWebhook[]>;
  /** Moves the account's test clock to the end of its current period (the next period starts). */
  advanceClock(): Promise<DemoClock>;
  /** Seeds a fresh demo account. */
  reset(): Promise<DemoState>;
}

/** A failure with the HTTP status the demo server answers. */
export class DemoError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The demo account's identity, kept across restarts (demo.json, or localStorage in the static build). */
export interface DemoMarker {
  accountId: string;
  ownerId: string;
  /** When it was seeded: the outbox shows what was sent since (a reset leaves the old account's mail behind). */
  seededAt?: string;
}

export interface DemoOpsOptions {
  app: FetchApp;
  apiKey: string;
  /** The account made before, if any (read before the first seed or sign-in). */
  known?: DemoMarker | Promise<DemoMarker | undefined>;
  /** Keeps the marker after a (re)seed. */
  saveMarker?: (marker: DemoMarker) => Promise<void> | void;
}

/** The demo operations, through the public API of the real app with the server API key. */
export class DemoOps implements Omit<DemoBackend, 'baseUrl' | 'kind'> {
  #marker: Promise<DemoMarker> | undefined;
  readonly #sdk: ReturnType<typeof sdkFor>;

  constructor(private readonly options: DemoOpsOptions) {
    this.#sdk = sdkFor(options.app, options.apiKey);
  }

  /** The demo account: the known one (signed in again), else a freshly seeded one. */
  ready(): Promise<DemoMarker> {
    this.#marker ??= (async () => {
      const known = await this.options.known;
      if (known && (await signInDemo(this.options.app, this.options.apiKey, known))) return known;
      return this.#seed();
    })();
    this.#marker.catch(() => (this.#marker = undefined));
    return this.#marker;
  }

  async state(): Promise<DemoState> {
    return answer(async () => {
      const { accountId } = await this.ready();
      const { admin } = this.#sdk;
      const account = await admin.accounts.get(accountId);
      const users = admin.account(accountId).users;
      const person = (user: User | undefined): DemoPerson | null =>
        user ? { userId: user.id, name: `${user.firstName} ${user.lastName}`, email: user.email } : null;
      const find = async (role: 'admin' | 'member') => {
        const page = await users.list({ role, status: 'enabled', sort: 'name', limit: 200 });
        return person(page.data.find((user) => user.activatedAt && user.id !== account.ownerId));
      };
      const owner = await users.get(account.ownerId);
      return { accountId, accountName: account.name, people: { owner: person(owner), admin: await find('admin'), member: await find('member') } };
    });
  }

  async session(role: DemoRole): Promise<DemoSession> {
    if (!DEMO_ROLES.includes(role)) throw new DemoError(400, 'role must be owner, admin or member');
    const state = await this.state();
    const person = state.people[role];
    if (!person) throw new DemoError(409, `No enabled ${role} with an activated account to act as.`);
    const session = await this.#mint(state.accountId, person.userId, 3600);
    return { role, token: session.token, expiresAt: session.expiresAt, user: session.user };
  }

  /** The messages of the demo account, newest first (the dev outbox holds every account's). */
  async outbox(): Promise<OutboxMessage[]> {
    const { seededAt = '' } = await this.ready();
    return answer(async () => (await this.#sdk.admin.outbox.list({ limit: 50 })).data.filter((message) => message.createdAt >= seededAt));
  }

  async webhooks(): Promise<DemoWebhook[]> {
    const { webhooks } = this.#sdk.admin;
    return answer(async () => {
      const endpoints: WebhookEndpoint[] = (await webhooks.list({ limit: 10 })).data;
      return Promise.all(
        endpoints.map(async (endpoint) => ({ endpoint, deliveries: (await webhooks.deliveries(endpoint.id, { limit: 20 })).data as WebhookDelivery[] })),
      );
    });
  }

  async advanceClock(): Promise<DemoClock> {
    const { accountId } = await this.ready();
    const { admin } = this.#sdk;
    return answer(async () => {
      const { billing } = await admin.accounts.get(accountId);
      const account = await admin.testClock.advance(accountId, billing.periodEnd);
      return { now: account.testClock?.now ?? null, periodStart: account.billing.periodStart, periodEnd: account.billing.periodEnd };
    });
  }

  async reset(): Promise<DemoState> {
    const seeded = this.#seed();
    this.#marker = seeded;
    await seeded;
    return this.state();
  }

  async #seed(): Promise<DemoMarker> {
    const seededAt = new Date().toISOString();
    const demo = await seedDemo(this.options.app, this.options.apiKey);
    const marker = { accountId: demo.accountId, ownerId: demo.ownerId, seededAt };
    await this.options.saveMarker?.(marker);
    return marker;
  }

  #mint(accountId: string, userId: string, ttlSeconds: number): Promise<SessionResult> {
    return answer(() => this.#sdk.admin.sessions.create(accountId, { userId, ttlSeconds }));
  }
}

/** An API error as the demo's own answer: its status (a server fault: 502) and the problem's detail. */
async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof SeatError)) throw error;
    throw new DemoError(error.status >= 500 || error.status === 0 ? 502 : error.status, error.detail ?? error.message);
  }
}

/** The backend of `npm start`: the demo server's `/demo/…` endpoints on the page's origin. */
export class HttpDemoBackend implements DemoBackend {
  readonly kind = 'server';

  constructor(readonly baseUrl: string) {}

  state(): Promise<DemoState> {
    return this.#call('GET', 'state');
  }
  session(role: DemoRole): Promise<DemoSession> {
    return this.#call('POST', 'session', { role });
  }
  outbox(): Promise<OutboxMessage[]> {
    return this.#call('GET', 'outbox');
  }
  webhooks(): Promise<DemoWebhook[]> {
    return this.#call('GET', 'webhooks');
  }
  advanceClock(): Promise<DemoClock> {
    return this.#call('POST', 'advance-clock');
  }
  reset(): Promise<DemoState> {
    return this.#call('POST', 'reset');
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}/demo/${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await response.json().catch(() => ({}))) as T & { detail?: string };
    if (!response.ok) throw new DemoError(response.status, answer.detail ?? `The demo server answered ${response.status}.`);
    return answer;
  }
}
