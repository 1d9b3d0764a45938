import { LitElement } from 'lit';
import { property } from 'lit/decorators.js';
import type { Messages } from './i18n/en.js';
import { Localize } from './i18n/localize.js';
import { LiveController } from './live.js';
import { StoreController } from './store-controller.js';
import type { SeatStore } from './store.js';

/**
 * What every seatkit element shares: the attributes to use it alone (inside a `<seat-provider>`
 * they are not needed), its store, and its text.
 */
export class SeatElement extends LitElement {
  /** Where the server is mounted (origin plus any prefix, without `/v1`); not needed inside a provider. */
  @property({ attribute: 'base-url' }) baseUrl?: string;
  /** The account; not needed inside a provider. */
  @property({ attribute: 'account-id' }) accountId?: string;
  /** A session token; not needed inside a provider. */
  @property() token?: string;
  /** Asked for the session token before each call and once more after a 401. */
  @property({ attribute: false }) getToken?: () => string | Promise<string>;
  /** BCP 47 locale of the texts, dates and money (default: the provider's, else the page's `lang`). */
  @property() locale?: string;
  /** Overrides of single messages of the catalogue. */
  @property({ attribute: false }) messages?: Partial<Messages>;
  /** Alone, `live="off"` keeps the element as loaded (no live stream); inside a provider, the provider's `live` decides. */
  @property() live?: string;

  protected readonly connection = new StoreController(this);
  /** Holds the account's live stream while connected (one per account per page). */
  protected readonly liveUpdates = new LiveController(this, () => this.connection.store);
  protected readonly i18n = new Localize(this, () => this.connection.store);

  protected get store(): SeatStore | undefined {
    return this.connection.store;
  }
}
