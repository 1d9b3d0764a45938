/**
 * An account as stored, and a change of it as one journal record: the account document as JSON
 * (its persistent maps as plain arrays and objects), what a change changed (fields replaced,
 * entries set or removed, items appended) and the schemas every stored value is checked against
 * when it is read back, so damaged or foreign data is refused at start-up, naming the file.
 */
import { z } from '@hono/zod-openapi';
import { AUDIT_ACTIONS, type AuditEvent, type Invoice } from '../../sdk/types.js';
import type { Map as ImmutableMap } from 'immutable';
import type { AccountDoc, IdempotencyRecord, UserRecord, WebhookDeliveryRecord, WebhookMessageRecord } from '../domain/state.js';
import { changedKeys, mapOf, sessionsOf, usersOf, withEntry } from '../domain/users-map.js';
import { DEFAULT_RECLAIM_POLICY } from '../domain/users.js';
import * as s from '../schemas.js';

// ---- schemas of what is stored ----

const UserRecordSchema = s.User.extend({
  invitation: z.object({ tokenHash: z.string(), expiresAt: z.string() }).nullable(),
  // Users stored before external ids existed have none.
  externalId: z.string().nullable().optional(),
});

/** A user record as read back, with the fields added since it was written filled in. */
function readUser(user: UserRecord): UserRecord {
  return user.externalId === undefined ? { ...user, externalId: null } : user;
}
const SessionSchema = z.object({ userId: z.string(), createdAt: z.string(), expiresAt: z.string() });
const WebhookMessageSchema = z.object({ eventId: z.string(), type: z.enum(AUDIT_ACTIONS), body: z.string(), createdAt: z.string() });
const WebhookDeliverySchema = z.object({
  id: z.string(),
  eventId: z.string(),
  type: z.enum(AUDIT_ACTIONS),
  endpointId: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  attempts: z.number().int().min(0),
  lastResponseStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
});
const IdempotencySchema = z.object({ fingerprint: z.string(), status: z.number().int(), body: z.unknown(), createdAt: z.string() });
const PlanSchema = z.object({
  quantity: z.number().int(),
  unitPrice: z.number().int(),
  currency: z.string(),
  interval: z.enum(['month', 'year']),
  anchor: z.string(),
  period: z.number().int(),
  periodStart: z.string(),
  periodEnd: z.string(),
  scheduled: z.object({ quantity: z.number().int(), effectiveAt: z.string() }).nullable(),
});

const UsageSchema = z.object({ quantity: z.number().int(), inUse: z.number().int(), maxInUse: z.number().int() });
const ReclaimPolicySchema = z.object({ enabled: z.boolean(), inactiveDays: z.number().int() });

/** Every top-level field of a document that is not a collection. */
const FieldsSchema = z.object({
  id: z.string(),
  name: z.string(),
  ownerId: z.string(),
  createdAt: z.string(),
  plan: PlanSchema,
  testClock: z.object({ now: z.string() }).nullable(),
  reclaimPolicy: ReclaimPolicySchema.optional(),
});

const StoredDocSchema = FieldsSchema.extend({
  users: z.array(UserRecordSchema),
  sessions: z.record(z.string(), SessionSchema),
  idempotency: z.record(z.string(), IdempotencySchema),
  invoices: z.array(s.Invoice),
  // Accounts stored before these existed have none.
  webhookMessages: z.record(z.string(), WebhookMessageSchema).optional(),
  webhookDeliveries: z.record(z.string(), WebhookDeliverySchema).optional(),
  usage: z.record(z.string(), UsageSchema).optional(),
  reclaimPolicy: ReclaimPolicySchema.optional(),
});

/** A document as JSON. */
export type StoredDoc = z.infer<typeof StoredDocSchema>;

const entryChanges = <T extends z.ZodTypeAny>(value: T) => z.object({ set: z.record(z.string(), value), remove: z.array(z.string()) });

const JournalRecordSchema = z.object({
  seq: z.number().int().positive(),
  doc: StoredDocSchema.optional(),
  fields: FieldsSchema.extend({ invoices: z.array(s.Invoice) }).partial().optional(),
  entries: z
    .object({
      users: entryChanges(UserRecordSchema).optional(),
      sessions: entryChanges(SessionSchema).optional(),
      idempotency: entryChanges(IdempotencySchema).optional(),
      webhookMessages: entryChanges(WebhookMessageSchema).optional(),
      webhookDeliveries: entryChanges(WebhookDeliverySchema).optional(),
      usage: entryChanges(UsageSchema).optional(),
    })
    .optional(),
  appended: z.object({ invoices: z.array(s.Invoice).optional() }).optional(),
  firstEvent: z.number().int().min(0),
  events: z.array(s.AuditEvent),
});

/**
 * One change of an account in its journal: its sequence number (the account's change count), what
 * it changed, and its audit events (`firstEvent` is the position of the first in the audit log).
 */
export type JournalRecord = z.infer<typeof JournalRecordSchema>;

const CheckpointSchema = z.object({ format: z.literal(2), seq: z.number().int().min(0), eventCount: z.number().int().min(0), doc: StoredDocSchema });

/** The whole account as of journal record `seq`, with the number of audit events by then. */
export type Checkpoint = z.infer<typeof CheckpointSchema>;

/** Why a value read from disk is not what it must be (the first problems, for a message), or null. */
function problems(schema: z.ZodTypeAny, value: unknown): string | null {
  const result = schema.safeParse(value);
  if (result.success) return null;
  return result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(the record)'}: ${issue.message}`)
    .join('; ');
}

export const checkRecord = (value: unknown) => problems(JournalRecordSchema, value);
export const checkCheckpoint = (value: unknown) => problems(CheckpointSchema, value);
export const checkEvent = (value: unknown) => problems(s.AuditEvent, value);

/** A journal segment's file name: the sequence number of its first change. */
export const segmentName = (seq: number) => `${String(seq).padStart(12, '0')}.log`;

// ---- documents ----

/** The keyed collections (persistent maps, but `idempotency`, a plain object), journalled entry by entry. */
const ENTRY_FIELDS = ['users', 'sessions', 'idempotency', 'webhookMessages', 'webhookDeliveries', 'usage'] as const;
type EntryField = (typeof ENTRY_FIELDS)[number];
type MapField = Exclude<EntryField, 'idempotency'>;
type AnyMap = ImmutableMap<string, unknown>;

export function encodeDoc(doc: AccountDoc): StoredDoc {
  return {
    ...doc,
    users: [...doc.users.values()],
    sessions: Object.fromEntries(doc.sessions),
    webhookMessages: Object.fromEntries(doc.webhookMessages),
    webhookDeliveries: Object.fromEntries(doc.webhookDeliveries),
    usage: Object.fromEntries(doc.usage),
  };
}

export function decodeDoc(stored: StoredDoc): AccountDoc {
  return {
    ...stored,
    users: usersOf((stored.users as UserRecord[]).map(readUser)),
    sessions: sessionsOf(Object.entries(stored.sessions)),
    webhookMessages: mapOf(Object.entries(stored.webhookMessages ?? {}) as [string, WebhookMessageRecord][]),
    webhookDeliveries: mapOf(Object.entries(stored.webhookDeliveries ?? {}) as [string, WebhookDeliveryRecord][]),
    usage: mapOf(Object.entries(stored.usage ?? {})),
    reclaimPolicy: stored.reclaimPolicy ?? DEFAULT_RECLAIM_POLICY,
  };
}

function setEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  // A key may be anything a client chose (an Idempotency-Key): never let it reach a prototype.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function entriesOf(doc: AccountDoc, field: EntryField): Map<string, unknown> {
  if (field === 'idempotency') return new Map(Object.entries(doc.idempotency));
  return new Map((doc[field] as AnyMap).entries());
}

/** The entries of a collection that changed from one document to the next. */
function entryChangesOf(before: AccountDoc, after: AccountDoc, field: EntryField): { set: Record<string, unknown>; remove: string[] } {
  const set: Record<string, unknown> = {};
  const remove: string[] = [];
  const keys = field === 'idempotency' ? undefined : changedKeys<unknown>(before[field] as AnyMap, after[field] as AnyMap);
  if (keys) {
    // Made by the domain from `before` (the usual case): only those entries, not a scan of all.
    for (const key of new Set(keys)) {
      const value = (after[field] as AnyMap).get(key);
      if (value === undefined) remove.push(key);
      else if (value !== (before[field] as AnyMap).get(key)) setEntry(set, key, value);
    }
    return { set, remove };
  }
  const a = entriesOf(before, field);
  const b = entriesOf(after, field);
  for (const [key, value] of b) if (a.get(key) !== value || !a.has(key)) setEntry(set, key, value);
  for (const key of a.keys()) if (!b.has(key)) remove.push(key);
  return { set, remove };
}

/** Whether `after` is `before` with items added at its end. */
function appendedTo<T>(before: readonly T[], after: readonly T[]): T[] | undefined {
  if (after.length < before.length) return undefined;
  for (let i = 0; i < before.length; i++) if (after[i] !== before[i]) return undefined;
  return after.slice(before.length);
}

/** What changed from one document to the next, as a journal record's `fields`, `entries` and `appended`. */
export function diffDocs(before: AccountDoc, after: AccountDoc): Pick<JournalRecord, 'fields' | 'entries' | 'appended'> {
  const fields: Record<string, unknown> = {};
  const entries: Record<string, unknown> = {};
  const appended: Record<string, unknown> = {};
  for (const key of Object.keys(after) as (keyof AccountDoc)[]) {
    if (before[key] === after[key]) continue;
    if ((ENTRY_FIELDS as readonly string[]).includes(key)) {
      entries[key] = entryChangesOf(before, after, key as EntryField);
    } else if (key === 'invoices') {
      const added = appendedTo(before.invoices, after.invoices);
      if (added) appended.invoices = added;
      else fields.invoices = after.invoices;
    } else {
      fields[key] = after[key];
    }
  }
  return {
    ...(Object.keys(fields).length > 0 && { fields: fields as JournalRecord['fields'] }),
    ...(Object.keys(entries).length > 0 && { entries: entries as JournalRecord['entries'] }),
    ...(Object.keys(appended).length > 0 && { appended: appended as JournalRecord['appended'] }),
  };
}

/** The document after a journal record (the first record of an account holds the whole document). */
export function applyRecord(doc: AccountDoc | undefined, record: JournalRecord): AccountDoc {
  if (record.doc) return decodeDoc(record.doc);
  if (!doc) throw new Error('the journal starts without the account');
  const next: AccountDoc = { ...doc, ...(record.fields as Partial<AccountDoc>) };
  const entries = record.entries ?? {};
  for (const field of ['users', 'sessions', 'webhookMessages', 'webhookDeliveries', 'usage'] as const satisfies readonly MapField[]) {
    const change = entries[field];
    if (!change) continue;
    let map = doc[field] as AnyMap;
    for (const [key, value] of Object.entries(change.set)) map = withEntry(map, key, field === 'users' ? readUser(value as UserRecord) : value);
    for (const key of change.remove) map = withEntry(map, key, undefined);
    (next as unknown as Record<string, unknown>)[field] = map;
  }
  if (entries.idempotency) {
    const map: Record<string, IdempotencyRecord> = { ...doc.idempotency };
    for (const [key, value] of Object.entries(entries.idempotency.set)) setEntry(map, key, value);
    for (const key of entries.idempotency.remove) delete map[key];
    next.idempotency = map;
  }
  if (record.appended?.invoices) next.invoices = [...doc.invoices, ...(record.appended.invoices as Invoice[])];
  return next;
}

/** The audit events a record holds, with their positions. */
export function eventsOf(record: JournalRecord): { position: number; event: AuditEvent }[] {
  return record.events.map((event, i) => ({ position: record.firstEvent + i, event: event as AuditEvent }));
}
