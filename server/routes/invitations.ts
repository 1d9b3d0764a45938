import { createRoute } from '@hono/zod-openapi';
import { LIMITS } from '../../sdk/limits.js';
import { newToken } from '../crypto.js';
import { acceptInvitation, createSession, findInvitation, invite, resendInvitation, revokeInvitation } from '../domain/users.js';
import { toUser } from '../domain/views.js';
import { ApiError } from '../errors.js';
import { accountNow, loadAccount, mutate } from '../http/account.js';
import { apiKeyOnly } from '../http/auth.js';
import { router, type Ctx } from '../http/context.js';
import { forAccount } from '../http/route.js';
import { etag, userResult } from '../http/etag.js';
import { withInvitation } from '../invitations.js';
import { body, json, problems } from '../openapi.js';
import * as s from '../schemas.js';

export const invitations = router();

invitations.openapi(
  createRoute({
    method: 'post',
    path: '/accounts/{accountId}/invitations',
    tags: ['Invitations'],
    summary: 'Invite a user: takes a license at once and sends an activation email',
    ...forAccount('users:manage'),
    request: { params: s.AccountParams, ...body(s.InviteBody) },
    responses: { 201: json(s.UserResult, 'The invited user'), ...problems(401, 403, 404, 409, 413, 415, 429) },
  }),
  async (c) => {
    const { accountId } = c.req.valid('param');
    const input = c.req.valid('json');
    apiKeyOnly(c, input, ['externalId']);
    const outcome = await withInvitation(c, accountId, true, (doc, ctx, invitation) => invite(doc, { ...input, invitation }, ctx));
    return userResult(c, outcome.result, outcome.doc, 201);
  },
);

invitations.openapi(
  createRoute({
    method: 'post',
    path: '/accounts/{accountId}/users/{userId}/invitation/resend',
    tags: ['Invitations'],
    summary: 'Resend an invitation with a new token (the old one stops working); an expired one needs a free license',
    ...forAccount('users:manage'),
    request: { params: s.UserParams, ...body(s.EmptyBody, false) },
    responses: { 200: json(s.UserResult, 'The user, invited anew'), ...problems(401, 403, 404, 409, 413, 415, 429) },
  }),
  async (c) => {
    const { accountId, userId } = c.req.valid('param');
    const outcome = await withInvitation(c, accountId, true, (doc, ctx, invitation) => resendInvitation(doc, { userId, invitation }, ctx));
    return userResult(c, outcome.result, outcome.doc);
  },
);

invitations.openapi(
  createRoute({
    method: 'delete',
    path: '/accounts/{accountId}/users/{userId}/invitation',
    tags: ['Invitations'],
    summary: 'Revoke a pending invitation: the user is disabled, the license free',
    ...forAccount('users:manage'),
    request: { params: s.UserParams, ...body(s.EmptyBody, false) },
    responses: { 200: json(s.UserResult, 'The user, disabled'), ...problems(401, 403, 404, 409, 413, 415) },
  }),
  async (c) => {
    const { accountId, userId } = c.req.valid('param');
    const outcome = await mutate(c, accountId, (doc, ctx) => revokeInvitation(doc, { userId }, ctx));
    return userResult(c, outcome.result, outcome.doc);
  },
);

/** Token lookups are rate limited per client, against guessing. */
async function tokenAccount(c: Ctx, token: string): Promise<{ accountId: string; tokenHash: string }> {
  const limiter = c.var.deps.limits?.tokenLookups;
  await limiter?.hit(clientKey(c), c.var.deps.clock.now().getTime());
  const invalid = () => new ApiError('invitation_invalid', 'This invitation link is not valid any more. Ask for a new one.');
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(token)) throw invalid();
  const tokenHash = await c.var.deps.hash(token);
  const accountId = await c.var.deps.store.findTokenAccount(tokenHash);
  if (!accountId) throw invalid();
  return { accountId, tokenHash };
}

function clientKey(c: Ctx): string {
  return c.var.deps.config.clientKey?.(c.req.raw, c.env) ?? 'anonymous';
}

invitations.openapi(
  createRoute({
    method: 'get',
    path: '/invitations/{token}',
    tags: ['Invitations'],
    summary: 'What the activation page shows (anyone with the token)',
    security: [],
    request: { params: s.TokenParams },
    responses: { 200: json(s.InvitationLookup, 'The invitation'), ...problems(404, 410, 429) },
  }),
  async (c) => {
    const { token } = c.req.valid('param');
    const { accountId, tokenHash } = await tokenAccount(c, token);
    const doc = await loadAccount(c, accountId);
    const user = findInvitation(doc, tokenHash, accountNow(doc, c.var.deps.clock));
    // Looked up by a secret, and about a person: no cache may keep it under that URL.
    c.header('Cache-Control', 'no-store');
    return c.json(
      { accountName: doc.name, email: user.email, firstName: user.firstName, lastName: user.lastName, expiresAt: user.invitation!.expiresAt },
      200,
    );
  },
);

invitations.openapi(
  createRoute({
    method: 'post',
    path: '/invitations/{token}/accept',
    tags: ['Invitations'],
    summary: 'Accept an invitation: the user is enabled and signed in (a session token)',
    security: [],
    request: { params: s.TokenParams, ...body(s.AcceptInvitationBody, false) },
    responses: { 200: json(s.AcceptResult, 'The activated user and a session token'), ...problems(404, 410, 413, 415, 429) },
  }),
  async (c) => {
    const { token } = c.req.valid('param');
    const input = (c.req.valid('json') ?? {}) as { firstName?: string; lastName?: string };
    const { accountId, tokenHash } = await tokenAccount(c, token);
    const session = newToken();
    const sessionHash = await c.var.deps.hash(session);
    const wallNow = c.var.deps.clock.now();
    const expiresAt = new Date(wallNow.getTime() + LIMITS.sessionTtlDefaultSeconds * 1000).toISOString();
    const outcome = await mutate(c, accountId, (doc, ctx) => {
      const accepted = acceptInvitation(doc, { tokenHash, ...input }, ctx);
      const signedIn = createSession(accepted.doc, { userId: accepted.result.id, tokenHash: sessionHash, wallNow, expiresAt });
      return { ...accepted, doc: signedIn.doc };
    });
    c.header('ETag', etag(outcome.result));
    // The answer carries a session token: no cache may keep it.
    c.header('Cache-Control', 'no-store');
    return c.json({ user: toUser(outcome.result), token: session, expiresAt }, 200);
  },
);
