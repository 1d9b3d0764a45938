#!/usr/bin/env node
/**
 * The Node entry: configuration from the environment (docs/operations.md), the durable store, mail, the HTTP
 * server, structured logs and graceful shutdown. Built, it is dist/server/node.js, the
 * `seatkit-server` bin; `npm run server` runs the source. `npm start` runs demo/server.ts, which
 * puts the demo page in front of it through `start()`'s `wrap` option.
 */
import { serve, type HttpBindings } from '@hono/node-server';
import { createServer, type IncomingMessage, type RequestListener, type ServerOptions, type ServerResponse } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { correlationId, createApp, type SeatApp } from './app.js';
import { LIMITS } from '../sdk/limits.js';
import { AccountAffinity, type ForwardedAnswer } from './affinity.js';
import { workerTransport } from './webhooks/worker-transport.js';
import { mountApiReference } from './docs.js';
import { clientAddress, rateLimitKey, trustedProxies } from './client-address.js';
import { DEFAULT_RATE_LIMITS, DEFAULT_WEBHOOK_RETRIES, type AppConfig, type Logger } from './config.js';
import { OutboxMailer } from './mail/outbox.js';
import { RetryingMailer } from './mail/retrying.js';
import { SmtpMailer } from './mail/smtp.js';
import type { Mailer } from './mail/types.js';
import { FileStore } from './store/file.js';
import { nodeFileSystem } from './store/fs.js';
import { MemoryStore } from './store/memory.js';
import { PgStore } from './store/postgres/store.js';
import type { Store } from './store/types.js';

export interface NodeConfig extends AppConfig {
  port: number;
  publicUrl: string;
  /** Whether `SEATKIT_API_KEY` gave the key; if not, `start()` reads or makes one (`apiKey` is empty until then). */
  apiKeyFromEnv: boolean;
  /** Data folder, or `:memory:`. */
  db: string;
  /** PostgreSQL (several processes may share it); when set, `db` is not used. */
  databaseUrl: string | undefined;
  /** Connections each process opens to it. */
  databasePoolSize: number;
  /** This process's address as its peers reach it (`{port}`: the port it listens on): each account's changes go to one process (server/affinity.ts). */
  peerUrl: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  logRequests: boolean;
  /** How long requests in flight may take to finish after SIGTERM/SIGINT before their connections are closed. */
  shutdownGraceMs: number;
}

/** A cap on open live streams from the environment (unset: the default). */
function streamCap(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1) throw new Error(`${name} must be a number of streams from 1 to 999999, not ${raw}`);
  return Number(raw);
}

export function configFromEnv(env: NodeJS.ProcessEnv, log: Logger): NodeConfig {
  const port = Number(env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not ${env.PORT}`);
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const inviteUrl = env.INVITE_URL ?? `${publicUrl}/activate/{token}`;
  if (!inviteUrl.includes('{token}')) throw new Error('INVITE_URL must contain {token}');
  const apiKey = env.SEATKIT_API_KEY ?? '';
  if (apiKey !== '' && apiKey.length < 16) throw new Error('SEATKIT_API_KEY must be at least 16 characters');
  // A generated key lives in one process's data folder; processes sharing a database must share the key.
  if (env.DATABASE_URL && apiKey === '') throw new Error('SEATKIT_API_KEY must be set with DATABASE_URL: every process on the database takes the same key');
  const grace = env.SEATKIT_SHUTDOWN_GRACE_SECONDS ?? '10';
  if (!/^\d+(\.\d+)?$/.test(grace) || Number(grace) > 3600) {
    throw new Error(`SEATKIT_SHUTDOWN_GRACE_SECONDS must be a number of seconds from 0 to 3600, not ${grace}`);
  }
  const trusted = trustedProxies(env.SEATKIT_TRUST_PROXY);
  const poolSize = Number(env.SEATKIT_DATABASE_POOL ?? 10);
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 200) throw new Error(`SEATKIT_DATABASE_POOL must be a number of connections from 1 to 200, not ${env.SEATKIT_DATABASE_POOL}`);
  const peerUrl = env.SEATKIT_PEER_URL?.trim().replace(/\/+$/, '') || undefined;
  if (peerUrl && !/^http:\/\/[^/?#@\s]+:(\d{1,5}|\{port\})$/.test(peerUrl)) {
    throw new Error(`SEATKIT_PEER_URL must be this process's address as the other processes reach it, http://host:port (port may be {port}), not ${peerUrl}`);
  }
  if (peerUrl && !env.DATABASE_URL) throw new Error('SEATKIT_PEER_URL needs DATABASE_URL: it is how processes on one database share the accounts\' changes');
  const retries = env.SEATKIT_WEBHOOK_RETRIES?.trim() ? env.SEATKIT_WEBHOOK_RETRIES.split(',').map((v) => v.trim()) : undefined;
  if (retries && !retries.every((v) => /^\d+(\.\d+)?$/.test(v) && Number(v) <= 7 * 24 * 3600)) {
    throw new Error(`SEATKIT_WEBHOOK_RETRIES must be comma-separated seconds (each at most 604800), not ${env.SEATKIT_WEBHOOK_RETRIES}`);
  }
  const streams = { perSession: streamCap(env, 'SEATKIT_STREAMS_PER_SESSION'), perAccount: streamCap(env, 'SEATKIT_STREAMS_PER_ACCOUNT') };
  return {
    streams: Object.fromEntries(Object.entries(streams).filter(([, value]) => value !== undefined)),
    port,
    publicUrl,
    apiKeyFromEnv: apiKey !== '',
    apiKey,
    inviteUrl,
    corsOrigins: (env.SEATKIT_CORS_ORIGINS ?? '*').split(',').map((o) => o.trim()).filter(Boolean),
    invitationTtlSeconds: 7 * 24 * 60 * 60,
    rateLimits: env.SEATKIT_RATE_LIMITS === 'off' ? false : DEFAULT_RATE_LIMITS,
    log,
    clientKey: (request, bindings) => {
      const socket = (bindings as HttpBindings | undefined)?.incoming?.socket?.remoteAddress ?? 'unknown';
      return rateLimitKey(clientAddress(socket, request.headers.get('X-Forwarded-For'), trusted));
    },
    db: env.SEATKIT_DB || join('.seatkit', 'data'),
    databaseUrl: env.DATABASE_URL || undefined,
    databasePoolSize: poolSize,
    peerUrl,
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.SEATKIT_MAIL_FROM || 'seatkit <no-reply@localhost>',
    logRequests: env.SEATKIT_LOG_REQUESTS !== 'off',
    shutdownGraceMs: Number(grace) * 1000,
    webhookRetries: retries?.map(Number) ?? DEFAULT_WEBHOOK_RETRIES,
    webhookTimeoutMs: 10_000,
    // Attempts go out from a worker thread: they never hold up the answer to a request.
    webhookTransport: workerTransport(),
  };
}

/** One JSON object per line, for log collectors. */
function jsonLogger(write: (line: string) => void): Logger {
  return (entry) => write(JSON.stringify({ time: new Date().toISOString(), ...entry }));
}

/**
 * The path of a request as it may be logged: the token in an invitation route, or in the path of
 * `INVITE_URL`'s activation page (which the demo serves from this process), is replaced by
 * `{token}`. Whoever reads the logs must not be able to accept an invitation first.
 */
function loggablePath(inviteUrl: string): (path: string) => string {
  const secretPaths = [/^(\/v1\/invitations\/)[^/]+/];
  const activation = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/[^?#]*?)\{token\}/i.exec(inviteUrl)?.[1];
  if (activation) secretPaths.push(new RegExp(`^(${activation.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})[^/]+`));
  return (path) => secretPaths.reduce((redacted, pattern) => redacted.replace(pattern, '$1{token}'), path);
}

/**
 * The API key when `SEATKIT_API_KEY` is unset: the one saved with the data it opens
 * (`<data folder>/api-key`), or a new one saved there (mode 0600, written whole, renamed into
 * place and made durable), so a restart does not silently lock out a host that saved it. With the
 * data in memory there is nothing to keep it with: a key for this run.
 */
async function generatedApiKey(db: string): Promise<{ key: string; announce: string }> {
  const newKey = () => `sk_${randomBytes(24).toString('base64url')}`;
  if (db === ':memory:') {
    const key = newKey();
    return { key, announce: `SEATKIT_API_KEY is not set; generated for this run: ${key} (SEATKIT_DB=:memory: keeps nothing to save it with)` };
  }
  const path = join(db, 'api-key');
  const saved = await readFile(path, 'utf8').then(
    (text) => text.trim(),
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    },
  );
  if (saved !== undefined) {
    if (saved.length < 16) throw new Error(`${path} does not hold an API key (at least 16 characters); delete it to have a new one generated`);
    return { key: saved, announce: `SEATKIT_API_KEY is not set; using the API key saved in ${path}` };
  }
  const key = newKey();
  const temp = `${path}.tmp`;
  await rm(temp, { force: true });
  const file = await open(temp, 'wx', 0o600);
  try {
    await file.writeFile(`${key}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
  await nodeFileSystem.syncDir(db);
  return { key, announce: `SEATKIT_API_KEY is not set; generated an API key and saved it in ${path} (mode 0600; printed this once): ${key}` };
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

/**
 * SMTP when configured, else the dev outbox. The outbox is in memory only: its messages hold
 * activation links, which must not sit in the data folder (a restart empties it; resend).
 */
function openMailer(config: NodeConfig, log: Logger): { mailer: Mailer; close(): Promise<void> } {
  if (config.smtpUrl) {
    const smtp = new SmtpMailer(config.smtpUrl, config.mailFrom);
    const mailer = new RetryingMailer(smtp, { log });
    return { mailer, close: async () => (await mailer.close(), smtp.close()) };
  }
  return { mailer: new OutboxMailer(), close: async () => {} };
}

type NodeServer = ReturnType<typeof serve> & { closeIdleConnections(): void; closeAllConnections(): void };

/** A request header as the app's web `Headers` give it: repeated ones joined with `, ` (Node keeps only the first of some, Authorization among them). */
function rawHeader(req: IncomingMessage, name: string): string | undefined {
  const raw = req.rawHeaders;
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === name.length && raw[i]!.toLowerCase() === name) value = value === undefined ? raw[i + 1]! : `${value}, ${raw[i + 1]!}`;
  }
  return value;
}

/** What answers a request before the app does, or hands it to the app (`next`). */
type Front = (req: IncomingMessage, res: ServerResponse, next: RequestListener) => void;

/** Listens on `port`; a port in use (or not allowed) is a one-line error naming it and PORT. */
function listen(fetch: (request: Request, bindings: unknown) => Response | Promise<Response>, port: number, front: Front): Promise<NodeServer> {
  return new Promise((resolve, reject) => {
    const refused = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new Error(`port ${port} is already in use: stop what listens there, or set PORT to another port`));
      else if (error.code === 'EACCES') reject(new Error(`not allowed to listen on port ${port}: set PORT to another port (1024 or above)`));
      else reject(error);
    };
    // @hono/node-server calls it as createServer(serverOptions, listener).
    const withFront = ((options: ServerOptions, listener: RequestListener) => createServer(options, (req, res) => front(req, res, listener))) as typeof createServer;
    const server = serve({ fetch, port, createServer: withFront }, () => {
      server.off('error', refused);
      resolve(server as NodeServer);
    });
    server.once('error', refused);
  });
}

/** Starts the server; throws (with a clear message) when the port is taken or the data folder is locked or damaged. */
export async function start(
  env: NodeJS.ProcessEnv = process.env,
  write: (line: string) => void = console.log,
  options: StartOptions = {},
): Promise<Started> {
  const log = jsonLogger(write);
  const config = configFromEnv(env, log);
  // The file store's own lines are about storage failures and recovery: worth an operator's look.
  const store = await openStore(config, log);
  if (config.db !== ':memory:' && !config.databaseUrl) await removeOldOutbox(config.db, log);
  const mail = openMailer(config, log);
  let announceKey: string | undefined;
  // Listen first: with PORT=0 the real port is known only then, and the links in emails need it.
  let handle: (request: Request, bindings: unknown) => Response | Promise<Response> = () =>
    new Response('starting', { status: 503, headers: { 'Retry-After': '1' } });
  // Only the path of INVITE_URL matters here, and PORT=0 below changes only its port.
  const pathForLog = loggablePath(config.inviteUrl);
  const logRequest = (entry: { requestId: string | null; correlationId: string | undefined; method: string; pathname: string; status: number; started: number; forwardedTo?: string }) =>
    log({
      level: entry.status >= 500 ? 'error' : 'info',
      message: 'request',
      requestId: entry.requestId,
      correlationId: entry.correlationId,
      method: entry.method,
      path: pathForLog(entry.pathname),
      status: entry.status,
      ms: Math.round((performance.now() - entry.started) * 10) / 10,
      ...(entry.forwardedTo && { forwardedTo: entry.forwardedTo }),
    });
  // Without request logs, no wrapper around the app (an async layer per request measured about 10 %
  // of the entitlement check's throughput).
  const plain = (request: Request, bindings: unknown) => handle(request, bindings);
  const logged = async (request: Request, bindings: unknown) => {
    const started = performance.now();
    const response = await handle(request, bindings);
    const { method, url } = request;
    logRequest({ requestId: response.headers.get('X-Request-Id'), correlationId: correlationId(request.headers.get('X-Request-Id')), method, pathname: new URL(url).pathname, status: response.status, started });
    return response;
  };
  // The entitlement check's plain case, answered before a web Request is built (http/hot-path.ts)
  // by the app, once there is one, unless a wrapper (the demo) answers every request itself.
  let hotApp: SeatApp | undefined;
  // With SEATKIT_PEER_URL, a change for an account another process owns is sent on to it.
  let affinity: AccountAffinity | undefined;
  const front: Front = (req, res, next) => {
    const started = config.logRequests ? performance.now() : 0;
    if (affinity?.forward(req, res, next)) return;
    const answering = hotApp?.hotPath({ method: req.method ?? '', url: req.url ?? '', header: (name) => (name === 'authorization' ? rawHeader(req, name) : req.headers[name]) });
    if (!answering) return next(req, res);
    answering.then(
      (answer) => {
        if (!answer) return next(req, res);
        answer.headers.push('Content-Length', String(Buffer.byteLength(answer.body)));
        res.writeHead(200, answer.headers);
        res.end(answer.body);
        if (config.logRequests) {
          const pathname = req.url!.slice(0, req.url!.indexOf('?'));
          logRequest({ requestId: answer.requestId, correlationId: correlationId(rawHeader(req, 'x-request-id')), method: 'GET', pathname, status: 200, started });
        }
      },
      // The app answers it, and any error (a store that cannot be read: 503) as it always does.
      () => next(req, res),
    );
  };
  let server: NodeServer;
  try {
    if (!config.apiKeyFromEnv) ({ key: config.apiKey, announce: announceKey } = await generatedApiKey(config.db));
    server = await listen(config.logRequests ? logged : plain, config.port, front);
  } catch (error) {
    await store.close();
    await mail.close();
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://localhost:${port}`;
  if (config.port === 0 && !env.PUBLIC_URL && !env.INVITE_URL) {
    config.publicUrl = url;
    config.inviteUrl = `${url}/activate/{token}`;
  }
  const app = createApp({ store, mailer: mail.mailer, config, hash: (text) => createHash('sha256').update(text).digest('hex') });
  mountApiReference(app);
  const api = (request: Request, bindings: unknown) => app.fetch(request, bindings);
  handle = options.wrap?.(app, { config }) ?? api;
  if (!options.wrap) hotApp = app;
  if (config.peerUrl && store instanceof PgStore) {
    const self = config.peerUrl.replace('{port}', String(port));
    const answered = (req: IncomingMessage, { status, owner, requestId, started }: ForwardedAnswer) =>
      logRequest({ requestId, correlationId: correlationId(rawHeader(req, 'x-request-id')), method: req.method ?? '', pathname: (req.url ?? '').split('?')[0]!, status, started, forwardedTo: owner });
    affinity = new AccountAffinity({ self, registry: store, log, maxBody: LIMITS.batchBodyMaxBytes, answered: config.logRequests ? answered : undefined });
    await affinity.start();
  }
  if (announceKey) write(announceKey);
  write(`seatkit API listening on ${url} (API reference: ${url}/docs), data: ${config.db}, mail: ${config.smtpUrl ? 'SMTP' : 'dev outbox'}`);
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // Stop accepting; requests in flight finish (and their writes reach the disk) within the
      // grace period. Then every connection left is closed: a client that stalls (half a request
      // header, a body that never ends) must not keep the process up.
      // The peers stop sending changes here at their next beat (within 2 s): wait for it before
      // closing connections they may be about to send a change on (that change would answer 503).
      if (affinity) {
        await affinity.stop();
        await new Promise((resolve) => setTimeout(resolve, affinity!.beatMs + 500));
      }
      await new Promise<void>((resolve) => {
        // Live streams never finish by themselves: end them (clients reconnect elsewhere or after the restart).
        app.streams.close();
        server.close(() => resolve());
        // Idle keep-alive sockets would hold the close open; busy ones close after their response.
        const idle = setInterval(() => server.closeIdleConnections(), 50);
        const cutoff = setTimeout(() => {
          log({ level: 'warn', message: `shutdown: the ${config.shutdownGraceMs / 1000} s grace period is over; closing the connections still open` });
          server.closeAllConnections();
        }, config.shutdownGraceMs);
        server.once('close', () => {
          clearInterval(idle);
          clearTimeout(cutoff);
        });
      });
      affinity?.close();
      // A change whose connection was cut still finishes its write: only what reached the disk was acknowledged.
      await app.jobs.stop();
      await store.close();
      await mail.close();
    })());
  return { url, apiKey: config.apiKey, app, close };
}

/** PostgreSQL with DATABASE_URL (several processes may share it); else the file store, or memory. */
async function openStore(config: NodeConfig, log: Logger): Promise<Store> {
  const warn = (message: string) => log({ level: 'warn', message });
  if (config.databaseUrl) return PgStore.open({ connectionString: config.databaseUrl, poolSize: config.databasePoolSize, log: warn });
  if (config.db === ':memory:') return new MemoryStore();
  return FileStore.open(config.db, { log: warn });
}

/** seatkit 0.1 kept the dev outbox, activation links included, in the data folder: no token may stay there. */
async function removeOldOutbox(db: string, log: Logger): Promise<void> {
  const path = join(db, 'outbox.log');
  try {
    await unlink(path);
    log({ level: 'info', message: `${path}: removed (an outbox of seatkit 0.1; it held activation links, and the dev outbox is now in memory)` });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Whether this module is the program (run by `node`, directly or through a bin symlink), not imported. */
function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
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
