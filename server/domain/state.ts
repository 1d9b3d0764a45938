import type { Actor, AuditAction, AuditEvent, BillingInterval, Invoice, User, WebhookDeliveryStatus } from '../../sdk/types.js';
import type { Map as ImmutableMap } from 'immutable';
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

/** A webhook message: what every endpoint that wants an event gets posted (built once, at the commit). */
export interface WebhookMessageRecord {
  /** The audit event it reports (the `webhook-id` of every attempt). */
  eventId: string;
  type: AuditAction;
  /** The JSON body, with the account and users as they were right after the change. */
  body: string;
  createdAt: string;
}

/** The delivery of one message to one endpoint. */
export interface WebhookDeliveryRecord {
  id: string;
  eventId: string;
  type: AuditAction;
  endpointId: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastResponseStatus: number | null;
  lastError: string | null;
  /** When the next attempt is due (pending deliveries only). */
  nextAttemptAt: string | null;
  createdAt: string;
}

/** The usage of one day (see usage.ts). */
export interface UsageRecord {
  quantity: number;
  inUse: number;
  maxInUse: number;
}

export interface ReclaimPolicyRecord {
  enabled: boolean;
  inactiveDays: number;
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
  /** Webhook messages of the account's events, and their deliveries: committed with the change they report. */
  webhookMessages: ImmutableMap<string, WebhookMessageRecord>;
  webhookDeliveries: ImmutableMap<string, WebhookDeliveryRecord>;
  /** Usage by UTC day (YYYY-MM-DD), kept as changes commit. */
  usage: ImmutableMap<string, UsageRecord>;
  reclaimPolicy: ReclaimPolicyRecord;
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
