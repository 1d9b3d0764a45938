import type { Actor, AuditEvent, BillingInterval, Invoice, User } from '../../sdk/types.js';
import type { Sessions, Users } from './users-map.js';

/** A user as stored: the wire fields plus the pending invitation (token stored only as a hash). */
export interface UserRecord extends User {
  invitation: { tokenHash: string; expiresAt: string } | null;
}

export interface Plan {
  quantity: number;
  unitPrice: number;
  currency: string;
  interval: BillingInterval;
  /** Start of the first period: renewals fall on its day of month (clamped) or date. */
  anchor: string;
  /** Index of the current period (0 = the first). */
  period: number;
  periodStart: string;
  periodEnd: string;
  scheduled: { quantity: number; effectiveAt: string } | null;
}

export interface SessionRecord {
  userId: string;
  createdAt: string;
  expiresAt: string;
}

export interface IdempotencyRecord {
  fingerprint: string;
  status: number;
  body: unknown;
  createdAt: string;
}

/**
 * One account and everything in it but the audit log: the unit the store reads and commits
 * atomically. Documents are immutable; the domain returns new ones.
 */
export interface AccountDoc {
  id: string;
  name: string;
  ownerId: string;
  createdAt: string;
  plan: Plan;
  testClock: { now: string } | null;
  /** By id, in creation order. A Map: copied and walked in a fraction of a plain object's time at 10,000 users. */
  users: Users;
  /** By SHA-256 hash of the session token (a persistent map, like `users`). */
  sessions: Sessions;
  /** By Idempotency-Key (license changes). */
  idempotency: Record<string, IdempotencyRecord>;
  invoices: Invoice[];
}

/** What a domain function is given besides the state and the command. */
export interface Context {
  /** The account's time (its test clock, or the wall clock). */
  now: Date;
  actor: Actor;
  newId: (prefix: 'usr' | 'evt' | 'inv' | 'acc') => string;
}

/** What a domain function answers: the new state, the audit events and the result. */
export interface Outcome<T> {
  doc: AccountDoc;
  events: AuditEvent[];
  result: T;
  /** Users to send an invitation email to, once the change is committed. */
  invitations?: string[];
}
