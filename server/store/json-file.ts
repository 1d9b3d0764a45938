/**
 * A lowdb adapter for one JSON document of the data folder: written whole, atomically and durably
 * (a temp file, fsync, rename), so the file is always one complete document; read back checked,
 * so a file that is empty, damaged or of the wrong shape stops start-up naming the file.
 *
 * The document is serialised a slice at a time (`jsonInSlices`): an account's checkpoint at
 * 10,000 users is about 5 MB of JSON, 15–20 ms of `JSON.stringify` that would hold every request
 * waiting behind it.
 */
import { CorruptDataError, writeFileAtomic, type FileSystem } from './fs.js';

/** How long one slice of serialising may hold the event loop. */
const SLICE_MS = 2;
/** Pieces are gathered into strings of about this many characters (one file write each). */
const CHUNK_CHARS = 1 << 16;

/**
 * `JSON.stringify(value)` as a list of strings (their concatenation is the same text), made a few
 * milliseconds at a time with the event loop free in between. Arrays and plain objects are
 * descended into `depth` levels down (a checkpoint's users, one by one); what lies deeper is
 * serialised whole. The value must not change meanwhile: the store's documents never do, each
 * change making new ones.
 */
export async function jsonInSlices(value: unknown, { depth = 3, sliceMs = SLICE_MS } = {}): Promise<string[]> {
  const chunks: string[] = [];
  let chunk = '';
  let sliceStart = performance.now();
  let count = 0;
  for (const piece of jsonPieces(value, depth)) {
    chunk += piece;
    if (chunk.length >= CHUNK_CHARS) {
      chunks.push(chunk);
      chunk = '';
    }
    if ((++count & 31) === 0 && performance.now() - sliceStart >= sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
  if (chunk !== '' || chunks.length === 0) chunks.push(chunk);
  return chunks;
}

/** A container `JSON.stringify` writes member by member (no `toJSON` of its own). */
function isContainer(value: unknown): value is unknown[] | Record<string, unknown> {
  if (value === null || typeof value !== 'object' || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return Array.isArray(value) || proto === Object.prototype || proto === null;
}

function* jsonPieces(value: unknown, depth: number): Generator<string> {
  if (depth <= 0 || !isContainer(value)) {
    yield JSON.stringify(value) ?? 'null';
    return;
  }
  if (Array.isArray(value)) {
    yield '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ',';
      // What JSON.stringify writes for undefined, a function or a symbol in an array: null.
      yield* jsonPieces(value[i], depth - 1);
    }
    yield ']';
    return;
  }
  yield '{';
  let first = true;
  for (const key of Object.keys(value)) {
    const member = value[key];
    // Members JSON.stringify leaves out.
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    yield `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    yield* jsonPieces(member, depth - 1);
  }
  yield '}';
}

export class JsonFile<T> {
  /** Bytes of the text last read or written (0 before either). */
  size = 0;

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
    this.size = Buffer.byteLength(text);
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
    if (data !== null) this.size = await writeFileAtomic(this.fs, this.path, await jsonInSlices(data), this.mode);
  }
}
