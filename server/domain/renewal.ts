import type { AuditEvent, Invoice } from '../../sdk/types.js';
import { ApiError } from '../errors.js';
import { auditEvent, userDiff } from './events.js';
import type { AccountDoc, Context, Outcome, UserRecord } from './state.js';
import { periodBoundary } from './time.js';
import { countLicenses, holdsLicense } from './counts.js';
import { releaseLicense } from './users.js';
import { derived, withUser } from './users-map.js';
import { reclaim, reclaimDue } from './reclaim.js';

/**
 * Who loses a license when the total drops to `quantity` (docs/rules.md, renewal): pending invitations
 * newest first, then users in reverse order of `licenseAssignedAt`; never the owner.
 */
export function renewalReleases(doc: AccountDoc, quantity: number): string[] {
  const excess = countLicenses(doc).inUse - quantity;
  if (excess <= 0) return [];
  const holders = [...doc.users.values()].filter((u) => holdsLicense(u) && u.id !== doc.ownerId);
  const newestFirst = (a: string | null, b: string | null, ida: string, idb: string) =>
    (b ?? '').localeCompare(a ?? '') || idb.localeCompare(ida);
  const invited = holders.filter((u) => u.status === 'invited').sort((a, b) => newestFirst(a.invitedAt, b.invitedAt, a.id, b.id));
  const enabled = holders
    .filter((u) => u.status === 'enabled')
    .sort((a, b) => newestFirst(a.licenseAssignedAt, b.licenseAssignedAt, a.id, b.id));
  return [...invited, ...enabled].slice(0, excess).map((u) => u.id);
}

const pending = (user: UserRecord | undefined) => user?.status === 'invited' && !!user.invitation;
const earlier = (a: UserRecord | undefined, b: UserRecord | undefined) =>
  !a ? b : !b ? a : b.invitation!.expiresAt < a.invitation!.expiresAt ? b : a;

/** The next pending invitation to expire (asked on every request): carried forward from change to change; null: none. */
const nextExpiring = derived<UserRecord, UserRecord | null>(
  (users) => {
    let next: UserRecord | undefined;
    for (const user of users.values()) if (pending(user)) next = earlier(next, user);
    return next ?? null;
  },
  (previous, _id, _before, after) => {
    if (!after) return undefined;
    if (previous?.id !== after.id) return earlier(previous ?? undefined, pending(after) ? after : undefined) ?? null;
    // The first to expire changed: still first unless it expires later now (or no longer pends).
    return pending(after) && after.invitation!.expiresAt <= previous.invitation!.expiresAt ? after : undefined;
  },
);

function nextExpiry(doc: AccountDoc): UserRecord | undefined {
  return nextExpiring(doc.users) ?? undefined;
}

/** Whether any period boundary, invitation expiry or reclaim is due that `settle` would apply. */
export function needsSettling(doc: AccountDoc, now: Date): boolean {
  const due = (iso: string) => Date.parse(iso) <= now.getTime();
  if (due(doc.plan.periodEnd)) return true;
  const expiring = nextExpiry(doc);
  return (!!expiring && due(expiring.invitation!.expiresAt)) || reclaimDue(doc, now);
}

function expireInvitation(doc: AccountDoc, user: UserRecord, ctx: Context, at: Date): { doc: AccountDoc; event: AuditEvent } {
  const updated: UserRecord = {
    ...user,
    status: 'disabled',
    invitationExpired: true,
    licenseAssignedAt: null,
    updatedAt: at.toISOString(),
    version: user.version + 1,
  };
  const next = { ...doc, users: withUser(doc.users, updated) };
  const diff = userDiff(user, updated);
  return { doc: next, event: auditEvent(doc, ctx, 'invitation.expired', [user.id], diff.before, diff.after, at) };
}

function renew(doc: AccountDoc, ctx: Context, at: Date): { doc: AccountDoc; events: AuditEvent[] } {
  const { plan } = doc;
  const period = plan.period + 1;
  const quantity = plan.scheduled?.quantity ?? plan.quantity;
  const events: AuditEvent[] = [];
  let next = doc;
  const sys = { ...ctx, actor: { type: 'system' as const } };
  for (const userId of renewalReleases(doc, quantity)) {
    const released = releaseLicense(next, next.users.get(userId)!, at);
    next = released.doc;
    events.push(auditEvent(doc, sys, 'license.released', [userId], released.diff.before, released.diff.after, at));
  }
  if (plan.scheduled) events.push(auditEvent(doc, sys, 'licenses.decreased', [], { quantity: plan.quantity }, { quantity }, at));
  const periodStart = plan.periodEnd;
  const periodEnd = periodBoundary(plan.anchor, plan.interval, period + 1);
  const invoice: Invoice = {
    id: ctx.newId('inv'),
    kind: 'renewal',
    quantity,
    amount: quantity * plan.unitPrice,
    currency: plan.currency,
    createdAt: at.toISOString(),
    periodStart,
    periodEnd,
  };
  next = { ...next, plan: { ...plan, quantity, period, periodStart, periodEnd, scheduled: null }, invoices: [...next.invoices, invoice] };
  events.push(
    auditEvent(doc, sys, 'period.renewed', [], { periodStart: plan.periodStart, periodEnd: plan.periodEnd }, { periodStart, periodEnd, quantity, invoiceId: invoice.id, amount: invoice.amount }, at),
  );
  return { doc: next, events };
}

/**
 * Applies, in time order, every invitation expiry and period boundary that has passed by
 * `ctx.now`, then the reclaim policy (the server settles an account lazily, on each request, and
 * on a timer).
 */
export function settle(doc: AccountDoc, ctx: Context): Outcome<void> {
  const events: AuditEvent[] = [];
  const sys: Context = { ...ctx, actor: { type: 'system' } };
  for (;;) {
    const expiring = nextExpiry(doc);
    const renewalAt = Date.parse(doc.plan.periodEnd);
    const expiryAt = expiring ? Date.parse(expiring.invitation!.expiresAt) : Infinity;
    const at = Math.min(renewalAt, expiryAt);
    if (at > ctx.now.getTime()) break;
    if (expiryAt <= renewalAt) {
      const expired = expireInvitation(doc, expiring!, sys, new Date(expiryAt));
      doc = expired.doc;
      events.push(expired.event);
    } else {
      const renewed = renew(doc, sys, new Date(renewalAt));
      doc = renewed.doc;
      events.push(...renewed.events);
    }
  }
  const reclaimed = reclaim(doc, ctx);
  return { doc: reclaimed.doc, events: [...events, ...reclaimed.events], result: undefined };
}

/**
 * Moves a test-clock account's clock forward to `target` and settles it there (renewals, expiries
 * and reclaims that the time brings, actor `system`). Only accounts created with a test clock, and
 * only forward.
 */
export function advanceTestClock(doc: AccountDoc, target: Date, newId: Context['newId']): Outcome<void> {
  if (!doc.testClock) throw new ApiError('test_clock_required', 'This account was not created with a test clock.');
  if (target.getTime() < Date.parse(doc.testClock.now)) {
    throw new ApiError('validation_failed', 'A test clock only moves forward.', { errors: { advanceTo: `Must not be before ${doc.testClock.now}` } });
  }
  return settle({ ...doc, testClock: { now: target.toISOString() } }, { now: target, actor: { type: 'system' }, newId });
}
