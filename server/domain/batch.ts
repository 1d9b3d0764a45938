/**
 * Many operations on one account at once, each by the rules of its own route: applied in order to
 * one document, so an atomic batch commits all of them or none, and a partial one commits each that
 * fits. Pure: the caller checks fields and permissions first, and brings the invitation grants.
 */
import type { BatchOperation, ErrorCode, ProvisionBody } from '../../sdk/types.js';
import { ApiError } from '../errors.js';
import type { AccountDoc, Context, Outcome, UserRecord } from './state.js';
import { assignLicense, invite, provisionUser, resendInvitation, revokeInvitation, unassignLicense, type InvitationGrant } from './users.js';
import { countLicenses } from './counts.js';

/** An operation ready to run, or why it cannot (fields or permission), found before the batch runs. */
export type PreparedOperation = { operation: BatchOperation } | { refused: ApiError };

export type OperationResult = { ok: true; user: UserRecord } | { ok: false; code: ErrorCode; detail: string; errors?: Record<string, string> };

export interface BatchRun {
  doc: AccountDoc;
  events: Outcome<unknown>['events'];
  results: OperationResult[];
  /** User id → the index of the operation whose invitation that user got (emails go out after the commit). */
  invitations: Map<string, number>;
  /** The most licenses in use at any point of the batch, had every license been there. */
  peakInUse: number;
}

function run(doc: AccountDoc, operation: BatchOperation, ctx: Context, grant: InvitationGrant): Outcome<UserRecord> {
  switch (operation.op) {
    case 'invite': {
      const { op: _op, ...fields } = operation;
      return invite(doc, { ...fields, invitation: grant }, ctx);
    }
    case 'provision': {
      const { op: _op, ...fields } = operation as { op: 'provision' } & ProvisionBody;
      return provisionUser(doc, fields, ctx);
    }
    case 'assign':
      return assignLicense(doc, { userId: operation.userId, invitation: grant }, ctx);
    case 'unassign':
      return unassignLicense(doc, { userId: operation.userId }, ctx);
    case 'resend':
      return resendInvitation(doc, { userId: operation.userId, invitation: grant }, ctx);
    case 'revoke':
      return revokeInvitation(doc, { userId: operation.userId }, ctx);
  }
}

/**
 * Runs the operations in order on `doc`: each that succeeds changes the document the next one sees;
 * one that fails changes nothing. `grants(i)` is the invitation an operation may issue.
 */
export function runBatch(doc: AccountDoc, operations: readonly PreparedOperation[], ctx: Context, grants: (index: number) => InvitationGrant): BatchRun {
  let current = doc;
  const events: BatchRun['events'] = [];
  const results: OperationResult[] = [];
  const invitations = new Map<string, number>();
  let peakInUse = countLicenses(doc).inUse;
  operations.forEach((prepared, index) => {
    if ('refused' in prepared) {
      const { code, message, errors } = prepared.refused;
      results.push({ ok: false, code, detail: message, ...(errors && { errors }) });
      return;
    }
    try {
      const outcome = run(current, prepared.operation, ctx, grants(index));
      current = outcome.doc;
      events.push(...outcome.events);
      for (const userId of outcome.invitations ?? []) invitations.set(userId, index);
      peakInUse = Math.max(peakInUse, countLicenses(current).inUse);
      results.push({ ok: true, user: outcome.result });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      results.push({ ok: false, code: error.code, detail: error.message, ...(error.errors && { errors: error.errors }) });
    }
  });
  return { doc: current, events, results, invitations, peakInUse };
}

/** How many more licenses an atomic batch needs: its peak in use, had every license been there, over the total. */
export function licensesNeeded(doc: AccountDoc, operations: readonly PreparedOperation[], ctx: Context, grants: (index: number) => InvitationGrant): number {
  const unlimited = { ...doc, plan: { ...doc.plan, quantity: Number.MAX_SAFE_INTEGER } };
  return Math.max(0, runBatch(unlimited, operations, ctx, grants).peakInUse - doc.plan.quantity);
}
