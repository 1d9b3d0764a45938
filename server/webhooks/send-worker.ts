/**
 * The thread the Node entry sends webhook attempts from (see ./worker-transport.ts): HTTP(S) with
 * kept-alive connections and `node:crypto` HMACs, both cheaper than `fetch` and Web Crypto. Takes
 * `{ n, attempt }` to send and `{ abort: n }` to cut one short; answers `{ n, result }`.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { parentPort } from 'node:worker_threads';
import type { AttemptResult } from './messages.js';
import { failedAttempt, keysBySecret, secretBytes, signedContent, webhookHeaders, type WebhookAttempt } from './transport.js';

export type ToSender = { n: number; attempt: WebhookAttempt } | { abort: number };
export interface FromSender {
  n: number;
  result: AttemptResult;
}

const port = parentPort!;
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };
const running = new Map<number, AbortController>();

const key = keysBySecret(secretBytes);

function send(n: number, attempt: WebhookAttempt): void {
  const controller = new AbortController();
  running.set(n, controller);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, attempt.timeoutMs);
  const done = (result: AttemptResult) => {
    if (!running.delete(n)) return;
    clearTimeout(timer);
    port.postMessage({ n, result } satisfies FromSender);
  };
  const failed = (error: unknown) => done(failedAttempt(error, timedOut, attempt.timeoutMs));
  try {
    const url = new URL(attempt.url);
    const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
    if (!client) return failed(new Error(`unsupported protocol ${url.protocol}`));
    const content = signedContent(attempt);
    const signatures = attempt.secrets.map((secret) => `v1,${createHmac('sha256', key(secret)).update(content).digest('base64')}`);
    const headers = { ...webhookHeaders(attempt, signatures), 'content-length': String(Buffer.byteLength(attempt.body)) };
    const request = client.request(url, { method: 'POST', headers, agent: agents[url.protocol as 'http:' | 'https:'], signal: controller.signal }, (response) => {
      // The answer's body is not needed; reading it frees the connection.
      response.resume();
      response.once('end', () => done({ status: response.statusCode! }));
      response.once('error', failed);
    });
    request.once('error', failed);
    request.end(attempt.body);
  } catch (error) {
    failed(error);
  }
}

port.on('message', (message: ToSender) => {
  if ('abort' in message) running.get(message.abort)?.abort();
  else send(message.n, message.attempt);
});
