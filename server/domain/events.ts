import type { AuditAction, AuditEvent } from '../../sdk/types.js';
import type { AccountDoc, Context, UserRecord } from './state.js';

export function auditEvent(
  doc: AccountDoc,
  ctx: Context,
  action: AuditAction,
  userIds: string[],
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  at: Date = ctx.now,
): AuditEvent {
  return { id: ctx.newId('evt'), accountId: doc.id, action, actor: ctx.actor, userIds, before, after, createdAt: at.toISOString() };
}

/** The fields of a user that changed between two versions, before and after. */
export function userDiff(before: UserRecord, after: UserRecord): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const key of ['email', 'firstName', 'lastName', 'role', 'qualification', 'externalId', 'status', 'invitationExpired', 'licenseAssignedAt', 'activatedAt'] as const) {
    if (before[key] !== after[key]) {
      b[key] = before[key];
      a[key] = after[key];
    }
  }
  return { before: b, after: a };
}
