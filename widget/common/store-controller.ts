/**
 * Connects an element to its store: the provider's (context.ts), or one of its own
 * when it is used alone with `base-url`, `account-id` and `token`. Re-renders the element on every
 * change of the store.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { SeatClient } from '../../sdk/client.js';
import { StoreConsumer } from './context.js';
import { emit } from './events.js';
import { SeatStore } from './store.js';

export interface StoreHost extends ReactiveControllerHost, HTMLElement {
  baseUrl?: string;
  accountId?: string;
  token?: string;
  getToken?: () => string | Promise<string>;
  /** `off`: no live stream (used alone). */
  live?: string;
}

/** A client for the attributes of a provider or a standalone element; the token is read at each call. */
export function clientFor(host: StoreHost): SeatClient | undefined {
  if (!host.baseUrl || !host.accountId) return undefined;
  return new SeatClient({
    baseUrl: host.baseUrl,
    accountId: host.accountId,
    getToken: () => (host.getToken ? host.getToken() : (host.token ?? '')),
  });
}

export class StoreController implements ReactiveController {
  #provided: SeatStore | undefined;
  #own: SeatStore | undefined;
  #ownKey = '';
  #subscribed: SeatStore | undefined;
  readonly #onChange = () => this.host.requestUpdate();

  constructor(private readonly host: StoreHost) {
    host.addController(this);
    new StoreConsumer(host, (store) => {
      this.#provided = store;
      this.#subscribe();
      host.requestUpdate();
    });
  }

  /** The store in use: the provider's, else the element's own, else none (not configured). */
  get store(): SeatStore | undefined {
    return this.#provided ?? this.#own;
  }

  hostConnected(): void {
    this.#subscribe();
  }

  hostDisconnected(): void {
    this.#subscribed?.removeEventListener('change', this.#onChange);
    this.#subscribed?.detach(this.host);
    this.#subscribed = undefined;
  }

  hostUpdate(): void {
    if (this.#provided) return;
    if (this.#own) this.#own.live = this.host.live !== 'off';
    const key = `${this.host.baseUrl ?? ''}\n${this.host.accountId ?? ''}`;
    if (key !== this.#ownKey) {
      this.#ownKey = key;
      const client = clientFor(this.host);
      this.#own = client && new SeatStore(client);
      if (this.#own) this.#own.live = this.host.live !== 'off';
      // Alone, the element itself tells the host the session ended (inside a provider, the provider does).
      this.#own?.addEventListener('session-expired', (event) =>
        emit(this.host, 'seat-session-expired', { reason: (event as CustomEvent<'owner_transferred' | 'unauthorized'>).detail }),
      );
      void this.#own?.load();
      this.#subscribe();
    }
  }

  #subscribe(): void {
    const store = this.store;
    if (store === this.#subscribed) return;
    this.#subscribed?.removeEventListener('change', this.#onChange);
    this.#subscribed?.detach(this.host);
    this.#subscribed = store;
    store?.addEventListener('change', this.#onChange);
    store?.attach(this.host);
  }
}
