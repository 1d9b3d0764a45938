/**
 * The live-stream section of `npm run bench` (`ONLY=live`): the real server as a child process
 * (file store, rate limits off), 100 streams read over HTTP in this process.
 *
 * - Change-to-event latency: 100 streams of 100 signed-in users of one account; each change (an
 *   unassign or an assign, one at a time) is timed from the moment its request is sent until its
 *   event reached each stream. p50 and p99 over every delivery.
 * - Write throughput with 100 idle streams: autocannon unassign→assign pairs on 1,000 users of one
 *   account (its size stays the same), with no stream open, with 100 streams open on another account
 *   (idle: nothing to send them), and with the 100 streams on the account being written (each
 *   change fanned out to them; their readers only take the bytes). Runs rotate the order. The cost
 *   is judged by the server's CPU time per write (from /proc), which the other work of a shared
 *   machine does not blur as it blurs req/s; req/s is shown beside it.
 */
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { createParser } from 'eventsource-parser';
import { finishPairs, requestsOf, type Plan } from './bench-load.js';
import { http, percentile, PROCESS_API_KEY, startServerProcess, type ServerProcess } from '../test/helpers/server-process.js';

type Row = (section: string, figure: string, value: string, target?: string, pass?: boolean) => void;

const STREAMS = 100;
const CHANGES = Number(process.env.LIVE_CHANGES ?? 200);

interface Reader {
  /** When each change (by sequence) arrived. */
  arrived: Map<number, number>;
  ready: Promise<void>;
  close(): void;
}

/** Opens a stream and notes when each change arrives (or, `drain`, only takes the bytes once it is ready: a reader that costs next to nothing). */
async function read(url: string, token: string, drain = false): Promise<Reader> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, signal: abort.signal });
  if (!response.ok || !response.body) throw new Error(`stream: ${response.status} ${await response.text()}`);
  const arrived = new Map<number, number>();
  let opened!: () => void;
  const ready = new Promise<void>((resolve) => (opened = resolve));
  const parser = createParser({
    onEvent: (event) => {
      if (event.event === 'ready') opened();
      if (event.event === 'change') arrived.set(Number(event.id), performance.now());
    },
  });
  const decoder = new TextDecoder();
  let isReady = false;
  void ready.then(() => (isReady = true));
  void (async () => {
    const reader = response.body!.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!(drain && isReady)) parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch {
      // closed
    }
  })();
  return { arrived, ready, close: () => abort.abort() };
}

async function account(base: string, name: string, quantity: number): Promise<{ id: string; path: string; ownerToken: string }> {
  const created = await http(base, 'POST', '/v1/accounts', {
    token: PROCESS_API_KEY,
    body: { name, licenses: { quantity, unitPrice: 400, currency: 'USD', interval: 'month' }, owner: { email: `owner@${name}.example`, firstName: 'Olive', lastName: 'Owner' } },
  });
  if (created.status !== 201) throw new Error(`account: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.account.id as string;
  const session = await http(base, 'POST', `/v1/accounts/${id}/sessions`, { token: PROCESS_API_KEY, body: { userId: created.body.owner.id, ttlSeconds: 86_400 } });
  return { id, path: `/v1/accounts/${id}`, ownerToken: session.body.token as string };
}

/** `count` signed-in users of the account (provisioned, each with a session), for their streams. */
async function viewers(base: string, accountId: string, count: number, tag: string): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const made = await http(base, 'POST', `/v1/accounts/${accountId}/users`, {
        token: PROCESS_API_KEY,
        body: { email: `${tag}${i}@viewers.example`, firstName: 'View', lastName: `Er${i}`, role: i % 2 ? 'admin' : 'member' },
      });
      if (made.status !== 201) throw new Error(`provision: ${made.status} ${JSON.stringify(made.body)}`);
      const session = await http(base, 'POST', `/v1/accounts/${accountId}/sessions`, { token: PROCESS_API_KEY, body: { userId: made.body.user.id, ttlSeconds: 86_400 } });
      return session.body.token as string;
    }),
  );
}

async function openAll(base: string, accountId: string, tokens: string[], drain = false): Promise<Reader[]> {
  const readers = await Promise.all(tokens.map((token) => read(`${base}/v1/accounts/${accountId}/stream`, token, drain)));
  await Promise.all(readers.map((r) => r.ready));
  return readers;
}

/** CPU time (user + system, ms) the process has used: what a load costs the server, whatever else runs on the machine. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in ticks of 1/100 s
}

interface Sample {
  rps: number;
  /** Server CPU ms per request. */
  cpu: number;
}

/** Unassign → assign pairs on a pool of users for `seconds` with 50 connections (the account keeps its size): requests per second. */
async function pairs(base: string, path: string, token: string, pool: string[], seconds: number, pid: number): Promise<Sample> {
  const plan: Plan = { kind: 'licensePairs', accountPath: path, userIds: pool };
  const headers = { authorization: `Bearer ${token}` };
  const cut = new Set<string>();
  const cpuBefore = cpuMs(pid);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon({ url: base, connections: 50, duration: seconds, headers, requests: requestsOf(plan, 0, cut) }, (error, done) => (error ? reject(error) : resolve(done)));
  });
  const cpu = (cpuMs(pid) - cpuBefore) / result.requests.total;
  if (result.non2xx + result.errors > 0) console.error(`[bench] live pairs: ${result.non2xx + result.errors} failed requests`);
  // The pairs the end cut get their license back, unrecorded: the next run starts with every user licensed.
  await finishPairs(plan, headers, [{ url: base, userIds: cut }]);
  return { rps: result.requests.average, cpu };
}

/** `count` users of the account holding a license (provisioned). */
async function pool(base: string, accountId: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 50) {
    const made = await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, (_, j) =>
        http(base, 'POST', `/v1/accounts/${accountId}/users`, { token: PROCESS_API_KEY, body: { email: `pool${i + j}@pool.example`, firstName: 'Pool', lastName: `P${i + j}` } }),
      ),
    );
    for (const res of made) {
      if (res.status !== 201) throw new Error(`provision: ${res.status} ${JSON.stringify(res.body)}`);
      ids.push(res.body.user.id as string);
    }
  }
  return ids;
}

export async function benchLive(dir: string, row: Row, options: { runs: number; duration: number; entry?: string[] }): Promise<void> {
  let server: ServerProcess | undefined;
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
  try {
    server = await startServerProcess({ SEATKIT_DB: `${dir}/live-data`, SEATKIT_RATE_LIMITS: 'off', SEATKIT_LOG_REQUESTS: 'off' }, { entry: options.entry });
    const base = server.url;

    // ---- latency: 100 streams on one account, one change at a time
    const watched = await account(base, 'watched', STREAMS + 10);
    const readers = await openAll(base, watched.id, await viewers(base, watched.id, STREAMS, 'w'));
    const target = (await http(base, 'POST', `${watched.path}/users`, { token: PROCESS_API_KEY, body: { email: 'toggle@viewers.example', firstName: 'Tog', lastName: 'Gle' } })).body
      .user.id as string;
    const latencies: number[] = [];
    let missing = 0;
    for (let i = 0; i < CHANGES; i++) {
      const sent = performance.now();
      const res = await http(base, i % 2 ? 'PUT' : 'DELETE', `${watched.path}/users/${target}/license`, { token: watched.ownerToken });
      if (res.status !== 200) throw new Error(`change ${i}: ${res.status} ${JSON.stringify(res.body)}`);
      const sequence = await latestSequence(readers, sent);
      for (const reader of readers) {
        const at = reader.arrived.get(sequence);
        if (at === undefined) missing++;
        else latencies.push(at - sent);
      }
    }
    latencies.sort((a, b) => a - b);
    const p99 = percentile(latencies, 99);
    row('live', `change → event at each of ${STREAMS} streams (${CHANGES} changes)`, `p50 ${ms(percentile(latencies, 50))}, p99 ${ms(p99)}`, '≤ 250 ms (p99)', p99 <= 250 && missing === 0);
    if (missing > 0) row('live', 'deliveries missing after 2 s', String(missing), '0', false);
    for (const reader of readers) reader.close();

    // ---- write throughput: no streams, 100 idle streams (another account), 100 streams on the written account
    const written = await account(base, 'written', 1200);
    const toggled = await pool(base, written.id, 1000);
    const quiet = await account(base, 'quiet', STREAMS + 10);
    const quietTokens = await viewers(base, quiet.id, STREAMS, 'q');
    const busyTokens = await viewers(base, written.id, STREAMS, 'b');
    const none: Sample[] = [];
    const idle: Sample[] = [];
    const fanned: Sample[] = [];
    const load = () => pairs(base, written.path, written.ownerToken, toggled, options.duration, server!.pid);
    await load(); // warm-up
    const with100 = async (accountId: string, tokens: string[]) => {
      const readers = await openAll(base, accountId, tokens, true);
      try {
        return await load();
      } finally {
        for (const reader of readers) reader.close();
      }
    };
    const kinds = [async () => none.push(await load()), async () => idle.push(await with100(quiet.id, quietTokens)), async () => fanned.push(await with100(written.id, busyTokens))];
    // Each run in another order, so drift of a shared machine falls on each alike.
    for (let run = 0; run < options.runs; run++) for (let k = 0; k < kinds.length; k++) await kinds[(k + run) % kinds.length]!();

    const rps = (samples: Sample[]) => median(samples.map((s) => s.rps));
    const cpu = (samples: Sample[]) => median(samples.map((s) => s.cpu));
    const more = (value: number, base: number) => {
      const pct = (value / base - 1) * 100;
      return pct >= 0 ? `${pct.toFixed(1)} % more` : `${(-pct).toFixed(1)} % less`;
    };
    row('live', 'writes (unassign/assign) with no stream open', `${Math.round(rps(none))} req/s, ${cpu(none).toFixed(2)} ms server CPU each`);
    for (const [label, samples] of [
      [`with ${STREAMS} idle streams (another account)`, idle],
      [`with ${STREAMS} streams on the written account`, fanned],
    ] as const) {
      // The cost in throughput of a CPU-bound server is its CPU per write; req/s on a shared machine is context.
      const cost = 1 - cpu(none) / cpu(samples);
      row('live', `writes ${label}: server CPU per write`, `${cpu(samples).toFixed(2)} ms (${(cost * 100).toFixed(1)} % of throughput)`, '≤ 10 % less', cost <= 0.1);
      row('live', `writes ${label}: req/s (context)`, `${Math.round(rps(samples))} req/s (${more(rps(samples), rps(none))})`);
    }
  } finally {
    await server?.kill();
  }
}

/** The sequence of the change just made: the newest one that every reader got, waiting up to 2 s. */
async function latestSequence(readers: Reader[], since: number): Promise<number> {
  const deadline = performance.now() + 2000;
  for (;;) {
    // The first reader's newest arrival after `since` is this change (changes go one at a time).
    const fresh = [...readers[0]!.arrived].filter(([, at]) => at >= since).map(([sequence]) => sequence);
    const sequence = Math.max(...fresh);
    if (fresh.length > 0 && readers.every((r) => r.arrived.has(sequence))) return sequence;
    if (performance.now() > deadline) return fresh.length > 0 ? sequence : -1;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
