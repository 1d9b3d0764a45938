/**
 * The file-system seam of the file store: every disk operation it makes goes through this
 * interface, so tests can inject failures (disk full, I/O errors, failing fsync) at any point.
 */
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, rename, unlink, mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface WritableFile {
  /** Writes all of `data` at `position`. */
  write(data: string, position: number): Promise<void>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface ReadableFile {
  /** `length` bytes from `position` (fewer at the end of the file). */
  read(position: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

export interface FileSystem {
  readFile(path: string): Promise<string>;
  /** The file's bytes in order, a chunk at a time (files too large to read as one string). */
  stream(path: string): AsyncIterable<Buffer>;
  /** Opens a file for reads at any position (kept open across reads). */
  openRead(path: string): Promise<ReadableFile>;
  /** `a+`: open or create for appending; `w`: create or truncate; `wx`: create, failing if it exists. `mode` for a new file. */
  open(path: string, flags: 'a+' | 'w' | 'wx', mode?: number): Promise<WritableFile>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  /** Removes a folder and everything in it. */
  removeDir(path: string): Promise<void>;
  /** Makes a directory's entries (a rename, a new file) durable. */
  syncDir(path: string): Promise<void>;
}

export const nodeFileSystem: FileSystem = {
  readFile: (path) => readFile(path, 'utf8'),
  stream: (path) => createReadStream(path, { highWaterMark: 1 << 20 }),
  async openRead(path) {
    const handle = await open(path, 'r');
    return {
      async read(position, length) {
        const buffer = Buffer.allocUnsafe(length);
        let filled = 0;
        while (filled < length) {
          const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return buffer.subarray(0, filled);
      },
      close: () => handle.close(),
    };
  },
  async open(path, flags, mode) {
    const handle = await open(path, flags, mode);
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
  removeDir: (path) => rm(path, { recursive: true, force: true }),
  async syncDir(path) {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

/**
 * Writes a whole file atomically and durably: a temp file, fsync, rename, fsync of the folder.
 * `text` may come in pieces (written one after the other). Answers the bytes written.
 */
export async function writeFileAtomic(fs: FileSystem, path: string, text: string | readonly string[], mode?: number): Promise<number> {
  const temp = `${path}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
  const file = await fs.open(temp, 'w', mode);
  let bytes = 0;
  try {
    for (const piece of typeof text === 'string' ? [text] : text) {
      await file.write(piece, bytes);
      bytes += Buffer.byteLength(piece);
    }
    await file.sync();
    await file.close();
  } catch (error) {
    await file.close().catch(() => {});
    await fs.unlink(temp).catch(() => {});
    throw error;
  }
  try {
    await fs.rename(temp, path);
  } catch (error) {
    await fs.unlink(temp).catch(() => {});
    throw error;
  }
  await fs.syncDir(dirname(path));
  return bytes;
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

/**
 * Reads a JSON-lines file as a stream, line by line (a file of any size, never one string): calls
 * `onLine` with each complete line's text, its 1-based number and its byte offset. A last line
 * without its newline is a write that never completed: it is not passed on, and its size is
 * returned as `tornBytes`. A missing file reads as empty.
 */
export async function scanLines(
  fs: FileSystem,
  path: string,
  onLine: (text: string, lineNumber: number, offset: number) => void,
): Promise<{ bytes: number; lines: number; tornBytes: number }> {
  let carry: Buffer = Buffer.alloc(0);
  let offset = 0;
  let lines = 0;
  try {
    for await (const chunk of fs.stream(path)) {
      const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      let start = 0;
      for (let newline = data.indexOf(10, start); newline !== -1; newline = data.indexOf(10, start)) {
        lines++;
        onLine(data.toString('utf8', start, newline), lines, offset);
        offset += newline + 1 - start;
        start = newline + 1;
      }
      carry = data.subarray(start);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { bytes: 0, lines: 0, tornBytes: 0 };
    throw error;
  }
  return { bytes: offset, lines, tornBytes: carry.length };
}
