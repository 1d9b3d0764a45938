/**
 * The file-system seam of the file store: every disk operation it makes goes through this
 * interface, so tests can inject failures (disk full, I/O errors, failing fsync) at any point.
 */
import { open, readdir, readFile, rename, unlink, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface WritableFile {
  /** Writes all of `data` at `position`. */
  write(data: string, position: number): Promise<void>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface FileSystem {
  readFile(path: string): Promise<string>;
  /** `a+`: open or create for appending; `w`: create or truncate; `wx`: create, failing if it exists. */
  open(path: string, flags: 'a+' | 'w' | 'wx'): Promise<WritableFile>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  /** Makes a directory's entries (a rename, a new file) durable. */
  syncDir(path: string): Promise<void>;
}

export const nodeFileSystem: FileSystem = {
  readFile: (path) => readFile(path, 'utf8'),
  async open(path, flags) {
    const handle = await open(path, flags);
    return {
      async write(data, position) {
        const bytes = Buffer.from(data, 'utf8');
        let written = 0;
        while (written < bytes.length) {
          const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, position + written);
          written += bytesWritten;
        }
      },
      sync: () => handle.sync(),
      truncate: (length) => handle.truncate(length),
      close: () => handle.close(),
    };
  },
  rename: (from, to) => rename(from, to),
  unlink: (path) => unlink(path),
  mkdir: async (path) => void (await mkdir(path, { recursive: true })),
  readdir: (path) => readdir(path),
  async syncDir(path) {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

/** Writes a whole file atomically and durably: a temp file, fsync, rename, fsync of the folder. */
export async function writeFileAtomic(fs: FileSystem, path: string, text: string): Promise<void> {
  const temp = `${path}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
  const file = await fs.open(temp, 'w');
  try {
    await file.write(text, 0);
    await file.sync();
  } catch (error) {
    await file.close().catch(() => {});
    await fs.unlink(temp).catch(() => {});
    throw error;
  }
  await file.close();
  try {
    await fs.rename(temp, path);
  } catch (error) {
    await fs.unlink(temp).catch(() => {});
    throw error;
  }
  await fs.syncDir(dirname(path));
}

/** A data file that cannot be read as it must be: start-up stops and the file is left as it is. */
export class CorruptDataError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}. The file was left untouched; restore it from a backup or move it away, then start again.`);
    this.name = 'CorruptDataError';
  }
}
