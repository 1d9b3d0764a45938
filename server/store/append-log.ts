/**
 * An append-only JSON-lines file with group commit: appends that arrive while a write is in
 * flight are written and fsync'd together, and each append resolves only once it is on disk.
 *
 * A crash can leave a torn last line (a write that was never acknowledged): opening the log
 * drops it. A bad line anywhere else is corruption: opening refuses.
 */
import { Buffer } from 'node:buffer';
import { CorruptDataError, scanLines, type FileSystem, type WritableFile } from './fs.js';

interface Pending {
  line: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class AppendLog {
  #queue: Pending[] = [];
  #writing: Promise<void> | null = null;
  /** Bytes known to be durable; anything past it is a failed write to cut off. */
  #size: number;
  #dirty = false;

  private constructor(
    readonly path: string,
    private readonly file: WritableFile,
    size: number,
    /** Called synchronously when a write fails, before any waiting append is rejected. */
    public onFailure: (error: unknown) => void,
  ) {
    this.#size = size;
  }

  /**
   * Opens (or creates) a log, reading it as a stream: `onRecord` gets each record with its line
   * number (and may throw to refuse the file). A torn last line is cut off.
   */
  static async open(
    fs: FileSystem,
    path: string,
    options: { onRecord?: (record: unknown, lineNumber: number) => void; onFailure?: (error: unknown) => void; log?: (line: string) => void } = {},
  ): Promise<AppendLog> {
    const { bytes, tornBytes } = await scanLines(fs, path, (line, lineNumber) => {
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        throw new CorruptDataError(path, `line ${lineNumber} is not valid JSON`);
      }
      options.onRecord?.(record, lineNumber);
    });
    const file = await fs.open(path, 'a+');
    if (tornBytes > 0) {
      options.log?.(`${path}: dropping a torn last line (${tornBytes} bytes) left by an interrupted write`);
      await file.truncate(bytes);
      await file.sync();
    }
    return new AppendLog(path, file, bytes, options.onFailure ?? (() => {}));
  }

  /** Bytes on disk (acknowledged appends). */
  get bytes(): number {
    return this.#size;
  }

  /** Appends one record; resolves once it is durable. */
  append(record: unknown): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    return new Promise((resolve, reject) => {
      this.#queue.push({ line, resolve, reject });
      this.#writing ??= this.#drain();
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      const data = batch.map((p) => p.line).join('');
      try {
        if (this.#dirty && !(await this.#cutOff())) throw new Error(`${this.path}: could not cut off a failed write`);
        this.#dirty = true;
        await this.file.write(data, this.#size);
        await this.file.sync();
        this.#dirty = false;
        this.#size += Buffer.byteLength(data, 'utf8');
        for (const p of batch) p.resolve();
      } catch (error) {
        // Whatever was queued behind the failed batch was built on it: it fails too. The owner
        // rolls back first, so appends made from now on are built on what is durable.
        const failed = [...batch, ...this.#queue];
        this.#queue = [];
        this.onFailure(error);
        // Cut the failed bytes off now, so not even a restart can bring back a change answered as failed.
        await this.#cutOff();
        for (const p of failed) p.reject(error);
      }
    }
    this.#writing = null;
  }

  /** Truncates the file back to its durable size; false if that failed too (tried again before the next write). */
  async #cutOff(): Promise<boolean> {
    try {
      await this.file.truncate(this.#size);
      await this.file.sync();
      this.#dirty = false;
      return true;
    } catch {
      return false;
    }
  }

  /** Waits for every append made so far. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.#dirty) await this.#cutOff();
    await this.file.close();
  }
}
