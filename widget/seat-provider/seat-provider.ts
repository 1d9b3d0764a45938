import { html, LitElement, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { SeatClient } from '../../sdk/client.js';
import { StoreProvider } from '../common/context.js';
import { emit } from '../common/events.js';
import type { Messages } from '../common/i18n/en.js';
import { clientFor } from '../common/store-controller.js';
import { SeatStore } from '../common/store.js';

/**
 * @summary Gives every seatkit element inside it one SDK client and one shared state, so a change
 * made in one (an invite) shows in all (the banner's count) at once.
 *
 * @slot - The seatkit elements (and anything else).
 * @event seat-session-expired - The session ended (an ownership transfer, or a 401 that `getToken` could not cure): sign in again.
 */
@customElement('seat-provider')
export class SeatProvider extends LitElement {
  /** Where the server is mounted: its origin plus any prefix, without `/v1`. */
  @property({ attribute: 'base-url' }) baseUrl?: string;
  /** The account (`acc_…`) every element inside shows. */
  @property({ attribute: 'account-id' }) accountId?: string;
  /** The session token (minted by the host's back end). */
  @property() token?: string;
  /** Asked for the token before each call, and once more after a 401. */
  @property({ attribute: false }) getToken?: () => string | Promise<string>;
  /** BCP 47 locale for every element inside (default: the page's `lang`). */
  @property() locale?: string;
  /** Message overrides for every element inside. */
  @property({ attribute: false }) messages?: Partial<Messages>;
  /**
   * Live updates (on unless `off`): while an element inside is connected, the page holds the
   * account's stream and shows every change made elsewhere (another admin, another tab, the host's
   * back end) within a second. One stream per account per page.
   */
  @property() live?: string;

  /** A client the host set; otherwise one is made from the attributes. */
  #hostClient?: SeatClient;
  readonly #context = new StoreProvider(this);
  readonly #onExpired = (event: Event) =>
    emit(this, 'seat-session-expired', { reason: (event as CustomEvent<'owner_transferred' | 'unauthorized'>).detail });

  /** The SDK client the elements share (set it to bring your own; otherwise made from the attributes). */
  @property({ attribute: false })
  get client(): SeatClient | undefined {
    return this.#context.value?.client ?? this.#hostClient;
  }
  set client(client: SeatClient | undefined) {
    const old = this.#hostClient;
    this.#hostClient = client;
    this.requestUpdate('client', old);
  }

  /** The shared state (read-only). */
  get store(): SeatStore | undefined {
    return this.#context.value;
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('baseUrl') || changed.has('accountId') || changed.has('client')) {
      const client = this.#hostClient ?? clientFor(this);
      const previous = this.#context.value;
      if (client !== previous?.client) {
        previous?.removeEventListener('session-expired', this.#onExpired);
        const store = client && new SeatStore(client);
        store?.addEventListener('session-expired', this.#onExpired);
        this.#context.setValue(store);
        void store?.load();
      }
    }
    const store = this.#context.value;
    if (store && (store.locale !== this.locale || store.messages !== this.messages || store.live !== (this.live !== 'off'))) {
      store.locale = this.locale;
      store.messages = this.messages;
      store.live = this.live !== 'off';
      store.dispatchEvent(new Event('change'));
    }
  }

  protected override render() {
    return html`<slot></slot>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'seat-provider': SeatProvider;
  }
}
