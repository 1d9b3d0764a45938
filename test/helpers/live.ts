/**
 * The real server over real HTTP, in this process (`start()` of server/node.ts on a free port, a
 * temporary data folder), and webhook receivers on loopback that record what they get.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeatAdmin } from '../../sdk/index.js';
import { start, type Started } from '../../server/node.js';
import { API_KEY, TEST_STORE } from './api.js';
import { freshDatabase } from './postgres.js';

export interface LiveServer extends Started {
  dir: string;
  admin: SeatAdmin;
  /** Every log line, parsed. */
  logs: Record<string, unknown>[];
  /** Stops the server; `keepData` leaves the folder for a restart. */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /** The server's database, when the run checks PostgreSQL. */
  databaseUrl?: string;
}

/** Each data folder's database under a PostgreSQL run: one per server, as a folder is, kept for a restart on the same folder. */
const databases = new Map<string, Awaited<ReturnType<typeof freshDatabase>>>();

/**
 * The server on a data folder (the file store), or on a database of its own when the run checks
 * PostgreSQL (SEATKIT_TEST_STORE=postgres): a restart on the same `dir` then finds the same data.
 */
export async function liveServer(env: Record<string, string> = {}, dir?: string): Promise<LiveServer> {
  const folder = dir ?? (await mkdtemp(join(tmpdir(), 'seatkit-live-')));
  let database = databases.get(folder);
  if (TEST_STORE === 'postgres' && !database) databases.set(folder, (database = await freshDatabase()));
  if (database) env = { DATABASE_URL: database.url, SEATKIT_DATABASE_POOL: '4', ...env };
  const logs: Record<string, unknown>[] = [];
  const started = await start(
    { PORT: '0', SEATKIT_DB: folder, SEATKIT_API_KEY: API_KEY, SEATKIT_RATE_LIMITS: 'off', SEATKIT_LOG_REQUESTS: 'off', SMTP_URL: '', ...env },
    (line) => {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ message: line });
      }
    },
  );
  return {
    ...started,
    dir: folder,
    databaseUrl: database?.url,
    logs,
    admin: new SeatAdmin({ baseUrl: started.url, apiKey: API_KEY }),
    async stop(options = {}) {
      await started.close();
      if (options.keepData) return;
      await rm(folder, { recursive: true, force: true });
      await database?.drop();
      databases.delete(folder);
    },
  };
}

export interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Resolves once `count` requests came (or rejects after `ms`). */
  waitFor(count: number, ms?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/**
 * A webhook receiver: `answer` decides each response (its status, or 'hang' for no answer at all);
 * every request is recorded first.
 */
export async function receiver(answer: (request: Received, index: number) => number | 'hang' = () => 204): Promise<Receiver> {
  const received: Received[] = [];
  const waiting: { count: number; resolve: () => void }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const request = { headers: req.headers, body, at: Date.now() };
      received.push(request);
      for (const w of waiting.filter((w) => received.length >= w.count)) w.resolve();
      const status = answer(request, received.length - 1);
      if (status !== 'hang') res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    waitFor(count, ms = 15_000) {
      if (received.length >= count) return Promise.resolve(received);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${received.length} of ${count} webhook requests within ${ms} ms`)), ms);
        waiting.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(received);
          },
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
