import type { Http, RequestOptions } from '../core/http.js';
import type { PagePromise } from '../core/pagination.js';
import type {
  CreateWebhookEndpointBody,
  Entitlement,
  EntitlementSelector,
  ListParams,
  ProvisionBody,
  UpdateWebhookEndpointBody,
  User,
  UserResult,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
} from '../types.js';
import { list } from '../core/pagination.js';

const account = (accountId: string) => `accounts/${encodeURIComponent(accountId)}`;

/** People in an account, for the host's back end: provisioning and activity. */
export class HostUsersResource {
  constructor(private readonly http: Http) {}

  /** Brings in a person the host vouches for: enabled at once (`license: false`: disabled); no email. */
  async provision(accountId: string, body: ProvisionBody, options: RequestOptions = {}): Promise<UserResult> {
    return this.http.post<UserResult>(`${account(accountId)}/users`, { ...options, json: body });
  }

  /** Records that the person used the host product now (one-minute resolution). */
  async recordActivity(accountId: string, userId: string, options: RequestOptions = {}): Promise<{ user: User }> {
    return this.http.post<{ user: User }>(`${account(accountId)}/users/${encodeURIComponent(userId)}/activity`, options);
  }
}

/** "May this person work?": the check on the host product's hot path. */
export class EntitlementsResource {
  constructor(private readonly http: Http) {}

  /** By exactly one of `userId`, `externalId` or `email`; an unknown person is `licensed: false`, `reason: 'unknown_user'`. */
  async check(accountId: string, selector: EntitlementSelector, options: RequestOptions = {}): Promise<Entitlement> {
    return this.http.get<Entitlement>(`${account(accountId)}/entitlement`, { ...options, query: { ...selector } });
  }
}

/** Webhook endpoints (server-wide) and their delivery logs. */
export class WebhooksResource {
  constructor(private readonly http: Http) {}

  /** Adds an endpoint; the answer holds its signing secret, shown only here. */
  async create(body: CreateWebhookEndpointBody, options: RequestOptions = {}): Promise<WebhookEndpointWithSecret> {
    return this.http.post<WebhookEndpointWithSecret>('webhook-endpoints', { ...options, json: body });
  }

  list(params: ListParams = {}, options: RequestOptions = {}): PagePromise<WebhookEndpoint> {
    return list<WebhookEndpoint>(this.http, 'webhook-endpoints', params, options);
  }

  async get(endpointId: string, options: RequestOptions = {}): Promise<WebhookEndpoint> {
    return this.http.get<WebhookEndpoint>(`webhook-endpoints/${encodeURIComponent(endpointId)}`, options);
  }

  /** Changes the url, events or description, or disables (`disabled: true`) or enables it. */
  async update(endpointId: string, patch: UpdateWebhookEndpointBody, options: RequestOptions = {}): Promise<WebhookEndpoint> {
    return this.http.patch<WebhookEndpoint>(`webhook-endpoints/${encodeURIComponent(endpointId)}`, { ...options, json: patch });
  }

  async delete(endpointId: string, options: RequestOptions = {}): Promise<WebhookEndpoint> {
    return this.http.delete<WebhookEndpoint>(`webhook-endpoints/${encodeURIComponent(endpointId)}`, options);
  }

  /** A new secret; the old one keeps signing for 24 hours (messages carry both signatures meanwhile). */
  async rotateSecret(endpointId: string, options: RequestOptions = {}): Promise<{ secret: string }> {
    return this.http.post<{ secret: string }>(`webhook-endpoints/${encodeURIComponent(endpointId)}/rotate-secret`, options);
  }

  /** The endpoint's delivery log, newest first. */
  deliveries(endpointId: string, params: ListParams = {}, options: RequestOptions = {}): PagePromise<WebhookDelivery> {
    return list<WebhookDelivery>(this.http, `webhook-endpoints/${encodeURIComponent(endpointId)}/deliveries`, params, options);
  }

  /** Sends a delivery again now. */
  async retry(endpointId: string, deliveryId: string, options: RequestOptions = {}): Promise<WebhookDelivery> {
    return this.http.post<WebhookDelivery>(`webhook-endpoints/${encodeURIComponent(endpointId)}/deliveries/${encodeURIComponent(deliveryId)}/retry`, options);
  }
}
