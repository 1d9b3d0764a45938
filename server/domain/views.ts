import type { Account, LicenseCounts, Permission, Role, User, Viewer } from '../../sdk/types.js';
import type { AccountDoc, UserRecord } from './state.js';
import { renewalReleases } from './renewal.js';

export const ROLE_PERMISSIONS: Record<Role, Permission[]> = {
  owner: ['users:read', 'users:manage', 'licenses:manage', 'owner:transfer'],
  admin: ['users:read', 'users:manage'],
  member: [],
};

export function holdsLicense(user: UserRecord): boolean {
  return user.status === 'enabled' || user.status === 'invited';
}

/** Enabled and invited users per users Map (immutable, so counted once). */
const statusCounts = new WeakMap<ReadonlyMap<string, UserRecord>, { enabled: number; invited: number }>();

export function countLicenses(doc: AccountDoc): { enabled: number; invited: number; inUse: number; available: number } {
  let counts = statusCounts.get(doc.users);
  if (!counts) {
    counts = { enabled: 0, invited: 0 };
    for (const { status } of doc.users.values()) {
      if (status === 'enabled') counts.enabled++;
      else if (status === 'invited') counts.invited++;
    }
    statusCounts.set(doc.users, counts);
  }
  const { enabled, invited } = counts;
  const inUse = enabled + invited;
  return { enabled, invited, inUse, available: doc.plan.quantity - inUse };
}

export function licenseCounts(doc: AccountDoc): LicenseCounts {
  const { scheduled } = doc.plan;
  return {
    quantity: doc.plan.quantity,
    ...countLicenses(doc),
    scheduled: scheduled && { ...scheduled, releases: renewalReleases(doc, scheduled.quantity) },
  };
}

export function toUser(record: UserRecord): User {
  const { invitation, ...user } = record;
  return user;
}

export function toViewer(user: UserRecord): Viewer {
  return { userId: user.id, role: user.role, permissions: ROLE_PERMISSIONS[user.role] };
}

export function toAccount(doc: AccountDoc, viewer?: UserRecord): Account {
  const { plan } = doc;
  return {
    id: doc.id,
    name: doc.name,
    ownerId: doc.ownerId,
    licenses: licenseCounts(doc),
    billing: {
      unitPrice: plan.unitPrice,
      currency: plan.currency,
      interval: plan.interval,
      periodStart: plan.periodStart,
      periodEnd: plan.periodEnd,
    },
    testClock: doc.testClock,
    ...(viewer ? { viewer: toViewer(viewer) } : {}),
  };
}
