/**
 * The Node entry: configuration from the environment (SPEC §6), the HTTP server, graceful shutdown.
 * `npm run server` runs it; `npm start` runs it with `--demo` (a seeded demo account).
 */
import { serve, type HttpBindings } from '@hono/node-server';
import { randomBytes } from 'node:crypto';
import { createApp } from './app.js';
import { DEFAULT_RATE_LIMITS, type AppConfig } from './config.js';
import { MemoryStore } from './store/memory.js';

export function configFromEnv(env: NodeJS.ProcessEnv, log: (line: string) => void): AppConfig & { port: number; publicUrl: string; generatedKey: boolean } {
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
  };
}

export interface Started {
  url: string;
  apiKey: string;
  close(): Promise<void>;
}

export async function start(env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = console.log): Promise<Started & { app: ReturnType<typeof createApp> }> {
  const config = configFromEnv(env, log);
  const store = new MemoryStore();
  const app = createApp({ store, config });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://localhost:${port}`;
  if (config.generatedKey) log(`SEATKIT_API_KEY was not set; generated for this run: ${config.apiKey}`);
  log(`seatkit API listening on ${url} (OpenAPI: ${url}/v1/openapi.json)`);
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => void store.close().then(resolve));
    });
  return { url, apiKey: config.apiKey, app, close };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = await start();
  if (process.argv.includes('--demo')) {
    const { seedDemo } = await import('../demo/seed.js');
    const demo = await seedDemo(started.app, started.apiKey);
    console.log(`demo account ${demo.accountId} (${demo.accountName}): ${demo.users} users, ${demo.licenses} licenses`);
    console.log(`owner session token (1 h): ${demo.ownerToken}`);
    console.log(`try: curl -H "Authorization: Bearer ${demo.ownerToken}" ${started.url}/v1/accounts/${demo.accountId}`);
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`${signal}: shutting down`);
      void started.close().then(() => process.exit(0));
    });
  }
}
