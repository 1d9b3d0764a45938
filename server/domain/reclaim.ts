/**
 * Idle licenses: who has not used the host product for a while, and the owner's policy of taking
 * their licenses back automatically (never the owner's). A user's last activity is their last
 * request or entitlement check (`lastActiveAt`), or, never active, when they got their license.
 */
import type { ReclaimPolicyBody } from '../../sdk/types.js';
import { ApiError } from '../errors.js';
import { auditEvent } from './events.js';
import type { AccountDoc, Context, Outcome, UserRecord } from './state.js';
import { derived } from './users-map.js';
import { releaseLicense } from './users.js';
import { holdsLicense } from './counts.js';

const DAY_MS = 86_400_000;

/** When a license holder was last active; null for a user without a license. */
export function lastActivity(user: UserRecord): string | null {
  return holdsLicense(user) ? (user.lastActiveAt ?? user.licenseAssignedAt) : null;
}

/** Whether a user holds a license and was last active at least `days` days before `now`. */
export function isInactive(user: UserRecord, now: Date, days: number): boolean {
  const last = lastActivity(user);
  return last !== null && Date.parse(last) <= now.getTime() - days * DAY_MS;
}

const candidate = (user: UserRecord | undefined) => !!user && user.role !== 'owner' && holdsLicense(user);
const older = (a: UserRecord | undefined, b: UserRecord | undefined) => (!a ? b : !b ? a : lastActivity(b)! < lastActivity(a)! ? b : a);

/** The license holder (not the owner) inactive the longest, carried forward from change to change; null: none. */
const longestInactive = derived<UserRecord, UserRecord | null>(
  (users) => {
    let oldest: UserRecord | undefined;
    for (const user of users.values()) if (candidate(user)) oldest = older(oldest, user);
    return oldest ?? null;
  },
  (previous, _id, _before, after) => {
    if (!after) return undefined;
    if (previous?.id !== after.id) return older(previous ?? undefined, candidate(after) ? after : undefined) ?? null;
    // The oldest changed: still the oldest only if it is no more recently active (else look again).
    return candidate(after) && lastActivity(after)! <= lastActivity(previous)! ? after : undefined;
  },
);

/** Who the policy (or `days`) would release at `now`, longest inactive first; never the owner. */
export function reclaimable(doc: AccountDoc, now: Date, days = doc.reclaimPolicy.inactiveDays): UserRecord[] {
  return [...doc.users.values()]
    .filter((user) => candidate(user) && isInactive(user, now, days))
    .sort((a, b) => lastActivity(a)!.localeCompare(lastActivity(b)!) || a.id.localeCompare(b.id));
}

/** Whether the enabled policy would release someone at `now` (cheap: asked on every request). */
export function reclaimDue(doc: AccountDoc, now: Date): boolean {
  if (!doc.reclaimPolicy.enabled) return false;
  const oldest = longestInactive(doc.users);
  return !!oldest && isInactive(oldest, now, doc.reclaimPolicy.inactiveDays);
}

/** Releases the license of every user the enabled policy finds inactive at `ctx.now` (audit `license.reclaimed`, actor system). */
export function reclaim(doc: AccountDoc, ctx: Context): Outcome<void> {
  if (!reclaimDue(doc, ctx.now)) return { doc, events: [], result: undefined };
  const system: Context = { ...ctx, actor: { type: 'system' } };
  let next = doc;
  const events = [];
  for (const user of reclaimable(doc, ctx.now)) {
    const released = releaseLicense(next, user, ctx.now);
    next = released.doc;
    events.push(
      auditEvent(doc, system, 'license.reclaimed', [user.id], { ...released.diff.before, lastActiveAt: user.lastActiveAt }, { ...released.diff.after, inactiveDays: doc.reclaimPolicy.inactiveDays }),
    );
  }
  return { doc: next, events, result: undefined };
}

/** Saves the owner's policy; turning it on (or shortening it) releases at once whom it finds inactive. */
export function setReclaimPolicy(doc: AccountDoc, policy: ReclaimPolicyBody, ctx: Context): Outcome<void> {
  if (policy.inactiveDays < 7 || policy.inactiveDays > 365) {
    throw new ApiError('validation_failed', 'inactiveDays is from 7 to 365.', { errors: { inactiveDays: 'Must be between 7 and 365' } });
  }
  const before = doc.reclaimPolicy;
  if (before.enabled === policy.enabled && before.inactiveDays === policy.inactiveDays) return { doc, events: [], result: undefined };
  const saved = { ...doc, reclaimPolicy: { enabled: policy.enabled, inactiveDays: policy.inactiveDays } };
  const event = auditEvent(doc, ctx, 'reclaim_policy.changed', [], { ...before }, { ...saved.reclaimPolicy });
  const reclaimed = reclaim(saved, ctx);
  return { doc: reclaimed.doc, events: [event, ...reclaimed.events], result: undefined };
}
