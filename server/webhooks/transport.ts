/**
 * How an attempt reaches a webhook endpoint: a transport signs the message (Standard Webhooks:
 * `v1,` + base64 of HMAC-SHA256 over `id.timestamp.body`, keyed by the bytes of a `whsec_`
 * secret) and POSTs it. The default, `fetchTransport`, uses `fetch` and Web Crypto, so the app also
 * runs in a browser. The Node entry sends from a worker thread instead (`./worker-transport.ts`),
 * so deliveries never take the thread that answers requests. The tests verify both with the
 * `standardwebhooks` package.
 */
import type { AttemptResult } from './messages.js';

/** One attempt of one delivery. */
export interface WebhookAttempt {
  url: string;
  /** The message's `webhook-id` (the same on every attempt). */
  id: string;
  /** `webhook-timestamp`: seconds since the epoch. */
  timestamp: number;
  body: string;
  /** The endpoint's signing secrets, newest first (each adds a signature). */
  secrets: string[];
  /** No answer by then is a failed attempt. */
  timeoutMs: number;
}

export interface WebhookTransport {
  /** Makes the attempt; never rejects. Aborting `signal` (shutdown) ends it with an error result. */
  send(attempt: WebhookAttempt, signal: AbortSignal): Promise<AttemptResult>;
  /** Frees what it holds (after the last send settled). */
  close?(): Promise<void>;
}

/** The request headers of an attempt with its signatures. */
export function webhookHeaders(attempt: WebhookAttempt, signatures: readonly string[]): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'seatkit-webhooks/1',
    'webhook-id': attempt.id,
    'webhook-timestamp': String(attempt.timestamp),
    'webhook-signature': signatures.join(' '),
  };
}

/** What is signed. */
export const signedContent = (attempt: WebhookAttempt) => `${attempt.id}.${attempt.timestamp}.${attempt.body}`;

/** The key bytes of a `whsec_` secret. */
export const secretBytes = (secret: string) => Uint8Array.from(atob(secret.replace(/^whsec_/, '')), (c) => c.charCodeAt(0));

/** The result of an attempt that threw (refused, reset, …), or that ran out of time. */
export function failedAttempt(error: unknown, timedOut: boolean, timeoutMs: number): AttemptResult {
  if (timedOut) return { error: `no answer within ${timeoutMs / 1000} s` };
  const e = error as { cause?: unknown; message?: string } | undefined;
  return { error: String(e?.cause ?? e?.message ?? error).slice(0, 200) };
}

/** Keys by secret, made once (an endpoint's secret signs every one of its deliveries); the 256 newest kept. */
export function keysBySecret<K>(make: (secret: string) => K): (secret: string) => K {
  const keys = new Map<string, K>();
  return (secret) => {
    let key = keys.get(secret);
    if (key === undefined) {
      key = make(secret);
      if (keys.size >= 256) keys.delete(keys.keys().next().value!);
      keys.set(secret, key);
    }
    return key;
  };
}

const signingKey = keysBySecret((secret) => crypto.subtle.importKey('raw', secretBytes(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']));

async function sign(secret: string, content: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await signingKey(secret), new TextEncoder().encode(content)));
  return `v1,${btoa(String.fromCharCode(...mac))}`;
}

/** Sends with `fetch` (by default the global one) and signs with Web Crypto. */
export function fetchTransport(fetchImpl: typeof fetch = (input, init) => fetch(input, init)): WebhookTransport {
  return {
    async send(attempt, signal) {
      const content = signedContent(attempt);
      const signatures = await Promise.all(attempt.secrets.map((secret) => sign(secret, content)));
      // One controller per attempt, aborted by its own timer or by `signal`: AbortSignal.timeout
      // and AbortSignal.any keep a timer and a listener per attempt alive for the whole timeout.
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, attempt.timeoutMs);
      const stop = () => controller.abort();
      signal.addEventListener('abort', stop, { once: true });
      try {
        const response = await fetchImpl(attempt.url, {
          method: 'POST',
          headers: webhookHeaders(attempt, signatures),
          body: attempt.body,
          redirect: 'manual',
          signal: controller.signal,
        });
        // The answer's body is not needed; reading it frees the connection.
        await response.arrayBuffer().catch(() => undefined);
        return { status: response.status };
      } catch (error) {
        return failedAttempt(error, timedOut, attempt.timeoutMs);
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', stop);
      }
    },
  };
}
