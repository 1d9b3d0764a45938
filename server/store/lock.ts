/**
 * One process per data folder, held by the operating system: the holder listens on a Unix socket
 * in the folder (`seatkit.lock`). When the holder dies (killed, crashed, in any PID namespace, a
 * zombie for a moment) the kernel closes its socket: a connect is refused, and the next process
 * takes the folder over. No pid is trusted, so a reused pid (pid 1 in a fresh container, or an
 * unrelated live process) never blocks a restart. A live holder answers a connect with its pid,
 * so a second server is refused with a message naming it.
 *
 * Taking over a dead holder's socket (remove the file, listen again) is serialised by a short-lived
 * `seatkit.lock.takeover` file, so two processes starting together cannot both win.
 */
import { connect, createServer, type Server } from 'node:net';
import { open, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface Lock {
  release(): Promise<void>;
}

export class DataLockedError extends Error {
  constructor(path: string, pid: number | undefined) {
    super(
      `${path}: another seatkit server${pid ? ` (pid ${pid})` : ''} is using this data folder. Stop it, or give this one another SEATKIT_DB.`,
    );
    this.name = 'DataLockedError';
  }
}

/** Unix socket paths are limited to ~107 bytes: a longer one is reached through the folder's open descriptor. */
const SOCKET_PATH_MAX = 100;

/** A takeover file older than this was left by a process that died while taking over. */
const STALE_TAKEOVER_MS = 10_000;

function listen(server: Server, path: string): Promise<'listening' | 'in-use'> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') resolve('in-use');
      else reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve('listening');
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(path);
  });
}

/** Asks whoever listens on `path`: its pid, `null` when nobody does (the holder died), or undefined when it does not say. */
function probe(path: string): Promise<number | undefined | null> {
  return new Promise((resolve) => {
    const socket = connect(path);
    let data = '';
    const done = (value: number | undefined | null) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(2000, () => done(undefined));
    socket.on('data', (chunk) => {
      data += chunk.toString('utf8');
      if (data.length > 200) done(undefined);
    });
    socket.on('end', () => {
      const pid = Number((JSON.parse(data || '{}') as { pid?: unknown }).pid);
      done(Number.isInteger(pid) && pid > 0 ? pid : undefined);
    });
    // Refused (no listener), no file, or not a socket (a lock file of an older seatkit): free.
    socket.on('error', (error: NodeJS.ErrnoException) => done(['ECONNREFUSED', 'ENOENT', 'ENOTSOCK'].includes(error.code ?? '') ? null : undefined));
  });
}

async function removeIfExists(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** Holds the takeover file while `fn` runs; waits for (or clears, when stale) another process's. */
async function takingOver<T>(path: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      const file = await open(path, 'wx');
      await file.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > STALE_TAKEOVER_MS) await removeIfExists(path);
      else if (attempt > 100) throw new Error(`${path}: another process has been taking over the data folder for too long`, { cause: error });
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  try {
    return await fn();
  } finally {
    await removeIfExists(path);
  }
}

/** Takes the lock of the folder holding `path`, or throws DataLockedError while a live process holds it. */
export async function acquireLock(path: string): Promise<Lock> {
  const folder = dirname(path);
  // A long folder path is reached through an open descriptor of the folder (Linux).
  let folderHandle: Awaited<ReturnType<typeof open>> | undefined;
  let socketPath = path;
  if (Buffer.byteLength(path) > SOCKET_PATH_MAX && process.platform === 'linux') {
    folderHandle = await open(folder, 'r');
    socketPath = `/proc/self/fd/${folderHandle.fd}/${basename(path)}`;
  }
  const server = createServer((socket) => socket.end(JSON.stringify({ pid: process.pid })));
  server.unref();
  const fail = async (error: unknown): Promise<never> => {
    server.close();
    await folderHandle?.close();
    throw error;
  };
  try {
    if ((await listen(server, socketPath)) === 'in-use') {
      const holder = await probe(socketPath);
      if (holder !== null) throw new DataLockedError(folder, holder);
      await takingOver(join(folder, `${basename(path)}.takeover`), async () => {
        // Looked at again under the takeover file: another process may have taken over meanwhile.
        const again = await probe(socketPath);
        if (again !== null) throw new DataLockedError(folder, again);
        await removeIfExists(path);
        if ((await listen(server, socketPath)) === 'in-use') throw new DataLockedError(folder, await probe(socketPath) ?? undefined);
      });
    }
  } catch (error) {
    return fail(error);
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      // Closing the server removes the socket file.
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await removeIfExists(path).catch(() => {});
      await folderHandle?.close();
    },
  };
}
