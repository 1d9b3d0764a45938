import type { AuditEvent } from '../../sdk/types.js';
import type { AccountDoc, Outcome } from '../domain/state.js';

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
