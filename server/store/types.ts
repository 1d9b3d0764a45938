import type { AuditEvent } from '../../sdk/types.js';
import type { AccountDoc, Outcome } from '../domain/state.js';
import { changedUserIds } from '../domain/users-map.js';

/**
 * Where accounts live. One interface for every backend (memory now; lowdb file, PostgreSQL later).
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
  /** The account's audit log, oldest first (append-only). */
  events(accountId: string): Promise<readonly AuditEvent[]>;
  /** The account that holds a session or invitation token with this SHA-256 hash. */
  findTokenAccount(tokenHash: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/** Every token hash a document holds (sessions and pending invitations), for the store's index. */
export function tokenHashes(doc: AccountDoc): string[] {
  const hashes = Object.keys(doc.sessions);
  for (const { invitation } of doc.users.values()) if (invitation) hashes.push(invitation.tokenHash);
  return hashes;
}

/**
 * Moves a token index (hash → account id) from one state of an account to the next: only the
 * sessions and the users that changed when the domain says which (else every token of both).
 */
export function reindexTokens(index: Map<string, string>, before: AccountDoc, after: AccountDoc): void {
  if (before.sessions === after.sessions && before.users === after.users) return;
  const changed = before.users === after.users ? [] : changedUserIds(before.users, after.users);
  if (!changed) {
    for (const hash of tokenHashes(before)) index.delete(hash);
    for (const hash of tokenHashes(after)) index.set(hash, after.id);
    return;
  }
  if (before.sessions !== after.sessions) {
    for (const hash of Object.keys(before.sessions)) if (!Object.hasOwn(after.sessions, hash)) index.delete(hash);
    for (const hash of Object.keys(after.sessions)) index.set(hash, after.id);
  }
  for (const id of changed) {
    const old = before.users.get(id)?.invitation?.tokenHash;
    const now = after.users.get(id)?.invitation?.tokenHash;
    if (old !== undefined && old !== now) index.delete(old);
    if (now !== undefined) index.set(now, after.id);
  }
}
