/** Output shaping: a document and its records as the API shows them. */
import type { Account, LicenseCounts, User, Viewer } from '../../sdk/types.js';
import type { AccountDoc, UserRecord } from './state.js';
import { countLicenses } from './counts.js';
import { ROLE_PERMISSIONS } from './permissions.js';
import { renewalReleases } from './renewal.js';

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
