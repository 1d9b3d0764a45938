/** A raw reader of a live stream over real HTTP (fetch + eventsource-parser), for protocol tests. */
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface SseEvent {
  event: string;
  id: string | undefined;
  data: any;
}

export interface OpenStream {
  response: Response;
  /** Every event so far, in order. */
  events: SseEvent[];
  /** Comment lines so far (keep-alives). */
  comments: string[];
  /** The next event not yet taken by `next` (waits up to `ms`). */
  next(ms?: number): Promise<SseEvent>;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  close(): void;
}

export async function openStream(
  url: string,
  token: string,
  options: { lastEventId?: string | number; headers?: Record<string, string>; read?: boolean } = {},
): Promise<OpenStream> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: {
      Authorization: `Bearer ${token}`,
      Accept: 'text/event-stream',
      ...(options.lastEventId !== undefined && { 'Last-Event-ID': String(options.lastEventId) }),
      ...options.headers,
    },
    signal: abort.signal,
  });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let taken = 0;
  let notify: (() => void) | undefined;
  let finished = false;
  const parser = createParser({
    onEvent: (message: EventSourceMessage) => {
      events.push({ event: message.event ?? 'message', id: message.id, data: message.data ? JSON.parse(message.data) : undefined });
      notify?.();
    },
    onComment: (comment) => {
      comments.push(comment);
    },
  });
  let ended: Promise<void> = Promise.resolve();
  if (response.ok && response.body && options.read !== false) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    ended = (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.feed(value);
        }
      } catch {
        // closed by us
      } finally {
        finished = true;
        notify?.();
      }
    })();
  }
  return {
    response,
    events,
    comments,
    ended,
    async next(ms = 3000) {
      const deadline = Date.now() + ms;
      while (taken >= events.length) {
        if (finished) throw new Error(`the stream ended; events so far: ${JSON.stringify(events.map((e) => e.event))}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no event within ${ms} ms; events so far: ${JSON.stringify(events.map((e) => e.event))}`);
        await new Promise<void>((resolve) => {
          notify = resolve;
          setTimeout(resolve, left);
        });
      }
      return events[taken++]!;
    },
    close: () => abort.abort(),
  };
}
