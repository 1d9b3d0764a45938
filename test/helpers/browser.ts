/** Headless Chromium and host pages for end-to-end tests (playwright-core with the machine's Chromium). */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { chromium, type Browser } from 'playwright-core';
// @ts-expect-error a plain .mjs helper shared with the test runner config
import { CHROMIUM_ARGS, chromiumPath } from '../../scripts/chromium.mjs';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath() as string, headless: true, args: CHROMIUM_ARGS as string[] });
}

/**
 * `dist/seatkit.js` and the files it loads next to it when a page goes live (`seatkit-*.js`), by
 * name, built into a temp folder (the repository's dist/ may be rebuilt meanwhile).
 */
export async function buildBundleFiles(): Promise<Map<string, Buffer>> {
  const dir = mkdtempSync(join(tmpdir(), 'seatkit-bundle-'));
  try {
    await build({ logLevel: 'silent', build: { outDir: dir, emptyOutDir: true, sourcemap: false } });
    return new Map(readdirSync(dir).filter((name) => /^seatkit.*\.js$/.test(name)).map((name) => [name, readFileSync(join(dir, name))]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `dist/seatkit.js` alone. */
export async function buildBundle(): Promise<Buffer> {
  return (await buildBundleFiles()).get('seatkit.js')!;
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
