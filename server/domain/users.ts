import type { AssignableRole, CreateAccountBody, Entitlement, ProvisionBody, UpdateUserBody } from '../../sdk/types.js';
import { normalizeEmail } from '../../sdk/limits.js';
import { ApiError } from '../errors.js';
import { auditEvent, userDiff } from './events.js';
import type { AccountDoc, Context, Outcome, UserRecord } from './state.js';
import { emailIndex, externalIdIndex, mapOf, sessionsByUser, sessionsOf, usersOf, withEntry, withUser } from './users-map.js';
import { periodBoundary } from './time.js';
import { countLicenses, holdsLicense } from './counts.js';

/** A fresh invitation token, made by the caller (the domain sees only its hash). */
export interface InvitationGrant {
  tokenHash: string;
  expiresAt: string;
}

export function findUser(doc: AccountDoc, userId: string): UserRecord {
  const user = doc.users.get(userId);
  if (!user) throw new ApiError('not_found', 'No such user in this account.');
  return user;
}

export function findUserByEmail(doc: AccountDoc, email: string): UserRecord | undefined {
  const key = normalizeEmail(email);
  const id = emailIndex(doc.users).get(key);
  const user = id === undefined ? undefined : doc.users.get(id);
  return user && normalizeEmail(user.email) === key ? user : undefined;
}

export function findUserByExternalId(doc: AccountDoc, externalId: string): UserRecord | undefined {
  const id = externalIdIndex(doc.users).get(externalId);
  const user = id === undefined ? undefined : doc.users.get(id);
  return user?.externalId === externalId ? user : undefined;
}

/**
 * The entitlement check: may the person of the one selector given (`userId`, `externalId` or
 * `email`) work? Licensed while they hold a license (enabled or invited); an unknown person echoes
 * the external id asked for. `holder`: the person found licensed (their check counts as activity).
 */
export function entitlementOf(doc: AccountDoc, selector: { userId?: string; externalId?: string; email?: string }): { entitlement: Entitlement; holder?: UserRecord } {
  const user =
    selector.userId !== undefined
      ? doc.users.get(selector.userId)
      : selector.externalId !== undefined
        ? findUserByExternalId(doc, selector.externalId)
        : findUserByEmail(doc, selector.email ?? '');
  if (!user) return { entitlement: { licensed: false, userId: null, externalId: selector.externalId ?? null, status: null, role: null, reason: 'unknown_user' } };
  const licensed = holdsLicense(user);
  const entitlement: Entitlement = {
    licensed,
    userId: user.id,
    externalId: user.externalId,
    status: user.status,
    role: user.role,
    reason: licensed ? null : user.invitationExpired ? 'invitation_expired' : 'disabled',
  };
  return licensed ? { entitlement, holder: user } : { entitlement };
}

/** Refuses an external id another user of the account has (it is unique per account). */
function requireFreeExternalId(doc: AccountDoc, externalId: string | null | undefined, userId?: string): void {
  if (externalId === null || externalId === undefined) return;
  const holder = findUserByExternalId(doc, externalId);
  if (holder && holder.id !== userId) {
    throw new ApiError('external_id_exists', 'Another user of this account has this external id.', {
      errors: { externalId: 'Already the external id of another user of this account' },
      extra: { userId: holder.id },
    });
  }
}

function requireNewEmail(doc: AccountDoc, email: string): void {
  const existing = findUserByEmail(doc, email);
  if (existing) {
    throw new ApiError('user_exists', `${email} is already a user of this account.`, {
      errors: { email: 'Already a user of this account' },
      extra: { userId: existing.id },
    });
  }
}

/** The fields of a user an invite or a provisioning records, for its audit event. */
function personFields(user: UserRecord): Record<string, unknown> {
  const { email, firstName, lastName, role, qualification, externalId, status } = user;
  return { email, firstName, lastName, role, qualification, externalId, status };
}

function requireAvailable(doc: AccountDoc, needed = 1): void {
  const { available } = countLicenses(doc);
  if (available < needed) {
    throw new ApiError('no_license_available', 'Every license is in use. Buy another license or free one first.', {
      extra: { available },
    });
  }
}

function put(doc: AccountDoc, user: UserRecord): AccountDoc {
  return { ...doc, users: withUser(doc.users, user) };
}

/** Off until the owner turns it on; 30 days is what the page offers first. */
export const DEFAULT_RECLAIM_POLICY = { enabled: false, inactiveDays: 30 } as const;

/** Live sessions a user may hold; minting one more revokes the oldest. */
export const SESSIONS_PER_USER_MAX = 50;

function withoutSessionsOf(doc: AccountDoc, userId: string): AccountDoc {
  const hashes = sessionsByUser(doc.sessions).get(userId);
  if (!hashes || hashes.size === 0) return doc;
  let sessions = doc.sessions;
  for (const hash of hashes) sessions = withEntry(sessions, hash, undefined);
  return { ...doc, sessions };
}

function change(user: UserRecord, fields: Partial<UserRecord>, at: Date): UserRecord {
  return { ...user, ...fields, updatedAt: at.toISOString(), version: user.version + 1 };
}

/**
 * Takes a user's license (unassign, release at renewal, revoke): the user is kept, the invitation
 * token voided and the user's sessions ended.
 */
export function releaseLicense(doc: AccountDoc, user: UserRecord, at: Date) {
  const updated = change(user, { status: 'disabled', licenseAssignedAt: null, invitation: null, invitationExpired: false }, at);
  return { doc: withoutSessionsOf(put(doc, updated), user.id), user: updated, diff: userDiff(user, updated) };
}

/** Gives a license to a disabled user: enabled if the user ever activated, else invited anew. */
function grantLicense(user: UserRecord, invitation: InvitationGrant, at: Date): UserRecord {
  const now = at.toISOString();
  return user.activatedAt
    ? change(user, { status: 'enabled', licenseAssignedAt: now, invitation: null, invitationExpired: false }, at)
    : change(user, { status: 'invited', licenseAssignedAt: now, invitedAt: now, invitation, invitationExpired: false }, at);
}

export function createAccount(
  body: CreateAccountBody,
  ctx: Context,
): Outcome<{ accountId: string; ownerId: string }> {
  const now = ctx.now.toISOString();
  const accountId = ctx.newId('acc');
  const ownerId = ctx.newId('usr');
  const owner: UserRecord = {
    id: ownerId,
    accountId,
    email: body.owner.email,
    firstName: body.owner.firstName,
    lastName: body.owner.lastName,
    role: 'owner',
    qualification: body.owner.qualification ?? '',
    status: 'enabled',
    invitationExpired: false,
    invitedAt: null,
    activatedAt: now,
    licenseAssignedAt: now,
    lastActiveAt: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
    externalId: null,
    invitation: null,
  };
  const { quantity, unitPrice, currency, interval } = body.licenses;
  const doc: AccountDoc = {
    id: accountId,
    name: body.name,
    ownerId,
    createdAt: now,
    plan: {
      quantity,
      unitPrice,
      currency,
      interval,
      anchor: now,
      period: 0,
      periodStart: now,
      periodEnd: periodBoundary(now, interval, 1),
      scheduled: null,
    },
    testClock: body.testClock ? { now } : null,
    users: usersOf([owner]),
    sessions: sessionsOf([]),
    idempotency: {},
    invoices: [],
    webhookMessages: mapOf([]),
    webhookDeliveries: mapOf([]),
    usage: mapOf([]),
    reclaimPolicy: DEFAULT_RECLAIM_POLICY,
  };
  const event = auditEvent(doc, ctx, 'account.created', [ownerId], null, { name: body.name, quantity, unitPrice, currency, interval });
  return { doc, events: [event], result: { accountId, ownerId } };
}

export interface InviteCommand {
  email: string;
  firstName: string;
  lastName: string;
  role?: AssignableRole;
  qualification?: string;
  externalId?: string;
  invitation: InvitationGrant;
}

/** A new member of the account, holding nothing yet. */
function newUser(doc: AccountDoc, person: Omit<ProvisionBody, 'license'>, ctx: Context): UserRecord {
  const now = ctx.now.toISOString();
  return {
    id: ctx.newId('usr'),
    accountId: doc.id,
    email: person.email,
    firstName: person.firstName,
    lastName: person.lastName,
    role: person.role ?? 'member',
    qualification: person.qualification ?? '',
    status: 'disabled',
    invitationExpired: false,
    invitedAt: null,
    activatedAt: null,
    licenseAssignedAt: null,
    lastActiveAt: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
    externalId: person.externalId ?? null,
    invitation: null,
  };
}

export function invite(doc: AccountDoc, cmd: InviteCommand, ctx: Context): Outcome<UserRecord> {
  requireNewEmail(doc, cmd.email);
  requireFreeExternalId(doc, cmd.externalId);
  requireAvailable(doc);
  const now = ctx.now.toISOString();
  const user: UserRecord = { ...newUser(doc, cmd, ctx), status: 'invited', invitedAt: now, licenseAssignedAt: now, invitation: cmd.invitation };
  const event = auditEvent(doc, ctx, 'user.invited', [user.id], null, personFields(user));
  return { doc: put(doc, user), events: [event], result: user, invitations: [user.id] };
}

/**
 * Brings in a person the host back end vouches for (API key): no invitation, no email. With a
 * license the user is enabled at once; without one, disabled. Either way the user counts as
 * activated, so assigning a license later enables the user directly (no invitation either).
 */
export function provisionUser(doc: AccountDoc, cmd: ProvisionBody, ctx: Context): Outcome<UserRecord> {
  requireNewEmail(doc, cmd.email);
  requireFreeExternalId(doc, cmd.externalId);
  const licensed = cmd.license !== false;
  if (licensed) requireAvailable(doc);
  const now = ctx.now.toISOString();
  const user: UserRecord = {
    ...newUser(doc, cmd, ctx),
    status: licensed ? 'enabled' : 'disabled',
    activatedAt: now,
    licenseAssignedAt: licensed ? now : null,
  };
  const event = auditEvent(doc, ctx, 'user.provisioned', [user.id], null, personFields(user));
  return { doc: put(doc, user), events: [event], result: user };
}

/** The user holding an invitation token, or why the token is refused. */
export function findInvitation(doc: AccountDoc, tokenHash: string, now: Date): UserRecord {
  const user = [...doc.users.values()].find((u) => u.invitation?.tokenHash === tokenHash);
  if (!user) throw new ApiError('invitation_invalid', 'This invitation link is not valid any more. Ask for a new one.');
  if (user.invitationExpired || Date.parse(user.invitation!.expiresAt) <= now.getTime()) {
    throw new ApiError('invitation_expired', 'This invitation has expired. Ask an administrator to resend it.');
  }
  if (user.status !== 'invited') throw new ApiError('invitation_invalid', 'This invitation link is not valid any more.');
  return user;
}

export function acceptInvitation(
  doc: AccountDoc,
  cmd: { tokenHash: string; firstName?: string; lastName?: string },
  ctx: Context,
): Outcome<UserRecord> {
  const user = findInvitation(doc, cmd.tokenHash, ctx.now);
  const updated = change(
    user,
    {
      status: 'enabled',
      activatedAt: ctx.now.toISOString(),
      invitation: null,
      ...(cmd.firstName !== undefined && { firstName: cmd.firstName }),
      ...(cmd.lastName !== undefined && { lastName: cmd.lastName }),
    },
    ctx.now,
  );
  const diff = userDiff(user, updated);
  const event = auditEvent(doc, { ...ctx, actor: { type: 'invitee', userId: user.id } }, 'invitation.accepted', [user.id], diff.before, diff.after);
  return { doc: put(doc, updated), events: [event], result: updated };
}

export function resendInvitation(doc: AccountDoc, cmd: { userId: string; invitation: InvitationGrant }, ctx: Context): Outcome<UserRecord> {
  const user = findUser(doc, cmd.userId);
  let updated: UserRecord;
  if (user.status === 'invited') {
    updated = change(user, { invitation: cmd.invitation, invitedAt: ctx.now.toISOString() }, ctx.now);
  } else if (user.status === 'disabled' && user.invitationExpired) {
    requireAvailable(doc);
    updated = grantLicense(user, cmd.invitation, ctx.now);
  } else {
    throw new ApiError('user_not_eligible', 'Only a pending or expired invitation can be resent.');
  }
  const diff = userDiff(user, updated);
  const event = auditEvent(doc, ctx, 'invitation.resent', [user.id], diff.before, diff.after);
  return { doc: put(doc, updated), events: [event], result: updated, invitations: [user.id] };
}

export function revokeInvitation(doc: AccountDoc, cmd: { userId: string }, ctx: Context): Outcome<UserRecord> {
  const user = findUser(doc, cmd.userId);
  if (user.status !== 'invited') throw new ApiError('user_not_eligible', 'Only a pending invitation can be revoked.');
  const released = releaseLicense(doc, user, ctx.now);
  const event = auditEvent(doc, ctx, 'invitation.revoked', [user.id], released.diff.before, released.diff.after);
  return { doc: released.doc, events: [event], result: released.user };
}

export function assignLicense(doc: AccountDoc, cmd: { userId: string; invitation: InvitationGrant }, ctx: Context): Outcome<UserRecord> {
  const user = findUser(doc, cmd.userId);
  if (holdsLicense(user)) throw new ApiError('user_not_eligible', 'This user already holds a license.');
  requireAvailable(doc);
  const updated = grantLicense(user, cmd.invitation, ctx.now);
  const diff = userDiff(user, updated);
  const event = auditEvent(doc, ctx, 'license.assigned', [user.id], diff.before, diff.after);
  return { doc: put(doc, updated), events: [event], result: updated, invitations: updated.status === 'invited' ? [user.id] : [] };
}

export function unassignLicense(doc: AccountDoc, cmd: { userId: string }, ctx: Context): Outcome<UserRecord> {
  const user = findUser(doc, cmd.userId);
  if (user.id === doc.ownerId) throw new ApiError('owner_requires_license', 'The account owner always holds a license. Transfer ownership first.');
  if (!holdsLicense(user)) throw new ApiError('user_not_eligible', 'This user holds no license.');
  const released = releaseLicense(doc, user, ctx.now);
  const event = auditEvent(doc, ctx, 'license.unassigned', [user.id], released.diff.before, released.diff.after);
  return { doc: released.doc, events: [event], result: released.user };
}

export function reassignLicense(
  doc: AccountDoc,
  cmd: { fromUserId: string; toUserId: string; invitation: InvitationGrant },
  ctx: Context,
): Outcome<[UserRecord, UserRecord]> {
  const from = findUser(doc, cmd.fromUserId);
  const to = findUser(doc, cmd.toUserId);
  if (from.id === doc.ownerId) throw new ApiError('owner_requires_license', 'The account owner always holds a license. Transfer ownership first.');
  if (from.id === to.id) throw new ApiError('user_not_eligible', 'A license is reassigned from one user to another.');
  if (!holdsLicense(from)) throw new ApiError('user_not_eligible', `${from.email} holds no license to reassign.`);
  if (holdsLicense(to)) throw new ApiError('user_not_eligible', `${to.email} already holds a license.`);
  const released = releaseLicense(doc, from, ctx.now);
  const granted = grantLicense(to, cmd.invitation, ctx.now);
  const diffTo = userDiff(to, granted);
  const event = auditEvent(
    doc,
    ctx,
    'license.reassigned',
    [from.id, to.id],
    { [from.id]: released.diff.before, [to.id]: diffTo.before },
    { [from.id]: released.diff.after, [to.id]: diffTo.after },
  );
  return {
    doc: put(released.doc, granted),
    events: [event],
    result: [released.user, granted],
    invitations: granted.status === 'invited' ? [to.id] : [],
  };
}

export function updateUser(
  doc: AccountDoc,
  cmd: { userId: string; expectedVersion: number | '*'; patch: UpdateUserBody },
  ctx: Context,
): Outcome<UserRecord> {
  const user = findUser(doc, cmd.userId);
  if (cmd.expectedVersion !== '*' && cmd.expectedVersion !== user.version) {
    throw new ApiError('precondition_failed', 'Someone else changed this user. Reload and try again.', { extra: { version: user.version } });
  }
  const { patch } = cmd;
  if (user.role === 'owner' && patch.role !== undefined) {
    throw new ApiError('owner_role_locked', "The account owner's role changes only by transferring ownership.");
  }
  requireFreeExternalId(doc, patch.externalId, user.id);
  const fields = Object.fromEntries(Object.entries(patch).filter(([key, value]) => value !== undefined && user[key as keyof UserRecord] !== value));
  if (Object.keys(fields).length === 0) return { doc, events: [], result: user };
  const updated = change(user, fields, ctx.now);
  const diff = userDiff(user, updated);
  const event = auditEvent(doc, ctx, 'user.updated', [user.id], diff.before, diff.after);
  return { doc: put(doc, updated), events: [event], result: updated };
}

export function transferOwnership(doc: AccountDoc, cmd: { userId: string }, ctx: Context): Outcome<[UserRecord, UserRecord]> {
  const target = findUser(doc, cmd.userId);
  const owner = doc.users.get(doc.ownerId)!;
  if (target.id === owner.id || target.status !== 'enabled' || !target.activatedAt) {
    throw new ApiError('user_not_eligible', 'Ownership goes to another user who is enabled and has activated the account.');
  }
  const oldOwner = change(owner, { role: 'admin' }, ctx.now);
  const newOwner = change(target, { role: 'owner' }, ctx.now);
  const next = withoutSessionsOf(put(put({ ...doc, ownerId: target.id }, oldOwner), newOwner), owner.id);
  const event = auditEvent(doc, ctx, 'owner.transferred', [owner.id, target.id], { ownerId: owner.id }, { ownerId: target.id });
  return { doc: next, events: [event], result: [oldOwner, newOwner] };
}

/**
 * Mints a session for an enabled user. A user holds at most `SESSIONS_PER_USER_MAX` live sessions:
 * the oldest go first. Costs O(the user's sessions), not O(the account's): expired sessions are
 * swept on a schedule (`sweepSessions`), not here.
 */
export function createSession(
  doc: AccountDoc,
  cmd: { userId?: string; email?: string; tokenHash: string; wallNow: Date; expiresAt: string },
): Outcome<UserRecord> {
  const user = cmd.userId !== undefined ? findUser(doc, cmd.userId) : findUserByEmail(doc, cmd.email ?? '');
  if (!user) throw new ApiError('not_found', 'No user with this email in this account.');
  if (user.status !== 'enabled') throw new ApiError('user_not_enabled', 'Sessions are for enabled users only.');
  let sessions = doc.sessions;
  const own = [...(sessionsByUser(sessions).get(user.id) ?? [])];
  if (own.length >= SESSIONS_PER_USER_MAX) {
    const oldestFirst = own.sort((a, b) => sessions.get(a)!.createdAt.localeCompare(sessions.get(b)!.createdAt) || a.localeCompare(b));
    for (const hash of oldestFirst.slice(0, own.length - SESSIONS_PER_USER_MAX + 1)) sessions = withEntry(sessions, hash, undefined);
  }
  sessions = withEntry(sessions, cmd.tokenHash, { userId: user.id, createdAt: cmd.wallNow.toISOString(), expiresAt: cmd.expiresAt });
  return { doc: { ...doc, sessions }, events: [], result: user };
}

/** Drops the sessions that expired by `wallNow` (run on a schedule; an expired session is refused anyway). */
export function sweepSessions(doc: AccountDoc, wallNow: Date): AccountDoc {
  const now = wallNow.toISOString();
  let sessions = doc.sessions;
  for (const [hash, session] of doc.sessions) if (session.expiresAt <= now) sessions = withEntry(sessions, hash, undefined);
  return sessions === doc.sessions ? doc : { ...doc, sessions };
}

/**
 * Records a user's last authenticated request, at most once per `resolution` ms (so a burst of
 * requests writes once). Not a change of the user's details: no new version.
 */
export function touchUser(doc: AccountDoc, userId: string, at: Date, resolution: number): AccountDoc {
  const user = doc.users.get(userId);
  if (!user || (user.lastActiveAt && at.getTime() - Date.parse(user.lastActiveAt) < resolution)) return doc;
  return put(doc, { ...user, lastActiveAt: at.toISOString() });
}
