/**
 * The compiled server (what `npm run build` emits as dist/server/node.js and the `seatkit-server`
 * bin), run with plain `node` through a bin-style symlink: shutdown with a bounded grace period,
 * and a clear refusal when the port is taken. The server is compiled here with the build's
 * tsconfig into a temporary folder, so these tests neither need nor disturb `dist/`.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PROCESS_API_KEY, ROOT, createAccountOver, http, startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const run = promisify(execFile);
let build: string;
let bin: string;
const folders: string[] = [];

before(async () => {
  build = await mkdtemp(join(tmpdir(), 'seatkit-built-'));
  folders.push(build);
  await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', build, '--declaration', 'false', '--sourceMap', 'false', '--inlineSources', 'false'], { cwd: ROOT, timeout: 180_000 });
  // The compiled files are ES modules and import the package's dependencies, as in an install.
  await writeFile(join(build, 'package.json'), JSON.stringify({ type: 'module' }));
  await symlink(join(ROOT, 'node_modules'), join(build, 'node_modules'), 'dir');
  await mkdir(join(build, '.bin'));
  bin = join(build, '.bin', 'seatkit-server');
  await symlink(join(build, 'server', 'node.js'), bin);
});
after(async () => {
  await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function dataFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'seatkit-process-'));
  folders.push(dir);
  return dir;
}

/** Resolves with the final HTTP answer read from `socket` (after any interim 1xx), status and body. */
function answerOn(socket: Socket): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const final = text.replace(/^(HTTP\/1\.1 1\d\d[^\r]*\r\n\r\n)+/, '');
      const end = final.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = final.slice(0, end);
      const body = final.slice(end + 4);
      const length = Number(/^content-length: *(\d+)/im.exec(head)?.[1]);
      if (Buffer.byteLength(body) >= length) resolve({ status: Number(head.split(' ')[1]), body });
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed before a complete answer: ${JSON.stringify(text)}`)));
  });
}

function exitWithin(server: ServerProcess, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'timeout'> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    server.exited.finally(() => clearTimeout(timer)),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms))),
  ]);
}

describe('the compiled server, run with node through a bin symlink', () => {
  it('on SIGTERM, answers the request in flight, then closes a stalled connection after the grace period and exits 0; what it acknowledged is on disk', async () => {
    const db = await dataFolder();
    const graceSeconds = 3;
    const server = await startServerProcess({ SEATKIT_DB: db, SEATKIT_SHUTDOWN_GRACE_SECONDS: String(graceSeconds) }, { entry: [bin] });
    const port = Number(new URL(server.url).port);
    const sockets: Socket[] = [];
    const open = async () => {
      const socket = connect(port, 'localhost');
      sockets.push(socket);
      await new Promise((resolve) => socket.once('connect', resolve));
      return socket;
    };
    try {
      // A client that sends half a request header, then nothing.
      const stalled = await open();
      stalled.write('GET /healthz HTTP/1.1\r\nHost: local');
      // A request in flight: the server has its header (it says 100 Continue) and waits for the body.
      const body = JSON.stringify({
        name: 'In Flight Inc',
        licenses: { quantity: 2, unitPrice: 100, currency: 'USD', interval: 'month' },
        owner: { email: 'owner@inflight.example', firstName: 'In', lastName: 'Flight' },
      });
      const busy = await open();
      const answer = answerOn(busy);
      const continued = new Promise<void>((resolve) => busy.once('data', () => resolve()));
      busy.write(
        `POST /v1/accounts HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${PROCESS_API_KEY}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
      );
      await continued;

      server.child.kill('SIGTERM');
      await waitForLine(server, /SIGTERM/);
      busy.write(body);
      const reply = await answer;
      assert.equal(reply.status, 201, `the request in flight is answered: ${reply.body}`);
      const accountId = (JSON.parse(reply.body) as { account: { id: string } }).account.id;

      const exit = await exitWithin(server, (graceSeconds + 30) * 1000);
      assert.deepEqual(exit, { code: 0, signal: null }, `exits 0 within the grace period (and a margin):\n${server.output.join('\n')}`);

      const again = await startServerProcess({ SEATKIT_DB: db }, { entry: [bin] });
      try {
        assert.equal((await http(again.url, 'GET', `/v1/accounts/${accountId}`, { token: PROCESS_API_KEY })).status, 200, 'the acknowledged account is on disk');
      } finally {
        await again.stop();
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      await server.kill();
    }
  });

  it('exits 0 at once on SIGTERM when nothing is in flight (keep-alive connections included)', async () => {
    const server = await startServerProcess({ SEATKIT_DB: await dataFolder(), SEATKIT_SHUTDOWN_GRACE_SECONDS: '600' }, { entry: [bin] });
    try {
      await createAccountOver(server.url, { quantity: 1 });
      server.child.kill('SIGTERM');
      // A grace period of 10 minutes is not waited for: no request is in flight.
      assert.deepEqual(await exitWithin(server, 30_000), { code: 0, signal: null }, server.output.join('\n'));
    } finally {
      await server.kill();
    }
  });

  it('refuses a port in use with one line naming the port and PORT, no stack trace, exit 1', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), SEATKIT_DB: await dataFolder(), SEATKIT_API_KEY: PROCESS_API_KEY };
      delete env.NODE_TEST_CONTEXT;
      delete env.NODE_OPTIONS;
      const child = spawn(process.execPath, [bin], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let stdout = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
      assert.equal(code, 1, `${stdout}${stderr}`);
      const lines = stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line: ${stderr}`);
      assert.match(lines[0]!, new RegExp(`\\b${port}\\b`));
      assert.match(lines[0]!, /\bPORT\b/);
      assert.doesNotMatch(stderr + stdout, /^\s+at /m, 'no stack trace');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

async function waitForLine(server: ServerProcess, pattern: RegExp): Promise<void> {
  const until = Date.now() + 20_000;
  while (!server.output.some((line) => pattern.test(line))) {
    if (Date.now() > until) throw new Error(`no line matching ${pattern}:\n${server.output.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
