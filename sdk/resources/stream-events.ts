/**
 * The body of `client.stream()` (loaded on first use, so the browser bundle carries the parser only
 * for pages that go live): the account's live updates (server-sent events read with `fetch`, since
 * `EventSource` cannot send the `Authorization` header), parsed by eventsource-parser. One
 * connection at a time; when it drops, the next resumes from the last event id after a back-off.
 */
import { createParser } from 'eventsource-parser';
import { SeatError, SeatNetworkError, SeatRateLimitError, SeatServerError, SeatTimeoutError } from '../core/errors.js';
import type { Http } from '../core/http.js';
import type { StreamEvent } from '../types.js';
import type { StreamOptions } from './stream.js';

/** The wait before reconnection attempt `attempt` (0-based): doubling, capped, with jitter (50–100 %), never below `Retry-After`. */
export function backoff(attempt: number, minDelay: number, maxDelay: number, retryAfterSeconds?: number): number {
  const base = Math.min(maxDelay, minDelay * 2 ** attempt);
  const jittered = base / 2 + Math.random() * (base / 2);
  return Math.max(jittered, (retryAfterSeconds ?? 0) * 1000);
}

/** Whether a failed connection is worth another try (the server or the network, not the request). */
function retriable(error: unknown): error is SeatError {
  return error instanceof SeatNetworkError || error instanceof SeatTimeoutError || error instanceof SeatServerError || error instanceof SeatRateLimitError;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = () => {
      signal?.removeEventListener('abort', aborted);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const aborted = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

function toEvent(type: string | undefined, data: string): StreamEvent | undefined {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(data) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (type === 'change' || type === 'ready' || type === 'reset' || type === 'session-ended') return { ...body, type } as StreamEvent;
  return undefined; // a kind this client does not know yet
}

export async function* events(http: Http, path: string, options: StreamOptions): AsyncGenerator<StreamEvent, void, undefined> {
  const { signal } = options;
  const minDelay = options.minDelay ?? 1000;
  const maxDelay = options.maxDelay ?? 30_000;
  let lastEventId = options.lastEventId === undefined ? undefined : String(options.lastEventId);
  let attempt = 0;
  for (;;) {
    if (signal?.aborted) throw signal.reason;
    // One connection; ours to end when the loop leaves (break, return, abort).
    const connection = new AbortController();
    const onAbort = () => connection.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let retryAfter: number | undefined;
    try {
      const { body } = await http.call<ReadableStream<Uint8Array> | null>('get', path, {
        stream: true,
        signal: connection.signal,
        headers: { Accept: 'text/event-stream', ...(lastEventId !== undefined && { 'Last-Event-ID': lastEventId }) },
      });
      if (!body) throw new SeatNetworkError({ status: 0, code: 'network_error', detail: 'The stream answered without a body.' });
      const pending: StreamEvent[] = [];
      const parser = createParser({
        onEvent: (message) => {
          if (message.id !== undefined) lastEventId = message.id;
          const event = toEvent(message.event, message.data);
          if (event) pending.push(event);
        },
      });
      const reader = body.getReader();
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.feed(decoder.decode(value, { stream: true }));
          while (pending.length > 0) {
            const event = pending.shift()!;
            // A connection that got as far as `ready` worked: the next drop starts the back-off afresh.
            if (event.type === 'ready') attempt = 0;
            yield event;
            if (event.type === 'session-ended') return;
          }
        }
      } finally {
        reader.cancel().catch(() => {});
      }
      // The server ended the stream (it is shutting down, say): connect again.
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof SeatError && !retriable(error)) throw error;
      if (error instanceof SeatRateLimitError) retryAfter = error.retryAfter;
      // Anything else is the connection dropping mid-stream: connect again.
    } finally {
      signal?.removeEventListener('abort', onAbort);
      connection.abort();
    }
    await sleep(backoff(attempt++, minDelay, maxDelay, retryAfter), signal);
  }
}
