/**
 * Wire types of the seatkit HTTP API (docs/api.md): the single source shared by the server,
 * the SDK and the web components. Instants are ISO 8601 UTC strings; money is integer
 * minor units (cents).
 */

export type Role = 'owner' | 'admin' | 'member';
/** Roles that can be given by an invite or an edit (the owner role moves only by transfer). */
export type AssignableRole = Exclude<Role, 'owner'>;
export type UserStatus = 'invited' | 'enabled' | 'disabled';
export type BillingInterval = 'month' | 'year';
export type Permission = 'users:read' | 'users:manage' | 'licenses:manage' | 'owner:transfer';

export const ROLES: readonly Role[] = ['owner', 'admin', 'member'];
export const ASSIGNABLE_ROLES: readonly AssignableRole[] = ['admin', 'member'];
export const USER_STATUSES: readonly UserStatus[] = ['invited', 'enabled', 'disabled'];
export const BILLING_INTERVALS: readonly BillingInterval[] = ['month', 'year'];
export const PERMISSIONS: readonly Permission[] = ['users:read', 'users:manage', 'licenses:manage', 'owner:transfer'];

export const USER_SORT_KEYS = ['name', 'email', 'role', 'status', 'lastActiveAt', 'createdAt'] as const;
export type UserSortKey = (typeof USER_SORT_KEYS)[number];
/** A sort key, optionally with a leading `-` for descending order. */
export type UserSort = UserSortKey | `-${UserSortKey}`;

export interface ScheduledChange {
  quantity: number;
  effectiveAt: string;
  /** Users whose license would be released at `effectiveAt` if nothing changes (release order). */
  releases: string[];
}

export interface LicenseCounts {
  quantity: number;
  enabled: number;
  invited: number;
  inUse: number;
  available: number;
  scheduled: ScheduledChange | null;
}

export interface Billing {
  unitPrice: number;
  currency: string;
  interval: BillingInterval;
  periodStart: string;
  periodEnd: string;
}

export interface Viewer {
  userId: string;
  role: Role;
  permissions: Permission[];
}

/** How a person is named to others (the account owner, to every viewer of the account). */
export interface PersonName {
  firstName: string;
  lastName: string;
  email: string;
}

export interface Account {
  id: string;
  name: string;
  ownerId: string;
  /** The owner's name and email: members cannot list users, yet need to know whom to ask. */
  owner: PersonName;
  licenses: LicenseCounts;
  billing: Billing;
  testClock: null | { now: string };
  /** Present on session requests only. */
  viewer?: Viewer;
}

export interface User {
  id: string;
  accountId: string;
  email: string;
  firstName: string;
  lastName: string;
  role: Role;
  qualification: string;
  status: UserStatus;
  invitationExpired: boolean;
  invitedAt: string | null;
  activatedAt: string | null;
  licenseAssignedAt: string | null;
  lastActiveAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
  /** The host product's own id for the person (set with the API key only), unique in the account. */
  externalId: string | null;
}

export interface Invoice {
  id: string;
  kind: 'proration' | 'renewal';
  quantity: number;
  amount: number;
  currency: string;
  createdAt: string;
  periodStart: string;
  periodEnd: string;
}

export const AUDIT_ACTIONS = [
  'account.created',
  'user.invited',
  'user.provisioned',
  'user.updated',
  'invitation.resent',
  'invitation.revoked',
  'invitation.accepted',
  'invitation.expired',
  'license.assigned',
  'license.unassigned',
  'license.reassigned',
  'license.released',
  'license.reclaimed',
  'owner.transferred',
  'licenses.increased',
  'licenses.decrease_scheduled',
  'licenses.decrease_cancelled',
  'licenses.decreased',
  'period.renewed',
  'reclaim_policy.changed',
] as const;
/** What an audit event records (and the type of the webhook that reports it). */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who did it: a user of the account, the host back end (API key) or the system (renewal, expiry). */
export type Actor = { type: 'user'; userId: string } | { type: 'api_key' } | { type: 'system' } | { type: 'invitee'; userId: string };

export interface AuditEvent {
  id: string;
  accountId: string;
  action: AuditAction;
  actor: Actor;
  /** Every user the event affects (a reassign names both). */
  userIds: string[];
  /** State before and after, of the fields the event changed. */
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  createdAt: string;
}

/** Every list answers one page. */
export interface PageBody<T> {
  data: T[];
  total: number;
  nextCursor: string | null;
}

export interface ListParams {
  limit?: number;
  cursor?: string;
}

export interface UserListParams extends ListParams {
  q?: string;
  status?: UserStatus;
  role?: Role;
  sort?: UserSort;
  /** Exact match on the host's id of the person. */
  externalId?: string;
  /** Exact match on the email, compared case-insensitively. */
  email?: string;
  /** Only users holding a license whose last activity is at least this many days old (1–3,650). */
  inactiveDays?: number;
}

export interface Quote {
  quantity: number;
  currentQuantity: number;
  change: number;
  amountDue: number;
  currency: string;
  effectiveAt: string;
  remainingDays: number;
  periodDays: number;
  mustFree: number;
  /** Users released at `effectiveAt` if this reduction is scheduled and nothing else changes. */
  releases: string[];
}

export interface InvitationLookup {
  accountName: string;
  email: string;
  firstName: string;
  lastName: string;
  expiresAt: string;
}

export interface OutboxMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  activationUrl: string | null;
  createdAt: string;
}

// ---- request bodies ----

export interface CreateAccountBody {
  name: string;
  licenses: { quantity: number; unitPrice: number; currency: string; interval: BillingInterval };
  owner: { email: string; firstName: string; lastName: string; qualification?: string };
  testClock?: { frozenTime?: string };
}

export interface CreateSessionBody {
  userId?: string;
  email?: string;
  ttlSeconds?: number;
}

export interface InviteBody {
  email: string;
  firstName: string;
  lastName: string;
  role?: AssignableRole;
  qualification?: string;
  /** API key only. */
  externalId?: string;
}

export interface UpdateUserBody {
  firstName?: string;
  lastName?: string;
  qualification?: string;
  role?: AssignableRole;
  /** API key only; `null` removes it. */
  externalId?: string | null;
}

/** A person the host back end brings in (API key): enabled at once, or without a license. */
export interface ProvisionBody {
  email: string;
  firstName: string;
  lastName: string;
  role?: AssignableRole;
  qualification?: string;
  externalId?: string;
  /** Give the person a license (default true; `false` adds the person disabled). */
  license?: boolean;
}

/** Who an entitlement check asks about: exactly one of these. */
export type EntitlementSelector = { userId: string } | { externalId: string } | { email: string };

export type EntitlementReason = 'disabled' | 'invitation_expired' | 'unknown_user';

/** May this person work? The host product's hot path. */
export interface Entitlement {
  licensed: boolean;
  userId: string | null;
  externalId: string | null;
  status: UserStatus | null;
  role: Role | null;
  /** Null while licensed. */
  reason: EntitlementReason | null;
}

// ---- idle licenses, usage, batches ----

/** Releasing idle licenses automatically (off by default). */
export interface ReclaimPolicy {
  enabled: boolean;
  /** A user inactive this many days (7–365) loses their license. */
  inactiveDays: number;
  /** Who would be released now under this policy (never the owner). */
  preview: string[];
}

export interface ReclaimPolicyBody {
  enabled: boolean;
  inactiveDays: number;
}

/** One day of usage (UTC): the total and the licenses in use at its end, and the day's peak. */
export interface UsageDay {
  date: string;
  quantity: number;
  inUse: number;
  maxInUse: number;
}

export interface UsageResult {
  data: UsageDay[];
}

export type BatchOperation =
  | ({ op: 'invite' } & InviteBody)
  | ({ op: 'provision' } & ProvisionBody)
  | { op: 'assign' | 'unassign' | 'resend' | 'revoke'; userId: string };

export type BatchOp = BatchOperation['op'];
export const BATCH_OPS: readonly BatchOp[] = ['invite', 'provision', 'assign', 'unassign', 'resend', 'revoke'];

export interface BatchBody {
  operations: BatchOperation[];
  /** `atomic` (the default): all or nothing, in one commit. `partial`: each that fits, in order. */
  mode?: 'atomic' | 'partial';
  /** Answer what the batch would do, and change nothing. */
  dryRun?: boolean;
}

/** What became of one operation of a batch (`index` in the request). */
export interface BatchItemResult {
  index: number;
  ok: boolean;
  user?: User;
  code?: ErrorCode;
  detail?: string;
  errors?: Record<string, string>;
}

export interface BatchResult {
  results: BatchItemResult[];
  licenses: LicenseCounts;
  dryRun: boolean;
}

// ---- webhooks ----

export interface WebhookEndpoint {
  id: string;
  url: string;
  /** The audit actions it receives; every action when it was created without a list. */
  events: AuditAction[];
  description: string;
  disabled: boolean;
  createdAt: string;
}

/** An endpoint as created (or after a rotation): its signing secret is shown only then. */
export interface WebhookEndpointWithSecret extends WebhookEndpoint {
  secret: string;
}

export interface CreateWebhookEndpointBody {
  url: string;
  events?: AuditAction[];
  description?: string;
}

export interface UpdateWebhookEndpointBody {
  url?: string;
  events?: AuditAction[];
  description?: string;
  disabled?: boolean;
}

export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface WebhookDelivery {
  id: string;
  /** The audit event it reports (the `webhook-id` header of every attempt). */
  eventId: string;
  type: AuditAction;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastResponseStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
}

/** What a webhook posts: the event, the account after it, and the users it names as they are now. */
export interface WebhookPayload {
  type: AuditAction;
  timestamp: string;
  data: {
    event: AuditEvent;
    account: { id: string; name: string; licenses: LicenseCounts };
    users: User[];
  };
}

export interface AcceptInvitationBody {
  firstName?: string;
  lastName?: string;
}

export interface ReassignBody {
  fromUserId: string;
  toUserId: string;
}

export interface TransferOwnershipBody {
  userId: string;
}

export interface LicenseChangeBody {
  quantity: number;
  acceptAgreement: true;
  expectedAmountDue: number;
}

export interface AdvanceClockBody {
  advanceTo: string;
}

// ---- responses ----

export interface CreateAccountResult {
  account: Account;
  owner: User;
}

export interface SessionResult {
  token: string;
  expiresAt: string;
  user: User;
}

export interface UserResult {
  user: User;
  licenses: LicenseCounts;
}

export interface UsersResult {
  users: User[];
  licenses: LicenseCounts;
}

export interface AcceptResult {
  user: User;
  token: string;
  expiresAt: string;
}

export interface LicenseChangeResult {
  licenses: LicenseCounts;
  billing: Billing;
  invoice: Invoice | null;
}

export interface Health {
  status: 'ok';
}

// ---- errors ----

export const ERROR_CODES = {
  validation_failed: 400,
  invalid_json: 400,
  idempotency_key_required: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  invitation_invalid: 404,
  license_required: 403,
  user_exists: 409,
  external_id_exists: 409,
  no_license_available: 409,
  owner_requires_license: 409,
  owner_role_locked: 409,
  licenses_in_use: 409,
  quote_changed: 409,
  user_not_eligible: 409,
  user_not_enabled: 409,
  batch_rejected: 409,
  idempotency_key_in_use: 409,
  test_clock_required: 409,
  invitation_expired: 410,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  agreement_required: 422,
  idempotency_key_reused: 422,
  precondition_required: 428,
  rate_limited: 429,
  too_many_streams: 429,
  internal_error: 500,
  storage_unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

// ---- live stream (`GET /v1/accounts/{accountId}/stream`) ----

/** Why a stream's session ended: it expired, the owner role went to someone else, the viewer lost their license, or it was revoked. */
export type StreamSessionEndReason = 'expired' | 'owner_transferred' | 'license_removed' | 'revoked';

/** `event: change`: a committed change of the account (its id is `sequence`). */
export interface StreamChange {
  /** The account's change sequence: a positive integer that only grows (it may skip numbers). */
  sequence: number;
  /** The action of the change's last audit event. */
  action: AuditAction;
  /** Every user the change names; empty for a viewer without `users:read`. */
  userIds: string[];
  /** The license counts after the change. */
  licenses: LicenseCounts;
}

/** What `client.stream()` yields. */
export type StreamEvent =
  /** A connection opened (and, when resumed, every missed change came first): from here on, each change follows. */
  | { type: 'ready'; sequence: number; resumed: boolean }
  | ({ type: 'change' } & StreamChange)
  /** Changes were missed that can no longer be told: reload what you show. */
  | { type: 'reset'; sequence: number }
  /** The viewer's session ended: sign in again. The iterator ends after it. */
  | { type: 'session-ended'; reason: StreamSessionEndReason };

/** RFC 9457 problem details, as every error answers. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
  /** Field path (dot-separated) → message, for validation errors. */
  errors?: Record<string, string>;
  /** `licenses_in_use`: how many licenses to free first. */
  mustFree?: number;
  /** `user_exists`: the existing user (the UI offers to assign a license instead). */
  userId?: string;
  /** `quote_changed`: the amount due now. */
  amountDue?: number;
  /** `no_license_available`: licenses free now. */
  available?: number;
  /** `precondition_failed`: the user's current version. */
  version?: number;
  /** `batch_rejected`: what became of each operation, and how many more licenses the batch needs. */
  results?: BatchItemResult[];
  licensesNeeded?: number;
}
