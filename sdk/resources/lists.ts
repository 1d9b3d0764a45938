import type { Http, RequestOptions } from '../core/http.js';
import type { PagePromise } from '../core/pagination.js';
import type { AuditEvent, Invoice, ListParams } from '../types.js';
import { list } from '../core/pagination.js';

/** Invoices of the account (owner only), newest first. */
export class InvoicesResource {
  constructor(
    private readonly http: Http,
    private readonly path: string,
  ) {}

  /** Proration and renewal invoices, newest first. */
  list(params: ListParams = {}, options: RequestOptions = {}): PagePromise<Invoice> {
    return list<Invoice>(this.http, `${this.path}/invoices`, params, options);
  }
}

/** The account's audit log (owner and admins), newest first. */
export class EventsResource {
  constructor(
    private readonly http: Http,
    private readonly path: string,
  ) {}

  /** Every change (who, what, when, before/after), newest first. */
  list(params: ListParams = {}, options: RequestOptions = {}): PagePromise<AuditEvent> {
    return list<AuditEvent>(this.http, `${this.path}/events`, params, options);
  }
}
