/**
 * The store for several server processes on one PostgreSQL database (`DATABASE_URL`).
 *
 * Each account is a snapshot and a journal of the changes since (as in the file store), and every
 * process keeps the accounts it serves in memory. A read fetches the account's sequence with the
 * journal rows the copy lacks (one statement, shared by the reads asked for in one turn of the event
 * loop; never a reload of the whole account, but after a long absence), so a change made through
 * one process is seen by the next request to any other.
 * The changes waiting for an account are computed together by the domain on the copy, then written
 * (journal rows, audit events, token changes, the new sequence, a `NOTIFY`) in one statement that
 * takes the account's row lock and writes only if the sequence is still the copy's: two processes
 * cannot both pass it, under READ COMMITTED. When one did first, the changes are computed again
 * under the row lock held for the whole transaction (`SELECT … FOR UPDATE`), where an account that
 * other processes keep writing goes at once: two round trips, the lock and the rows the copy lacks
 * in one, the write and the COMMIT in the other (more only to prepare the write on a new
 * connection, to write a snapshot, or to read an account the process has no recent copy of). A
 * process catches up as changes are announced only for accounts its live streams follow.
 *
 * The database going away answers 503 `storage_unavailable` within seconds (connection and
 * statement timeouts), and the pool reconnects by itself when it is back.
 */
import pg from 'pg';
import type { AuditEvent } from '../../../sdk/types.js';
import type { AccountDoc, Outcome } from '../../domain/state.js';
import { ApiError } from '../../errors.js';
import type { Limiter } from '../../rate-limit.js';
import type { WebhookEndpointRecord } from '../../webhooks/endpoints.js';
import { ChangeFeed, changeOf } from '../changes.js';
import { applyRecord, checkRecord, decodeDoc, diffDocs, encodeDoc, type JournalRecord, type StoredDoc } from '../records.js';
import { tokenChanges, tokenHashes, type EventPage, type EventQuery, type Store } from '../types.js';
import { migrate } from './migrate.js';

/** A snapshot is written after this many changes (in the change's own transaction). */
const SNAPSHOT_EVERY = 2000;
/** Journal rows kept before the snapshot, so a process a little behind still catches up row by row. */
const JOURNAL_KEPT = 1000;
/** The channel every process listens on. */
const CHANNEL = 'seatkit_changes';

export interface PgStoreOptions {
  connectionString: string;
  /** Connections per process (default 10). */
  poolSize?: number;
  log?: (line: string) => void;
  snapshotEvery?: number;
}

/** A change waiting for its account's turn. */
interface Waiting {
  fn: (doc: AccountDoc) => Outcome<unknown> | Promise<Outcome<unknown>>;
  resolve: (outcome: Outcome<unknown>) => void;
  reject: (error: unknown) => void;
}

/** Changes committed together at most. */
const GROUP_MAX = 64;

interface Cached {
  doc: AccountDoc;
  seq: number;
  eventCount: number;
  /** The sequence of the account's last snapshot. */
  snapshotSeq: number;
}

/** What a commit writes (see `#writeGroup`). */
interface GroupWrite {
  records: readonly JournalRecord[];
  /** The position of the first of `events` in the audit log. */
  firstEvent: number;
  events: readonly AuditEvent[];
  /** Token hash → whether it is there after the group (the last change to touch it decides). */
  tokens: Map<string, boolean>;
  /** The sequence and event count after the group. */
  seq: number;
  eventCount: number;
}

/** A group of changes computed on an account (see `#compute`): what to write, and each change's answer. */
interface Computed extends GroupWrite {
  records: JournalRecord[];
  events: AuditEvent[];
  answers: ({ ok: true; outcome: Outcome<unknown> } | { ok: false; error: unknown })[];
  committed: { outcome: Outcome<unknown>; seq: number; eventCount: number }[];
  snapshotSeq: number;
}

interface Head {
  seq: number;
  event_count: number;
  snapshot_seq: number;
}

/** An account's row as the database answers it (bigints as text). */
type HeadRow = { seq: string; event_count: string; snapshot_seq: string };
const headOf = (row: HeadRow): Head => ({ seq: Number(row.seq), event_count: Number(row.event_count), snapshot_seq: Number(row.snapshot_seq) });

type Queryable = pg.Pool | pg.PoolClient;

function unavailable(): ApiError {
  return new ApiError('storage_unavailable', 'The database cannot be reached, so nothing was changed. Try again shortly.', { headers: { 'Retry-After': '2' } });
}

/** Whether an error is the database being away (not a bug of ours). */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? '';
  const message = String((error as Error)?.message ?? '');
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004', '57014'].includes(code) ||
    /timeout|terminat|Connection|not queryable|shutdown/i.test(message)
  );
}

/** `work` settled (either way), or `ms` passed. */
async function bounded(work: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([work?.catch(() => {}), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** The name of the prepared write that `#writeAndCommit` runs, and its parameters' types. */
const WRITE_AND_COMMIT = 'seatkit_write_and_commit';
const WRITE_TYPES = 'text, bigint[], text[], bigint[], text[], text[], bigint[], text[], text[], bigint, bigint, text';

/**
 * What a group of changes writes, in one statement: the journal rows, the audit events and their
 * users, the token index, the account's new sequence, and the notification (sent at the commit).
 * `onCopy`: every part is written only if the account's row is still at the sequence `$13`,
 * checked under the row's lock (a change committed meanwhile by another process makes it write
 * nothing, and answer no row).
 */
function writeStatement(onCopy: boolean): string {
  const guard = onCopy ? 'WHERE EXISTS (SELECT 1 FROM account)' : '';
  return `WITH account AS (
     UPDATE seatkit_accounts SET seq = $10, event_count = $11 WHERE id = $1${onCopy ? ' AND seq = $13' : ''} RETURNING id
   ), journal AS (
     INSERT INTO seatkit_journal (account_id, seq, record) SELECT $1, s, r::jsonb FROM unnest($2::bigint[], $3::text[]) AS t(s, r) ${guard}
   ), events AS (
     INSERT INTO seatkit_events (account_id, position, event) SELECT $1, p, e::jsonb FROM unnest($4::bigint[], $5::text[]) AS t(p, e) ${guard}
   ), event_users AS (
     INSERT INTO seatkit_event_users (account_id, user_id, position) SELECT $1, u, p FROM unnest($6::text[], $7::bigint[]) AS t(u, p) ${guard}
   ), removed AS (
     DELETE FROM seatkit_tokens WHERE hash = ANY($8::text[]) ${onCopy ? 'AND EXISTS (SELECT 1 FROM account)' : ''}
   ), added AS (
     INSERT INTO seatkit_tokens (hash, account_id) SELECT h, $1 FROM unnest($9::text[]) AS t(h) ${guard}
     ON CONFLICT (hash) DO UPDATE SET account_id = EXCLUDED.account_id
   )
   SELECT EXISTS (SELECT 1 FROM account) AS written, pg_notify($12, $1) FROM account`;
}

/** The parameters `$1`–`$12` of `writeStatement`. */
function writeValues(accountId: string, group: GroupWrite): (string | number | (string | number)[])[] {
  const users = group.events.flatMap((e, i) => [...new Set(e.userIds)].map((id): [number, string] => [group.firstEvent + i, id]));
  const tokens = [...group.tokens];
  return [
    accountId,
    group.records.map((r) => r.seq),
    group.records.map((r) => JSON.stringify(r)),
    group.events.map((_, i) => group.firstEvent + i),
    group.events.map((e) => JSON.stringify(e)),
    users.map(([, id]) => id),
    users.map(([position]) => position),
    tokens.filter(([, present]) => !present).map(([hash]) => hash),
    tokens.filter(([, present]) => present).map(([hash]) => hash),
    group.seq,
    group.eventCount,
    CHANNEL,
  ];
}

/** A PostgreSQL array literal (`{1,2}`, `{"a","b\"c"}`): text elements quoted, `"` and `\` escaped by a backslash. */
function arrayLiteral(values: readonly (string | number)[]): string {
  return `{${values.map((v) => (typeof v === 'number' ? String(v) : `"${v.replace(/[\\"]/g, '\\$&')}"`)).join(',')}}`;
}

export class PgStore implements Store {
  /** Streams ask after catching the account up, so a change another process announced is known here. */
  readonly changes = new ChangeFeed(undefined, (accountId) => this.get(accountId));
  readonly #cache = new Map<string, Cached>();
  /** Accounts whose last try on the copy found that another process had committed first. */
  readonly #contended = new Set<string>();
  readonly #queues = new Map<string, Promise<unknown>>();
  #listener: pg.Client | undefined;
  #closed = false;
  #listening: Promise<void> | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly options: PgStoreOptions,
    private readonly log: (line: string) => void,
  ) {}

  /** Connects, creates or migrates the schema (safe when several processes start at once), and listens. */
  static async open(options: PgStoreOptions): Promise<PgStore> {
    const log = options.log ?? (() => {});
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 2000,
      idleTimeoutMillis: 30_000,
      // No query may hang a request: the server answers 503 within seconds instead.
      statement_timeout: 5000,
      query_timeout: 6000,
      // A process that stops answering (frozen, not dead) inside a change lets go of the account's lock.
      idle_in_transaction_session_timeout: 10_000,
    });
    // A connection the database dropped is reported here; the pool replaces it on the next use.
    pool.on('error', (error) => log(`postgres: a pooled connection failed: ${error.message}`));
    const store = new PgStore(pool, options, log);
    try {
      await migrate(pool, log);
      await store.#listen();
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
    return store;
  }

  // ---- listening: every process hears every change ----

  async #listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.connectionString, connectionTimeoutMillis: 2000 });
    client.on('notification', (message) => {
      const accountId = message.payload ?? '';
      // Only for live streams here: every read checks the account's sequence anyway.
      if (this.#cache.has(accountId) && this.changes.watched(accountId)) this.#follow(accountId);
    });
    client.on('error', () => undefined);
    client.on('end', () => {
      if (this.#closed) return;
      this.log('postgres: the listening connection closed; reconnecting');
      this.#listener = undefined;
      this.#relisten();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.#listener = client;
  }

  /** Accounts being caught up after a notification, and whether another came meanwhile. */
  readonly #following = new Map<string, boolean>();

  /**
   * Catches the account up after another process announced a change: one catch-up at a time per
   * account, and one more after it for whatever was announced meanwhile (at a few hundred changes
   * a second, a catch-up per notification read the same journal rows over and over).
   */
  #follow(accountId: string): void {
    if (this.#following.has(accountId)) {
      this.#following.set(accountId, true);
      return;
    }
    this.#following.set(accountId, false);
    void (async () => {
      do {
        this.#following.set(accountId, false);
        await this.get(accountId).catch(() => undefined);
      } while (this.#following.get(accountId) && !this.#closed);
      this.#following.delete(accountId);
    })();
  }

  #relisten(attempt = 0): void {
    if (this.#closed || this.#listening) return;
    this.#listening = (async () => {
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 200 * 2 ** attempt)));
      try {
        await this.#listen();
        // Changes made while nobody listened: catch every kept account up (their streams hear them).
        await Promise.all([...this.#cache.keys()].map((id) => this.get(id).catch(() => undefined)));
        this.#listening = undefined;
      } catch {
        this.#listening = undefined;
        this.#relisten(attempt + 1);
      }
    })();
  }

  // ---- accounts ----

  /** Runs `work` with a connection; the database being away is a 503. */
  async #with<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.#closed) throw unavailable();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch {
      throw unavailable();
    }
    let broken = false;
    // A connection that drops while checked out between two queries reports it on the client,
    // where nobody listens (an unhandled 'error' would end the process): note it, release it broken.
    const dropped = () => (broken = true);
    client.on('error', dropped);
    try {
      return await work(client);
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (isConnectionError(error)) {
        broken = true;
        throw unavailable();
      }
      throw error;
    } finally {
      client.off('error', dropped);
      client.release(broken);
    }
  }

  /**
   * The account as of its current sequence: the kept copy, caught up row by row (or reloaded).
   * `records`: the journal rows after the copy's sequence, when the caller read them with `head`.
   */
  async #catchUp(db: Queryable, accountId: string, head: Head, records?: JournalRecord[]): Promise<Cached> {
    let cached = this.#cache.get(accountId);
    // Ahead of `head` is not stale: a commit of this process landed after `head` was read (a read
    // racing a change). The copy only moves forward, and only after a commit.
    if (cached && cached.seq >= head.seq) return cached;
    if (!cached || cached.seq < head.snapshot_seq - JOURNAL_KEPT) {
      const { rows } = await db.query<{ snapshot: StoredDoc; snapshot_seq: string; snapshot_event_count: string }>(
        'SELECT snapshot, snapshot_seq, snapshot_event_count FROM seatkit_accounts WHERE id = $1',
        [accountId],
      );
      const row = rows[0]!;
      cached = { doc: decodeDoc(row.snapshot), seq: Number(row.snapshot_seq), eventCount: Number(row.snapshot_event_count), snapshotSeq: Number(row.snapshot_seq) };
      if (!this.#cache.has(accountId)) this.changes.start(accountId, cached.seq);
      records = undefined;
    }
    records ??= (await db.query<{ record: JournalRecord }>('SELECT record FROM seatkit_journal WHERE account_id = $1 AND seq > $2 ORDER BY seq', [accountId, cached.seq])).rows.map((r) => r.record);
    let { doc, seq } = cached;
    let eventCount = cached.eventCount;
    for (const record of records) {
      if (record.seq <= seq) continue; // committed here meanwhile: the copy has it
      if (record.seq !== seq + 1) break; // a row another transaction is writing right now: the next read takes it
      const problem = checkRecord(record);
      if (problem) throw new Error(`seatkit_journal ${accountId} ${record.seq}: ${problem}`);
      doc = applyRecord(doc, record);
      seq = record.seq;
      eventCount = record.firstEvent + record.events.length;
      this.changes.publish(changeOf(doc, seq, record.events as AuditEvent[]));
    }
    const next = { doc, seq, eventCount, snapshotSeq: head.snapshot_seq };
    const kept = this.#cache.get(accountId);
    if (!kept || kept.seq < seq) this.#cache.set(accountId, next);
    return next;
  }

  async #head(db: Queryable, accountId: string): Promise<Head | undefined> {
    const { rows } = await db.query<HeadRow>(
      'SELECT seq, event_count, snapshot_seq FROM seatkit_accounts WHERE id = $1',
      [accountId],
    );
    const row = rows[0];
    return row && headOf(row);
  }

  /** Reads of an account asked for in this turn of the event loop, not sent yet (see `get`). */
  readonly #reads = new Map<string, Promise<AccountDoc | undefined>>();

  /**
   * The account as of now. The reads of one account asked for in one turn of the event loop share
   * one query, sent when the turn ends (`setImmediate`, once the requests that came together are
   * all parsed): sent after each of them was asked for, it sees every change acknowledged before
   * any of them (a read already sent is never shared with a later one). Under load this is one
   * round trip for several requests: a process answering pages of users at 50 connections sent
   * one query for about eight of them.
   */
  get(accountId: string): Promise<AccountDoc | undefined> {
    let read = this.#reads.get(accountId);
    if (!read) {
      read = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.#reads.delete(accountId);
        return this.#read(accountId);
      });
      this.#reads.set(accountId, read);
    }
    return read;
  }

  /** The account as of now: its sequence and the journal rows the copy lacks, in one statement (one snapshot, one round trip). */
  async #read(accountId: string): Promise<AccountDoc | undefined> {
    return this.#with(async (client) => {
      // Without a copy, no rows: the account is read from its snapshot first.
      const since = this.#cache.get(accountId)?.seq ?? Number.MAX_SAFE_INTEGER;
      const { rows } = await client.query<HeadRow & { records: JournalRecord[] }>({
        name: 'seatkit_read',
        text: `SELECT seq, event_count, snapshot_seq,
           (SELECT coalesce(json_agg(record ORDER BY seq), '[]'::json) FROM seatkit_journal WHERE account_id = $1 AND seq > $2) AS records
         FROM seatkit_accounts WHERE id = $1`,
        values: [accountId, since],
      });
      const row = rows[0];
      if (!row) return undefined;
      return (await this.#catchUp(client, accountId, headOf(row), row.records)).doc;
    });
  }

  async accountIds(): Promise<string[]> {
    return this.#with(async (client) => (await client.query<{ id: string }>('SELECT id FROM seatkit_accounts ORDER BY id')).rows.map((r) => r.id));
  }

  async create(doc: AccountDoc, events: readonly AuditEvent[]): Promise<void> {
    await this.#with(async (client) => {
      await client.query('BEGIN');
      try {
        await client.query('INSERT INTO seatkit_accounts (id, seq, event_count, snapshot, snapshot_seq, snapshot_event_count) VALUES ($1, 1, $2, $3, 1, $2)', [
          doc.id,
          events.length,
          JSON.stringify(encodeDoc(doc)),
        ]);
        await this.#writeGroup(client, doc.id, { records: [], firstEvent: 0, events, tokens: new Map(tokenHashes(doc).map((hash) => [hash, true])), seq: 1, eventCount: events.length });
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    });
    this.#cache.set(doc.id, { doc, seq: 1, eventCount: events.length, snapshotSeq: 1 });
    this.changes.start(doc.id, 0);
    this.changes.publish(changeOf(doc, 1, events));
  }

  transact<T>(accountId: string, fn: (doc: AccountDoc) => Outcome<T> | Promise<Outcome<T>>): Promise<Outcome<T>> {
    // Changes of one account from this process go in turn (the row lock orders them across
    // processes); those that wait meanwhile are committed together, in one database transaction
    // (also those that come while a group waits for the row lock: see #commitLocked).
    return new Promise<Outcome<T>>((resolve, reject) => {
      let waiting = this.#waiting.get(accountId);
      if (!waiting) this.#waiting.set(accountId, (waiting = []));
      waiting.push({ fn, resolve, reject } as Waiting);
      if (!this.#queues.has(accountId)) this.#queues.set(accountId, this.#drain(accountId));
    });
  }

  /** Changes waiting for their account, in order. */
  readonly #waiting = new Map<string, Waiting[]>();

  async #drain(accountId: string): Promise<void> {
    for (;;) {
      const waiting = this.#waiting.get(accountId);
      if (!waiting || waiting.length === 0) {
        // In the same turn as the check: a change that comes after it finds no drain and starts one
        // (were the drain forgotten a turn later, that change would wait for ever).
        this.#waiting.delete(accountId);
        this.#queues.delete(accountId);
        return;
      }
      await this.#transactGroup(accountId, waiting.splice(0, GROUP_MAX));
    }
  }

  /**
   * Commits a group of changes of one account together (group commit): each change computed on the
   * state the one before it left, their journal rows and audit events written together, one
   * sequence update, one notification. A change whose function throws (a refused command) fails
   * alone and writes nothing; a failed write fails the whole group, none of which was acknowledged.
   *
   * First on this process's copy of the account, in one statement that commits only if the
   * account is still at that copy's sequence (the row lock is held for that statement alone, not
   * across round trips to this process); when another process got there first, again under the
   * row lock (`FOR UPDATE`) on the account as it is then. A change's function may run twice, so
   * it must have no effect outside the outcome it returns (the domain's functions have none).
   */
  async #transactGroup(accountId: string, group: Waiting[]): Promise<void> {
    let done: Computed | undefined;
    try {
      // An account other processes are writing too goes straight to the row lock: computing on a
      // copy that another commit has just made stale would be work thrown away.
      if (!this.#contended.has(accountId)) done = await this.#commitOnCopy(accountId, group);
      done ??= await this.#commitLocked(accountId, group);
    } catch (error) {
      for (const { reject } of group) reject(error);
      return;
    }
    const last = done.committed.at(-1);
    if (last) {
      const kept = this.#cache.get(accountId);
      if (!kept || kept.seq < last.seq) this.#cache.set(accountId, { doc: last.outcome.doc, seq: last.seq, eventCount: last.eventCount, snapshotSeq: done.snapshotSeq });
      for (const c of done.committed) this.changes.publish(changeOf(c.outcome.doc, c.seq, c.outcome.events));
    }
    group.forEach(({ resolve, reject }, i) => {
      const answer = done.answers[i]!;
      if (answer.ok) resolve(answer.outcome);
      else reject(answer.error);
    });
  }

  /** Runs the group's changes on `current`, each on the state the one before it left. */
  async #compute(group: Waiting[], current: Cached): Promise<Computed> {
    const out: Computed = { answers: [], committed: [], records: [], firstEvent: current.eventCount, events: [], tokens: new Map(), seq: current.seq, eventCount: current.eventCount, snapshotSeq: current.snapshotSeq };
    let doc = current.doc;
    for (const { fn } of group) {
      let done: Outcome<unknown>;
      try {
        done = await fn(doc);
      } catch (error) {
        out.answers.push({ ok: false, error });
        continue;
      }
      out.answers.push({ ok: true, outcome: done });
      if (done.doc === doc && done.events.length === 0) continue;
      const record: JournalRecord = { seq: out.seq + 1, ...diffDocs(doc, done.doc), firstEvent: out.eventCount, events: [...done.events] };
      const changed = tokenChanges(doc, done.doc);
      for (const hash of changed.removed) out.tokens.set(hash, false);
      for (const hash of changed.added) out.tokens.set(hash, true);
      out.events.push(...done.events);
      out.records.push(record);
      out.seq = record.seq;
      out.eventCount += done.events.length;
      doc = done.doc;
      out.committed.push({ outcome: done, seq: out.seq, eventCount: out.eventCount });
    }
    return out;
  }

  /**
   * The group on this process's copy, committed in one statement if the account is still at the
   * copy's sequence; undefined (nothing written, nothing answered) when it is not, or when the
   * group should write a snapshot (that takes the locked path).
   */
  async #commitOnCopy(accountId: string, group: Waiting[]): Promise<Computed | undefined> {
    const copy = this.#cache.get(accountId);
    // Decided before computing (a change computed here and again under the lock runs twice).
    if (!copy || copy.seq + group.length - copy.snapshotSeq >= (this.options.snapshotEvery ?? SNAPSHOT_EVERY)) return undefined;
    const done = await this.#compute(group, copy);
    // Refused or unchanged on a copy at least as new as the request's own read: answered as is.
    if (done.committed.length === 0) return done;
    if (await this.#with((client) => this.#writeGroup(client, accountId, done, copy.seq))) return done;
    this.#contended.add(accountId);
    return undefined;
  }

  /** The group under the account's row lock, on the account as it is once the lock is held. */
  async #commitLocked(accountId: string, group: Waiting[]): Promise<Computed> {
    return this.#with(async (client) => {
      try {
        const since = this.#cache.get(accountId)?.seq;
        const { head, records } = await this.#lockAndRead(client, accountId, since);
        if (!head) throw new ApiError('not_found', 'No such account.');
        // Changes that came while the lock was awaited join the group: they would otherwise wait
        // for this commit and then for the lock again (answered in order, after the group's own).
        const waiting = this.#waiting.get(accountId);
        if (waiting && group.length < GROUP_MAX) group.push(...waiting.splice(0, GROUP_MAX - group.length));
        const copy = this.#cache.get(accountId);
        // Nobody else wrote since this process's last look: the copy may be tried again next time.
        if (copy && copy.seq === head.seq) this.#contended.delete(accountId);
        // Ahead of the row it holds locked, the copy is not the database's (restored from a
        // backup under running processes): read the account afresh.
        if (copy && copy.seq > head.seq) this.#cache.delete(accountId);
        // The rows read with the lock follow the copy they were read for (not one a read replaced meanwhile).
        const fresh = copy?.seq === since ? records : undefined;
        const done = await this.#compute(group, await this.#catchUp(client, accountId, head, fresh));
        done.snapshotSeq = head.snapshot_seq;
        if (done.committed.length > 0) {
          if (done.seq - head.snapshot_seq >= (this.options.snapshotEvery ?? SNAPSHOT_EVERY)) {
            const doc = done.committed.at(-1)!.outcome.doc;
            await client.query('UPDATE seatkit_accounts SET snapshot = $2, snapshot_seq = $3, snapshot_event_count = $4 WHERE id = $1', [
              accountId,
              JSON.stringify(encodeDoc(doc)),
              done.seq,
              done.eventCount,
            ]);
            await client.query('DELETE FROM seatkit_journal WHERE account_id = $1 AND seq <= $2', [accountId, done.seq - JOURNAL_KEPT]);
            done.snapshotSeq = done.seq;
          }
          await this.#writeAndCommit(client, accountId, done);
        } else {
          await client.query('COMMIT');
        }
        return done;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    });
  }

  /**
   * Begins the transaction, takes the account's row lock and reads the journal rows after `since`
   * (the copy's sequence), in one round trip: three statements sent as one simple query, each
   * with its own snapshot under READ COMMITTED, so the journal is read after the lock is held and
   * holds every row committed before it. The values are a text id (quoted by the driver) and
   * integers.
   */
  async #lockAndRead(client: pg.PoolClient, accountId: string, since: number | undefined): Promise<{ head: Head | undefined; records: JournalRecord[] | undefined }> {
    const id = client.escapeLiteral(accountId);
    const text =
      `BEGIN; SELECT seq, event_count, snapshot_seq FROM seatkit_accounts WHERE id = ${id} FOR UPDATE` +
      (since === undefined ? '' : `; SELECT record FROM seatkit_journal WHERE account_id = ${id} AND seq > ${Math.trunc(since)} ORDER BY seq`);
    const results = (await client.query(text)) as unknown as pg.QueryResult[];
    const row = results[1]!.rows[0] as HeadRow | undefined;
    return {
      head: row && headOf(row),
      records: since === undefined ? undefined : (results[2]!.rows as { record: JournalRecord }[]).map((r) => r.record),
    };
  }

  /**
   * What a group of changes writes, in one statement (one round trip, instead of one per table):
   * see `writeStatement`. With `expectedSeq`, written only if the account is still at that
   * sequence: false when it wrote nothing.
   */
  async #writeGroup(client: pg.PoolClient, accountId: string, group: GroupWrite, expectedSeq?: number): Promise<boolean> {
    const { rows } = await client.query<{ written: boolean }>({
      // Prepared once per connection (planning six parts each time cost more than running them).
      name: expectedSeq === undefined ? 'seatkit_write_locked' : 'seatkit_write_on_copy',
      text: writeStatement(expectedSeq !== undefined),
      values: [...writeValues(accountId, group), ...(expectedSeq === undefined ? [] : [expectedSeq])],
    });
    return rows[0]?.written === true;
  }

  /** Connections that have prepared `WRITE_AND_COMMIT` (a prepared statement lives as long as its connection). */
  readonly #prepared = new WeakSet<pg.ClientBase>();

  /**
   * The group's write and the COMMIT in one round trip, for a transaction holding the account's
   * row lock: the lock is held for one round trip less. The driver sends parameters only one
   * statement at a time, so the write is a statement prepared on the connection (`PREPARE`, once)
   * and run by `EXECUTE` with quoted literals, followed by `COMMIT` in the same message. Quoting is
   * sound because the connection talks UTF-8, where a quote or backslash byte is never part of
   * another character (the driver asks for `client_encoding=UTF8` in every connection's startup
   * message, over whatever the role or database sets; a test holds it).
   */
  async #writeAndCommit(client: pg.PoolClient, accountId: string, group: GroupWrite): Promise<void> {
    if (!this.#prepared.has(client)) {
      await client.query(`PREPARE ${WRITE_AND_COMMIT} (${WRITE_TYPES}) AS ${writeStatement(false)}`);
      this.#prepared.add(client);
    }
    const literals = writeValues(accountId, group).map((value) => client.escapeLiteral(Array.isArray(value) ? arrayLiteral(value) : String(value)));
    try {
      await client.query(`EXECUTE ${WRITE_AND_COMMIT} (${literals.join(', ')}); COMMIT`);
    } catch (error) {
      // The statement is gone from the connection (a DEALLOCATE by someone else): prepared again next time.
      if ((error as { code?: string }).code === '26000') this.#prepared.delete(client);
      throw error;
    }
  }

  async events(accountId: string, query: EventQuery): Promise<EventPage> {
    return this.#with(async (client) => {
      const before = query.before ?? Number.MAX_SAFE_INTEGER;
      let total: number;
      let rows: { position: string; event: AuditEvent }[];
      if (query.userId === undefined) {
        const head = await this.#head(client, accountId);
        total = head?.event_count ?? 0;
        ({ rows } = await client.query(
          'SELECT position, event FROM seatkit_events WHERE account_id = $1 AND position < $2 ORDER BY position DESC LIMIT $3',
          [accountId, before, query.limit + 1],
        ));
      } else {
        total = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM seatkit_event_users WHERE account_id = $1 AND user_id = $2', [accountId, query.userId])).rows[0]!.n);
        ({ rows } = await client.query(
          `SELECT e.position, e.event FROM seatkit_event_users u JOIN seatkit_events e ON e.account_id = u.account_id AND e.position = u.position
           WHERE u.account_id = $1 AND u.user_id = $2 AND u.position < $3 ORDER BY u.position DESC LIMIT $4`,
          [accountId, query.userId, before, query.limit + 1],
        ));
      }
      const page = rows.slice(0, query.limit);
      const more = rows.length > query.limit;
      return { data: page.map((r) => r.event), total, next: more ? Number(page.at(-1)!.position) : null };
    });
  }

  async findTokenAccount(tokenHash: string): Promise<string | undefined> {
    // A session of an account this process holds: no round trip (the caller reads the account
    // next, at its current sequence, and checks the session there; a token never moves accounts).
    for (const [accountId, { doc }] of this.#cache) if (doc.sessions.has(tokenHash)) return accountId;
    return this.#with(async (client) => (await client.query<{ account_id: string }>('SELECT account_id FROM seatkit_tokens WHERE hash = $1', [tokenHash])).rows[0]?.account_id);
  }

  // ---- webhook endpoints ----

  async webhookEndpoints(): Promise<WebhookEndpointRecord[]> {
    return this.#with(async (client) => (await client.query<{ record: WebhookEndpointRecord }>('SELECT record FROM seatkit_webhook_endpoints ORDER BY id')).rows.map((r) => r.record));
  }

  async saveWebhookEndpoint(endpoint: WebhookEndpointRecord): Promise<void> {
    await this.#with((client) =>
      client.query('INSERT INTO seatkit_webhook_endpoints (id, record) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record, updated_at = now()', [endpoint.id, JSON.stringify(endpoint)]),
    );
  }

  async removeWebhookEndpoint(id: string): Promise<void> {
    await this.#with((client) => client.query('DELETE FROM seatkit_webhook_endpoints WHERE id = $1', [id]));
  }

  // ---- what several processes share ----

  async lease(key: string, ms: number): Promise<boolean> {
    return this.#with(async (client) => {
      const { rows } = await client.query(
        `INSERT INTO seatkit_leases (key, until) VALUES ($1, now() + $2 * interval '1 millisecond')
         ON CONFLICT (key) DO UPDATE SET until = EXCLUDED.until WHERE seatkit_leases.until < now() RETURNING key`,
        [key, ms],
      );
      return rows.length === 1;
    });
  }

  /**
   * Notes that the process at `url` is up, and answers the addresses of every process noted in
   * the last `liveMs` (this one included), by the database's clock: one statement, which also
   * forgets processes gone for an hour.
   */
  async beat(url: string, liveMs: number): Promise<string[]> {
    return this.#with(async (client) => {
      const { rows } = await client.query<{ url: string }>(
        `WITH beat AS (
           INSERT INTO seatkit_peers (url, seen) VALUES ($1, now()) ON CONFLICT (url) DO UPDATE SET seen = now()
         ), gone AS (
           DELETE FROM seatkit_peers WHERE seen < now() - interval '1 hour'
         )
         SELECT url FROM seatkit_peers WHERE seen > now() - $2 * interval '1 millisecond'`,
        [url, liveMs],
      );
      // The statement's snapshot predates its own insert: a first beat does not see itself.
      return [...new Set([url, ...rows.map((row) => row.url)])];
    });
  }

  /** Notes that the process at `url` is stopping: its peers stop sending it changes at their next beat. */
  async leave(url: string): Promise<void> {
    await this.#with((client) => client.query('DELETE FROM seatkit_peers WHERE url = $1', [url]));
  }

  limiter(name: string, limit: number, windowMs: number): Limiter {
    return {
      hit: async (key, now, count = 1) => {
        const id = `${name}:${key}`;
        const at = new Date(now);
        const row = await this.#with(async (client) => {
          const { rows } = await client.query<{ count: number; window_start: Date }>(
            `INSERT INTO seatkit_rate_limits (key, window_start, count) VALUES ($1, $2, $3)
             ON CONFLICT (key) DO UPDATE SET
               window_start = CASE WHEN seatkit_rate_limits.window_start <= $2::timestamptz - $4 * interval '1 millisecond' THEN $2 ELSE seatkit_rate_limits.window_start END,
               count = CASE WHEN seatkit_rate_limits.window_start <= $2::timestamptz - $4 * interval '1 millisecond' THEN $3 ELSE seatkit_rate_limits.count + $3 END
             RETURNING count, window_start`,
            [id, at, count, windowMs],
          );
          const counted = rows[0]!;
          // Over the limit: this hit does not count (all or none).
          if (counted.count > limit) await client.query('UPDATE seatkit_rate_limits SET count = count - $2 WHERE key = $1', [id, count]);
          return counted;
        });
        if (row.count > limit) {
          const retryAfter = Math.max(1, Math.ceil((row.window_start.getTime() + windowMs - now) / 1000));
          throw new ApiError('rate_limited', `Too many requests. Try again in ${retryAfter} seconds.`, { headers: { 'Retry-After': String(retryAfter) } });
        }
      },
      refund: async (key, count = 1) => {
        await this.#with((client) => client.query('UPDATE seatkit_rate_limits SET count = greatest(0, count - $2) WHERE key = $1', [`${name}:${key}`, count]));
      },
    };
  }

  async ready(): Promise<boolean> {
    return this.#with(async (client) => (await client.query('SELECT 1')).rowCount === 1).catch(() => false);
  }

  /**
   * Lets the changes under way commit, then ends the connections. Each step is bounded: a database
   * that went away (or stopped answering) must not keep a stopping server up.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    await bounded(Promise.all(this.#queues.values()), 10_000);
    this.#closed = true;
    await bounded(this.#listener?.end(), 2000);
    await bounded(this.pool.end(), 5000);
  }
}
