/** Who holds a license, and the account's license counts (pure; carried forward from change to change). */
import type { AccountDoc, UserRecord } from './state.js';
import { derived } from './users-map.js';

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
