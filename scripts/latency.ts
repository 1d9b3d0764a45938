/**
 * Latency of durable mutations on ONE real server process (file store in a temp folder, rate limits
 * off): a 10-user account and a 10,000-user account held by the same server, sequential requests
 * and 10 concurrent clients; then the cold start with the big account on disk.
 *
 *   npx tsx scripts/latency.ts            (USERS=10000 REQUESTS=300 CLIENTS=10 to change the sizes)
 *
 * Mutations measured, each request timed on its own: PATCH of a user (If-Match), and the pair
 * unassign (DELETE license) + assign (PUT license; re-invites: new token, email to the outbox).
 * A GET of one user is the read baseline.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { User } from '../sdk/types.js';
import { createAccountOver, http, percentile, startServerProcess, type ServerProcess } from '../test/helpers/server-process.js';

const BIG = Number(process.env.USERS ?? 10_000);
const REQUESTS = Number(process.env.REQUESTS ?? 300);
const CLIENTS = Number(process.env.CLIENTS ?? 10);
const WARMUP = 30;
const BATCH = 50;

interface Row {
  account: string;
  op: string;
  mode: string;
  samples: number[];
}

const rows: Row[] = [];

async function timed(fn: () => Promise<{ status: number; body: unknown }>, expected: number): Promise<number> {
  const started = performance.now();
  const res = await fn();
  const ms = performance.now() - started;
  if (res.status !== expected) throw new Error(`expected ${expected}, got ${res.status} ${JSON.stringify(res.body)}`);
  return ms;
}

interface Target {
  name: string;
  base: string;
  path: string;
  token: string;
  /** Members the load works on (one per client). */
  users: User[];
}

/** Invites `count` users, `BATCH` at a time; returns them. */
async function populate(base: string, path: string, token: string, count: number, tag: string): Promise<User[]> {
  const users: User[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await http(base, 'POST', `${path}/invitations`, {
        token,
        body: { email: `${tag}${i}@latency.example`, firstName: `User${i}`, lastName: tag, qualification: 'load' },
      });
      if (res.status !== 201) throw new Error(`invite ${i}: ${res.status} ${JSON.stringify(res.body)}`);
      users.push(res.body.user as User);
    }
  };
  await Promise.all(Array.from({ length: BATCH }, worker));
  return users;
}

/** One client's loop on its own user: `n` rounds of op, each request timed. */
async function clientLoop(t: Target, user: User, op: 'patch' | 'pair' | 'get', n: number, out: Map<string, number[]>): Promise<void> {
  let version = user.version;
  const push = (name: string, ms: number) => out.set(name, [...(out.get(name) ?? []), ms]);
  for (let i = 0; i < n; i++) {
    if (op === 'get') {
      push('GET user', await timed(() => http(t.base, 'GET', `${t.path}/users/${user.id}`, { token: t.token }), 200));
    } else if (op === 'patch') {
      let reply: { status: number; body: any } | undefined;
      const ms = await timed(async () => {
        reply = await http(t.base, 'PATCH', `${t.path}/users/${user.id}`, {
          token: t.token,
          body: { qualification: `edit ${i} ${Math.random().toString(36).slice(2, 8)}` },
          headers: { 'If-Match': `"${version}"` },
        });
        return reply;
      }, 200);
      version = reply!.body.user.version;
      push('PATCH user', ms);
    } else {
      let reply: { status: number; body: any } | undefined;
      push('DELETE license', await timed(async () => (reply = await http(t.base, 'DELETE', `${t.path}/users/${user.id}/license`, { token: t.token })), 200));
      push('PUT license', await timed(async () => (reply = await http(t.base, 'PUT', `${t.path}/users/${user.id}/license`, { token: t.token })), 200));
      version = reply!.body.user.version;
    }
  }
  user.version = version;
}

async function measure(t: Target, op: 'patch' | 'pair' | 'get'): Promise<void> {
  // Warm-up (not recorded), then sequential, then concurrent clients.
  await clientLoop(t, t.users[0]!, op, WARMUP, new Map());
  const sequential = new Map<string, number[]>();
  const perRequest = op === 'pair' ? REQUESTS / 2 : REQUESTS;
  await clientLoop(t, t.users[0]!, op, perRequest, sequential);
  for (const [name, samples] of sequential) rows.push({ account: t.name, op: name, mode: 'sequential', samples });
  const concurrent = new Map<string, number[]>();
  await Promise.all(t.users.slice(0, CLIENTS).map((u) => clientLoop(t, u, op, Math.ceil(perRequest / CLIENTS) * 3, concurrent)));
  for (const [name, samples] of concurrent) rows.push({ account: t.name, op: name, mode: `${CLIENTS} clients`, samples });
}

/** Fresh copies of the users (their versions moved on during the previous measurements). */
async function refresh(t: Target): Promise<void> {
  t.users = await Promise.all(t.users.map(async (u) => (await http(t.base, 'GET', `${t.path}/users/${u.id}`, { token: t.token })).body as User));
}

function fmt(ms: number): string {
  return ms.toFixed(1).padStart(7);
}

function printTable(): void {
  console.log('\nlatency (ms), each request timed on its own');
  console.log(`${'account'.padEnd(14)}${'request'.padEnd(16)}${'mode'.padEnd(12)}${'n'.padStart(6)}${'p50'.padStart(8)}${'p95'.padStart(8)}${'p99'.padStart(8)}${'max'.padStart(8)}`);
  for (const row of rows) {
    const s = [...row.samples].sort((a, b) => a - b);
    console.log(
      `${row.account.padEnd(14)}${row.op.padEnd(16)}${row.mode.padEnd(12)}${String(s.length).padStart(6)} ${fmt(percentile(s, 50))} ${fmt(percentile(s, 95))} ${fmt(percentile(s, 99))} ${fmt(s.at(-1)!)}`,
    );
  }
}

const dir = await mkdtemp(join(tmpdir(), 'seatkit-latency-'));
const env = { SEATKIT_DB: dir, SEATKIT_RATE_LIMITS: 'off', SEATKIT_LOG_REQUESTS: 'off' };
let server: ServerProcess | undefined;
try {
  const empty = await startServerProcess(env);
  server = empty;
  console.log(`start with an empty folder: listening after ${empty.listeningMs.toFixed(0)} ms, /healthz after ${empty.readyMs.toFixed(0)} ms`);

  const small = await createAccountOver(server.url, { name: 'Small Co', quantity: 100, ownerEmail: 'owner@small.example' });
  const big = await createAccountOver(server.url, { name: 'Big Corp', quantity: BIG + 100, ownerEmail: 'owner@big.example' });
  const smallPath = `/v1/accounts/${small.accountId}`;
  const bigPath = `/v1/accounts/${big.accountId}`;
  const smallUsers = await populate(server.url, smallPath, small.ownerToken, 9, 'small');
  let started = performance.now();
  const bigUsers = await populate(server.url, bigPath, big.ownerToken, BIG - 1, 'big');
  const populateMs = performance.now() - started;
  console.log(`big account: ${BIG - 1} invites (${BATCH} concurrent) in ${(populateMs / 1000).toFixed(1)} s (${((BIG - 1) / (populateMs / 1000)).toFixed(0)} invites/s)`);

  const targets: Target[] = [
    { name: `${smallUsers.length + 1} users`, base: server.url, path: smallPath, token: small.ownerToken, users: smallUsers },
    { name: `${bigUsers.length + 1} users`, base: server.url, path: bigPath, token: big.ownerToken, users: bigUsers.slice(0, CLIENTS) },
  ];
  for (const op of ['get', 'patch', 'pair'] as const) {
    for (const t of targets) {
      await refresh(t);
      await measure(t, op);
    }
  }
  printTable();

  // Cold start with the big account on disk: after a graceful stop, and after a SIGKILL.
  for (const how of ['SIGTERM', 'SIGKILL'] as const) {
    if (how === 'SIGTERM') await server.stop();
    else await server.kill();
    started = performance.now();
    server = await startServerProcess(env, { timeoutMs: 120_000 });
    const account = await http(server.url, 'GET', bigPath, { token: big.ownerToken });
    if (account.status !== 200 || account.body.licenses.inUse !== BIG) throw new Error(`after restart: ${account.status} ${JSON.stringify(account.body.licenses)}`);
    console.log(
      `cold start after ${how} (${BIG} + ${smallUsers.length + 1} users on disk): listening after ${server.listeningMs.toFixed(0)} ms, /healthz after ${server.readyMs.toFixed(0)} ms`,
    );
  }
} finally {
  await server?.kill();
  await rm(dir, { recursive: true, force: true });
}
