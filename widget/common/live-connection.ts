/**
 * The account's stream of a page and what each event does to the stores that show the account:
 * the counts at once, then the account and the visible page of users, quietly; `reset` and a
 * reconnection that could not resume, and the first connection (it starts from the present),
 * reload them; `session-ended` ends the session everywhere.
 * Loaded when the page first goes live (see live.ts).
 */
import { SeatAuthError } from '../../sdk/core/errors.js';
import type { SeatClient } from '../../sdk/client.js';
import type { LicenseCounts, StreamEvent } from '../../sdk/types.js';
import type { SeatStore } from './store.js';

/** License counts a live change brought: shown at once, before the account itself is read again. */
function applyCounts(store: SeatStore, licenses: LicenseCounts): void {
  if (!store.account || store.sessionExpired) return;
  store.account = { ...store.account, licenses };
  store.dispatchEvent(new Event('change'));
}

/**
 * Reads the account and the visible users again after a change made elsewhere, quietly: what is
 * shown stays until the new state is there, and a failure leaves it (the next change tries again).
 */
async function refresh(store: SeatStore): Promise<void> {
  if (!store.account || store.sessionExpired) return;
  try {
    store.account = await store.client.account.get();
  } catch (error) {
    if (error instanceof SeatAuthError) store.expire('unauthorized');
    return;
  }
  store.usersRevision++;
  store.dispatchEvent(new Event('change'));
}

/** A refresh follows the first change of a burst by this much, and another the next change after it: at most one per interval, even while changes keep coming. */
const REFRESH_AFTER_MS = 100;

/** One stream of one account, shared by every store of the page that shows the account. */
export class LiveConnection {
  readonly #abort = new AbortController();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #opened = false;

  constructor(
    private readonly client: SeatClient,
    /** The stores it updates (the page's registry keeps them), with how many elements of each hold it. */
    readonly stores: Map<SeatStore, number>,
    private readonly done: () => void,
  ) {
    void this.#run();
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#abort.abort();
  }

  async #run(): Promise<void> {
    try {
      for await (const event of this.client.stream({ signal: this.#abort.signal })) this.#apply(event);
    } catch (error) {
      if (this.#abort.signal.aborted) return;
      // The token no longer holds: every element shows the end of the session.
      if (error instanceof SeatAuthError) for (const store of this.stores.keys()) store.expire('unauthorized');
    }
    this.done();
  }

  #apply(event: StreamEvent): void {
    switch (event.type) {
      case 'change':
        for (const store of this.stores.keys()) applyCounts(store, event.licenses);
        this.#refreshSoon();
        break;
      case 'ready':
        // What happened before is unknown: on the first connection, since the page read what it
        // shows (it opens the stream only once that painted); after it, while a connection that
        // could not resume was down. Read again, quietly.
        if (!this.#opened || !event.resumed) this.#refreshSoon();
        this.#opened = true;
        break;
      case 'reset':
        this.#refreshSoon();
        break;
      case 'session-ended':
        // After the page's own change that ended it (an ownership transfer) has told its outcome.
        for (const store of this.stores.keys()) {
          void store.pending.then(() => setTimeout(() => store.expire(event.reason === 'owner_transferred' ? 'owner_transferred' : 'unauthorized')));
        }
        break;
    }
  }

  #refreshSoon(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      for (const store of this.stores.keys()) void refresh(store);
    }, REFRESH_AFTER_MS);
  }
}

/** The page's streams, by API and account. */
const connections = new Map<string, LiveConnection>();

/** Streams this page holds now (tests). */
export function openStreams(): number {
  return connections.size;
}

function keyOf(client: SeatClient): string {
  return `${client.baseUrl}\n${client.accountId}`;
}

/** A store's element holds the account's stream: the page's one stream of the account, opened if none is. */
export function join(store: SeatStore): void {
  const key = keyOf(store.client);
  let connection = connections.get(key);
  if (!connection) {
    const created: LiveConnection = new LiveConnection(store.client, new Map(), () => {
      if (connections.get(key) === created) connections.delete(key);
    });
    connections.set(key, (connection = created));
  }
  connection.stores.set(store, (connection.stores.get(store) ?? 0) + 1);
}

/** An element lets go; the stream closes when no element of the account holds it. */
export function leave(store: SeatStore): void {
  const key = keyOf(store.client);
  const connection = connections.get(key);
  const count = connection?.stores.get(store);
  if (!connection || count === undefined) return;
  if (count > 1) connection.stores.set(store, count - 1);
  else connection.stores.delete(store);
  if (connection.stores.size === 0) {
    connections.delete(key);
    connection.close();
  }
}
