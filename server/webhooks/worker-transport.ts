/**
 * The Node entry's webhook transport: attempts are made on a worker thread (./send-worker.ts), so
 * signing, connecting and reading answers never hold up the thread that answers requests. A
 * worker that dies fails the attempts it held (they are tried again like any failed attempt) and
 * is started again for the next one.
 */
import { Worker } from 'node:worker_threads';
import type { AttemptResult } from './messages.js';
import type { FromSender, ToSender } from './send-worker.js';
import type { WebhookTransport } from './transport.js';

/**
 * The worker's module: built, the file beside this one. From source (tests, `npm run server`), the
 * .ts file, through tsx registered in the thread first: tsx's `--import` hooks do not reach worker
 * threads (privatenumber/tsx#354).
 */
const SENDER = import.meta.url.endsWith('.ts')
  ? new URL(
      `data:text/javascript,${encodeURIComponent(
        `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(new URL('./send-worker.ts', import.meta.url).href)});`,
      )}`,
    )
  : new URL('./send-worker.js', import.meta.url);

/** How long past an attempt's timeout the thread may take to report it. */
const LATE_MS = 5000;

export function workerTransport(): WebhookTransport {
  let worker: Worker | undefined;
  let next = 0;
  const waiting = new Map<number, (result: AttemptResult) => void>();

  const start = (): Worker => {
    const started = new Worker(SENDER);
    started.on('message', ({ n, result }: FromSender) => {
      const settle = waiting.get(n);
      waiting.delete(n);
      settle?.(result);
    });
    const lost = (why: string) => {
      if (worker !== started) return;
      worker = undefined;
      for (const settle of waiting.values()) settle({ error: `the sending thread stopped (${why})` });
      waiting.clear();
    };
    started.on('error', (error) => lost(String(error)));
    started.on('exit', (code) => lost(`exit code ${code}`));
    // The thread alone must not keep the process up (after the listeners: adding one refs it again).
    started.unref();
    return started;
  };

  return {
    send(attempt, signal) {
      if (signal.aborted) return Promise.resolve({ error: 'stopped' });
      const thread = (worker ??= start());
      const n = ++next;
      return new Promise((resolve) => {
        let settled = false;
        const settle = (result: AttemptResult) => {
          if (settled) return;
          settled = true;
          waiting.delete(n);
          clearTimeout(late);
          signal.removeEventListener('abort', abort);
          resolve(result);
        };
        const abort = () => thread.postMessage({ abort: n } satisfies ToSender);
        // The thread ends the attempt at its timeout; this one is for a thread that stopped answering.
        const late = setTimeout(() => {
          abort();
          settle({ error: `no answer within ${attempt.timeoutMs / 1000} s` });
        }, attempt.timeoutMs + LATE_MS);
        signal.addEventListener('abort', abort, { once: true });
        waiting.set(n, settle);
        thread.postMessage({ n, attempt } satisfies ToSender);
      });
    },
    async close() {
      const thread = worker;
      worker = undefined;
      for (const settle of waiting.values()) settle({ error: 'stopped' });
      waiting.clear();
      await thread?.terminate();
    },
  };
}
