/** Headless Chromium and host pages for end-to-end tests (playwright-core with the machine's Chromium). */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { chromium, type Browser } from 'playwright-core';
import { SeatAdmin, SeatClient } from '../../sdk/index.js';
// @ts-expect-error a plain .mjs helper shared with the test runner config
import { CHROMIUM_ARGS, chromiumPath } from '../../scripts/chromium.mjs';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath() as string, headless: true, args: CHROMIUM_ARGS as string[] });
}

/**
 * `dist/seatkit.js` built into a temp folder (the repository's dist/ may be rebuilt meanwhile), with
 * `chunks`: the files it loads on first use, by path (`/seatkit-user-dialogs-….js`), to serve beside it.
 */
export type Bundle = Buffer & { chunks: Map<string, Buffer> };

export async function buildBundle(): Promise<Bundle> {
  const dir = mkdtempSync(join(tmpdir(), 'seatkit-bundle-'));
  try {
    await build({ logLevel: 'silent', build: { outDir: dir, emptyOutDir: true, sourcemap: false } });
    const chunks = new Map(
      readdirSync(dir)
        .filter((file) => /^seatkit-.+\.js$/.test(file))
        .map((file) => [`/${file}`, readFileSync(join(dir, file))] as const),
    );
    return Object.assign(readFileSync(join(dir, 'seatkit.js')), { chunks });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Host {
  url: string;
  close(): Promise<void>;
}

/** A host product's server on 127.0.0.1 (another origin than the API's `localhost`). */
export async function serveHost(handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): Promise<Host> {
  const server: Server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * Answers `/seatkit.js` or one of the chunks it loads from the bundle, with `headers` besides the
 * content type; false (nothing sent) for any other path.
 */
export function serveBundle(bundle: Bundle, path: string, res: ServerResponse, headers: Record<string, string> = {}): boolean {
  if (path !== '/seatkit.js' && !bundle.chunks.has(path)) return false;
  res.writeHead(200, { 'Content-Type': 'text/javascript', ...headers }).end(bundle.chunks.get(path) ?? bundle);
  return true;
}

/**
 * A host product's "Licenses & Users" page: `/seatkit.js`, and `elements` inside a provider of the
 * account and token the page's query names (`?account=…&token=…`).
 */
export function hostPage(baseUrl: string, query: URLSearchParams, elements: string): string {
  return `<!doctype html>
<html lang="en"><head><title>Host product</title><script type="module" src="/seatkit.js"></script></head>
<body><h1>Licenses &amp; Users</h1>
<seat-provider base-url="${baseUrl}" account-id="${query.get('account')}" token="${query.get('token')}">
  ${elements}
</seat-provider></body></html>`;
}

/**
 * An account of a host product on the server at `apiUrl`: 5 licenses, its owner's session token
 * and an active member (Mia Member, mia@host.example), for a host page to show.
 */
export async function hostAccount(apiUrl: string, apiKey: string): Promise<{ accountId: string; token: string }> {
  const admin = new SeatAdmin({ baseUrl: apiUrl, apiKey });
  const { account, owner } = await admin.accounts.create({
    name: 'Host Co',
    licenses: { quantity: 5, unitPrice: 1000, currency: 'EUR', interval: 'month' },
    owner: { email: 'owner@host.example', firstName: 'Olga', lastName: 'Owner' },
  });
  const { token } = await admin.sessions.create(account.id, { userId: owner.id });
  const client = new SeatClient({ baseUrl: apiUrl, accountId: account.id, token });
  await client.invitations.create({ email: 'mia@host.example', firstName: 'Mia', lastName: 'Member' });
  const activation = (await admin.outbox.list()).data.find((m) => m.to === 'mia@host.example')!.activationUrl!;
  await client.invitations.accept(decodeURIComponent(activation.split('/').pop()!));
  return { accountId: account.id, token };
}
