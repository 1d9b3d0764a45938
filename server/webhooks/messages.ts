/**
 * Webhook messages and their deliveries, as part of the account: the messages of a change's events
 * are added to the account in the same commit as the change (so an acknowledged change is delivered
 * even if the server dies the next instant), and what each attempt did is a change of the account
 * too. Pure functions of the document.
 */
import type { AuditEvent, WebhookDelivery, WebhookPayload } from '../../sdk/types.js';
import type { AccountDoc, WebhookDeliveryRecord } from '../domain/state.js';
import { derived, withEntry } from '../domain/users-map.js';
import { Map as ImmutableMap } from 'immutable';
import { licenseCounts, toUser } from '../domain/views.js';
import { wants, type WebhookEndpointRecord } from './endpoints.js';

/** The body of the message of `event`, with the account and its users as they are in `doc`. */
export function payloadOf(doc: AccountDoc, event: AuditEvent): WebhookPayload {
  const users = event.userIds.flatMap((id) => {
    const user = doc.users.get(id);
    return user ? [toUser(user)] : [];
  });
  return {
    type: event.action,
    timestamp: event.createdAt,
    data: { event, account: { id: doc.id, name: doc.name, licenses: licenseCounts(doc) }, users },
  };
}

/** `doc` with the messages of `events` for the endpoints that want them, each with a pending delivery per endpoint. */
export function withWebhookMessages(
  doc: AccountDoc,
  events: readonly AuditEvent[],
  endpoints: readonly WebhookEndpointRecord[],
  now: Date,
  newId: (prefix: 'whd') => string,
): AccountDoc {
  let messages = doc.webhookMessages;
  let deliveries = doc.webhookDeliveries;
  const at = now.toISOString();
  for (const event of events) {
    const targets = endpoints.filter((endpoint) => wants(endpoint, event.action));
    if (targets.length === 0) continue;
    messages = withEntry(messages, event.id, { eventId: event.id, type: event.action, body: JSON.stringify(payloadOf(doc, event)), createdAt: at });
    for (const endpoint of targets) {
      const id = newId('whd');
      deliveries = withEntry(deliveries, id, {
        id,
        eventId: event.id,
        type: event.action,
        endpointId: endpoint.id,
        status: 'pending',
        attempts: 0,
        lastResponseStatus: null,
        lastError: null,
        nextAttemptAt: at,
        createdAt: at,
      });
    }
  }
  return messages === doc.webhookMessages ? doc : { ...doc, webhookMessages: messages, webhookDeliveries: deliveries };
}

/** What one attempt got: a response status, or an error (no answer in time, refused, …). */
export type AttemptResult = { status: number } | { error: string };

/**
 * The delivery after an attempt at `now`: a 2xx succeeded; otherwise it is tried again after the
 * next of `retries` (seconds), and failed once they are spent. A 410 fails it at once (the caller
 * disables the endpoint).
 */
export function afterAttempt(delivery: WebhookDeliveryRecord, result: AttemptResult, now: Date, retries: readonly number[]): WebhookDeliveryRecord {
  const attempts = delivery.attempts + 1;
  const status = 'status' in result ? result.status : null;
  const base = { ...delivery, attempts, lastResponseStatus: status, lastError: 'error' in result ? result.error : null };
  if (status !== null && status >= 200 && status < 300) return { ...base, status: 'succeeded', nextAttemptAt: null };
  const delay = retries[attempts - 1];
  if (status === 410 || delay === undefined) return { ...base, status: 'failed', nextAttemptAt: null };
  return { ...base, status: 'pending', nextAttemptAt: new Date(now.getTime() + delay * 1000).toISOString() };
}

/** Pending deliveries by id → when due (ms): carried forward from change to change, so finding due ones does not scan every delivery. */
export const pendingDeliveries = derived<WebhookDeliveryRecord, ImmutableMap<string, number>>(
  (deliveries) =>
    ImmutableMap<string, number>().withMutations((pending) => {
      for (const delivery of deliveries.values()) if (delivery.status === 'pending') pending.set(delivery.id, Date.parse(delivery.nextAttemptAt!));
    }),
  // A persistent map: a change costs O(log n), not a copy of every pending delivery.
  (pending, id, before, after) => {
    if (before?.status !== 'pending' && after?.status !== 'pending') return pending;
    return after?.status === 'pending' ? pending.set(id, Date.parse(after.nextAttemptAt!)) : pending.remove(id);
  },
);

/** Finished deliveries are kept this long, for the delivery log. */
export const DELIVERIES_KEPT_MS = 7 * 24 * 60 * 60 * 1000;
/** …and at most this many per account. */
export const DELIVERIES_KEPT_PER_ACCOUNT = 1000;

/** `doc` without finished deliveries older than the retention (or beyond the count), nor messages none refers to. */
export function pruneDeliveries(doc: AccountDoc, now: Date): AccountDoc {
  const finished = [...doc.webhookDeliveries.values()].filter((d) => d.status !== 'pending').sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const cutoff = now.getTime() - DELIVERIES_KEPT_MS;
  const drop = finished.filter((d, i) => i >= DELIVERIES_KEPT_PER_ACCOUNT || Date.parse(d.createdAt) < cutoff);
  if (drop.length === 0) return doc;
  let deliveries = doc.webhookDeliveries;
  for (const d of drop) deliveries = withEntry(deliveries, d.id, undefined);
  const referred = new Set([...deliveries.values()].map((d) => d.eventId));
  let messages = doc.webhookMessages;
  for (const eventId of doc.webhookMessages.keys()) if (!referred.has(eventId)) messages = withEntry(messages, eventId, undefined);
  return { ...doc, webhookDeliveries: deliveries, webhookMessages: messages };
}

export function toWebhookDelivery(record: WebhookDeliveryRecord): WebhookDelivery {
  const { endpointId: _endpointId, ...delivery } = record;
  return delivery;
}
