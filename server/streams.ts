/**
 * Live streams (`GET /v1/accounts/{accountId}/stream`): server-sent events of every committed change
 * of an account, as the store announces them (`store.changes`, from any process with PostgreSQL).
 *
 * Each stream has its own bounded queue and its own writer: the store hands a change to every
 * queue and returns (a commit never waits for a reader); a reader too slow to keep up gets `reset`
 * (reload) instead of an ever-growing queue, and one that takes nothing at all is dropped.
 */
import type { SSEStreamingApi } from 'hono/streaming';
import type { LicenseCounts, StreamSessionEndReason } from '../sdk/types.js';
import type { Clock, Logger } from './config.js';
import { can } from './domain/permissions.js';
import type { AccountDoc } from './domain/state.js';
import { ApiError } from './errors.js';
import type { AccountChange } from './store/changes.js';
import type { Store } from './store/types.js';

export interface StreamLimits {
  /** Open streams per session token (a page keeps one per account; a few tabs may share a token). */
  perSession: number;
  /** Open streams per account, of every viewer together (and of the API key). */
  perAccount: number;
  /** A comment line at least this often keeps proxies from closing an idle stream; expiry is checked as often. */
  keepAliveMs: number;
  /** Changes a stream may have waiting for its reader; past that it is sent `reset`. */
  queueMax: number;
  /** A reader that takes nothing for this long is dropped (it reconnects and resumes, if it is still there). */
  stallMs: number;
}

/** Changes that follow a write within this many ms are sent together: a busy account costs a stream a few writes a second, not one per change. */
const COALESCE_MS = 100;

export const DEFAULT_STREAM_LIMITS: StreamLimits = { perSession: 5, perAccount: 500, keepAliveMs: 15_000, queueMax: 500, stallMs: 60_000 };

/** Who reads a stream: a session's user, or the API key (every change, every user id). */
export interface StreamViewer {
  userId: string;
  sessionHash: string;
  expiresAt: string;
  canReadUsers: boolean;
}

/** A place taken by a stream: counted against the caps until released. */
export interface StreamSlot {
  accountId: string;
  sessionHash: string | null;
  /** Ends the stream now (shutdown): no more events. Set by the stream once it runs. */
  stop(): void;
}

type Open = StreamSlot;

/** Every open stream of this process: the caps, and the end of all of them at shutdown. */
export class StreamHub {
  readonly #open = new Set<Open>();
  #closing = false;

  constructor(readonly limits: StreamLimits) {}

  get size(): number {
    return this.#open.size;
  }

  /** Takes a place for a new stream, or refuses with 429 `too_many_streams` (before any byte is sent). */
  admit(stream: Open): () => void {
    if (this.#closing) throw new ApiError('storage_unavailable', 'The server is shutting down; connect again.', { headers: { 'Retry-After': '1' } });
    let account = 0;
    let session = 0;
    for (const other of this.#open) {
      if (other.accountId === stream.accountId) account++;
      if (stream.sessionHash !== null && other.sessionHash === stream.sessionHash) session++;
    }
    if (stream.sessionHash !== null && session >= this.limits.perSession) {
      throw new ApiError('too_many_streams', `This session already has ${session} open streams (at most ${this.limits.perSession}). Close one, or share one stream per page.`, {
        headers: { 'Retry-After': '5' },
      });
    }
    if (account >= this.limits.perAccount) {
      throw new ApiError('too_many_streams', `This account already has ${account} open streams (at most ${this.limits.perAccount}).`, { headers: { 'Retry-After': '5' } });
    }
    this.#open.add(stream);
    return () => this.#open.delete(stream);
  }

  /** Ends every stream (SIGTERM) and refuses new ones; clients reconnect to another process or after the restart. */
  close(): void {
    this.#closing = true;
    for (const stream of [...this.#open]) stream.stop();
  }
}

/** The sequence a client resumes after (`Last-Event-ID`, or `?lastEventId=`); undefined when none. */
export function parseLastEventId(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  if (!/^\d{1,15}$/.test(raw.trim())) {
    throw new ApiError('validation_failed', 'Last-Event-ID must be the id of an event this stream sent (a whole number).', { errors: { lastEventId: 'Expected a whole number' } });
  }
  return Number(raw.trim());
}

/** What a viewer may see of a change: without `users:read`, no user ids. */
function changeData(change: AccountChange, canReadUsers: boolean): { sequence: number; action: string; userIds: string[]; licenses: LicenseCounts } {
  return { sequence: change.sequence, action: change.action, userIds: canReadUsers ? change.userIds : [], licenses: change.licenses };
}

const encoder = new TextEncoder();
/** Each change's event as bytes, made once per kind of viewer however many streams send it. */
const encoded = new WeakMap<AccountChange, [Uint8Array | undefined, Uint8Array | undefined]>();

/**
 * Several changes' events in one chunk. A batch is every change of the account between its first and
 * its last (streams take them in order), so streams that wake together share the bytes: kept for the
 * last few batches, by account, range and kind of viewer.
 */
const batches = new Map<string, Uint8Array>();
const BATCHES_KEPT = 64;

function batchOf(accountId: string, changes: AccountChange[], canReadUsers: boolean): Uint8Array {
  if (changes.length === 1) return changeEvent(changes[0]!, canReadUsers);
  const key = `${accountId} ${changes[0]!.sequence} ${changes.at(-1)!.sequence} ${canReadUsers}`;
  let bytes = batches.get(key);
  if (!bytes) {
    bytes = concat(changes.map((change) => changeEvent(change, canReadUsers)));
    batches.set(key, bytes);
    if (batches.size > BATCHES_KEPT) batches.delete(batches.keys().next().value!);
  }
  return bytes;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

export function changeEvent(change: AccountChange, canReadUsers: boolean): Uint8Array {
  let pair = encoded.get(change);
  if (!pair) encoded.set(change, (pair = [undefined, undefined]));
  const index = canReadUsers ? 1 : 0;
  return (pair[index] ??= encoder.encode(`event: change\ndata: ${JSON.stringify(changeData(change, canReadUsers))}\nid: ${change.sequence}\n\n`));
}

/** Why the viewer's session no longer holds in `doc` (undefined while it does). */
export function sessionEnd(doc: AccountDoc | undefined, viewer: StreamViewer, now: Date, action?: string): StreamSessionEndReason | undefined {
  const session = doc?.sessions.get(viewer.sessionHash);
  const user = doc?.users.get(viewer.userId);
  if (Date.parse(viewer.expiresAt) <= now.getTime()) return 'expired';
  if (session && user && user.status === 'enabled') return undefined;
  if (action === 'owner.transferred' && doc && doc.ownerId !== viewer.userId) return 'owner_transferred';
  if (!user || user.status !== 'enabled') return 'license_removed';
  return 'revoked';
}

export interface RunOptions {
  hub: StreamHub;
  store: Store;
  clock: Clock;
  accountId: string;
  viewer: StreamViewer | null;
  lastEventId: number | undefined;
  /** The request's own signal (the client went away). */
  signal: AbortSignal;
  /** The place `hub.admit` gave, and its release. */
  slot: StreamSlot;
  release: () => void;
  log?: Logger;
}

/**
 * Runs one stream until the client leaves, the session ends or the server stops. First the
 * changes the client missed (or `reset`), then `ready` with the current sequence, then each change
 * as it is announced.
 */
export async function runStream(sse: SSEStreamingApi, options: RunOptions): Promise<void> {
  const { store, clock, accountId, viewer } = options;
  const limits = options.hub.limits;
  let canReadUsers = viewer?.canReadUsers ?? true;
  const queue: AccountChange[] = [];
  let overflow = false;
  let ended = false;
  let wake: (() => void) | undefined;
  // A write the reader has not taken yet, and since when: a reader that takes nothing is dropped.
  let writingSince = 0;
  const nudge = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  /** Set when the stream must stop: the reason sent as `session-ended`, or null for a plain end. */
  let stopping: StreamSessionEndReason | null | undefined;
  const stop = (reason: StreamSessionEndReason | null) => {
    stopping ??= reason;
    // A write the reader does not take would hold the stream open: abort it.
    if (writingSince > 0 && reason === null) sse.abort();
    nudge();
  };
  options.slot.stop = () => stop(null);

  const unsubscribe = store.changes.subscribe(accountId, (change) => {
    if (overflow) return;
    if (queue.length >= limits.queueMax) {
      overflow = true;
      queue.length = 0;
    } else {
      queue.push(change);
    }
    nudge();
  });

  // The keep-alive may write while the pump does: writes in flight are counted.
  let writing = 0;
  const write = async (text: string | Uint8Array) => {
    if (writing++ === 0) writingSince = Date.now();
    try {
      await sse.write(text);
    } finally {
      if (--writing === 0) writingSince = 0;
    }
  };
  const send = (event: string, data: unknown, id?: number) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n${id === undefined ? '' : `id: ${id}\n`}\n`);

  const expiry = viewer && setTimeout(() => stop('expired'), Math.min(2 ** 31 - 1, Math.max(0, Date.parse(viewer.expiresAt) - clock.now().getTime())));
  const tick = setInterval(() => {
    if (viewer && Date.parse(viewer.expiresAt) <= clock.now().getTime()) return stop('expired');
    if (writingSince > 0) {
      // Nothing was taken for a long while: the reader is gone or stuck; let it reconnect and resume.
      if (Date.now() - writingSince > limits.stallMs) stop(null);
      return;
    }
    void write(': keep-alive\n\n');
  }, limits.keepAliveMs);
  const onAbort = () => {
    ended = true;
    nudge();
  };
  options.signal.addEventListener('abort', onAbort);
  sse.onAbort(onAbort);

  try {
    let last: number;
    const resumeFrom = options.lastEventId;
    const missed = resumeFrom === undefined ? [] : await store.changes.since(accountId, resumeFrom);
    if (missed === undefined) {
      last = await store.changes.latest(accountId);
      await send('reset', { sequence: last }, last);
    } else {
      last = resumeFrom ?? (await store.changes.latest(accountId));
      for (const change of missed) {
        await write(changeEvent(change, canReadUsers));
        last = change.sequence;
      }
    }
    last = Math.max(last, await store.changes.latest(accountId));
    await send('ready', { sequence: last, resumed: resumeFrom !== undefined && missed !== undefined }, last);
    // A session that ended before the stream opened (or during the replay) ends it at once.
    if (viewer) {
      const reason = sessionEnd(await store.get(accountId), viewer, clock.now());
      if (reason) stopping ??= reason;
    }

    let lastWriteAt = 0;
    while (!ended && stopping === undefined) {
      if (overflow) {
        overflow = false;
        last = await store.changes.latest(accountId);
        await send('reset', { sequence: last }, last);
        continue;
      }
      if (queue.length === 0) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      // Right after a write, what follows within a moment goes out together (one write, not one per change).
      const wait = lastWriteAt + COALESCE_MS - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      // Everything waiting goes out in one write (a busy account sends fewer, larger chunks).
      const batch: AccountChange[] = [];
      /** Whether the viewer may read users, per change of the batch (a role may change within it). */
      const visible: boolean[] = [];
      for (let change = queue.shift(); change; change = queue.shift()) {
        if (change.sequence <= last) continue;
        if (viewer && change.userIds.includes(viewer.userId)) {
          // The change is about the viewer: their session or role may have changed with it.
          const doc = await store.get(accountId);
          const reason = sessionEnd(doc, viewer, clock.now(), change.action);
          if (reason) {
            stopping ??= reason;
            break;
          }
          const user = doc?.users.get(viewer.userId);
          if (user) canReadUsers = can(user, 'users:read');
        }
        batch.push(change);
        visible.push(canReadUsers);
        last = change.sequence;
      }
      if (batch.length > 0) {
        const same = visible.every((flag) => flag === visible[0]);
        await write(same ? batchOf(accountId, batch, visible[0]!) : concat(batch.map((change, i) => changeEvent(change, visible[i]!))));
        lastWriteAt = performance.now();
      }
    }
    if (!ended && stopping) await send('session-ended', { reason: stopping });
  } catch (error) {
    // The store failed (PostgreSQL away, say): the stream ends; its client reconnects and resumes.
    options.log?.({ level: 'warn', message: 'a live stream ended on an error; its client reconnects', accountId, error: error instanceof Error ? error.message : String(error) });
  } finally {
    unsubscribe();
    options.release();
    clearInterval(tick);
    if (expiry) clearTimeout(expiry);
    options.signal.removeEventListener('abort', onAbort);
    // A reader that took nothing has a write pending: abort rather than wait for it.
    if (writingSince > 0) sse.abort();
    nudge();
  }
}
