/**
 * The durable store (Node): one data folder, and in it one folder per account:
 *
 *   accounts/<id>/checkpoint.json     the whole account as of some change (lowdb, atomic writes)
 *   accounts/<id>/journal/<seq>.log   what each change since changed, one JSON line per change,
 *                                     with its audit events; a segment is named by its first change
 *   accounts/<id>/events/             the audit log (see event-files.ts)
 *
 * A change costs one appended line (the entries it touched, not the whole account); concurrent
 * changes share one write and one fsync (group commit); a change is acknowledged only once its
 * line is on disk. Changes of one account are serialised but pipelined: the next runs on the state
 * the previous left while that state is being written. If a write fails, every change built on it
 * fails too (503) and the account goes back to what is on disk: nothing is half-applied.
 *
 * A checkpoint starts a new journal segment and retires the ones it covers, so start-up replays
 * little and the journal does not grow without end. Memory holds each account's document and the
 * positions of its audit events, not the events.
 */
import { Low } from 'lowdb';
import { join } from 'node:path';
import type { AuditEvent } from '../../sdk/types.js';
import type { AccountDoc, Outcome } from '../domain/state.js';
import { ApiError } from '../errors.js';
import { AppendLog } from './append-log.js';
import { ChangeFeed, changeOf } from './changes.js';
import { EventFiles } from './event-files.js';
import { CorruptDataError, nodeFileSystem, scanLines, writeFileAtomic, type FileSystem } from './fs.js';
import { JsonFile } from './json-file.js';
import type { WebhookEndpointRecord } from '../webhooks/endpoints.js';
import { migrateLegacyAccount } from './legacy.js';
import { acquireLock, type Lock } from './lock.js';
import { applyRecord, checkCheckpoint, checkRecord, diffDocs, encodeDoc, decodeDoc, eventsOf, segmentName, type Checkpoint, type JournalRecord } from './records.js';
import { reindexTokens, tokenHashes, type EventPage, type EventQuery, type Store } from './types.js';

/** A checkpoint waits for at least this many journal lines (or the bytes below: see `checkpointDue`). */
const CHECKPOINT_EVERY = 2000;
/** …or this many bytes of journal, for changes that each write a lot (batches). */
const CHECKPOINT_MIN_BYTES = 4 * 1024 * 1024;
/** How long after a failed checkpoint the next is tried (with a change made after that). */
const CHECKPOINT_RETRY_MS = 10_000;

/**
 * Whether an account's journal segment calls for a checkpoint. A checkpoint writes the whole
 * account, so it waits until the journal since the last one is as large as that checkpoint was:
 * checkpoints then write at most as many bytes as the changes themselves, however large the account
 * (at 10,000 users a checkpoint is about 5 MB, and taken every 2,000 changes it was most of the
 * store's work and the slowest 5 % of its answers), and start-up reads at most about twice the
 * account. A small account's checkpoint is cheap, but not worth taking every few changes: it also
 * waits for `every` lines, or CHECKPOINT_MIN_BYTES of them.
 */
function checkpointDue(journal: { lines: number; bytes: number }, checkpointBytes: number, policy: { every: number; weight: number }): boolean {
  return journal.bytes >= checkpointBytes * policy.weight && (journal.lines >= policy.every || journal.bytes >= CHECKPOINT_MIN_BYTES);
}

const ACCOUNT_ID = /^acc_[A-Za-z0-9_-]{1,64}$/;

/** An account's checkpoint (lowdb), and its file (for its size). */
class CheckpointFile extends Low<Checkpoint | null> {
  readonly file: JsonFile<Checkpoint>;

  constructor(fs: FileSystem, dir: string) {
    const file = new JsonFile<Checkpoint>(fs, join(dir, 'checkpoint.json'), checkCheckpoint, 'a seatkit account checkpoint');
    super(file, null);
    this.file = file;
  }
}

/** The webhook endpoints file: secrets, so only the server's user may read it. */
const ENDPOINTS_FILE = 'webhook-endpoints.json';

function checkEndpoints(data: unknown): string | null {
  const list = data as { format?: unknown; endpoints?: unknown };
  return list?.format === 1 && Array.isArray(list.endpoints) ? null : 'expected { format: 1, endpoints: [...] }';
}

/** One account in memory: its documents, its journal and its audit log. */
class AccountFiles {
  /** What is on disk. */
  durable: AccountDoc;
  /** What the next change runs on: durable plus changes being written. */
  head: AccountDoc;
  /** Sequence number of the last journal line written or being written, and of the last durable one. */
  seq: number;
  durableSeq: number;
  /** Audit events up to `head` (positions of the next change's events start here). */
  headEvents: number;
  /** Bumped when a failed write rolls `head` back: a change computed on the old head is void. */
  generation = 0;
  queue: Promise<unknown> = Promise.resolve();
  checkpointing: Promise<void> | null = null;
  /** After a failed checkpoint, when the next may be tried (`Date.now()`). */
  checkpointRetryAt = 0;
  checkpointSeq: number;

  constructor(
    readonly dir: string,
    doc: AccountDoc,
    seq: number,
    checkpointSeq: number,
    public log: AppendLog,
    readonly events: EventFiles,
    readonly checkpoint: CheckpointFile,
  ) {
    this.durable = doc;
    this.head = doc;
    this.seq = seq;
    this.durableSeq = seq;
    this.checkpointSeq = checkpointSeq;
    this.headEvents = events.count;
  }

  get journalDir(): string {
    return join(this.dir, 'journal');
  }
}

export interface FileStoreOptions {
  fs?: FileSystem;
  log?: (line: string) => void;
  /** Journal lines a checkpoint waits for at least (see `checkpointDue`; tests use a few). */
  checkpointEvery?: number;
  /** The journal's size, as a share of the last checkpoint's, a checkpoint waits for (1; tests use 0 to take one every `checkpointEvery` lines). */
  checkpointWeight?: number;
  /** Audit events per part of the log on disk (tests use small parts). */
  eventsPerPart?: number;
}

function unavailable(): ApiError {
  return new ApiError('storage_unavailable', 'The change could not be saved, so nothing was changed. Try again shortly.', {
    headers: { 'Retry-After': '5' },
  });
}

export class FileStore implements Store {
  readonly #accounts = new Map<string, AccountFiles>();
  readonly #tokens = new Map<string, string>();
  #closed = false;
  readonly changes = new ChangeFeed();
  #endpoints!: Low<{ format: 1; endpoints: WebhookEndpointRecord[] } | null>;

  private constructor(
    readonly dir: string,
    private readonly fs: FileSystem,
    private readonly lock: Lock,
    private readonly logLine: (line: string) => void,
    private readonly checkpointPolicy: { every: number; weight: number },
    private readonly eventsPerPart: number | undefined,
  ) {}

  /**
   * Opens a data folder: takes its lock (a second live process is refused; the lock of a dead one
   * is free), then loads every account. A damaged file stops it (CorruptDataError, naming the file).
   */
  static async open(dir: string, options: FileStoreOptions = {}): Promise<FileStore> {
    const fs = options.fs ?? nodeFileSystem;
    await fs.mkdir(join(dir, 'accounts'));
    const lock = await acquireLock(join(dir, 'seatkit.lock'));
    const checkpoints = { every: options.checkpointEvery ?? CHECKPOINT_EVERY, weight: options.checkpointWeight ?? 1 };
    const store = new FileStore(dir, fs, lock, options.log ?? (() => {}), checkpoints, options.eventsPerPart);
    try {
      store.#endpoints = new Low(new JsonFile(fs, join(dir, ENDPOINTS_FILE), checkEndpoints, 'a seatkit webhook endpoint list', 0o600), null);
      await store.#endpoints.read();
      await store.#loadAll();
    } catch (error) {
      await store.#closeAll();
      await lock.release();
      throw error;
    }
    return store;
  }

  async #loadAll(): Promise<void> {
    const folder = join(this.dir, 'accounts');
    const names = (await this.fs.readdir(folder)).sort();
    for (const name of names) {
      if (name.endsWith('.tmp')) {
        // An account being created or migrated when the process stopped (never acknowledged).
        await this.fs.removeDir(join(folder, name));
      } else if (name.endsWith('.log') && ACCOUNT_ID.test(name.slice(0, -4))) {
        await migrateLegacyAccount(this.fs, folder, name.slice(0, -4), this.logLine);
      }
    }
    for (const name of await this.fs.readdir(folder)) {
      if (!ACCOUNT_ID.test(name)) {
        this.logLine(`${join(folder, name)}: not an account folder of seatkit; ignored`);
        continue;
      }
      const account = await this.#load(join(folder, name), name);
      if (account) this.#accounts.set(name, account);
    }
  }

  async #load(dir: string, id: string): Promise<AccountFiles | undefined> {
    const journalDir = join(dir, 'journal');
    await this.fs.mkdir(journalDir);
    const checkpoint = new CheckpointFile(this.fs, dir);
    await checkpoint.read();
    const saved = checkpoint.data;
    const segments = (await this.fs.readdir(journalDir))
      .filter((name) => {
        if (/^\d{12}\.log$/.test(name)) return true;
        if (!name.endsWith('.tmp')) this.logLine(`${join(journalDir, name)}: not a journal segment; ignored`);
        return false;
      })
      .sort();
    if (segments.length === 0) {
      // A checkpoint is followed by its (maybe empty) journal segment: without one, changes may be missing.
      throw new CorruptDataError(journalDir, saved ? `the journal is missing (the checkpoint is at change ${saved.seq})` : 'the account has neither a checkpoint nor a journal');
    }
    const events = await EventFiles.open(this.fs, join(dir, 'events'), { repairable: saved?.eventCount ?? 0, log: this.logLine, perPart: this.eventsPerPart });
    let log: AppendLog | undefined;
    try {
      let doc = saved ? decodeDoc(saved.doc) : undefined;
      let next = Number.parseInt(segments[0]!, 10);
      let expectedEvents = saved?.eventCount ?? 0;
      if (saved && next > saved.seq + 1) throw new CorruptDataError(join(journalDir, segments[0]!), `the journal starts at ${next}, after the checkpoint at ${saved.seq}: changes are missing`);
      for (const [i, segment] of segments.entries()) {
        const path = join(journalDir, segment);
        if (Number.parseInt(segment, 10) !== next) throw new CorruptDataError(path, `the segment should start at change ${next}`);
        const onRecord = (raw: unknown, lineNumber: number) => {
          const problem = checkRecord(raw);
          if (problem) throw new CorruptDataError(path, `line ${lineNumber} is not a journal record (${problem})`);
          const record = raw as JournalRecord;
          if (record.seq !== next) throw new CorruptDataError(path, `line ${lineNumber} is change ${record.seq}, not the next change (${next})`);
          next++;
          expectedEvents = record.firstEvent + record.events.length;
          for (const { position, event } of eventsOf(record)) {
            if (position > events.count) throw new CorruptDataError(path, `line ${lineNumber} holds audit event ${position}, but the audit log ends at ${events.count}`);
            if (position === events.count) events.append([event]);
          }
          if (!saved || record.seq > saved.seq) {
            if (!doc && !record.doc) throw new CorruptDataError(path, `line ${lineNumber}: the journal starts without the account`);
            doc = applyRecord(doc, record);
          }
        };
        if (i === segments.length - 1) {
          log = await AppendLog.open(this.fs, path, { onRecord, log: this.logLine });
        } else {
          const { tornBytes } = await scanLines(this.fs, path, (line, lineNumber) => {
            let record: unknown;
            try {
              record = JSON.parse(line);
            } catch {
              throw new CorruptDataError(path, `line ${lineNumber} is not valid JSON`);
            }
            onRecord(record, lineNumber);
          });
          if (tornBytes > 0) throw new CorruptDataError(path, 'a segment before the last ends in the middle of a line');
        }
      }
      const seq = next - 1;
      const last = join(journalDir, segments.at(-1)!);
      if (saved && seq < saved.seq) throw new CorruptDataError(last, `the journal ends at ${seq} but the checkpoint is at ${saved.seq} (truncated journal)`);
      if (!doc) throw new CorruptDataError(last, 'the journal is empty and there is no checkpoint');
      // Events reach the audit log only after their journal line is durable: more there means lines are missing here.
      if (events.count > expectedEvents) {
        throw new CorruptDataError(last, `the journal accounts for ${expectedEvents} audit events but the audit log holds ${events.count} (journal lines are missing)`);
      }
      if (doc.id !== id) throw new CorruptDataError(dir, `the folder holds account ${doc.id}`);
      if (saved && events.count < saved.eventCount) {
        throw new CorruptDataError(events.dir, `the audit log ends at ${events.count} events but the checkpoint counts ${saved.eventCount}`);
      }
      const account = new AccountFiles(dir, doc, seq, saved?.seq ?? 0, log!, events, checkpoint);
      this.#watch(account);
      for (const hash of tokenHashes(doc)) this.#tokens.set(hash, id);
      this.changes.start(id, seq);
      return account;
    } catch (error) {
      await log?.close().catch(() => {});
      await events.close().catch(() => {});
      throw error;
    }
  }

  /** A failed journal write rolls the account back to what is on disk. */
  #watch(account: AccountFiles): void {
    account.log.onFailure = (error) => {
      this.logLine(`write to ${account.log.path} failed; the account is back to what is on disk: ${String(error)}`);
      account.head = account.durable;
      account.seq = account.durableSeq;
      account.headEvents = account.events.count;
      account.generation++;
    };
  }

  async #closeAll(): Promise<void> {
    for (const account of this.#accounts.values()) {
      await account.log.close().catch(() => {});
      await account.events.close().catch(() => {});
    }
  }

  async create(doc: AccountDoc, events: readonly AuditEvent[]): Promise<void> {
    if (this.#accounts.has(doc.id)) throw new Error(`account ${doc.id} exists`);
    if (this.#closed) throw unavailable();
    const folder = join(this.dir, 'accounts');
    const dir = join(folder, doc.id);
    // Built aside and renamed into place: a crash midway leaves no half account (start-up removes `*.tmp`).
    const building = `${dir}.tmp`;
    const record: JournalRecord = { seq: 1, doc: encodeDoc(doc), firstEvent: 0, events: [...events] };
    let account: AccountFiles | undefined;
    try {
      await this.fs.mkdir(join(building, 'journal'));
      await writeFileAtomic(this.fs, join(building, 'journal', segmentName(1)), `${JSON.stringify(record)}\n`);
      await this.fs.rename(building, dir);
      await this.fs.syncDir(folder);
      const log = await AppendLog.open(this.fs, join(dir, 'journal', segmentName(1)), { log: this.logLine });
      const eventFiles = await EventFiles.open(this.fs, join(dir, 'events'), { repairable: 0, log: this.logLine, perPart: this.eventsPerPart });
      eventFiles.append(events);
      const checkpoint = new CheckpointFile(this.fs, dir);
      account = new AccountFiles(dir, doc, 1, 0, log, eventFiles, checkpoint);
    } catch (error) {
      // A folder renamed into place but not made durable must not bring back, at the next start,
      // an account whose creation answered 503.
      await this.fs.removeDir(building).catch(() => {});
      await this.fs.removeDir(dir).catch(() => {});
      this.logLine(`creating account ${doc.id} failed: ${String(error)}`);
      throw unavailable();
    }
    this.#watch(account);
    this.#accounts.set(doc.id, account);
    for (const hash of tokenHashes(doc)) this.#tokens.set(hash, doc.id);
    this.changes.start(doc.id, 0);
    this.changes.publish(changeOf(doc, 1, events));
  }

  async get(accountId: string): Promise<AccountDoc | undefined> {
    return this.#accounts.get(accountId)?.durable;
  }

  async accountIds(): Promise<string[]> {
    return [...this.#accounts.keys()];
  }

  async transact<T>(accountId: string, fn: (doc: AccountDoc) => Outcome<T> | Promise<Outcome<T>>): Promise<Outcome<T>> {
    const account = this.#accounts.get(accountId);
    if (!account) throw new ApiError('not_found', 'No such account.');
    if (this.#closed) throw unavailable();
    // Run the change in turn, on the newest state (which may still be being written).
    const turn = account.queue.then(async () => {
      const generation = account.generation;
      const base = account.head;
      const outcome = await fn(base);
      const voided = () => {
        if (generation !== account.generation) throw unavailable();
      };
      voided();
      if (outcome.doc === base && outcome.events.length === 0) return { outcome, written: account.log.flush().then(voided) };
      const record: JournalRecord = { seq: account.seq + 1, ...diffDocs(base, outcome.doc), firstEvent: account.headEvents, events: [...outcome.events] };
      account.seq++;
      account.headEvents += outcome.events.length;
      account.head = outcome.doc;
      const written = account.log.append(record).then(() => {
        reindexTokens(this.#tokens, account.durable, outcome.doc);
        account.durable = outcome.doc;
        account.durableSeq = record.seq;
        account.events.append(outcome.events);
        this.changes.publish(changeOf(outcome.doc, record.seq, outcome.events));
        this.#maybeCheckpoint(account);
      });
      return { outcome, written };
    });
    account.queue = turn.catch(() => undefined);
    const { outcome, written } = await turn;
    try {
      await written;
    } catch (error) {
      throw error instanceof ApiError ? error : unavailable();
    }
    return outcome;
  }

  #maybeCheckpoint(account: AccountFiles): void {
    if (account.checkpointing || Date.now() < account.checkpointRetryAt) return;
    const journal = { lines: account.durableSeq - account.checkpointSeq, bytes: account.log.bytes };
    if (!checkpointDue(journal, account.checkpoint.file.size, this.checkpointPolicy)) return;
    account.checkpointing = this.#checkpoint(account).then(
      () => {
        account.checkpointing = null;
        // Changes made while it ran may call for the next one already.
        this.#maybeCheckpoint(account);
      },
      (error: unknown) => {
        account.checkpointing = null;
        // Not again at once (a full disk would have it retried in a loop): after a pause, with a later change.
        account.checkpointRetryAt = Date.now() + CHECKPOINT_RETRY_MS;
        this.logLine(`checkpoint of ${account.durable.id} failed (the journal still holds everything; tried again in ${CHECKPOINT_RETRY_MS / 1000} s at the earliest): ${String(error)}`);
      },
    );
  }

  /**
   * Starts a new journal segment, writes the whole account as of the end of the old one, then
   * retires the segments the checkpoint covers (once their audit events are durable elsewhere).
   */
  async #checkpoint(account: AccountFiles): Promise<void> {
    // In the account's turn: every change so far went to the old segment, none goes there after.
    const rotated = account.queue.then(async () => {
      const old = account.log;
      // A failed write must roll back before any change lands in the new segment.
      await old.flush();
      const log = await AppendLog.open(this.fs, join(account.journalDir, segmentName(account.seq + 1)), { log: this.logLine });
      account.log = log;
      this.#watch(account);
      await old.close();
      return { doc: account.durable, seq: account.durableSeq, eventCount: account.events.count, first: account.seq + 1 };
    });
    account.queue = rotated.catch(() => undefined);
    const { doc, seq, eventCount, first } = await rotated;
    await account.events.sync();
    const text = encodeDoc(doc);
    account.checkpoint.data = { format: 2, seq, eventCount, doc: text };
    await account.checkpoint.write();
    account.checkpointSeq = seq;
    for (const name of await this.fs.readdir(account.journalDir)) {
      if (/^\d{12}\.log$/.test(name) && Number.parseInt(name, 10) < first) await this.fs.unlink(join(account.journalDir, name));
    }
  }

  async events(accountId: string, query: EventQuery): Promise<EventPage> {
    const account = this.#accounts.get(accountId);
    if (!account) return { data: [], total: 0, next: null };
    const { positions, total, next } = account.events.index.page(query);
    return { data: await account.events.read(positions), total, next };
  }

  async findTokenAccount(tokenHash: string): Promise<string | undefined> {
    return this.#tokens.get(tokenHash);
  }

  async webhookEndpoints(): Promise<WebhookEndpointRecord[]> {
    return this.#endpoints.data?.endpoints ?? [];
  }

  async saveWebhookEndpoint(endpoint: WebhookEndpointRecord): Promise<void> {
    await this.#changeEndpoints((endpoints) => [...endpoints.filter((e) => e.id !== endpoint.id), endpoint]);
  }

  async removeWebhookEndpoint(id: string): Promise<void> {
    await this.#changeEndpoints((endpoints) => endpoints.filter((e) => e.id !== id));
  }

  #endpointWrites: Promise<unknown> = Promise.resolve();

  /**
   * Endpoints change rarely: the whole list is written (atomically), one change at a time, and kept
   * in memory only once it is on disk.
   */
  #changeEndpoints(change: (endpoints: WebhookEndpointRecord[]) => WebhookEndpointRecord[]): Promise<void> {
    const write = this.#endpointWrites.then(async () => {
      const file = new Low(this.#endpoints.adapter, { format: 1 as const, endpoints: change(this.#endpoints.data?.endpoints ?? []) });
      try {
        await file.write();
      } catch (error) {
        this.logLine(`writing ${ENDPOINTS_FILE} failed: ${String(error)}`);
        throw unavailable();
      }
      this.#endpoints.data = file.data;
    });
    this.#endpointWrites = write.catch(() => undefined);
    return write;
  }

  /** Waits for every write in flight and every checkpoint, then releases the lock. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const account of this.#accounts.values()) {
      await account.queue;
      while (account.checkpointing) await account.checkpointing;
      await account.log.close();
      await account.events.close();
    }
    await this.lock.release();
  }
}
