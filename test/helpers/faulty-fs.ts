/**
 * The file store's FileSystem seam with faults injected: wraps the real file system, records every
 * write-side call and fails the calls `control.fault` picks (as root, chmod does not stop writes,
 * so read-only and full disks are simulated here).
 */
import { nodeFileSystem, type FileSystem, type WritableFile } from '../../server/store/fs.js';

export type FsOp = 'write' | 'sync' | 'truncate' | 'open' | 'rename' | 'syncDir' | 'unlink' | 'mkdir';

export interface FsCall {
  op: FsOp;
  path: string;
}

export interface FsFault {
  /** Without an error the call only waits `delayMs`, then succeeds. */
  error?: NodeJS.ErrnoException;
  /** For `write`: part of the data reaches the file before the error (a short write). */
  partial?: boolean;
  /** Waits this long before failing (so that more changes queue behind the failing one). */
  delayMs?: number;
}

/** A segment of an account's journal (`<dir>/accounts/<id>/journal/<n>.log`). */
export const isJournal = (path: string) => /[/\\]accounts[/\\][^/\\]+[/\\]journal[/\\]\d+\.log$/.test(path);

export function errno(code: 'ENOSPC' | 'EIO' | 'EROFS'): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected by the test`), { code });
}

export function faultyFs() {
  const calls: FsCall[] = [];
  const control = {
    calls,
    /** Return a fault to make this call fail. */
    fault: (_call: FsCall): FsFault | undefined => undefined,
    failed: 0,
    /** How many `op` calls were made on the files `which` picks (journals by default). */
    count(op: FsOp, which: (path: string) => boolean = isJournal) {
      return calls.filter((c) => c.op === op && which(c.path)).length;
    },
  };
  async function check<T>(call: FsCall, real: () => Promise<T>, partial?: () => Promise<void>): Promise<T> {
    calls.push(call);
    const fault = control.fault(call);
    if (!fault) return real();
    if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (!fault.error) return real();
    control.failed++;
    if (fault.partial && partial) await partial();
    throw fault.error;
  }
  const fs: FileSystem = {
    ...nodeFileSystem,
    async open(path, flags, mode) {
      const real: WritableFile = await check({ op: 'open', path }, () => nodeFileSystem.open(path, flags, mode));
      return {
        write: (data, position) =>
          check(
            { op: 'write', path },
            () => real.write(data, position),
            () => real.write(data.slice(0, Math.max(1, Math.floor(data.length / 2))), position),
          ),
        sync: () => check({ op: 'sync', path }, () => real.sync()),
        truncate: (length) => check({ op: 'truncate', path }, () => real.truncate(length)),
        close: () => real.close(),
      };
    },
    rename: (from, to) => check({ op: 'rename', path: to }, () => nodeFileSystem.rename(from, to)),
    unlink: (path) => check({ op: 'unlink', path }, () => nodeFileSystem.unlink(path)),
    mkdir: (path) => check({ op: 'mkdir', path }, () => nodeFileSystem.mkdir(path)),
    syncDir: (path) => check({ op: 'syncDir', path }, () => nodeFileSystem.syncDir(path)),
  };
  return { fs, control };
}

/** A small seeded PRNG (mulberry32), so a failing round can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
