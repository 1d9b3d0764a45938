/**
 * Live updates for the elements: while an element of a store is connected (and the store is
 * `live`), the page holds the account's stream (`client.stream()`), and each change brings the
 * store up to date (see live-connection.ts, loaded when the page first goes live, so the browser
 * bundle carries the stream's code only for pages that use it). A page holds one stream per
 * account however many providers and elements show it (browsers allow 6 connections per origin
 * over HTTP/1.1).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { SeatStore } from './store.js';

let module: Promise<typeof import('./live-connection.js')> | undefined;
/**
 * A moment after the account first showed: what the page first paints (the banner, the form, the
 * table's rows) never waits behind the live code's requests. A change made in that moment shows
 * with the next change (the stream starts from the present).
 */
const LIVE_AFTER_MS = 300;
const painted = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, LIVE_AFTER_MS)));
/** Runs `use` with the live module, in call order (a join before its leave). */
function withLive(use: (live: typeof import('./live-connection.js')) => void): void {
  module ??= painted().then(() => import('./live-connection.js'));
  module.then(use, (error: unknown) => {
    module = undefined;
    console.warn('seatkit: live updates failed to load', error);
  });
}

/**
 * Holds its element's share of the account's stream while the element is connected and its store
 * is live (a provider's `live`, or the element's own when alone).
 */
export class LiveController implements ReactiveController {
  #joined: SeatStore | undefined;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly store: () => SeatStore | undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.#sync();
  }

  hostUpdated(): void {
    this.#sync();
  }

  hostDisconnected(): void {
    this.#sync();
  }

  #sync(): void {
    const store = this.store();
    // Live once the account has shown (the page painted it first), for as long as the session holds.
    const wanted = store?.live && store.account && !store.sessionExpired && this.host.isConnected ? store : undefined;
    const joined = this.#joined;
    if (wanted === joined) return;
    this.#joined = wanted;
    withLive((live) => {
      if (joined) live.leave(joined);
      if (wanted) live.join(wanted);
    });
  }
}
