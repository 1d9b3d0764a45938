/**
 * `npm start`: the demo page and the API on one port (README, the demo). The API is the reference server of
 * `npm run server` (server/node.ts `start()`); in front of it this serves the built page
 * (demo/dist), the activation page (`/activate/{token}`, the default `INVITE_URL`) and the demo
 * endpoints under `/demo/`, which hold the API key so the browser never sees it.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { nodeFileSystem, writeFileAtomic } from '../server/store/fs.js';
import { start, type Started } from '../server/node.js';
import { DEMO_ROLES, DemoError, DemoOps, type DemoMarker, type DemoRole } from './backend.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export interface DemoServer extends Started {
  accountId: string;
}

export interface DemoServerOptions {
  /** The built page (default demo/dist). */
  assets?: string;
}

async function readMarker(path: string | undefined): Promise<DemoMarker | undefined> {
  if (!path) return undefined;
  return readFile(path, 'utf8').then(
    (text) => JSON.parse(text) as DemoMarker,
    () => undefined,
  );
}

/** Starts the demo server; resolves once the demo account is ready. */
export async function startDemo(env: NodeJS.ProcessEnv = process.env, write: (line: string) => void = console.log, options: DemoServerOptions = {}): Promise<DemoServer> {
  const assets = resolve(options.assets ?? fileURLToPath(new URL('./dist', import.meta.url)));
  if (!existsSync(join(assets, 'index.html'))) throw new Error(`the demo page is not built (${assets}): run npm start, or vite build --config demo/vite.config.ts`);
  let ops: DemoOps | undefined;
  const started = await start(env, write, {
    wrap: (api, { config }) => {
      const marker = config.db === ':memory:' ? undefined : join(config.db, 'demo.json');
      const demoOps = (ops = new DemoOps({
        app: api,
        apiKey: config.apiKey,
        known: readMarker(marker),
        saveMarker: async (value) => {
          if (marker) await writeFileAtomic(nodeFileSystem, marker, JSON.stringify(value));
        },
      }));
      return demoApp(api, assets, demoOps).fetch;
    },
  });
  try {
    const { accountId } = await ops!.ready();
    return { ...started, accountId };
  } catch (error) {
    await started.close();
    throw error;
  }
}

type Api = { fetch(request: Request, env?: unknown): Response | Promise<Response> };

function demoApp(api: Api, assets: string, ops: DemoOps) {
  const app = new Hono();
  const page = async () =>
    new Response(await readFile(join(assets, 'index.html')), {
      headers: { 'Content-Type': TYPES['.html']!, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' },
    });
  app.get('/', page);
  // The token is in the path: no-referrer keeps it from leaking to anything the page links to.
  app.get('/activate/:token', page);

  app.get('/demo/state', async (c) => c.json(await ops.state()));
  app.post('/demo/session', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { role?: DemoRole };
    if (!body.role || !DEMO_ROLES.includes(body.role)) throw new DemoError(400, 'Send { "role": "owner" | "admin" | "member" }.');
    return c.json(await ops.session(body.role));
  });
  app.get('/demo/outbox', async (c) => c.json(await ops.outbox()));
  app.get('/demo/webhooks', async (c) => c.json(await ops.webhooks()));
  app.post('/demo/advance-clock', async (c) => c.json(await ops.advanceClock()));
  app.post('/demo/reset', async (c) => c.json(await ops.reset()));
  app.all('/demo/*', (c) => c.json({ status: 404, detail: 'No such demo endpoint.' }, 404));
  app.onError((error, c) => {
    const status = error instanceof DemoError ? error.status : 500;
    return c.json({ status, detail: error.message }, status as 400);
  });

  // Built files (hashed assets, the MSW-free page needs nothing else); everything else is the API.
  app.get('*', async (c, next) => {
    const path = normalize(decodeURIComponent(new URL(c.req.url).pathname)).replace(/^([/\\])+/, '');
    const file = join(assets, path);
    if (path && !path.startsWith('v1') && file.startsWith(assets + sep) && extname(file) in TYPES) {
      const body = await readFile(file).catch(() => undefined);
      if (body) {
        const immutable = path.startsWith('assets');
        return new Response(body, {
          headers: { 'Content-Type': TYPES[extname(file)]!, 'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache' },
        });
      }
    }
    await next();
  });
  app.all('*', (c) => api.fetch(c.req.raw, c.env));
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let demo: DemoServer;
  try {
    demo = await startDemo();
  } catch (error) {
    console.error(`seatkit demo: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  console.log(`\n  seatkit demo: ${demo.url}  (account ${demo.accountId}; the page acts as the owner)\n`);
  console.log('  Demo mode: anyone who reaches this port can act as any user. Keep it on your machine.\n');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void demo.close().then(
        () => process.exit(0),
        (error) => {
          console.error(`seatkit demo: shutdown failed: ${String(error)}`);
          process.exit(1);
        },
      );
    });
  }
}
