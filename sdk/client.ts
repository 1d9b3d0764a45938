import { Http, type HttpOptions, type TokenSource } from './core/http.js';
import { AccountResource } from './resources/account.js';
import { AccountsResource, OutboxResource, SessionsResource, TestClockResource } from './resources/admin.js';
import { EntitlementsResource, HostUsersResource, WebhooksResource } from './resources/host.js';
import { InvitationsResource } from './resources/invitations.js';
import { LicensesResource } from './resources/licenses.js';
import { EventsResource, InvoicesResource } from './resources/lists.js';
import { UsersResource } from './resources/users.js';
import { batch, ReclaimPolicyResource, UsageResource } from './resources/usage.js';
import { stream } from './resources/stream.js';

export interface SeatClientOptions {
  /** Where the server is mounted: its origin plus any prefix, without `/v1` (e.g. `https://api.example.com/seats`). */
  baseUrl: string;
  accountId: string;
  /** A session token of the signed-in user. */
  token?: string;
  /** Asked for the session token before each call and once more after a 401 (refresh it there). */
  getToken?: TokenSource;
  /** Custom fetch (tests, an in-process app, instrumentation). */
  fetch?: typeof fetch;
  /** Retries of a safe call (GETs, license changes) after the first attempt; default 2. */
  maxRetries?: number;
  /** Per-attempt timeout in ms; default 30,000. */
  timeout?: number;
}

/**
 * The client of one account, for one signed-in user (browser or Node). Resources are fields:
 * `client.users.list()`, `client.licenses.change(…)`.
 */
export class SeatClient {
  /** Where the server is mounted, as given. */
  readonly baseUrl: string;
  readonly accountId: string;
  readonly account: AccountResource;
  readonly users: UsersResource;
  readonly invitations: InvitationsResource;
  readonly licenses: LicensesResource;
  readonly invoices: InvoicesResource;
  readonly events: EventsResource;
  readonly usage: UsageResource;
  readonly reclaimPolicy: ReclaimPolicyResource;
  /** Up to 1,000 operations at once (see `BatchBody`); atomic unless `mode: 'partial'`. */
  readonly batch: ReturnType<typeof batch>;
  /**
   * Live updates of the account (`for await (const event of client.stream({ signal }))`):
   * reconnects with back-off and resumes from the last event id by itself.
   */
  readonly stream: ReturnType<typeof stream>;

  constructor(options: SeatClientOptions) {
    const http = new Http(options as HttpOptions);
    const path = `accounts/${encodeURIComponent(options.accountId)}`;
    this.accountId = options.accountId;
    this.baseUrl = options.baseUrl;
    this.account = new AccountResource(http, path);
    this.users = new UsersResource(http, path);
    this.invitations = new InvitationsResource(http, path);
    this.licenses = new LicensesResource(http, path);
    this.invoices = new InvoicesResource(http, path);
    this.events = new EventsResource(http, path);
    this.usage = new UsageResource(http, path);
    this.reclaimPolicy = new ReclaimPolicyResource(http, path);
    this.batch = batch(http, path);
    this.stream = stream(http, path);
  }
}

export interface SeatAdminOptions {
  baseUrl: string;
  /** The server API key (`SEATKIT_API_KEY`). Keep it on the server: never send it to a browser. */
  apiKey: string;
  fetch?: typeof fetch;
  maxRetries?: number;
  timeout?: number;
}

/**
 * The client of a host back end, with the server API key: accounts, sessions, provisioning, the
 * entitlement check, activity, webhooks, test clocks, the dev outbox; and `account(id)`, a
 * `SeatClient` of one account acting with the API key (every permission, no viewer).
 */
export class SeatAdmin {
  readonly accounts: AccountsResource;
  readonly sessions: SessionsResource;
  readonly users: HostUsersResource;
  readonly entitlements: EntitlementsResource;
  readonly webhooks: WebhooksResource;
  readonly testClock: TestClockResource;
  readonly outbox: OutboxResource;
  readonly #options: SeatAdminOptions;

  constructor(options: SeatAdminOptions) {
    const http = new Http({ ...options, token: options.apiKey });
    this.#options = options;
    this.accounts = new AccountsResource(http);
    this.sessions = new SessionsResource(http);
    this.users = new HostUsersResource(http);
    this.entitlements = new EntitlementsResource(http);
    this.webhooks = new WebhooksResource(http);
    this.testClock = new TestClockResource(http);
    this.outbox = new OutboxResource(http);
  }

  /** Every `SeatClient` method on one account, from the back end (the API key: audit actor `api_key`). */
  account(accountId: string): SeatClient {
    const { apiKey, ...rest } = this.#options;
    return new SeatClient({ ...rest, accountId, token: apiKey });
  }
}
