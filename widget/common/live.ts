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
/** Loads of what the page shows under way (a table's rows). */
const loads = new Set<Promise<unknown>>();
/** Marks `load` as one of what the page shows: the live code waits for it. Answers it unchanged. */
export function showing<T>(load: Promise<T>): Promise<T> {
  loads.add(load);
  const done = () => loads.delete(load);
  load.then(done, done);
  return load;
}
/**
 * A moment after the account first showed, and after what the page was loading then (a table's
 * rows, at most LOADS_WAITED_MS) showed too: what the page first paints (the banner, the form, the
 * table's rows) never waits behind the live code's requests, also when the rows come slowly. The
 * stream starts from the present, so a change made in that moment is caught up when it opens
 * (live-connection.ts reads what the page shows again, once).
 */
const LIVE_AFTER_MS = 300;
const LOADS_WAITED_MS = 5000;
const painted = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, LIVE_AFTER_MS)));
/** Runs `use` with the live module, in call order (a join before its leave). */
function withLive(use: (live: typeof import('./live-connection.js')) => void): void {
  module ??= painted()
    .then(() => Promise.race([Promise.allSettled([...loads]), new Promise((resolve) => setTimeout(resolve, LOADS_WAITED_MS))]))
    .then(painted)
    .then(() => import('./live-connection.js'));
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
