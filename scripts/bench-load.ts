/**
 * The bench's load generator, run as its own process (`node --import tsx scripts/bench-load.ts
 * '<json spec>'`) so the measuring process and the server under test do not share its event loop.
 * autocannon with the spec's connections spread over one or more server URLs (round robin by
 * connection); prints one JSON line: requests per second, latency percentiles from every
 * response's own time, and failures. SIGTERM ends the run early (and still prints the result).
 */
import autocannon from 'autocannon';
import http from 'node:http';
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';

export type Plan =
  /** One path (and method, body) for every request. */
  | { kind: 'path'; path: string; method?: string; body?: string }
  /** The paths in turn. */
  | { kind: 'paths'; paths: string[] }
  /** `template` with `{n}` replaced by a new number each request ((i × 7919) mod `modulo`): a new search each time. */
  | { kind: 'numbered'; template: string; modulo: number }
  /** Invite a new person, then unassign them (each pair nets no license). */
  | { kind: 'invitePairs'; accountPath: string; tag: string }
  /** Unassign then assign the license of users in turn (each pair nets no change). */
  | { kind: 'licensePairs'; accountPath: string; userIds: string[] };

export interface LoadSpec {
  urls: string[];
  connections: number;
  /** Seconds. */
  duration: number;
  overallRate?: number;
  /**
   * With `overallRate`: `even` sends one request every 1/rate s, spread over the connections (for
   * a latency at a steady rate); by default autocannon's own pacing, which lets each connection
   * send its share of a second back to back at the start of each second (bursts).
   */
  pace?: 'even';
  headers?: Record<string, string>;
  plan: Plan;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  requests: number;
  errors: number;
  /** The share of the machine's CPU (every core, every process on it) busy during the run: 1 is saturated. */
  busy: number;
}

/** The machine's CPU time so far, all cores together (ms): busy and in all. */
function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    busy += all - times.idle;
    total += all;
  }
  return { busy, total };
}

function busySince(before: { busy: number; total: number }): number {
  const after = cpuTimes();
  return (after.busy - before.busy) / Math.max(1, after.total - before.total);
}

/**
 * The requests of a plan, from its `offset`-th item. `cut` collects the users of license pairs
 * whose unassign was sent and whose assign was not yet (see `finishPairs`).
 */
export function requestsOf(plan: Plan, offset: number, cut?: Set<string>): autocannon.Request[] {
  let i = offset;
  switch (plan.kind) {
    case 'path':
      return [
        {
          method: (plan.method ?? 'GET') as autocannon.Request['method'],
          path: plan.path,
          ...(plan.body !== undefined && { body: plan.body, headers: { 'content-type': 'application/json' } }),
        },
      ];
    case 'paths':
      return [{ method: 'GET', setupRequest: (req) => ({ ...req, path: plan.paths[i++ % plan.paths.length]! }) }];
    case 'numbered':
      return [{ method: 'GET', setupRequest: (req) => ({ ...req, path: plan.template.replace('{n}', String((i++ * 7919) % plan.modulo)) }) }];
    case 'invitePairs': {
      const stamp = `${Date.now().toString(36)}${offset}`;
      return [
        {
          method: 'POST',
          path: `${plan.accountPath}/invitations`,
          headers: { 'content-type': 'application/json' },
          setupRequest: (req) => {
            const n = i++;
            return { ...req, body: JSON.stringify({ email: `${plan.tag}-${stamp}-${n}@pairs.example`, firstName: 'Pair', lastName: `N${n}` }) };
          },
          onResponse: (status, body, context) => {
            if (status === 201) (context as Record<string, unknown>).userId = (JSON.parse(body) as { user: { id: string } }).user.id;
          },
        },
        {
          method: 'DELETE',
          setupRequest: (req, context) => ({ ...req, body: undefined, path: `${plan.accountPath}/users/${(context as Record<string, unknown>).userId as string}/license` }),
        },
      ];
    }
    case 'licensePairs':
      return [
        {
          method: 'DELETE',
          setupRequest: (req, context) => {
            const id = plan.userIds[i++ % plan.userIds.length]!;
            (context as Record<string, unknown>).userId = id;
            cut?.add(id);
            return { ...req, path: `${plan.accountPath}/users/${id}/license` };
          },
        },
        {
          method: 'PUT',
          setupRequest: (req, context) => ({ ...req, path: `${plan.accountPath}/users/${(context as Record<string, unknown>).userId as string}/license` }),
          // Assigned: the pair is whole (a PUT refused, or not answered when the run stops, is sent again).
          onResponse: (status, _body, context) => void (status >= 200 && status < 300 && cut?.delete((context as Record<string, unknown>).userId as string)),
        },
      ];
  }
}

export async function runLoad(spec: LoadSpec, onStart?: (stop: () => void) => void): Promise<LoadResult> {
  if (spec.pace === 'even') return runPaced(spec, onStart);
  // The generator is a new process each run: its own first moments (code not yet compiled) would
  // be the slowest answers it records, so it runs the load for WARMUP_S unrecorded first.
  // (Not a run at a rate: its load is the figure's, and what it sends counts, as webhook deliveries do.)
  if (spec.duration > WARMUP_S * 2 && spec.overallRate === undefined) await runAutocannon({ ...spec, duration: WARMUP_S }, () => {});
  return runAutocannon(spec, onStart);
}

/**
 * Assigns again, unrecorded, the licenses of the pairs a run's end cut after their unassign: the
 * next run starts with every user as the plan expects (before, each run began with a few 409s
 * `user_not_eligible` for users the run before had left without a license).
 */
export async function finishPairs(plan: Plan, headers: LoadSpec['headers'], cuts: { url: string; userIds: Set<string> }[]): Promise<void> {
  if (plan.kind !== 'licensePairs') return;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  try {
    for (const { url, userIds } of cuts) {
      await Promise.all([...userIds].map((id) => send(agent, url, { method: 'PUT', path: `${plan.accountPath}/users/${id}/license`, headers })));
    }
  } finally {
    agent.destroy();
  }
}

/** Seconds of unrecorded load before a recorded run (of more than twice as long, at full speed). */
const WARMUP_S = 0.5;

async function runAutocannon(spec: LoadSpec, onStart?: (stop: () => void) => void): Promise<LoadResult> {
  const times: number[] = [];
  let errors = 0;
  const instances: autocannon.Instance[] = [];
  const cuts = spec.urls.map((url) => ({ url, userIds: new Set<string>() }));
  const running = spec.urls.map(
      (url, k) =>
        new Promise<autocannon.Result>((resolve, reject) => {
          const connections = Math.max(1, Math.floor(spec.connections / spec.urls.length) + (k < spec.connections % spec.urls.length ? 1 : 0));
          const instance = autocannon(
            {
              url,
              connections,
              duration: spec.duration,
              headers: spec.headers,
              ...(spec.overallRate !== undefined && { overallRate: spec.overallRate / spec.urls.length }),
              // Each instance starts at its own share of the list: several servers see different
              // requests, and two generators do not toggle the same user at once.
              requests: requestsOf(spec.plan, Math.floor((k * 1_048_576) / spec.urls.length) + k, cuts[k]!.userIds),
            },
            (error, done) => (error ? reject(error) : resolve(done)),
          );
          instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
            times.push(responseTime);
            if (status >= 400) errors++;
          });
          instances.push(instance);
        }),
  );
  onStart?.(() => instances.forEach((it) => it.stop()));
  const cpu = cpuTimes();
  const results = await Promise.all(running);
  const busy = busySince(cpu);
  await finishPairs(spec.plan, spec.headers, cuts);
  const seconds = Math.max(...results.map((r) => r.duration));
  return percentiles(times, seconds, errors + results.reduce((n, r) => n + r.errors + r.timeouts, 0), busy);
}

function percentiles(times: number[], seconds: number, errors: number, busy: number): LoadResult {
  times.sort((a, b) => a - b);
  const at = (p: number) => (times.length === 0 ? NaN : times[Math.min(times.length - 1, Math.max(0, Math.ceil((p / 100) * times.length) - 1))]!);
  return { rps: times.length / seconds, p50: at(50), p95: at(95), p99: at(99), requests: times.length, errors, busy };
}

/**
 * Open-loop pacing: request i is due at i/rate s, on connection i mod connections (each with its
 * own kept-alive socket, its requests in the plan's order). A request is sent when due, or when its
 * connection's previous one has answered if that was later; its time runs from when it was due,
 * so a server that falls behind shows it (no coordinated omission).
 */
async function runPaced(spec: LoadSpec, onStart?: (stop: () => void) => void): Promise<LoadResult> {
  if (!spec.overallRate) throw new Error('pace: even needs overallRate');
  const interval = 1000 / spec.overallRate;
  const times: number[] = [];
  let errors = 0;
  let stopped = false;
  // Each connection waiting for its next request's time, woken early when the run is stopped.
  const waiting = new Set<() => void>();
  onStart?.(() => {
    stopped = true;
    for (const wake of waiting) wake();
  });
  const started = performance.now();
  const end = started + spec.duration * 1000;
  const cuts = Array.from({ length: spec.connections }, (_, k) => ({ url: spec.urls[k % spec.urls.length]!, userIds: new Set<string>() }));
  const lanes = Array.from({ length: spec.connections }, async (_, k) => {
    const url = spec.urls[k % spec.urls.length]!;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const requests = requestsOf(spec.plan, Math.floor((k * 1_048_576) / spec.connections) + k, cuts[k]!.userIds);
    const context: Record<string, unknown> = {};
    try {
      for (let j = 0; ; j++) {
        const due = started + (j * spec.connections + k) * interval;
        if (due >= end || stopped) break;
        const wait = due - performance.now();
        if (wait > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(wake, wait);
            function wake() {
              clearTimeout(timer);
              waiting.delete(wake);
              resolve();
            }
            waiting.add(wake);
          });
        }
        if (stopped) break;
        const template = requests[j % requests.length]!;
        const base = { method: template.method ?? 'GET', path: template.path ?? '/', headers: { ...spec.headers, ...template.headers }, body: template.body } as autocannon.Request;
        const req = typeof template.setupRequest === 'function' ? template.setupRequest(base, context) : base;
        const { status, body } = await send(agent, url, req);
        times.push(performance.now() - due);
        if (status >= 400 || status === 0) errors++;
        if (typeof template.onResponse === 'function') template.onResponse(status, body, context, {});
      }
    } finally {
      agent.destroy();
    }
  });
  const cpu = cpuTimes();
  await Promise.all(lanes);
  const busy = busySince(cpu);
  const seconds = (Math.min(performance.now(), end) - started) / 1000;
  await finishPairs(spec.plan, spec.headers, cuts);
  return percentiles(times, seconds, errors, busy);
}

function send(agent: http.Agent, base: string, req: autocannon.Request): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const request = http.request(new URL(req.path ?? '/', base), { method: req.method ?? 'GET', headers: req.headers as http.OutgoingHttpHeaders, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
      res.on('error', () => resolve({ status: 0, body: '' }));
    });
    request.on('error', () => resolve({ status: 0, body: '' }));
    request.end(req.body);
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const spec = JSON.parse(process.argv[2]!) as LoadSpec;
  let stop: (() => void) | undefined;
  let stopped = false;
  process.on('SIGTERM', () => {
    stopped = true;
    stop?.();
  });
  const result = await runLoad(spec, (s) => {
    stop = s;
    if (stopped) s();
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
