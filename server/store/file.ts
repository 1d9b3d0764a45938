/**
 * The durable store (Node): one folder per data location, per account a lowdb checkpoint
 * (`<id>.json`, the whole account at some point) and an append-only journal (`<id>.log`: what
 * each change changed, and its audit events). A change costs one appended line (the users it
 * touched, not the whole account); concurrent changes share one write and one fsync (group
 * commit); a change is acknowledged only once it is on disk.
 *
 * Changes of one account are serialised but pipelined: the next runs on the state the previous
 * left while that state is being written. If a write fails, every change built on it fails too
 * (503) and the account goes back to what is on disk — nothing is half-applied.
 */
import { Low } from 'lowdb';
import { join } from 'node:path';
import type { AuditEvent } from '../../sdk/types.js';
import type { AccountDoc, Outcome, UserRecord } from '../domain/state.js';
import { ApiError } from '../errors.js';
import { AppendLog } from './append-log.js';
import { CorruptDataError, nodeFileSystem, writeFileAtomic, type FileSystem } from './fs.js';
import { acquireLock, type Lock } from './lock.js';
import { reindexTokens, tokenHashes, type Store } from './types.js';
import { isMap } from 'immutable';
import { changedUserIds, usersOf, type Users } from '../domain/users-map.js';

/** The fields of a document that are collections, journalled entry by entry. */
const MAP_FIELDS = ['users', 'sessions', 'idempotency'] as const;
type MapField = (typeof MAP_FIELDS)[number];

/** A document as JSON: `users` (a Map in memory) becomes an array of user records. */
type StoredDoc = Omit<AccountDoc, 'users'> & { users: UserRecord[] };

function encodeDoc(doc: AccountDoc): StoredDoc {
  return { ...doc, users: [...doc.users.values()] };
}

function decodeDoc(stored: StoredDoc): AccountDoc {
  return { ...stored, users: usersOf(stored.users) };
}

/** One journal line: the change's sequence number, what it changed, its audit events. */
interface JournalRecord {
  s: number;
  /** The whole document (the account's first line). */
  d?: StoredDoc;
  /** Top-level fields replaced. */
  f?: Partial<AccountDoc>;
  /** Collections: entries set and keys deleted. */
  m?: Partial<Record<MapField, { set: Record<string, unknown>; del: string[] }>>;
  e: AuditEvent[];
}

interface Checkpoint {
  format: 1;
  seq: number;
  doc: StoredDoc;
}

/** Takes a checkpoint after this many journal lines, so start-up replays little. */
const CHECKPOINT_EVERY = 2000;

function setEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  // A key may be anything a client chose (an Idempotency-Key): never let it reach a prototype.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function entries(collection: Users | Record<string, unknown>): Map<string, unknown> {
  return isMap(collection) ? new Map((collection as Users).entries()) : new Map(Object.entries(collection));
}

/** What changed from one document to the next: replaced fields, and set or deleted entries of collections. */
export function diffDocs(before: AccountDoc, after: AccountDoc): Pick<JournalRecord, 'f' | 'm'> {
  const f: Record<string, unknown> = {};
  const m: NonNullable<JournalRecord['m']> = {};
  for (const key of Object.keys(after) as (keyof AccountDoc)[]) {
    if (before[key] === after[key]) continue;
    const changedUsers = key === 'users' ? changedUserIds(before.users, after.users) : undefined;
    if (changedUsers) {
      // Made by the domain from `before` (the usual case): only those users, not a scan of all.
      const set: Record<string, unknown> = {};
      for (const id of changedUsers) if (after.users.get(id) !== before.users.get(id)) setEntry(set, id, after.users.get(id));
      m.users = { set, del: [] };
    } else if ((MAP_FIELDS as readonly string[]).includes(key)) {
      const a = entries(before[key] as Record<string, unknown>);
      const b = entries(after[key] as Record<string, unknown>);
      const set: Record<string, unknown> = {};
      const del: string[] = [];
      for (const [k, v] of b) if (a.get(k) !== v || !a.has(k)) setEntry(set, k, v);
      for (const k of a.keys()) if (!b.has(k)) del.push(k);
      m[key as MapField] = { set, del };
    } else {
      f[key] = after[key];
    }
  }
  return { ...(Object.keys(f).length > 0 && { f: f as Partial<AccountDoc> }), ...(Object.keys(m).length > 0 && { m }) };
}

export function applyRecord(doc: AccountDoc | undefined, record: JournalRecord): AccountDoc {
  if (record.d) return decodeDoc(record.d);
  if (!doc) throw new Error('journal starts without the account');
  const next: AccountDoc = { ...doc, ...record.f };
  const { users, sessions, idempotency } = record.m ?? {};
  if (users) {
    next.users = doc.users.withMutations((map) => {
      for (const [k, v] of Object.entries(users.set)) map.set(k, v as UserRecord);
      for (const k of users.del) map.delete(k);
    });
  }
  for (const [field, change] of [['sessions', sessions], ['idempotency', idempotency]] as const) {
    if (!change) continue;
    const map: Record<string, unknown> = { ...doc[field] };
    for (const [k, v] of Object.entries(change.set)) setEntry(map, k, v);
    for (const k of change.del) delete map[k];
    (next as unknown as Record<string, unknown>)[field] = map;
  }
  return next;
}

/** A lowdb adapter that writes the checkpoint atomically and durably, and refuses a bad file. */
class CheckpointFile {
  constructor(
    private readonly fs: FileSystem,
    private readonly path: string,
  ) {}

  async read(): Promise<Checkpoint | null> {
    let text: string;
    try {
      text = await this.fs.readFile(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    if (text.trim() === '') throw new CorruptDataError(this.path, 'the file is empty');
    let data: Checkpoint;
    try {
      data = JSON.parse(text) as Checkpoint;
    } catch {
      throw new CorruptDataError(this.path, 'the file is not valid JSON (truncated or damaged)');
    }
    if (data?.format !== 1 || typeof data.seq !== 'number' || typeof data.doc?.id !== 'string' || !Array.isArray(data.doc.users)) {
      throw new CorruptDataError(this.path, 'the file is not a seatkit account checkpoint');
    }
    return data;
  }

  async write(data: Checkpoint | null): Promise<void> {
    if (data) await writeFileAtomic(this.fs, this.path, JSON.stringify(data));
  }
}

class AccountFiles {
  /** What is on disk. */
  durable: AccountDoc;
  /** What the next change runs on: durable plus changes being written. */
  head: AccountDoc;
  /** Sequence number of the last journal line written or being written, and of the last durable one. */
  seq: number;
  durableSeq: number;
  checkpointSeq: number;
  /** Bumped when a failed write rolls `head` back: a change computed on the old head is void. */
  generation = 0;
  queue: Promise<unknown> = Promise.resolve();
  checkpointing: Promise<void> | null = null;
  log!: AppendLog;

  constructor(
    doc: AccountDoc,
    seq: number,
    checkpointSeq: number,
    readonly events: AuditEvent[],
    readonly checkpoint: Low<Checkpoint | null>,
  ) {
    this.durable = doc;
    this.head = doc;
    this.seq = seq;
    this.durableSeq = seq;
    this.checkpointSeq = checkpointSeq;
  }
}

export interface FileStoreOptions {
  fs?: FileSystem;
  log?: (line: string) => void;
  /** Journal lines between checkpoints. */
  checkpointEvery?: number;
}

function unavailable(): ApiError {
  return new ApiError('storage_unavailable', 'The change could not be saved, so nothing was changed. Try again shortly.', {
    headers: { 'Retry-After': '5' },
  });
}

export class FileStore implements Store {
  readonly #accounts = new Map<string, AccountFiles>();
  readonly #tokens = new Map<string, string>();
  /** Logs opened while loading (closed again if loading fails). */
  readonly #opening: AppendLog[] = [];
  #closed = false;

  private constructor(
    readonly dir: string,
    private readonly fs: FileSystem,
    private readonly lock: Lock,
    private readonly logLine: (line: string) => void,
    private readonly checkpointEvery: number,
  ) {}

  /**
   * Opens a data folder: takes its lock (a second process is refused; a lock left by a killed
   * process is taken over), then loads every account. A damaged file stops it (CorruptDataError).
   */
  static async open(dir: string, options: FileStoreOptions = {}): Promise<FileStore> {
    const fs = options.fs ?? nodeFileSystem;
    await fs.mkdir(join(dir, 'accounts'));
    const lock = await acquireLock(fs, join(dir, 'seatkit.lock'));
    const store = new FileStore(dir, fs, lock, options.log ?? (() => {}), options.checkpointEvery ?? CHECKPOINT_EVERY);
    try {
      await store.#load();
    } catch (error) {
      await store.#closeLogs(store.#opening);
      await lock.release();
      throw error;
    }
    return store;
  }

  async #load(): Promise<void> {
    const folder = join(this.dir, 'accounts');
    const names = await this.fs.readdir(folder);
    for (const name of names) if (name.endsWith('.tmp')) await this.fs.unlink(join(folder, name)).catch(() => {});
    for (const name of names.filter((n) => n.endsWith('.log')).sort()) {
      const id = name.slice(0, -'.log'.length);
      const checkpoint = new Low<Checkpoint | null>(new CheckpointFile(this.fs, join(folder, `${id}.json`)), null);
      await checkpoint.read();
      const account = new AccountFiles(undefined as unknown as AccountDoc, 0, 0, [], checkpoint);
      const { log, records } = await AppendLog.open(this.fs, join(folder, name), {
        onFailure: (error) => this.#rollBack(account, error),
        log: this.logLine,
      });
      this.#opening.push(log);
      if (records.length === 0) throw new CorruptDataError(join(folder, name), 'the journal is empty');
      let doc = checkpoint.data ? decodeDoc(checkpoint.data.doc) : undefined;
      let seq = 0;
      for (const raw of records) {
        const record = raw as JournalRecord;
        if (typeof record?.s !== 'number' || record.s !== seq + 1 || !Array.isArray(record.e)) {
          throw new CorruptDataError(join(folder, name), `line ${seq + 1} is not the next journal record`);
        }
        seq = record.s;
        account.events.push(...record.e);
        if (!checkpoint.data || seq > checkpoint.data.seq) doc = applyRecord(doc, record);
      }
      if (checkpoint.data && checkpoint.data.seq > seq) {
        throw new CorruptDataError(join(folder, name), `the journal ends at ${seq} but the checkpoint is at ${checkpoint.data.seq} (truncated journal)`);
      }
      if (!doc || doc.id !== id) throw new CorruptDataError(join(folder, name), 'the journal does not hold this account');
      account.durable = doc;
      account.head = doc;
      account.seq = seq;
      account.durableSeq = seq;
      account.checkpointSeq = checkpoint.data?.seq ?? 0;
      account.log = log;
      this.#accounts.set(id, account);
      for (const hash of tokenHashes(doc)) this.#tokens.set(hash, id);
    }
  }

  async #closeLogs(logs: AppendLog[]): Promise<void> {
    await Promise.all(logs.map((log) => log.close().catch(() => {})));
  }

  #rollBack(account: AccountFiles, error: unknown): void {
    this.logLine(`write to ${account.log.path} failed; the account is back to what is on disk: ${String(error)}`);
    account.head = account.durable;
    account.seq = account.durableSeq;
    account.generation++;
  }

  async create(doc: AccountDoc, events: readonly AuditEvent[]): Promise<void> {
    if (this.#accounts.has(doc.id)) throw new Error(`account ${doc.id} exists`);
    const folder = join(this.dir, 'accounts');
    const record: JournalRecord = { s: 1, d: encodeDoc(doc), e: [...events] };
    const path = join(folder, `${doc.id}.log`);
    const checkpoint = new Low<Checkpoint | null>(new CheckpointFile(this.fs, join(folder, `${doc.id}.json`)), null);
    const account = new AccountFiles(doc, 1, 0, [...events], checkpoint);
    try {
      await writeFileAtomic(this.fs, path, `${JSON.stringify(record)}\n`);
      account.log = (await AppendLog.open(this.fs, path, { onFailure: (error) => this.#rollBack(account, error), log: this.logLine })).log;
    } catch (error) {
      // A journal renamed into place but not made durable (the folder's fsync failed) or not opened
      // must not bring back, at the next start, an account whose creation answered 503.
      await this.fs.unlink(path).catch(() => {});
      this.logLine(`creating account ${doc.id} failed: ${String(error)}`);
      throw unavailable();
    }
    this.#accounts.set(doc.id, account);
    for (const hash of tokenHashes(doc)) this.#tokens.set(hash, doc.id);
  }

  async get(accountId: string): Promise<AccountDoc | undefined> {
    return this.#accounts.get(accountId)?.durable;
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
      const record: JournalRecord = { s: account.seq + 1, ...diffDocs(base, outcome.doc), e: [...outcome.events] };
      account.seq++;
      account.head = outcome.doc;
      const written = account.log.append(record).then(() => {
        this.#indexTokens(account.durable, outcome.doc);
        account.durable = outcome.doc;
        account.durableSeq = record.s;
        account.events.push(...outcome.events);
        if (record.s - account.checkpointSeq >= this.checkpointEvery) this.#checkpoint(account);
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

  #indexTokens(before: AccountDoc, after: AccountDoc): void {
    reindexTokens(this.#tokens, before, after);
  }

  #checkpoint(account: AccountFiles): void {
    if (account.checkpointing) return;
    const seq = account.durableSeq;
    const doc = account.durable;
    account.checkpoint.data = { format: 1, seq, doc: encodeDoc(doc) };
    account.checkpointing = account.checkpoint
      .write()
      .then(() => {
        account.checkpointSeq = seq;
      })
      .catch((error) => this.logLine(`checkpoint of ${doc.id} failed (the journal still holds everything): ${String(error)}`))
      .finally(() => {
        account.checkpointing = null;
      });
  }

  async events(accountId: string): Promise<readonly AuditEvent[]> {
    return this.#accounts.get(accountId)?.events ?? [];
  }

  async findTokenAccount(tokenHash: string): Promise<string | undefined> {
    return this.#tokens.get(tokenHash);
  }

  /** Waits for every write in flight and every checkpoint, then releases the lock. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const account of this.#accounts.values()) {
      await account.queue;
      await account.log.close();
      await account.checkpointing;
    }
    await this.lock.release();
  }
}
