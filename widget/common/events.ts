/**
 * The events seatkit elements emit (docs/elements.md): all bubble and cross shadow roots (`composed`),
 * carry a typed `detail`, and are named `seat-…`. Requests before a destructive or paid change are
 * cancelable (`preventDefault()` stops the change); outcomes are past tense.
 */
import type { BatchItemResult, LicenseChangeResult, LicenseCounts, User, UserResult, UsersResult } from '../../sdk/types.js';
import type { SeatError } from '../../sdk/core/errors.js';

export class SeatEvent<D> extends Event {
  constructor(
    type: string,
    readonly detail: D,
    cancelable = false,
  ) {
    super(type, { bubbles: true, composed: true, cancelable });
  }
}

export interface SeatEventDetails {
  // outcomes
  'seat-user-invited': UserResult;
  'seat-invitation-resent': UserResult;
  'seat-invitation-revoked': UserResult;
  'seat-license-assigned': UserResult;
  'seat-license-unassigned': UserResult;
  'seat-license-reassigned': UsersResult;
  'seat-user-updated': UserResult;
  'seat-licenses-changed': LicenseChangeResult;
  'seat-owner-changed': UsersResult;
  /** A bulk action ran (one batch; `results[i]` is the outcome for `users[i]`). */
  'seat-bulk-completed': { action: 'unassign' | 'assign' | 'resend' | 'revoke'; users: User[]; results: BatchItemResult[]; licenses: LicenseCounts };
  /** Invitations from a CSV were sent (one atomic batch). */
  'seat-users-imported': { users: User[]; licenses: LicenseCounts };
  /** The reclaim policy was saved (`detail`: the policy). */
  'seat-reclaim-policy-changed': { enabled: boolean; inactiveDays: number; preview: string[] };
  // cancelable requests
  'seat-unassign-request': { user: User };
  'seat-reassign-request': { from: User; to: User };
  'seat-revoke-request': { user: User };
  'seat-owner-change-request': { user: User };
  /** Before the confirmation of a bulk action on the selected users it applies to. */
  'seat-bulk-request': { action: 'unassign' | 'assign' | 'resend' | 'revoke'; users: User[] };
  'seat-licenses-change-request': { quantity: number; currentQuantity: number; amountDue: number; currency: string };
  /** No license is free: the host may open its own purchase flow (cancel to stop seatkit's dialog). */
  'seat-purchase-request': { licenses: LicenseCounts | null; needed: number };
  // failures
  'seat-error': { error: SeatError | Error; action: string };
  /** The session ended (an ownership transfer, or a 401 that `getToken` could not cure): sign in again. */
  'seat-session-expired': { reason: 'owner_transferred' | 'unauthorized' };
}

export type SeatEventType = keyof SeatEventDetails;

/** Emits an outcome or failure event from `target`. */
export function emit<K extends SeatEventType>(target: EventTarget, type: K, detail: SeatEventDetails[K]): void {
  target.dispatchEvent(new SeatEvent(type, detail));
}

/** Emits a cancelable request event; false when a listener cancelled it (the action must stop). */
export function request<K extends SeatEventType>(target: EventTarget, type: K, detail: SeatEventDetails[K]): boolean {
  return target.dispatchEvent(new SeatEvent(type, detail, true));
}

declare global {
  interface GlobalEventHandlersEventMap {
    'seat-user-invited': SeatEvent<SeatEventDetails['seat-user-invited']>;
    'seat-invitation-resent': SeatEvent<SeatEventDetails['seat-invitation-resent']>;
    'seat-invitation-revoked': SeatEvent<SeatEventDetails['seat-invitation-revoked']>;
    'seat-license-assigned': SeatEvent<SeatEventDetails['seat-license-assigned']>;
    'seat-license-unassigned': SeatEvent<SeatEventDetails['seat-license-unassigned']>;
    'seat-license-reassigned': SeatEvent<SeatEventDetails['seat-license-reassigned']>;
    'seat-user-updated': SeatEvent<SeatEventDetails['seat-user-updated']>;
    'seat-licenses-changed': SeatEvent<SeatEventDetails['seat-licenses-changed']>;
    'seat-owner-changed': SeatEvent<SeatEventDetails['seat-owner-changed']>;
    'seat-bulk-completed': SeatEvent<SeatEventDetails['seat-bulk-completed']>;
    'seat-users-imported': SeatEvent<SeatEventDetails['seat-users-imported']>;
    'seat-reclaim-policy-changed': SeatEvent<SeatEventDetails['seat-reclaim-policy-changed']>;
    'seat-bulk-request': SeatEvent<SeatEventDetails['seat-bulk-request']>;
    'seat-unassign-request': SeatEvent<SeatEventDetails['seat-unassign-request']>;
    'seat-reassign-request': SeatEvent<SeatEventDetails['seat-reassign-request']>;
    'seat-revoke-request': SeatEvent<SeatEventDetails['seat-revoke-request']>;
    'seat-owner-change-request': SeatEvent<SeatEventDetails['seat-owner-change-request']>;
    'seat-licenses-change-request': SeatEvent<SeatEventDetails['seat-licenses-change-request']>;
    'seat-purchase-request': SeatEvent<SeatEventDetails['seat-purchase-request']>;
    'seat-error': SeatEvent<SeatEventDetails['seat-error']>;
    'seat-session-expired': SeatEvent<SeatEventDetails['seat-session-expired']>;
  }
}
