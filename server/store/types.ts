import type { AuditEvent } from '../../sdk/types.js';
import type { AccountDoc, Outcome } from '../domain/state.js';
import { changedKeys } from '../domain/users-map.js';
import type { Changes } from './changes.js';
import type { Limiter } from '../rate-limit.js';
import type { WebhookEndpointRecord } from '../webhooks/endpoints.js';

/** Which audit events to read: newest first, optionally only those naming one user. */
export interface EventQuery {
  /** Only events that name this user (a user's history). */
  userId?: string;
  /** Only events older than this position (the `next` of the previous page). */
  before?: number;
  limit: number;
}

export interface EventPage {
  data: AuditEvent[];
  /** Events matching the query, across every page. */
  total: number;
  /** The position to continue from, or null after the last page. */
  next: number | null;
}

/**
 * Where accounts live. One interface for every backend (memory, the file store, PostgreSQL).
 *
 * A mutation runs against the account's latest committed document with no other mutation of the
 * same account interleaving, and commits the new document and its audit events atomically: if the
 * function or the commit fails, nothing of it is applied. Documents are immutable values.
 */
export interface Store {
  /** Stores a new account with its first events. */
  create(doc: AccountDoc, events: readonly AuditEvent[]): Promise<void>;
  /** The latest committed document, or undefined. */
  get(accountId: string): Promise<AccountDoc | undefined>;
  /** Runs `fn` on the account (serialised per account) and commits its outcome atomically. */
  transact<T>(accountId: string, fn: (doc: AccountDoc) => Outcome<T> | Promise<Outcome<T>>): Promise<Outcome<T>>;
  /** A page of the account's audit log (append-only), newest first. */
  events(accountId: string, query: EventQuery): Promise<EventPage>;
  /** The account that holds a session or invitation token with this SHA-256 hash. */
  findTokenAccount(tokenHash: string): Promise<string | undefined>;
  /** Every account id (scheduled work: session sweeps). */
  accountIds(): Promise<string[]>;
  /** Each commit with audit events, as it becomes durable (live streams). */
  readonly changes: Changes;
  /** Webhook endpoints (server-wide), with their secrets. */
  webhookEndpoints(): Promise<WebhookEndpointRecord[]>;
  /** Adds or replaces an endpoint. */
  saveWebhookEndpoint(endpoint: WebhookEndpointRecord): Promise<void>;
  removeWebhookEndpoint(id: string): Promise<void>;
  // Stores that several processes share (PostgreSQL) also give:
  /** A lease on `key` for `ms`: true when this process now holds it (one process per webhook attempt, per scheduled run). */
  lease?(key: string, ms: number): Promise<boolean>;
  /** A rate limiter counted across the processes. */
  limiter?(name: string, limit: number, windowMs: number): Limiter;
  /** Whether the store can serve now (`GET /readyz`). */
  ready?(): Promise<boolean>;
  close(): Promise<void>;
}

/** Every token hash a document holds (sessions and pending invitations), for the store's index. */
export function tokenHashes(doc: AccountDoc): string[] {
  const hashes = [...doc.sessions.keys()];
  for (const { invitation } of doc.users.values()) if (invitation) hashes.push(invitation.tokenHash);
  return hashes;
}

/**
 * The token hashes one state of an account has that the other lacks: only the sessions and the
 * users that changed when the domain says which (else every token of both).
 */
export function tokenChanges(before: AccountDoc, after: AccountDoc): { added: string[]; removed: string[] } {
  if (before.sessions === after.sessions && before.users === after.users) return { added: [], removed: [] };
  const users = before.users === after.users ? [] : changedKeys(before.users, after.users);
  const sessions = before.sessions === after.sessions ? [] : changedKeys(before.sessions, after.sessions);
  if (!users || !sessions) {
    const old = new Set(tokenHashes(before));
    const now = new Set(tokenHashes(after));
    return { added: [...now].filter((h) => !old.has(h)), removed: [...old].filter((h) => !now.has(h)) };
  }
  const added: string[] = [];
  const removed: string[] = [];
  for (const hash of new Set(sessions)) {
    if (after.sessions.has(hash)) {
      if (!before.sessions.has(hash)) added.push(hash);
    } else if (before.sessions.has(hash)) removed.push(hash);
  }
  for (const id of new Set(users)) {
    const old = before.users.get(id)?.invitation?.tokenHash;
    const now = after.users.get(id)?.invitation?.tokenHash;
    if (old !== now) {
      if (old !== undefined) removed.push(old);
      if (now !== undefined) added.push(now);
    }
  }
  return { added, removed };
}

/** Moves a token index (hash → account id) from one state of an account to the next. */
export function reindexTokens(index: Map<string, string>, before: AccountDoc, after: AccountDoc): void {
  const { added, removed } = tokenChanges(before, after);
  for (const hash of removed) index.delete(hash);
  for (const hash of added) index.set(hash, after.id);
}
