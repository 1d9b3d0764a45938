import type { Http } from '../core/http.js';
import type { StreamEvent } from '../types.js';

export interface StreamOptions {
  /** Ends the stream: the iterator rejects with the signal's reason, as every method does. */
  signal?: AbortSignal;
  /** Resume after this event id (a sequence an earlier stream gave): the missed changes come first. */
  lastEventId?: string | number;
  /** Wait before the first reconnection, in ms (default 1,000); it doubles with each failed attempt. */
  minDelay?: number;
  /** The longest wait between reconnections, in ms (default 30,000). */
  maxDelay?: number;
}

/**
 * Live updates of the account: an async iterator of `ready` (each connection, after any missed
 * changes), `change`, `reset` (reload what you show) and `session-ended` (the last one). It
 * reconnects by itself with back-off and resumes from the last event id; a 401, 403 or 404
 * rejects (with the `SeatError`), and so does `signal` (with its reason). Leave the loop (`break`)
 * to close the connection. The parser is loaded on first use (a separate chunk in the browser bundle).
 */
export function stream(http: Http, path: string) {
  return async function* (options: StreamOptions = {}): AsyncGenerator<StreamEvent, void, undefined> {
    const { events } = await import('./stream-events.js');
    yield* events(http, `${path}/stream`, options);
  };
}
