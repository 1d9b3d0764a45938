/** Invitation tokens and their emails, shared by the routes that issue them (invite, resend, assign, reassign). */
import { newToken } from './crypto.js';
import type { Outcome } from './domain/state.js';
import { addSeconds } from './domain/time.js';
import type { InvitationGrant } from './domain/users.js';
import { mutate } from './http/account.js';
import { type Ctx } from './http/context.js';
import type { AccountDoc, Context } from './domain/state.js';
import { invitationMessage } from './mail/invitation.js';

export interface PendingInvitation {
  token: string;
  /** The grant for the domain, at the account's time. */
  grant: (now: Date) => InvitationGrant;
}

/** A fresh invitation token (the domain sees only its hash). */
export async function prepareInvitation(c: Ctx): Promise<PendingInvitation> {
  const token = newToken();
  const tokenHash = await c.var.deps.hash(token);
  const ttl = c.var.deps.config.invitationTtlSeconds;
  return { token, grant: (now) => ({ tokenHash, expiresAt: addSeconds(now, ttl) }) };
}

/** Counts an invitation email against the account's rate limit (before the change); answers how to give it back. */
async function limitInvitations(c: Ctx, accountId: string): Promise<() => unknown> {
  const limiter = c.var.deps.limits?.invitations;
  if (!limiter) return () => {};
  await limiter.hit(accountId, c.var.deps.clock.now().getTime());
  return () => limiter.refund(accountId);
}

/** Sends the emails of the invitations an outcome issued; a failed send is logged, the invitation stands (resend it). */
async function sendInvitations(c: Ctx, outcome: Outcome<unknown>, pending: PendingInvitation): Promise<void> {
  for (const userId of outcome.invitations ?? []) await sendInvitation(c, outcome.doc, userId, pending.token);
}

/** Emails one invitation; a failed send is logged, and the invitation stands (it can be resent). */
export async function sendInvitation(c: Ctx, doc: AccountDoc, userId: string, token: string): Promise<void> {
  const { mailer, config } = c.var.deps;
  const user = doc.users.get(userId)!;
  const url = config.inviteUrl.replace('{token}', encodeURIComponent(token));
  try {
    await mailer.send(invitationMessage(doc, user, url));
  } catch (error) {
    config.log({ level: 'error', message: 'invitation email failed (the invitation stands: resend it)', to: user.email, error: String(error) });
  }
}

/**
 * Runs a change that may issue an invitation (invite, resend, assign, reassign): a fresh token is
 * ready for it, the email goes out once the change is committed, and a `limited` change counts
 * against the account's invitation rate limit unless it fails.
 */
export async function withInvitation<T>(
  c: Ctx,
  accountId: string,
  limited: boolean,
  command: (doc: AccountDoc, ctx: Context, invitation: InvitationGrant) => Outcome<T>,
): Promise<Outcome<T>> {
  const pending = await prepareInvitation(c);
  const refund = limited ? await limitInvitations(c, accountId) : () => {};
  let outcome: Outcome<T>;
  try {
    outcome = await mutate(c, accountId, (doc, ctx) => command(doc, ctx, pending.grant(ctx.now)));
  } catch (error) {
    await refund();
    throw error;
  }
  await sendInvitations(c, outcome, pending);
  return outcome;
}
