/**
 * One process per data folder: a lock file holding the owner's pid. A second process is refused
 * while that pid lives; a lock left by a killed process (its pid gone) is taken over.
 */
import type { FileSystem } from './fs.js';

export interface Lock {
  release(): Promise<void>;
}

export class DataLockedError extends Error {
  constructor(path: string, pid: number) {
    super(`${path}: another seatkit server (pid ${pid}) is using this data folder. Stop it, or give this one another SEATKIT_DB.`);
    this.name = 'DataLockedError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readPid(fs: FileSystem, path: string): Promise<number | undefined> {
  try {
    const pid = Number((JSON.parse(await fs.readFile(path)) as { pid?: unknown }).pid);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export async function acquireLock(fs: FileSystem, path: string): Promise<Lock> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = await fs.open(path, 'wx');
      await file.write(JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }), 0);
      await file.sync();
      await file.close();
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          await fs.unlink(path).catch(() => {});
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    // A lock without a readable pid is being written by a process starting right now, or was
    // left half-written by one that died: look again a moment later before calling it stale.
    let pid = await readPid(fs, path);
    if (pid === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      pid = await readPid(fs, path);
    }
    if (pid !== undefined && alive(pid)) throw new DataLockedError(path, pid);
    await fs.unlink(path).catch(() => {});
  }
  throw new Error(`${path}: could not take the lock`);
}
