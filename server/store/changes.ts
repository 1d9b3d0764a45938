/**
 * Committed changes of each account as they happen, for live streams: one entry per commit that
 * made audit events, numbered by the account's change sequence (which only grows, and may skip
 * numbers: a commit without audit events, such as a session being minted, is not announced). The
 * recent ones are kept, so a stream that reconnects gets exactly what it missed, or learns that it
 * can no longer be told (and reloads).
 */
import type { AuditAction, AuditEvent, LicenseCounts } from '../../sdk/types.js';
import type { AccountDoc } from '../domain/state.js';
import { licenseCounts } from '../domain/views.js';

export interface AccountChange {
  accountId: string;
  sequence: number;
  /** The action of the change's last audit event (the command; settling comes first). */
  action: AuditAction;
  /** Every user the change's events name. */
  userIds: string[];
  licenses: LicenseCounts;
}

/** The change a commit announces, or undefined when it made no audit events. */
export function changeOf(doc: AccountDoc, sequence: number, events: readonly AuditEvent[]): AccountChange | undefined {
  const last = events.at(-1);
  if (!last) return undefined;
  return { accountId: doc.id, sequence, action: last.action, userIds: [...new Set(events.flatMap((e) => e.userIds))], licenses: licenseCounts(doc) };
}

export type ChangeListener = (change: AccountChange) => void;

/** How a store tells of its commits (in this process or, for PostgreSQL, any process). */
export interface Changes {
  subscribe(accountId: string, listener: ChangeListener): () => void;
  /** The changes after `sequence`, oldest first, or undefined when they can no longer be told. */
  since(accountId: string, sequence: number): Promise<AccountChange[] | undefined>;
  /**
   * The sequence of the account's last announced change (0 when none is known): where a new stream
   * starts, so it can resume from there even before its first change.
   */
  latest(accountId: string): Promise<number>;
}

/** Changes kept per account for reconnecting streams (beyond them, a stream is told to reload). */
export const CHANGES_KEPT = 1000;

interface Feed {
  /** Every announced change after this sequence is in `recent`. */
  floor: number;
  /** The last sequence announced (a change told twice, as several processes may, is told once). */
  last: number;
  recent: AccountChange[];
  listeners: Set<ChangeListener>;
}

/** The changes of the accounts one process commits (the memory and file stores). */
export class ChangeFeed implements Changes {
  readonly #feeds = new Map<string, Feed>();

  /**
   * `catchUp` brings the account up to date first, where other processes commit too (PostgreSQL:
   * a change announced there may not have been heard here yet).
   */
  constructor(
    private readonly kept = CHANGES_KEPT,
    private readonly catchUp?: (accountId: string) => Promise<unknown>,
  ) {}

  #feed(accountId: string): Feed {
    let feed = this.#feeds.get(accountId);
    if (!feed) this.#feeds.set(accountId, (feed = { floor: 0, last: 0, recent: [], listeners: new Set() }));
    return feed;
  }

  /** An account loaded at `sequence`: changes before it are not known here. */
  start(accountId: string, sequence: number): void {
    const feed = this.#feed(accountId);
    feed.floor = Math.max(feed.floor, sequence);
    feed.last = Math.max(feed.last, sequence);
  }

  publish(change: AccountChange | undefined): void {
    if (!change) return;
    const feed = this.#feed(change.accountId);
    if (change.sequence <= feed.last) return;
    feed.last = change.sequence;
    feed.recent.push(change);
    if (feed.recent.length > this.kept) feed.floor = feed.recent.shift()!.sequence;
    for (const listener of feed.listeners) {
      try {
        listener(change);
      } catch {
        // A listener's failure is its own (a closed stream): the commit stands.
      }
    }
  }

  /** Whether anyone here listens to the account's changes (a live stream). */
  watched(accountId: string): boolean {
    return (this.#feeds.get(accountId)?.listeners.size ?? 0) > 0;
  }

  subscribe(accountId: string, listener: ChangeListener): () => void {
    const feed = this.#feed(accountId);
    feed.listeners.add(listener);
    return () => feed.listeners.delete(listener);
  }

  async since(accountId: string, sequence: number): Promise<AccountChange[] | undefined> {
    await this.catchUp?.(accountId);
    const feed = this.#feeds.get(accountId);
    if (!feed || sequence < feed.floor) return undefined;
    if (sequence > feed.last) return undefined;
    return feed.recent.filter((change) => change.sequence > sequence);
  }

  async latest(accountId: string): Promise<number> {
    await this.catchUp?.(accountId);
    return this.#feeds.get(accountId)?.last ?? 0;
  }
}
