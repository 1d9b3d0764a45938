/**
 * An account's audit log on disk (the file store): JSON lines in parts of `EVENTS_PER_PART` (16,384)
 * events (`events/<n>.log`). A full part is sealed with an index (`<n>.idx.json`: the byte offset
 * of each event and which events name each user), so start-up reads indexes, not events, memory
 * holds positions, not events, and a page reads only its own events from disk.
 *
 * Events arrive here after the journal line holding them is durable; the journal stays the record
 * of them until a checkpoint, and the store calls `sync()` before a checkpoint lets the journal go.
 * So a write that fails here loses nothing: it is logged and tried again, and reads are answered
 * from memory meanwhile; at the next start the journal fills in whatever did not reach these files.
 */
import { Buffer } from 'node:buffer';
import { join } from 'node:path';
import type { AuditEvent } from '../../sdk/types.js';
import { EventIndex } from './event-index.js';
import { CorruptDataError, scanLines, writeFileAtomic, type FileSystem, type ReadableFile, type WritableFile } from './fs.js';
import { checkEvent } from './records.js';

/** Events per part of the log (a sealed part's index holds one offset per event). */
export const EVENTS_PER_PART = 16_384;

/** Parts kept open for reading (the newest pages read the newest parts). */
const READERS_KEPT = 8;
/** Wanted events at most this many positions apart are read together (the lines between skipped). */
const READ_GAP = 32;

/** A part open for reading; closed once evicted and no read uses it. */
interface Reader {
  file: Promise<ReadableFile>;
  reads: number;
  evicted: boolean;
}

interface PartIndex {
  format: 1;
  count: number;
  /** Byte offsets of the part's events and of its end (`count + 1` little-endian uint32, base64). */
  offsets: string;
  /** User id → positions (in the whole log) of the part's events naming that user. */
  users: Record<string, number[]>;
}

const partName = (n: number) => String(n).padStart(8, '0');

function isPartIndex(value: unknown, perPart: number): value is PartIndex {
  const index = value as PartIndex;
  return (
    typeof index === 'object' &&
    index !== null &&
    index.format === 1 &&
    index.count === perPart &&
    typeof index.offsets === 'string' &&
    typeof index.users === 'object' &&
    index.users !== null &&
    Object.values(index.users).every((list) => Array.isArray(list) && list.every((p) => Number.isInteger(p)))
  );
}

export class EventFiles {
  readonly index = new EventIndex();
  /** Per part, the byte offset of each event written or being written, and of the part's end. */
  readonly #offsets: (Uint32Array | number[])[] = [];
  /** Events on their way to disk: positions `#written` … `index.count - 1`. */
  #pending: { event: AuditEvent; line: string }[] = [];
  #written = 0;
  #writing: Promise<void> | null = null;
  #open: { part: number; file: WritableFile; bytes: number; dirty: boolean } | null = null;
  #retry: ReturnType<typeof setTimeout> | null = null;
  #failure: unknown = null;
  #closed = false;
  /** Open read handles by part, least recently used first. */
  readonly #readers = new Map<number, Reader>();

  private constructor(
    private readonly fs: FileSystem,
    readonly dir: string,
    private readonly log: (line: string) => void,
    private readonly perPart: number,
  ) {}

  /**
   * Reads the indexes of sealed parts and scans the open part. Events from position `repairable`
   * on are still in the journal: a damaged line there is cut off (the journal writes it again);
   * damage before it stops start-up, naming the file and the line.
   */
  static async open(fs: FileSystem, dir: string, options: { repairable: number; log?: (line: string) => void; perPart?: number }): Promise<EventFiles> {
    const files = new EventFiles(fs, dir, options.log ?? (() => {}), options.perPart ?? EVENTS_PER_PART);
    await fs.mkdir(dir);
    await files.#load(options.repairable);
    return files;
  }

  get count(): number {
    return this.index.count;
  }

  async #load(repairable: number): Promise<void> {
    const names = new Set(await this.fs.readdir(this.dir));
    for (const name of names) if (name.endsWith('.tmp')) await this.fs.unlink(join(this.dir, name)).catch(() => {});
    let part = 0;
    for (; names.has(`${partName(part)}.idx.json`); part++) await this.#loadSealed(part);
    await this.#scanOpen(part, repairable);
    const open = this.#open!.part;
    for (const name of names) {
      const n = Number.parseInt(name, 10);
      if (/^\d{8}\.(log|idx\.json)$/.test(name) && n > open) {
        throw new CorruptDataError(join(this.dir, name), `part ${n} follows part ${open}, which is not sealed`);
      }
    }
  }

  async #loadSealed(part: number): Promise<void> {
    const path = join(this.dir, `${partName(part)}.idx.json`);
    let index: unknown;
    try {
      index = JSON.parse(await this.fs.readFile(path));
    } catch {
      throw new CorruptDataError(path, 'the file is not valid JSON');
    }
    if (!isPartIndex(index, this.perPart)) throw new CorruptDataError(path, 'the file is not an index of a full part of the audit log');
    const bytes = Buffer.from(index.offsets, 'base64');
    if (bytes.length !== (this.perPart + 1) * 4) throw new CorruptDataError(path, 'its offsets do not match its count');
    const offsets = new Uint32Array(this.perPart + 1);
    for (let i = 0; i <= this.perPart; i++) offsets[i] = bytes.readUInt32LE(i * 4);
    this.#offsets[part] = offsets;
    this.index.load((part + 1) * this.perPart, Object.entries(index.users));
    this.#written = (part + 1) * this.perPart;
  }

  /** Scans the part being written; a full one (its index not written before a crash) is sealed now. */
  async #scanOpen(part: number, repairable: number): Promise<void> {
    const path = join(this.dir, `${partName(part)}.log`);
    const offsets: number[] = [0];
    let cut: number | undefined;
    const { tornBytes } = await scanLines(this.fs, path, (line, lineNumber, offset) => {
      if (cut !== undefined) return;
      const position = part * this.perPart + lineNumber - 1;
      let event: unknown;
      let problem: string | null;
      try {
        event = JSON.parse(line);
        problem = checkEvent(event);
      } catch {
        problem = 'not valid JSON';
      }
      if (problem !== null) {
        if (position < repairable) throw new CorruptDataError(path, `line ${lineNumber} is not an audit event (${problem})`);
        cut = offset;
        return;
      }
      this.index.add((event as AuditEvent).userIds);
      offsets.push(offset + Buffer.byteLength(line) + 1);
    });
    const bytes = offsets.at(-1)!;
    this.#offsets[part] = offsets;
    this.#written = part * this.perPart + offsets.length - 1;
    const file = await this.fs.open(path, 'a+');
    this.#open = { part, file, bytes, dirty: false };
    if (cut !== undefined || tornBytes > 0) {
      this.log(`${path}: cutting off ${cut !== undefined ? 'a damaged line and what follows it' : 'a torn last line'} (the journal holds those events)`);
      await file.truncate(bytes);
      await file.sync();
    }
    if (offsets.length - 1 === this.perPart) {
      await this.#seal();
      await this.#scanOpen(part + 1, repairable);
    }
  }

  /** Adds events at the end of the log (written in the background; readable at once). */
  append(events: readonly AuditEvent[]): void {
    for (const event of events) {
      const line = `${JSON.stringify(event)}\n`;
      const position = this.index.add(event.userIds);
      const part = Math.floor(position / this.perPart);
      const offsets = (this.#offsets[part] ??= [0]) as number[];
      offsets.push(offsets.at(-1)! + Buffer.byteLength(line));
      this.#pending.push({ event, line });
    }
    this.#kick();
  }

  /** Starts writing what is pending, unless a write is under way (it takes what arrives meanwhile). */
  #kick(): void {
    if (this.#writing || this.#pending.length === 0 || this.#closed) return;
    this.#writing = this.#drain().finally(() => {
      this.#writing = null;
      // Events appended while the last write finished; after a failure the retry timer takes over.
      if (this.#failure === null) this.#kick();
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0 && !this.#closed) {
        const open = this.#open!;
        const room = (open.part + 1) * this.perPart - this.#written;
        const batch = this.#pending.slice(0, room);
        const data = batch.map((p) => p.line).join('');
        if (open.dirty) {
          await open.file.truncate(open.bytes);
          open.dirty = false;
        }
        open.dirty = true;
        await open.file.write(data, open.bytes);
        open.dirty = false;
        open.bytes += Buffer.byteLength(data);
        this.#written += batch.length;
        this.#pending = this.#pending.slice(batch.length);
        this.#failure = null;
        if (this.#written === (open.part + 1) * this.perPart) {
          await this.#seal();
          const path = join(this.dir, `${partName(open.part + 1)}.log`);
          this.#open = { part: open.part + 1, file: await this.fs.open(path, 'a+'), bytes: 0, dirty: false };
        }
      }
    } catch (error) {
      if (this.#failure === null) this.log(`${this.dir}: writing audit events failed (kept in memory and in the journal, retrying): ${String(error)}`);
      this.#failure = error;
      this.#retry ??= setTimeout(() => {
        this.#retry = null;
        this.#kick();
      }, 1000);
      (this.#retry as { unref?: () => void }).unref?.();
    }
  }

  /** Makes the open part durable and writes the index of the now full part. */
  async #seal(): Promise<void> {
    const open = this.#open!;
    await open.file.sync();
    await open.file.close();
    const start = open.part * this.perPart;
    const offsets = Uint32Array.from(this.#offsets[open.part]!);
    const bytes = Buffer.alloc(offsets.length * 4);
    offsets.forEach((offset, i) => bytes.writeUInt32LE(offset, i * 4));
    const index: PartIndex = {
      format: 1,
      count: this.perPart,
      offsets: bytes.toString('base64'),
      users: Object.fromEntries(this.index.usersBetween(start, start + this.perPart)),
    };
    await writeFileAtomic(this.fs, join(this.dir, `${partName(open.part)}.idx.json`), JSON.stringify(index));
    this.#offsets[open.part] = offsets;
  }

  /** Waits for every event appended so far to be written, and makes them durable; throws while writes fail. */
  async sync(): Promise<void> {
    while (this.#writing) await this.#writing;
    if (this.#pending.length > 0) throw this.#failure ?? new Error(`${this.dir}: audit events not written yet`);
    await this.#open?.file.sync();
  }

  /** The events at `positions`, in that order. */
  async read(positions: readonly number[]): Promise<AuditEvent[]> {
    const found = new Map<number, AuditEvent>();
    const onDisk: number[] = [];
    const written = this.#written;
    for (const position of positions) {
      if (position >= written) found.set(position, this.#pending[position - written]!.event);
      else onDisk.push(position);
    }
    onDisk.sort((a, b) => a - b);
    // Positions close together in one part are read with one read (the lines between are skipped);
    // the reads run together.
    const reads: Promise<void>[] = [];
    for (let i = 0; i < onDisk.length; ) {
      const first = onDisk[i]!;
      const part = Math.floor(first / this.perPart);
      const wanted = [first];
      while (i + 1 < onDisk.length && onDisk[i + 1]! - wanted.at(-1)! <= READ_GAP && Math.floor(onDisk[i + 1]! / this.perPart) === part) wanted.push(onDisk[++i]!);
      i++;
      reads.push(this.#readSpan(part, wanted, found));
    }
    await Promise.all(reads);
    return positions.map((p) => found.get(p)!);
  }

  /** Reads the events at `wanted` (ascending, all in `part`) with one read of the span they cover. */
  async #readSpan(part: number, wanted: number[], found: Map<number, AuditEvent>): Promise<void> {
    const offsets = this.#offsets[part]!;
    const base = part * this.perPart;
    const first = wanted[0]!;
    const from = offsets[first - base]!;
    const to = offsets[wanted.at(-1)! - base + 1]!;
    const path = join(this.dir, `${partName(part)}.log`);
    const reader = this.#reader(part, path);
    reader.reads++;
    let bytes: Buffer;
    try {
      bytes = await (await reader.file).read(from, to - from);
    } finally {
      reader.reads--;
      if (reader.evicted && reader.reads === 0) void this.#release(reader);
    }
    for (const position of wanted) {
      const start = offsets[position - base]! - from;
      const end = offsets[position - base + 1]! - from - 1;
      try {
        found.set(position, JSON.parse(bytes.toString('utf8', start, end)) as AuditEvent);
      } catch {
        // A sealed part is not read back at start-up: damage shows here, naming the file.
        throw new CorruptDataError(path, `line ${position - base + 1} is not an audit event`);
      }
    }
  }

  #reader(part: number, path: string): Reader {
    let reader = this.#readers.get(part);
    if (reader) {
      this.#readers.delete(part);
    } else {
      reader = { file: this.fs.openRead(path), reads: 0, evicted: false };
      reader.file.catch(() => this.#readers.delete(part));
    }
    this.#readers.set(part, reader);
    if (this.#readers.size > READERS_KEPT) {
      const [oldest, evicted] = this.#readers.entries().next().value!;
      this.#readers.delete(oldest);
      evicted.evicted = true;
      if (evicted.reads === 0) void this.#release(evicted);
    }
    return reader;
  }

  async #release(reader: Reader): Promise<void> {
    await reader.file.then((file) => file.close()).catch(() => {});
  }

  async close(): Promise<void> {
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
    await this.sync().catch((error) => this.log(`${this.dir}: audit events not written at shutdown (the journal holds them): ${String(error)}`));
    this.#closed = true;
    await this.#open?.file.close();
    for (const reader of this.#readers.values()) await this.#release(reader);
    this.#readers.clear();
  }
}
