/**
 * Licenses in use over time, derived from the audit log as changes commit: for each UTC day an
 * event happened on, the total and the licenses in use at the day's end and at its peak. A day
 * with no event is the day before carried forward. So a usage query costs the days it shows, not
 * the events.
 */
import type { AuditEvent, UsageDay } from '../../sdk/types.js';
import type { AccountDoc, UsageRecord } from './state.js';
import { withEntry } from './users-map.js';
import { countLicenses } from './counts.js';

const DAY_MS = 86_400_000;

/** The UTC date (YYYY-MM-DD) of an instant. */
export function dayOf(instant: string | Date): string {
  return new Date(instant).toISOString().slice(0, 10);
}

const holds = (status: unknown) => status === 'enabled' || status === 'invited';

/** What one audit event did to the licenses in use, and to the total when it set one. */
export function effectOf(event: AuditEvent): { inUse: number; quantity?: number } {
  let inUse = 0;
  for (const id of event.userIds) {
    // A reassign (two users) keys its before/after by user id; the others are the user's own fields.
    const scoped = (side: Record<string, unknown> | null) => (side && id in side && typeof side[id] === 'object' ? (side[id] as Record<string, unknown>) : side);
    const before = scoped(event.before);
    const after = scoped(event.after);
    if (event.action === 'account.created') inUse += 1;
    else if (before === null && after && 'status' in after) inUse += holds(after.status) ? 1 : 0;
    else if (before && after && 'status' in before && 'status' in after) inUse += (holds(after.status) ? 1 : 0) - (holds(before.status) ? 1 : 0);
  }
  const quantity = event.after?.quantity;
  const setsTotal = ['account.created', 'licenses.increased', 'licenses.decreased', 'period.renewed'].includes(event.action);
  return setsTotal && typeof quantity === 'number' ? { inUse, quantity } : { inUse };
}

/** `after` with the usage of the days of `events`, counted on from `before` (nothing before: a new account). */
export function withUsage(before: AccountDoc | undefined, after: AccountDoc, events: readonly AuditEvent[]): AccountDoc {
  if (events.length === 0) return after;
  const start = before ? { quantity: before.plan.quantity, inUse: countLicenses(before).inUse } : { quantity: 0, inUse: 0 };
  let { quantity, inUse } = start;
  let usage = after.usage;
  for (const event of events) {
    const day = dayOf(event.createdAt);
    const today = usage.get(day) ?? { quantity, inUse, maxInUse: inUse };
    const effect = effectOf(event);
    inUse += effect.inUse;
    quantity = effect.quantity ?? quantity;
    usage = withEntry(usage, day, { quantity, inUse, maxInUse: Math.max(today.maxInUse, inUse) });
  }
  // The counts of the document are the truth; an event shape the replay misread would show here.
  const truth = { quantity: after.plan.quantity, inUse: countLicenses(after).inUse };
  const lastDay = dayOf(events.at(-1)!.createdAt);
  const last = usage.get(lastDay)!;
  if (last.quantity !== truth.quantity || last.inUse !== truth.inUse) {
    usage = withEntry(usage, lastDay, { ...truth, maxInUse: Math.max(last.maxInUse, truth.inUse) });
  }
  return { ...after, usage };
}

/** Usage by day replayed from an account's whole audit log, oldest event first (converting data that predates the roll-up). */
export class UsageReplay {
  readonly days = new Map<string, UsageRecord>();
  #quantity = 0;
  #inUse = 0;

  add(event: AuditEvent): void {
    const day = dayOf(event.createdAt);
    const today = this.days.get(day) ?? { quantity: this.#quantity, inUse: this.#inUse, maxInUse: this.#inUse };
    const effect = effectOf(event);
    this.#inUse += effect.inUse;
    this.#quantity = effect.quantity ?? this.#quantity;
    this.days.set(day, { quantity: this.#quantity, inUse: this.#inUse, maxInUse: Math.max(today.maxInUse, this.#inUse) });
  }
}

/** One row per day for the `days` days up to `now` (not before the account existed), oldest first. */
export function usageRows(doc: AccountDoc, days: number, now: Date): UsageDay[] {
  const today = Date.parse(dayOf(now));
  const first = Math.max(today - (days - 1) * DAY_MS, Date.parse(dayOf(doc.createdAt)));
  const known = [...doc.usage.keys()].sort();
  // What held at the end of the last day with events before the first row.
  let carried: UsageRecord | undefined;
  for (const day of known) {
    if (Date.parse(day) >= first) break;
    carried = doc.usage.get(day);
  }
  const rows: UsageDay[] = [];
  for (let at = first; at <= today; at += DAY_MS) {
    const date = new Date(at).toISOString().slice(0, 10);
    const entry = doc.usage.get(date);
    if (entry) carried = entry;
    const { quantity, inUse } = carried ?? { quantity: doc.plan.quantity, inUse: countLicenses(doc).inUse };
    rows.push({ date, quantity, inUse, maxInUse: entry ? entry.maxInUse : inUse });
  }
  return rows;
}
