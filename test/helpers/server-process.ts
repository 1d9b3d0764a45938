/**
 * The real server as a child process (`node --import tsx server/node.ts`, or a built entry), for
 * crash tests, SMTP tests and load scripts, plus a small HTTP client over `fetch`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PROCESS_API_KEY = 'sk_process_0123456789abcdefghij';

export interface ServerProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Every line the process wrote (stdout and stderr). */
  output: string[];
  /** Milliseconds from spawn until the "listening" line, and until /healthz answered 200. */
  listeningMs: number;
  readyMs: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (graceful), SIGKILL after `graceMs`, waits for the exit. */
  stop(graceMs?: number): Promise<void>;
}

/** How `node` runs the source entry; a built one is `[path to dist/server/node.js]`. */
export const SOURCE_ENTRY = ['--import', 'tsx', 'server/node.ts'];

/**
 * Starts the server on a free port; rejects with its output when it exits or does not start in time.
 * `viaNpm` runs `npm run server` as its own process group, and `kill()` SIGKILLs the whole group,
 * as a container runtime or a terminal would.
 */
export async function startServerProcess(
  env: Record<string, string>,
  options: { timeoutMs?: number; entry?: string[]; viaNpm?: boolean } = {},
): Promise<ServerProcess> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: '0', SEATKIT_API_KEY: PROCESS_API_KEY, SEATKIT_LOG_REQUESTS: 'off', ...env };
  // The child is a server, not a test file of this run.
  delete childEnv.NODE_TEST_CONTEXT;
  delete childEnv.NODE_OPTIONS;
  const started = performance.now();
  const child = options.viaNpm
    ? spawn('npm', ['run', '--silent', 'server'], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    : spawn(process.execPath, options.entry ?? SOURCE_ENTRY, { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });
  let onLine: (line: string) => void = () => {};
  for (const stream of [child.stdout!, child.stderr!]) {
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        output.push(line);
        onLine(line);
      }
    });
  }
  const kill = async () => {
    if (options.viaNpm) process.kill(-child.pid!, 'SIGKILL');
    else if (!exitInfo) child.kill('SIGKILL');
    await exited;
  };
  const timeoutMs = options.timeoutMs ?? 20_000;
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not start within ${timeoutMs} ms:\n${output.join('\n')}`)), timeoutMs);
      const check = (line: string) => {
        const match = /seatkit API listening on (http:\/\/localhost:\d+)/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      };
      onLine = check;
      output.forEach(check);
      void exited.then((info) => {
        clearTimeout(timer);
        reject(new Error(`the server exited (${info.code ?? info.signal}) before listening:\n${output.join('\n')}`));
      });
    });
  } catch (error) {
    await kill();
    throw error;
  }
  const listeningMs = performance.now() - started;
  for (;;) {
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (performance.now() - started > timeoutMs) {
      await kill();
      throw new Error(`/healthz did not answer within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const readyMs = performance.now() - started;
  return {
    url,
    pid: child.pid!,
    child,
    output,
    listeningMs,
    readyMs,
    exited,
    kill,
    async stop(graceMs = 5_000) {
      if (exitInfo) return;
      // Through npm, the whole group: npm may exit on the signal without passing it on to the server.
      const signal = (name: NodeJS.Signals) => {
        try {
          if (options.viaNpm) process.kill(-child.pid!, name);
          else child.kill(name);
        } catch {
          /* gone already */
        }
      };
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      await exited;
      // Through npm, npm may be gone before the server: wait for every process of the group.
      const groupAlive = () => {
        try {
          process.kill(-child.pid!, 0);
          return true;
        } catch {
          return false;
        }
      };
      while (options.viaNpm && groupAlive()) await new Promise((resolve) => setTimeout(resolve, 25));
      clearTimeout(timer);
    },
  };
}

export interface HttpReply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** One HTTP request to a running server; rejects only when no complete answer came (network error). */
export async function http<T = any>(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<HttpReply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: response.status, headers: response.headers, body: body as T };
}

/** Every page of a list (`{ data, nextCursor }`). */
export async function listAll<T = any>(base: string, path: string, token: string): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const res: HttpReply = await http(base, 'GET', `${path}${separator}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    all.push(...(res.body.data as T[]));
    cursor = res.body.nextCursor as string | null;
  } while (cursor);
  return all;
}

/** Creates an account with the API key and mints an owner session. */
export async function createAccountOver(
  base: string,
  options: { name?: string; quantity: number; ownerEmail?: string; apiKey?: string },
): Promise<{ accountId: string; ownerId: string; ownerToken: string }> {
  const apiKey = options.apiKey ?? PROCESS_API_KEY;
  const created = await http(base, 'POST', '/v1/accounts', {
    token: apiKey,
    body: {
      name: options.name ?? 'Load Test Inc',
      licenses: { quantity: options.quantity, unitPrice: 400, currency: 'USD', interval: 'month' },
      owner: { email: options.ownerEmail ?? 'owner@load.example', firstName: 'Olive', lastName: 'Owner' },
    },
  });
  if (created.status !== 201) throw new Error(`create account: ${created.status} ${JSON.stringify(created.body)}`);
  const accountId = created.body.account.id as string;
  const ownerId = created.body.owner.id as string;
  const session = await http(base, 'POST', `/v1/accounts/${accountId}/sessions`, { token: apiKey, body: { userId: ownerId, ttlSeconds: 24 * 60 * 60 } });
  if (session.status !== 200) throw new Error(`session: ${session.status} ${JSON.stringify(session.body)}`);
  return { accountId, ownerId, ownerToken: session.body.token as string };
}

/** Sorted sample → percentile (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}
