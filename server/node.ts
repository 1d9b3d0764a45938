/**
 * The Node entry: configuration from the environment (SPEC §6), the durable store, mail, the HTTP
 * server, structured request logs and graceful shutdown.
 * `npm run server` runs it; `npm start` runs demo/server.ts, which puts the demo page in front of
 * it through `start()`'s `wrap` option.
 */
import { serve, type HttpBindings } from '@hono/node-server';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { OutboxMessage } from '../sdk/types.js';
import { createApp } from './app.js';
import { DEFAULT_RATE_LIMITS, type AppConfig } from './config.js';
import { OutboxMailer } from './mail/outbox.js';
import { RetryingMailer } from './mail/retrying.js';
import { SmtpMailer } from './mail/smtp.js';
import type { Mailer } from './mail/types.js';
import { AppendLog } from './store/append-log.js';
import { FileStore } from './store/file.js';
import { nodeFileSystem } from './store/fs.js';
import { MemoryStore } from './store/memory.js';
import type { Store } from './store/types.js';

export interface NodeConfig extends AppConfig {
  port: number;
  publicUrl: string;
  generatedKey: boolean;
  /** Data folder, or `:memory:`. */
  db: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  logRequests: boolean;
}

export function configFromEnv(env: NodeJS.ProcessEnv, log: (line: string) => void): NodeConfig {
  const port = Number(env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not ${env.PORT}`);
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const inviteUrl = env.INVITE_URL ?? `${publicUrl}/activate/{token}`;
  if (!inviteUrl.includes('{token}')) throw new Error('INVITE_URL must contain {token}');
  const apiKey = env.SEATKIT_API_KEY || `sk_${randomBytes(24).toString('base64url')}`;
  if (apiKey.length < 16) throw new Error('SEATKIT_API_KEY must be at least 16 characters');
  return {
    port,
    publicUrl,
    generatedKey: !env.SEATKIT_API_KEY,
    apiKey,
    inviteUrl,
    corsOrigins: (env.SEATKIT_CORS_ORIGINS ?? '*').split(',').map((o) => o.trim()).filter(Boolean),
    invitationTtlSeconds: 7 * 24 * 60 * 60,
    rateLimits: env.SEATKIT_RATE_LIMITS === 'off' ? false : DEFAULT_RATE_LIMITS,
    log,
    clientKey: (_request, bindings) => (bindings as HttpBindings | undefined)?.incoming?.socket?.remoteAddress ?? 'unknown',
    db: env.SEATKIT_DB || join('.seatkit', 'data'),
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.SEATKIT_MAIL_FROM || 'seatkit <no-reply@localhost>',
    logRequests: env.SEATKIT_LOG_REQUESTS !== 'off',
  };
}

/** One JSON object per line, for log collectors. */
function jsonLogger(write: (line: string) => void) {
  return (fields: Record<string, unknown>) => write(JSON.stringify({ time: new Date().toISOString(), ...fields }));
}

/** What a wrapper in front of the API is given (the demo server puts its page and `/demo/` routes there). */
export interface WrapContext {
  config: NodeConfig;
}

export interface StartOptions {
  /** Answers every request instead of the API alone, delegating to `api.fetch` for what it does not serve. */
  wrap?: (api: ReturnType<typeof createApp>, context: WrapContext) => (request: Request, bindings: unknown) => Response | Promise<Response>;
}

export interface Started {
  url: string;
  apiKey: string;
  app: ReturnType<typeof createApp>;
  close(): Promise<void>;
}

async function openMailer(config: NodeConfig, log: (line: string) => void): Promise<{ mailer: Mailer; close(): Promise<void> }> {
  if (config.smtpUrl) {
    const smtp = new SmtpMailer(config.smtpUrl, config.mailFrom);
    const mailer = new RetryingMailer(smtp, { log });
    return { mailer, close: async () => (await mailer.close(), smtp.close()) };
  }
  if (config.db === ':memory:') return { mailer: new OutboxMailer({ log }), close: async () => {} };
  const messages: OutboxMessage[] = [];
  const file = await AppendLog.open(nodeFileSystem, join(config.db, 'outbox.log'), { log, onRecord: (message) => messages.push(message as OutboxMessage) });
  const mailer = new OutboxMailer({ log, messages, persist: (message) => file.append(message) });
  return { mailer, close: () => file.close() };
}

/** Starts the server; throws (with a clear message) when the data folder is locked or damaged. */
export async function start(
  env: NodeJS.ProcessEnv = process.env,
  write: (line: string) => void = console.log,
  options: StartOptions = {},
): Promise<Started> {
  const logJson = jsonLogger(write);
  const log = (message: string) => logJson({ level: 'info', message });
  const config = configFromEnv(env, log);
  const store: Store = config.db === ':memory:' ? new MemoryStore() : await FileStore.open(config.db, { log });
  const mail = await openMailer(config, log);
  // Listen first: with PORT=0 the real port is known only then, and the links in emails need it.
  let handle: (request: Request, bindings: unknown) => Response | Promise<Response> = () =>
    new Response('starting', { status: 503, headers: { 'Retry-After': '1' } });
  const fetch = async (request: Request, bindings: unknown) => {
    const started = performance.now();
    const response = await handle(request, bindings);
    if (config.logRequests) {
      logJson({
        level: response.status >= 500 ? 'error' : 'info',
        message: 'request',
        requestId: response.headers.get('X-Request-Id'),
        method: request.method,
        path: new URL(request.url).pathname,
        status: response.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      });
    }
    return response;
  };
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch, port: config.port }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://localhost:${port}`;
  if (config.port === 0 && !env.PUBLIC_URL && !env.INVITE_URL) {
    config.publicUrl = url;
    config.inviteUrl = `${url}/activate/{token}`;
  }
  const app = createApp({ store, mailer: mail.mailer, config, hash: (text) => createHash('sha256').update(text).digest('hex') });
  const api = (request: Request, bindings: unknown) => app.fetch(request, bindings);
  handle = options.wrap?.(app, { config }) ?? api;
  if (config.generatedKey) write(`SEATKIT_API_KEY was not set; generated for this run: ${config.apiKey}`);
  write(`seatkit API listening on ${url} (OpenAPI: ${url}/v1/openapi.json), data: ${config.db}, mail: ${config.smtpUrl ? 'SMTP' : 'dev outbox'}`);
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // Stop accepting; requests in flight finish (and their writes reach the disk) first.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets would hold the close open; busy ones close after their response.
        const idle = setInterval(() => (server as { closeIdleConnections?: () => void }).closeIdleConnections?.(), 50);
        server.once('close', () => clearInterval(idle));
      });
      await app.jobs.stop();
      await store.close();
      await mail.close();
    })());
  return { url, apiKey: config.apiKey, app, close };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let started: Started;
  try {
    started = await start();
  } catch (error) {
    console.error(`seatkit: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`${signal}: finishing requests in flight, then exiting`);
      void started.close().then(
        () => process.exit(0),
        (error) => {
          console.error(`seatkit: shutdown failed: ${String(error)}`);
          process.exit(1);
        },
      );
    });
  }
}
