/**
 * A lowdb adapter for one JSON document of the data folder: written whole, atomically and durably
 * (a temp file, fsync, rename), so the file is always one complete document; read back checked,
 * so a file that is empty, damaged or of the wrong shape stops start-up naming the file.
 */
import { CorruptDataError, writeFileAtomic, type FileSystem } from './fs.js';

export class JsonFile<T> {
  constructor(
    private readonly fs: FileSystem,
    readonly path: string,
    /** Why the parsed data is not what the file must hold, or null. */
    private readonly check: (data: unknown) => string | null,
    /** What the file holds, for messages ("a seatkit account checkpoint"). */
    private readonly what: string,
    /** Permissions of a new file (secrets: 0o600). */
    private readonly mode?: number,
  ) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await this.fs.readFile(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    if (text.trim() === '') throw new CorruptDataError(this.path, 'the file is empty');
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new CorruptDataError(this.path, 'the file is not valid JSON (truncated or damaged)');
    }
    const problem = this.check(data);
    if (problem) throw new CorruptDataError(this.path, `the file is not ${this.what} (${problem})`);
    return data as T;
  }

  async write(data: T | null): Promise<void> {
    if (data !== null) await writeFileAtomic(this.fs, this.path, JSON.stringify(data), this.mode);
  }
}
