/**
 * Webhooks of the server: the endpoints (cached from the store), and the sending of deliveries —
 * at least once, the same `webhook-id` on every attempt, signed with the Standard Webhooks scheme.
 * A delivery is due when its change committed (or its next retry came); the sender looks for due
 * deliveries every second and at once after a commit that made some. A 2xx within the timeout is
 * success; anything else is tried again after the configured delays, then marked failed; a 410
 * disables the endpoint. Sending never holds up the change that made the message.
 */
import type { Clock, Logger } from '../config.js';
import { randomId } from '../crypto.js';
import type { AccountDoc, WebhookDeliveryRecord, WebhookMessageRecord } from '../domain/state.js';
import { withEntry } from '../domain/users-map.js';
import type { Store } from '../store/types.js';
import { signingSecrets, type WebhookEndpointRecord } from './endpoints.js';
import { afterAttempt, pendingDeliveries, type AttemptResult } from './messages.js';
import { fetchTransport, type WebhookTransport } from './transport.js';

/** Attempts in flight at once, across endpoints. */
const IN_FLIGHT_MAX = 16;

/** How long endpoints read from a store shared by several processes are trusted. */
const ENDPOINTS_KEPT_MS = 1000;

export interface WebhookOptions {
  /** Seconds before each retry after a failed attempt (then the delivery fails). */
  retries: readonly number[];
  /** How long an attempt may take before it counts as failed. */
  timeoutMs: number;
  log: Logger;
  /** How attempts are sent (default: `fetch` and Web Crypto, in this thread). */
  transport?: WebhookTransport;
}

/** An attempt's result waiting for its commit. */
interface PendingResult {
  delivery: WebhookDeliveryRecord;
  result: AttemptResult;
  /** No retry (the endpoint or message is gone). */
  final: boolean;
  /** When the attempt ended (the next retry counts from then). */
  at: Date;
}

interface ResultQueue {
  items: PendingResult[];
  saving: Promise<void> | null;
  /** The save waiting for its turn (see RESULTS_EVERY_MS). */
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * Attempt results of an account are saved together at most this often. Each save is a commit of
 * the account (a journal line and a disk flush); saved as they came, they were about one commit per
 * change that made deliveries, queued with the account's own changes. What the delay costs: the
 * delivery log shows an attempt up to this much later, and a crash within it sends those
 * deliveries again (at least once, with the same id).
 */
const RESULTS_EVERY_MS = 1000;

export class Webhooks {
  #endpoints: Promise<Map<string, WebhookEndpointRecord>> | undefined;
  readonly #inFlight = new Map<string, Promise<void>>();
  #sweeping: Promise<void> | null = null;
  #again = false;
  #stopped = false;
  readonly #abort = new AbortController();
  readonly #transport: WebhookTransport;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: WebhookOptions,
  ) {
    this.#transport = options.transport ?? fetchTransport();
  }

  // ---- endpoints ----

  #loadedAt = 0;

  /**
   * The endpoints, kept in memory. With several processes on one store, one may change them while
   * another keeps them: read again after a second (an endpoint reaches every process within it).
   */
  #cache(): Promise<Map<string, WebhookEndpointRecord>> {
    const shared = this.store.lease !== undefined;
    if (!this.#endpoints || (shared && Date.now() - this.#loadedAt > ENDPOINTS_KEPT_MS)) {
      this.#loadedAt = Date.now();
      const loading = this.store.webhookEndpoints().then((list) => new Map(list.map((e) => [e.id, e])));
      // A failed read is tried again next time rather than kept.
      loading.catch(() => {
        if (this.#endpoints === loading) this.#endpoints = undefined;
      });
      this.#endpoints = loading;
    }
    return this.#endpoints;
  }

  async endpoints(): Promise<WebhookEndpointRecord[]> {
    return [...(await this.#cache()).values()];
  }

  async endpoint(id: string): Promise<WebhookEndpointRecord | undefined> {
    return (await this.#cache()).get(id);
  }

  async save(endpoint: WebhookEndpointRecord): Promise<void> {
    await this.store.saveWebhookEndpoint(endpoint);
    (await this.#cache()).set(endpoint.id, endpoint);
  }

  async remove(id: string): Promise<void> {
    await this.store.removeWebhookEndpoint(id);
    (await this.#cache()).delete(id);
  }

  // ---- sending ----

  /** Deliveries made by recent commits, started without looking through every pending one. */
  #fresh: { accountId: string; ids: readonly string[] }[] = [];
  /** The next pass looks through every pending delivery. */
  #scan = false;

  /**
   * Starts due deliveries now: after a commit, the ones it made (`fresh`); without them, whatever
   * is due (an endpoint enabled again, a retry by hand).
   */
  kick(fresh?: { accountId: string; ids: readonly string[] }): void {
    if (this.#stopped) return;
    if (fresh) this.#fresh.push(fresh);
    else this.#scan = true;
    setTimeout(() => void this.#pass(), 0);
  }

  /** The last pass stopped at IN_FLIGHT_MAX. */
  #capped = false;

  /** Starts an attempt for every due delivery not already under way (at most IN_FLIGHT_MAX at once). */
  sweep(): Promise<void> {
    this.#scan = true;
    return this.#pass();
  }

  async #pass(): Promise<void> {
    if (this.#stopped) return;
    if (this.#sweeping) {
      this.#again = true;
      return this.#sweeping;
    }
    this.#sweeping = (async () => {
      do {
        this.#again = false;
        // The store away (PostgreSQL gone): the deliveries stay pending for the next pass.
        await this.#startDue().catch((error) => this.options.log({ level: 'warn', message: `webhooks: could not look for due deliveries: ${String(error)}` }));
      } while (this.#again && !this.#stopped);
    })().finally(() => {
      this.#sweeping = null;
    });
    return this.#sweeping;
  }

  async #startDue(): Promise<void> {
    const endpoints = await this.#cache();
    const now = this.clock.now().getTime();
    const fresh = this.#fresh.splice(0);
    if (this.#scan) {
      this.#scan = false;
      for (const accountId of await this.store.accountIds()) {
        const doc = await this.store.get(accountId);
        if (!doc) continue;
        for (const [id, due] of pendingDeliveries(doc.webhookDeliveries)) {
          if (due <= now && !(await this.#start(accountId, doc, id, endpoints))) return;
        }
      }
      return;
    }
    // A commit's deliveries are due at once: no need to look through the others (a pending one
    // not sent yet, as the results of the last second's attempts are, would be looked at again).
    for (const { accountId, ids } of fresh) {
      const doc = await this.store.get(accountId);
      if (!doc) continue;
      for (const id of ids) if (!(await this.#start(accountId, doc, id, endpoints))) return;
    }
  }

  /** Starts the attempt of a due delivery unless it is under way, not pending or its endpoint is disabled; false when no place is free. */
  async #start(accountId: string, doc: AccountDoc, id: string, endpoints: Map<string, WebhookEndpointRecord>): Promise<boolean> {
    const delivery = doc.webhookDeliveries.get(id);
    if (delivery?.status !== 'pending' || this.#inFlight.has(id) || this.#unsaved.has(id)) return true;
    if (this.#inFlight.size >= IN_FLIGHT_MAX) {
      this.#capped = true;
      return false;
    }
    const endpoint = endpoints.get(delivery.endpointId);
    const message = doc.webhookMessages.get(delivery.eventId);
    if (endpoint?.disabled) return true;
    // Several processes on one store: each attempt is made by the one that leases it.
    if (this.store.lease && !(await this.store.lease(`delivery:${id}:${delivery.attempts}`, this.options.timeoutMs + 5000).catch(() => false))) return true;
    const attempt = this.#attempt(accountId, delivery, message, endpoint).finally(() => {
      this.#inFlight.delete(id);
      // Due deliveries were left for want of a free place: this one is free now.
      if (this.#capped) {
        this.#capped = false;
        void this.sweep();
      }
    });
    this.#inFlight.set(id, attempt);
    return true;
  }

  async #attempt(accountId: string, delivery: WebhookDeliveryRecord, message: WebhookMessageRecord | undefined, endpoint: WebhookEndpointRecord | undefined): Promise<void> {
    let result: AttemptResult;
    if (!endpoint || !message) {
      result = { error: endpoint ? 'the message is gone' : 'the endpoint was deleted' };
    } else {
      result = await this.#post(endpoint, message);
      if (this.#stopped) return; // cut short by shutdown: still pending, tried again after the restart
      if ('status' in result && result.status === 410) await this.#disable(endpoint);
    }
    this.#record(accountId, { delivery, result, final: !endpoint || !message, at: this.clock.now() });
  }

  // ---- results: saved together ----

  /** Attempt results waiting to be saved, by account, and the save under way. */
  readonly #results = new Map<string, ResultQueue>();
  /** Deliveries whose last attempt's result is not saved yet: not sent again meanwhile. */
  readonly #unsaved = new Set<string>();

  /**
   * Keeps an attempt's result for the account's next save of results (RESULTS_EVERY_MS): one commit
   * for every result that came meanwhile, rather than a commit per result (three per change with
   * three endpoints) queued behind and ahead of the account's changes. A crash before the save sends
   * the delivery again after the restart (at least once, the same id).
   */
  #record(accountId: string, item: PendingResult): void {
    let queue = this.#results.get(accountId);
    if (!queue) this.#results.set(accountId, (queue = { items: [], saving: null, timer: null }));
    queue.items.push(item);
    this.#unsaved.add(item.delivery.id);
    this.#saveSoon(accountId, queue);
  }

  #saveSoon(accountId: string, queue: ResultQueue): void {
    if (queue.saving || queue.timer) return;
    queue.timer = setTimeout(() => {
      queue.timer = null;
      void this.#save(accountId, queue);
    }, RESULTS_EVERY_MS);
  }

  /** Saves the results in hand in one commit; once stopped, until none is left. */
  #save(accountId: string, queue: ResultQueue): Promise<void> {
    if (queue.timer) clearTimeout(queue.timer);
    queue.timer = null;
    // Started on the next microtask, so `saving` is set before the loop can end and clear it.
    queue.saving ??= Promise.resolve().then(async () => {
      do {
        const items = queue.items.splice(0);
        await this.store
          .transact(accountId, (doc) => {
            let deliveries = doc.webhookDeliveries;
            for (const { delivery, result, final, at } of items) {
              const current = deliveries.get(delivery.id);
              // Retried by hand, or recorded already: this attempt is not the latest word.
              if (!current || current.status !== 'pending' || current.attempts !== delivery.attempts) continue;
              deliveries = withEntry(deliveries, delivery.id, afterAttempt(current, result, at, final ? [] : this.options.retries));
            }
            return { doc: deliveries === doc.webhookDeliveries ? doc : { ...doc, webhookDeliveries: deliveries }, events: [], result: undefined };
          })
          .catch((error) => {
            for (const { delivery } of items) {
              this.options.log({ level: 'warn', message: `webhook delivery ${delivery.id}: the result could not be saved (it will be sent again): ${String(error)}` });
            }
          });
        for (const { delivery } of items) this.#unsaved.delete(delivery.id);
      } while (this.#stopped && queue.items.length > 0);
      queue.saving = null;
      // Results that came during the save wait for the next one.
      if (queue.items.length > 0) this.#saveSoon(accountId, queue);
      else this.#results.delete(accountId);
      // Retries that became due meanwhile were skipped while unsaved.
      this.kick();
    });
    return queue.saving;
  }

  #post(endpoint: WebhookEndpointRecord, message: WebhookMessageRecord): Promise<AttemptResult> {
    const now = this.clock.now();
    const attempt = { url: endpoint.url, id: message.eventId, timestamp: Math.floor(now.getTime() / 1000), body: message.body, secrets: signingSecrets(endpoint, now), timeoutMs: this.options.timeoutMs };
    return this.#transport.send(attempt, this.#abort.signal);
  }

  async #disable(endpoint: WebhookEndpointRecord): Promise<void> {
    this.options.log({ level: 'warn', message: `webhook endpoint ${endpoint.id} answered 410 Gone: disabled` });
    const current = await this.endpoint(endpoint.id);
    if (current && !current.disabled) await this.save({ ...current, disabled: true }).catch(() => undefined);
  }

  /** Stops sending: attempts under way are cut short (their deliveries stay pending). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    await this.#sweeping;
    await Promise.all(this.#inFlight.values());
    // Results in hand are saved now rather than sent again after the restart.
    await Promise.all([...this.#results].map(([accountId, queue]) => this.#save(accountId, queue)));
    await this.#transport.close?.();
  }
}

/** A new delivery or endpoint id. */
export const webhookId = (prefix: 'whd' | 'whe') => randomId(prefix);
