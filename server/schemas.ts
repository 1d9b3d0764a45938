/**
 * The request and response schemas of the HTTP API: validation at the edge and the OpenAPI
 * document come from these. Their inferred types are checked against the wire types of
 * `sdk/types.ts` at the end of this file, so the two cannot drift apart.
 */
import { z } from '@hono/zod-openapi';
import {
  checkEmail,
  checkExternalId,
  checkName,
  checkQualification,
  checkText,
  hasForbiddenCharacters,
  LIMITS,
  TEXT_PROBLEM_MESSAGES,
  type TextProblem,
} from '../sdk/limits.js';
import * as wire from '../sdk/types.js';

function text(check: (value: string) => TextProblem | null, doc: { minLength?: number; maxLength: number; example?: string }) {
  return z
    .string()
    .refine((value) => !hasForbiddenCharacters(value), TEXT_PROBLEM_MESSAGES.forbidden_characters)
    .trim()
    .superRefine((value, ctx) => {
      const problem = check(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem === 'too_long' ? `At most ${doc.maxLength} characters` : TEXT_PROBLEM_MESSAGES[problem] });
    })
    .openapi(doc);
}

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export const Email = text(checkEmail, { maxLength: LIMITS.emailMax, example: 'ada@example.com' }).openapi({ format: 'email' });
export const Name = text(checkName, { minLength: LIMITS.nameMin, maxLength: LIMITS.nameMax, example: 'Ada' });
export const Qualification = text(checkQualification, { maxLength: LIMITS.qualificationMax, example: 'Structural engineer' });
/** Not trimmed: the host's id is compared exactly. */
export const ExternalId = z
  .string()
  .superRefine((value, ctx) => {
    const problem = checkExternalId(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem === 'too_long' ? `At most ${LIMITS.externalIdMax} characters` : TEXT_PROBLEM_MESSAGES[problem] });
  })
  .openapi({ minLength: 1, maxLength: LIMITS.externalIdMax, example: 'emp-10042', description: "The host product's own id for the person (set with the API key only)." });
const AccountName = text((v) => checkText(v, 1, LIMITS.accountNameMax), { minLength: 1, maxLength: LIMITS.accountNameMax, example: 'Acme Engineering' });
const Quantity = z.number().int().min(LIMITS.quantityMin).max(LIMITS.quantityMax).openapi({ example: 10 });
const Id = z.string().openapi({ example: 'usr_3q2Xh8m1d9QeR7tN0aZpLw' });
const Instant = z.string().openapi({ format: 'date-time', example: '2026-05-15T00:00:00.000Z' });
const InstantInput = z
  .string()
  .max(40)
  .refine((v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)), 'Not an ISO 8601 instant with a time zone')
  .refine((v) => Date.parse(v) >= Date.UTC(2000, 0, 1) && Date.parse(v) < Date.UTC(2200, 0, 1), 'Out of range (2000–2199)')
  .openapi({ format: 'date-time', example: '2026-05-15T00:00:00Z' });
const Currency = z
  .string()
  .refine((v) => /^[A-Z]{3}$/.test(v) && CURRENCIES.has(v), 'Not an ISO 4217 currency code')
  .openapi({ example: 'USD', pattern: '^[A-Z]{3}$' });
const Money = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).openapi({ description: 'Integer minor units (cents).', example: 1419 });

// ---- parameters ----

export const AccountParams = z.object({ accountId: Id.openapi({ param: { name: 'accountId', in: 'path' }, example: 'acc_9fQm2Lr0Xv4sT1bNc8KdPw' }) });
export const UserParams = AccountParams.extend({ userId: Id.openapi({ param: { name: 'userId', in: 'path' } }) });
export const TokenParams = z.object({ token: z.string().openapi({ param: { name: 'token', in: 'path' } }) });

function integerParam(min: number, max: number, description: string) {
  return z
    .string()
    .regex(/^\d{1,9}$/, 'Must be a whole number')
    .refine((v) => Number(v) >= min && Number(v) <= max, `Must be between ${min} and ${max}`)
    .openapi({ description, example: String(min) });
}

export const ListQuery = z.strictObject({
  limit: integerParam(LIMITS.pageSizeMin, LIMITS.pageSizeMax, `Page size, ${LIMITS.pageSizeMin}–${LIMITS.pageSizeMax} (default ${LIMITS.pageSizeDefault}).`).optional(),
  cursor: z.string().max(500).optional().openapi({ description: 'Opaque cursor from `nextCursor`.' }),
});

const SORTS = wire.USER_SORT_KEYS.flatMap((key) => [key, `-${key}`]) as [wire.UserSort, ...wire.UserSort[]];
export const UserListQuery = ListQuery.extend({
  q: z.string().max(LIMITS.searchMax).optional().openapi({ description: 'Search in name, email and qualification.' }),
  status: z.enum(wire.USER_STATUSES as [wire.UserStatus, ...wire.UserStatus[]]).optional(),
  role: z.enum(wire.ROLES as [wire.Role, ...wire.Role[]]).optional(),
  sort: z.enum(SORTS).optional().openapi({ description: 'Sort key; a leading `-` sorts descending. Default `name`.' }),
  externalId: ExternalId.optional().openapi({ description: 'Only the user with this external id (exact).' }),
  email: z.string().max(LIMITS.emailMax).optional().openapi({ description: 'Only the user with this email (case-insensitive).' }),
  inactiveDays: integerParam(1, 3650, 'Only users holding a license whose last activity (or, never active, the license) is at least this many days old.').optional(),
});

/** The users CSV takes the list's filters and sort, not its paging. */
export const UsersCsvQuery = UserListQuery.omit({ limit: true, cursor: true });

export const UsageQuery = z.strictObject({ days: integerParam(1, 730, 'Days to show, up to today (default 90).').optional() });

export const ReclaimPolicyQuery = z.strictObject({
  inactiveDays: integerParam(7, 365, 'Preview another number of days than the saved one.').optional(),
});

export const EntitlementQuery = z
  .strictObject({
    userId: Id.optional(),
    externalId: ExternalId.optional(),
    email: z.string().max(LIMITS.emailMax).optional(),
  })
  .refine((q) => [q.userId, q.externalId, q.email].filter((v) => v !== undefined).length === 1, {
    message: 'Give exactly one of userId, externalId and email',
    path: ['userId'],
  });

export const QuoteQuery = z.strictObject({
  quantity: integerParam(LIMITS.quantityMin, LIMITS.quantityMax, 'The new total of licenses.'),
});

// ---- request bodies ----

const AssignableRole = z.enum(wire.ASSIGNABLE_ROLES as [wire.AssignableRole, ...wire.AssignableRole[]]);

export const EmptyBody = z.strictObject({}).openapi('EmptyBody');

export const CreateAccountBody = z
  .strictObject({
    name: AccountName,
    licenses: z.strictObject({
      quantity: Quantity,
      unitPrice: z.number().int().min(0).max(LIMITS.unitPriceMax).openapi({ description: 'Price of one license per interval, minor units.', example: 400 }),
      currency: Currency,
      interval: z.enum(wire.BILLING_INTERVALS as [wire.BillingInterval, ...wire.BillingInterval[]]),
    }),
    owner: z.strictObject({ email: Email, firstName: Name, lastName: Name, qualification: Qualification.optional() }),
    testClock: z.strictObject({ frozenTime: InstantInput.optional() }).optional(),
  })
  .openapi('CreateAccountBody');

export const CreateSessionBody = z
  .strictObject({
    userId: Id.optional(),
    email: Email.optional(),
    ttlSeconds: z.number().int().min(60).max(LIMITS.sessionTtlMaxSeconds).optional().openapi({ description: 'Default 3600, at most 86400.' }),
  })
  .refine((b) => (b.userId === undefined) !== (b.email === undefined), { message: 'Give exactly one of userId and email', path: ['userId'] })
  .openapi('CreateSessionBody');

export const AdvanceClockBody = z.strictObject({ advanceTo: InstantInput }).openapi('AdvanceClockBody');

export const InviteBody = z
  .strictObject({
    email: Email,
    firstName: Name,
    lastName: Name,
    role: AssignableRole.optional(),
    qualification: Qualification.optional(),
    externalId: ExternalId.optional(),
  })
  .openapi('InviteBody');

export const UpdateUserBody = z
  .strictObject({
    firstName: Name.optional(),
    lastName: Name.optional(),
    qualification: Qualification.optional(),
    role: AssignableRole.optional(),
    externalId: ExternalId.nullable().optional(),
  })
  .openapi('UpdateUserBody');

/** An invitation's fields, and whether the person gets a license. */
export const ProvisionBody = InviteBody.extend({
  license: z.boolean().optional().openapi({ description: 'Give the person a license (default true); false adds the person disabled.' }),
}).openapi('ProvisionBody');

export const ReclaimPolicyBody = z
  .strictObject({
    enabled: z.boolean(),
    inactiveDays: z.number().int().min(7).max(365).openapi({ description: 'Release the license of users inactive this many days (7–365).' }),
  })
  .openapi('ReclaimPolicyBody');

/** One operation of a batch as received: its `op`; its fields are checked per operation (a bad one fails alone). */
const BatchOperationInput = z
  .object({ op: z.enum(wire.BATCH_OPS as [wire.BatchOp, ...wire.BatchOp[]]) })
  .catchall(z.unknown())
  .openapi({ description: '`op` and the fields of its single route: invite (InviteBody), provision (ProvisionBody; API key only), or `{ userId }` for assign, unassign, resend, revoke.' });

export const BatchBody = z
  .strictObject({
    operations: z.array(BatchOperationInput).min(1).max(1000),
    mode: z.enum(['atomic', 'partial']).optional(),
    dryRun: z.boolean().optional(),
  })
  .openapi('BatchBody');

/** The fields of each operation, checked one by one. */
export const BatchOperationSchemas = {
  invite: InviteBody.extend({ op: z.literal('invite') }),
  provision: ProvisionBody.extend({ op: z.literal('provision') }),
  assign: z.strictObject({ op: z.literal('assign'), userId: Id }),
  unassign: z.strictObject({ op: z.literal('unassign'), userId: Id }),
  resend: z.strictObject({ op: z.literal('resend'), userId: Id }),
  revoke: z.strictObject({ op: z.literal('revoke'), userId: Id }),
} as const;

const WebhookUrl = z
  .string()
  .max(LIMITS.webhookUrlMax)
  .refine((v) => {
    try {
      const url = new URL(v);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '';
    } catch {
      return false;
    }
  }, 'Must be an http or https URL (without credentials)')
  .openapi({ format: 'uri', example: 'https://hooks.example.com/seatkit' });
const WebhookEvents = z
  .array(z.enum(wire.AUDIT_ACTIONS))
  .min(1)
  .refine((events) => new Set(events).size === events.length, 'Each event once')
  .openapi({ description: 'Audit actions to receive (default: all).' });
const WebhookDescription = z.string().max(LIMITS.webhookDescriptionMax).refine((v) => !hasForbiddenCharacters(v), TEXT_PROBLEM_MESSAGES.forbidden_characters);

export const CreateWebhookEndpointBody = z
  .strictObject({ url: WebhookUrl, events: WebhookEvents.optional(), description: WebhookDescription.optional() })
  .openapi('CreateWebhookEndpointBody');

export const UpdateWebhookEndpointBody = z
  .strictObject({ url: WebhookUrl.optional(), events: WebhookEvents.optional(), description: WebhookDescription.optional(), disabled: z.boolean().optional() })
  .openapi('UpdateWebhookEndpointBody');

export const WebhookEndpointParams = z.object({ endpointId: Id.openapi({ param: { name: 'endpointId', in: 'path' }, example: 'whe_3q2Xh8m1d9QeR7tN0aZpLw' }) });
export const WebhookDeliveryParams = WebhookEndpointParams.extend({ deliveryId: Id.openapi({ param: { name: 'deliveryId', in: 'path' } }) });

export const AcceptInvitationBody = z.strictObject({ firstName: Name.optional(), lastName: Name.optional() }).openapi('AcceptInvitationBody');

export const ReassignBody = z.strictObject({ fromUserId: Id, toUserId: Id }).openapi('ReassignBody');

export const TransferOwnershipBody = z.strictObject({ userId: Id }).openapi('TransferOwnershipBody');

export const LicenseChangeBody = z
  .strictObject({
    quantity: Quantity,
    acceptAgreement: z.boolean().openapi({ description: 'Must be true: the license agreement is accepted.' }),
    expectedAmountDue: Money.openapi({ description: 'The amount the person saw in the quote; a different current amount is refused.' }),
  })
  .openapi('LicenseChangeBody');

// ---- responses ----

const Role = z.enum(wire.ROLES as [wire.Role, ...wire.Role[]]);
const NullableInstant = Instant.nullable();

export const User = z
  .object({
    id: Id,
    accountId: Id,
    email: z.string(),
    firstName: z.string(),
    lastName: z.string(),
    role: Role,
    qualification: z.string(),
    status: z.enum(wire.USER_STATUSES as [wire.UserStatus, ...wire.UserStatus[]]),
    invitationExpired: z.boolean(),
    invitedAt: NullableInstant,
    activatedAt: NullableInstant,
    licenseAssignedAt: NullableInstant,
    lastActiveAt: NullableInstant,
    createdAt: Instant,
    updatedAt: Instant,
    version: z.number().int(),
    externalId: z.string().nullable(),
  })
  .openapi('User');

export const LicenseCounts = z
  .object({
    quantity: z.number().int(),
    enabled: z.number().int(),
    invited: z.number().int(),
    inUse: z.number().int(),
    available: z.number().int(),
    scheduled: z.object({ quantity: z.number().int(), effectiveAt: Instant, releases: z.array(Id) }).nullable(),
  })
  .openapi('LicenseCounts');

export const Billing = z
  .object({
    unitPrice: z.number().int(),
    currency: z.string(),
    interval: z.enum(wire.BILLING_INTERVALS as [wire.BillingInterval, ...wire.BillingInterval[]]),
    periodStart: Instant,
    periodEnd: Instant,
  })
  .openapi('Billing');

export const Account = z
  .object({
    id: Id,
    name: z.string(),
    ownerId: Id,
    owner: z.object({ firstName: z.string(), lastName: z.string(), email: z.string() }),
    licenses: LicenseCounts,
    billing: Billing,
    testClock: z.object({ now: Instant }).nullable(),
    viewer: z
      .object({ userId: Id, role: Role, permissions: z.array(z.enum(wire.PERMISSIONS as [wire.Permission, ...wire.Permission[]])) })
      .optional(),
  })
  .openapi('Account');

export const Invoice = z
  .object({
    id: Id,
    kind: z.enum(['proration', 'renewal']),
    quantity: z.number().int(),
    amount: z.number().int(),
    currency: z.string(),
    createdAt: Instant,
    periodStart: Instant,
    periodEnd: Instant,
  })
  .openapi('Invoice');

const Actor = z.union([
  z.object({ type: z.literal('user'), userId: Id }),
  z.object({ type: z.literal('api_key') }),
  z.object({ type: z.literal('system') }),
  z.object({ type: z.literal('invitee'), userId: Id }),
]);

export const AuditEvent = z
  .object({
    id: Id,
    accountId: Id,
    action: z.enum(wire.AUDIT_ACTIONS),
    actor: Actor,
    userIds: z.array(Id),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
    createdAt: Instant,
  })
  .openapi('AuditEvent');

export const OutboxMessage = z
  .object({ id: z.string(), to: z.string(), subject: z.string(), text: z.string(), html: z.string(), activationUrl: z.string().nullable(), createdAt: Instant })
  .openapi('OutboxMessage');

export function page<T extends z.ZodTypeAny>(item: T, name: string) {
  return z.object({ data: z.array(item), total: z.number().int(), nextCursor: z.string().nullable() }).openapi(name);
}

export const Quote = z
  .object({
    quantity: z.number().int(),
    currentQuantity: z.number().int(),
    change: z.number().int(),
    amountDue: z.number().int(),
    currency: z.string(),
    effectiveAt: Instant,
    remainingDays: z.number().int(),
    periodDays: z.number().int(),
    mustFree: z.number().int(),
    releases: z.array(Id),
  })
  .openapi('Quote');

export const CreateAccountResult = z.object({ account: Account, owner: User }).openapi('CreateAccountResult');
export const SessionResult = z.object({ token: z.string(), expiresAt: Instant, user: User }).openapi('SessionResult');
export const UserResult = z.object({ user: User, licenses: LicenseCounts }).openapi('UserResult');
export const UsersResult = z.object({ users: z.array(User), licenses: LicenseCounts }).openapi('UsersResult');
export const AcceptResult = z.object({ user: User, token: z.string(), expiresAt: Instant }).openapi('AcceptResult');
export const LicenseChangeResult = z.object({ licenses: LicenseCounts, billing: Billing, invoice: Invoice.nullable() }).openapi('LicenseChangeResult');
export const InvitationLookup = z
  .object({ accountName: z.string(), email: z.string(), firstName: z.string(), lastName: z.string(), expiresAt: Instant })
  .openapi('InvitationLookup');
export const Health = z.object({ status: z.literal('ok') }).openapi('Health');
export const Ready = z.object({ status: z.literal('ready') }).openapi('Ready');

export const Entitlement = z
  .object({
    licensed: z.boolean(),
    userId: Id.nullable(),
    externalId: z.string().nullable(),
    status: z.enum(wire.USER_STATUSES as [wire.UserStatus, ...wire.UserStatus[]]).nullable(),
    role: z.enum(wire.ROLES as [wire.Role, ...wire.Role[]]).nullable(),
    reason: z.enum(['disabled', 'invitation_expired', 'unknown_user']).nullable(),
  })
  .openapi('Entitlement');

export const ActivityResult = z.object({ user: User }).openapi('ActivityResult');

export const WebhookEndpoint = z
  .object({
    id: Id,
    url: z.string(),
    events: z.array(z.enum(wire.AUDIT_ACTIONS)),
    description: z.string(),
    disabled: z.boolean(),
    createdAt: Instant,
  })
  .openapi('WebhookEndpoint');

export const WebhookEndpointWithSecret = WebhookEndpoint.extend({
  secret: z.string().openapi({ description: 'Shown only at creation and rotation: `whsec_` + base64 of 32 random bytes.' }),
}).openapi('WebhookEndpointWithSecret');

export const WebhookSecret = z.object({ secret: z.string() }).openapi('WebhookSecret');

export const WebhookDelivery = z
  .object({
    id: Id,
    eventId: Id,
    type: z.enum(wire.AUDIT_ACTIONS),
    status: z.enum(['pending', 'succeeded', 'failed']),
    attempts: z.number().int(),
    lastResponseStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    nextAttemptAt: Instant.nullable(),
    createdAt: Instant,
  })
  .openapi('WebhookDelivery');

export const BatchItemResult = z
  .object({
    index: z.number().int(),
    ok: z.boolean(),
    user: User.optional(),
    code: z.enum(Object.keys(wire.ERROR_CODES) as [wire.ErrorCode, ...wire.ErrorCode[]]).optional(),
    detail: z.string().optional(),
    errors: z.record(z.string(), z.string()).optional(),
  })
  .openapi('BatchItemResult');

export const BatchResult = z.object({ results: z.array(BatchItemResult), licenses: LicenseCounts, dryRun: z.boolean() }).openapi('BatchResult');

export const ReclaimPolicy = z
  .object({ enabled: z.boolean(), inactiveDays: z.number().int(), preview: z.array(Id) })
  .openapi('ReclaimPolicy');

export const Usage = z
  .object({ data: z.array(z.object({ date: z.string().openapi({ example: '2026-05-15' }), quantity: z.number().int(), inUse: z.number().int(), maxInUse: z.number().int() })) })
  .openapi('Usage');

export const Problem = z
  .object({
    type: z.string().openapi({ example: 'urn:seatkit:problem:no_license_available' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(Object.keys(wire.ERROR_CODES) as [wire.ErrorCode, ...wire.ErrorCode[]]),
    requestId: z.string(),
    errors: z.record(z.string(), z.string()).optional(),
    mustFree: z.number().int().optional(),
    userId: z.string().optional(),
    amountDue: z.number().int().optional(),
    available: z.number().int().optional(),
    version: z.number().int().optional(),
    results: z.array(BatchItemResult).optional(),
    licensesNeeded: z.number().int().optional(),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details. `code` is stable; see the list of codes in its enum.' });

// ---- the wire types and the schemas must agree ----

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
export type SchemasMatchWireTypes = [
  Assert<Equals<z.infer<typeof User>, wire.User>>,
  Assert<Equals<z.infer<typeof LicenseCounts>, wire.LicenseCounts>>,
  Assert<Equals<z.infer<typeof Billing>, wire.Billing>>,
  Assert<Equals<z.infer<typeof Account>, wire.Account>>,
  Assert<Equals<z.infer<typeof Invoice>, wire.Invoice>>,
  Assert<Equals<z.infer<typeof AuditEvent>, wire.AuditEvent>>,
  Assert<Equals<z.infer<typeof OutboxMessage>, wire.OutboxMessage>>,
  Assert<Equals<z.infer<typeof Quote>, wire.Quote>>,
  Assert<Equals<z.infer<typeof CreateAccountResult>, wire.CreateAccountResult>>,
  Assert<Equals<z.infer<typeof SessionResult>, wire.SessionResult>>,
  Assert<Equals<z.infer<typeof UserResult>, wire.UserResult>>,
  Assert<Equals<z.infer<typeof UsersResult>, wire.UsersResult>>,
  Assert<Equals<z.infer<typeof AcceptResult>, wire.AcceptResult>>,
  Assert<Equals<z.infer<typeof LicenseChangeResult>, wire.LicenseChangeResult>>,
  Assert<Equals<z.infer<typeof InvitationLookup>, wire.InvitationLookup>>,
  Assert<Equals<z.infer<typeof Problem>, wire.Problem>>,
  Assert<Equals<z.infer<typeof InviteBody>, wire.InviteBody>>,
  Assert<Equals<z.infer<typeof ProvisionBody>, wire.ProvisionBody>>,
  Assert<Equals<z.infer<typeof BatchResult>, wire.BatchResult>>,
  Assert<Equals<z.infer<typeof ReclaimPolicy>, wire.ReclaimPolicy>>,
  Assert<Equals<z.infer<typeof ReclaimPolicyBody>, wire.ReclaimPolicyBody>>,
  Assert<Equals<z.infer<typeof Usage>, wire.UsageResult>>,
  Assert<Equals<z.infer<typeof Entitlement>, wire.Entitlement>>,
  Assert<Equals<z.infer<typeof WebhookEndpoint>, wire.WebhookEndpoint>>,
  Assert<Equals<z.infer<typeof WebhookEndpointWithSecret>, wire.WebhookEndpointWithSecret>>,
  Assert<Equals<z.infer<typeof WebhookDelivery>, wire.WebhookDelivery>>,
  Assert<Equals<z.infer<typeof CreateWebhookEndpointBody>, wire.CreateWebhookEndpointBody>>,
  Assert<Equals<z.infer<typeof UpdateWebhookEndpointBody>, wire.UpdateWebhookEndpointBody>>,
  Assert<Equals<z.infer<typeof UpdateUserBody>, wire.UpdateUserBody>>,
  Assert<Equals<z.infer<typeof CreateAccountBody>, wire.CreateAccountBody>>,
  Assert<Equals<z.infer<typeof CreateSessionBody>, wire.CreateSessionBody>>,
  Assert<Equals<z.infer<typeof ReassignBody>, wire.ReassignBody>>,
  Assert<Equals<z.infer<typeof TransferOwnershipBody>, wire.TransferOwnershipBody>>,
  Assert<Equals<z.infer<typeof AcceptInvitationBody>, wire.AcceptInvitationBody>>,
  Assert<Equals<z.infer<typeof AdvanceClockBody>, wire.AdvanceClockBody>>,
];

export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(LIMITS.idempotencyKeyMax)
    .openapi({ description: '1–255 characters, one per logical change, reused on retries.', example: 'b7a9c1e2-purchase-1' }),
});

export type LicenseChangeResultType = z.infer<typeof LicenseChangeResult>;

// ---- live stream ----

export const StreamQuery = z.strictObject({
  lastEventId: z
    .string()
    .regex(/^\d{1,15}$/, 'Expected the id of an event this stream sent (a whole number)')
    .optional()
    .openapi({ description: 'Resume after this event id, for clients that cannot send the `Last-Event-ID` header (which wins when both are sent).' }),
});

export const StreamChange = z
  .object({
    sequence: z.number().int().positive().openapi({ description: 'The account’s change sequence (also the event’s `id`): it only grows, and may skip numbers.' }),
    action: z.enum(wire.AUDIT_ACTIONS).openapi({ description: 'The action of the change’s last audit event.' }),
    userIds: z.array(Id).openapi({ description: 'Every user the change names; empty for a viewer without `users:read` (members).' }),
    licenses: LicenseCounts,
  })
  .openapi('StreamChange');
