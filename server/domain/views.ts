import type { Account, LicenseCounts, Permission, Role, User, Viewer } from '../../sdk/types.js';
import type { AccountDoc, UserRecord } from './state.js';
import { renewalReleases } from './renewal.js';
import { derived } from './users-map.js';

export const ROLE_PERMISSIONS: Record<Role, Permission[]> = {
  owner: ['users:read', 'users:manage', 'licenses:manage', 'owner:transfer'],
  admin: ['users:read', 'users:manage'],
  member: [],
};

export function holdsLicense(user: UserRecord): boolean {
  return user.status === 'enabled' || user.status === 'invited';
}

const weight = (user: UserRecord | undefined) => ({ enabled: user?.status === 'enabled' ? 1 : 0, invited: user?.status === 'invited' ? 1 : 0 });

/** Enabled and invited users: counted once, then carried forward from change to change. */
const statusCounts = derived<UserRecord, { enabled: number; invited: number }>(
  (users) => {
    let enabled = 0;
    let invited = 0;
    for (const { status } of users.values()) {
      if (status === 'enabled') enabled++;
      else if (status === 'invited') invited++;
    }
    return { enabled, invited };
  },
  (previous, _id, before, after) => {
    const [b, a] = [weight(before), weight(after)];
    return { enabled: previous.enabled - b.enabled + a.enabled, invited: previous.invited - b.invited + a.invited };
  },
);

export function countLicenses(doc: AccountDoc): { enabled: number; invited: number; inUse: number; available: number } {
  const { enabled, invited } = statusCounts(doc.users);
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
  const { firstName, lastName, email } = doc.users.get(doc.ownerId)!;
  return {
    id: doc.id,
    name: doc.name,
    ownerId: doc.ownerId,
    owner: { firstName, lastName, email },
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
