/**
 * docs/embedding.md's snippets run as written: each `ts` block after its `<!-- embed-…` marker is
 * written into the repository (so its imports resolve; `seatkit/server` pointed at
 * server/index.ts), run with tsx as its own process, and used through the SDK at its mount point.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SeatAdmin } from '../../sdk/index.js';
import { API_KEY } from '../helpers/api.js';
import { ROOT } from '../helpers/server-process.js';

const cleanups: (() => Promise<unknown>)[] = [];
after(() => Promise.all(cleanups.map((f) => f())));

async function snippet(name: string): Promise<string> {
  const doc = await readFile(join(ROOT, 'docs', 'embedding.md'), 'utf8');
  const marker = doc.indexOf(`<!-- ${name}`);
  assert.ok(marker >= 0, `docs/embedding.md has the <!-- ${name} marker`);
  const match = /```ts\n([\s\S]*?)\n```/.exec(doc.slice(marker));
  assert.ok(match && match.index < 200, `a \`\`\`ts block follows the <!-- ${name} marker`);
  return match[1]!.replaceAll(`from 'seatkit/server'`, `from ${JSON.stringify(join(ROOT, 'server', 'index.ts'))}`);
}

/** Runs a snippet; resolves with its URL once it prints "listening on <port>". */
async function run(name: string): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const data = await mkdtemp(join(tmpdir(), 'seatkit-embed-'));
  const file = join(ROOT, `.embed-${name}-${process.pid}.mts`);
  await writeFile(file, await snippet(name));
  const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, env: { ...process.env, PORT: '0', SEATKIT_API_KEY: API_KEY, SEATKIT_DATA: data }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanups.push(async () => {
    child.kill('SIGTERM');
    await exited;
    await rm(file, { force: true });
    await rm(data, { recursive: true, force: true });
  });
  let out = '';
  for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk) => (out += String(chunk)));
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${out}`)), 30_000);
    child.stdout!.on('data', () => {
      const match = /listening on (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}):\n${out}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child, output: () => out };
}

describe('docs/embedding.md: the API mounted in a host server', () => {
  for (const name of ['embed-hono', 'embed-express']) {
    it(`${name}: the host's own routes and seatkit's API under /seatkit, through the SDK`, async () => {
      const host = await run(name);
      assert.equal(await (await fetch(`${host.url}/`)).text(), 'the host product');
      const admin = new SeatAdmin({ baseUrl: `${host.url}/seatkit`, apiKey: API_KEY });
      const { account, owner } = await admin.accounts.create({
        name: 'Embedded Inc',
        licenses: { quantity: 3, unitPrice: 1000, currency: 'EUR', interval: 'month' },
        owner: { email: 'owner@embedded.example', firstName: 'Emma', lastName: 'Bedded' },
      });
      const { user } = await admin.users.provision(account.id, { email: 'dev@embedded.example', firstName: 'Dev', lastName: 'One' });
      const users = await admin.account(account.id).users.list();
      assert.deepEqual(users.data.map((u) => u.id).sort(), [owner.id, user.id].sort());
      assert.equal((await fetch(`${host.url}/seatkit/v1/accounts/${account.id}`)).status, 401, 'the API still wants its token');
    });
  }
});
