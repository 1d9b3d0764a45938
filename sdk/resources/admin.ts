import type { Http, RequestOptions } from '../core/http.js';
import type { PagePromise } from '../core/pagination.js';
import type { Account, CreateAccountBody, CreateAccountResult, CreateSessionBody, ListParams, OutboxMessage, SessionResult } from '../types.js';
import { list } from '../core/pagination.js';

/** Accounts, for host back ends. */
export class AccountsResource {
  constructor(private readonly http: Http) {}

  /** Creates an account with its owner (the owner holds the first license). */
  async create(body: CreateAccountBody, options: RequestOptions = {}): Promise<CreateAccountResult> {
    return this.http.post<CreateAccountResult>('accounts', { ...options, json: body });
  }

  /** Reads an account (without `viewer`). */
  async get(accountId: string, options: RequestOptions = {}): Promise<Account> {
    return this.http.get<Account>(`accounts/${encodeURIComponent(accountId)}`, options);
  }
}

/** Session tokens for users' browsers (the widget-token pattern): the API key never leaves the back end. */
export class SessionsResource {
  constructor(private readonly http: Http) {}

  /** Mints a session for an enabled user, by `userId` or `email`; `ttlSeconds` 60–86,400 (default 3,600). */
  async create(accountId: string, body: CreateSessionBody, options: RequestOptions = {}): Promise<SessionResult> {
    return this.http.post<SessionResult>(`accounts/${encodeURIComponent(accountId)}/sessions`, { ...options, json: body });
  }
}

/** Test clocks: drive a test-clock account's billing periods and invitation expiry. */
export class TestClockResource {
  constructor(private readonly http: Http) {}

  /** Moves the account's clock forward to `to` and settles what happened meanwhile (renewals, expiries). */
  async advance(accountId: string, to: Date | string, options: RequestOptions = {}): Promise<Account> {
    const advanceTo = typeof to === 'string' ? to : to.toISOString();
    return this.http.post<Account>(`accounts/${encodeURIComponent(accountId)}/test-clock`, { ...options, json: { advanceTo } });
  }
}

/** The dev outbox (servers with the dev mailer). */
export class OutboxResource {
  constructor(private readonly http: Http) {}

  /** Messages sent, newest first. */
  list(params: ListParams = {}, options: RequestOptions = {}): PagePromise<OutboxMessage> {
    return list<OutboxMessage>(this.http, 'outbox', params, options);
  }
}
