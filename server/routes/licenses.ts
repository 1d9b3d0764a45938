import { createRoute } from '@hono/zod-openapi';
import { changeLicenses, quote } from '../domain/licenses.js';
import { assignLicense, findUser, reassignLicense, unassignLicense } from '../domain/users.js';
import { licenseCounts, toAccount, toUser } from '../domain/views.js';
import { ApiError } from '../errors.js';
import { accountNow, mutate } from '../http/account.js';
import { router } from '../http/context.js';
import { forAccount } from '../http/route.js';
import { userResult } from '../http/etag.js';
import { idempotent } from '../http/idempotency.js';
import { validationError } from '../http/validation.js';
import { withInvitation } from '../invitations.js';
import { body, json, problems } from '../openapi.js';
import * as s from '../schemas.js';

export const licenses = router();

licenses.openapi(
  createRoute({
    method: 'put',
    path: '/accounts/{accountId}/users/{userId}/license',
    tags: ['Licenses'],
    summary: 'Assign a license to a disabled user (enabled again, or invited anew if never activated)',
    ...forAccount('users:manage'),
    request: { params: s.UserParams, ...body(s.EmptyBody, false) },
    responses: { 200: json(s.UserResult, 'The user, holding a license'), ...problems(401, 403, 404, 409, 413, 415, 429) },
  }),
  async (c) => {
    const { accountId, userId } = c.req.valid('param');
    const reinvites = !findUser(c.var.account, userId).activatedAt;
    const outcome = await withInvitation(c, accountId, reinvites, (doc, ctx, invitation) => assignLicense(doc, { userId, invitation }, ctx));
    return userResult(c, outcome.result, outcome.doc);
  },
);

licenses.openapi(
  createRoute({
    method: 'delete',
    path: '/accounts/{accountId}/users/{userId}/license',
    tags: ['Licenses'],
    summary: 'Unassign: the user is kept (disabled), the license free at once',
    ...forAccount('users:manage'),
    request: { params: s.UserParams, ...body(s.EmptyBody, false) },
    responses: { 200: json(s.UserResult, 'The user, disabled'), ...problems(401, 403, 404, 409, 413, 415) },
  }),
  async (c) => {
    const { accountId, userId } = c.req.valid('param');
    const outcome = await mutate(c, accountId, (doc, ctx) => unassignLicense(doc, { userId }, ctx));
    return userResult(c, outcome.result, outcome.doc);
  },
);

licenses.openapi(
  createRoute({
    method: 'post',
    path: '/accounts/{accountId}/license-transfers',
    tags: ['Licenses'],
    summary: 'Reassign a license from one user to another in one atomic step (works with none available)',
    ...forAccount('users:manage'),
    request: { params: s.AccountParams, ...body(s.ReassignBody) },
    responses: { 200: json(s.UsersResult, 'Both users'), ...problems(401, 403, 404, 409, 413, 415, 429) },
  }),
  async (c) => {
    const { accountId } = c.req.valid('param');
    const { fromUserId, toUserId } = c.req.valid('json');
    const reinvites = !findUser(c.var.account, toUserId).activatedAt;
    const outcome = await withInvitation(c, accountId, reinvites, (doc, ctx, invitation) =>
      reassignLicense(doc, { fromUserId, toUserId, invitation }, ctx),
    );
    return c.json({ users: outcome.result.map(toUser), licenses: licenseCounts(outcome.doc) }, 200);
  },
);

licenses.openapi(
  createRoute({
    method: 'get',
    path: '/accounts/{accountId}/licenses/quote',
    tags: ['Licenses'],
    summary: 'Quote a new total: amount due now (increase) or the date it takes effect (decrease)',
    ...forAccount('licenses:manage'),
    request: { params: s.AccountParams, query: s.QuoteQuery },
    responses: { 200: json(s.Quote, 'The quote'), ...problems(401, 403, 404) },
  }),
  async (c) => {
    const doc = c.var.account;
    return c.json(quote(doc, Number(c.req.valid('query').quantity), accountNow(doc, c.var.deps.clock)), 200);
  },
);

licenses.openapi(
  createRoute({
    method: 'post',
    path: '/accounts/{accountId}/licenses',
    tags: ['Licenses'],
    summary: 'Change the licensed total (quoted first; Idempotency-Key required)',
    description:
      'An increase applies at once and records a proration invoice; a decrease is scheduled for the period end. ' +
      'Replaying a key with the same body answers the first response (`Idempotent-Replayed: true`).',
    ...forAccount('licenses:manage'),
    request: {
      params: s.AccountParams,
      headers: s.IdempotencyHeaders,
      ...body(s.LicenseChangeBody),
    },
    responses: { 200: json(s.LicenseChangeResult, 'The new counts and the invoice, if any'), ...problems(401, 403, 404, 409, 413, 415, 422) },
  }),
  async (c) => {
    const { accountId } = c.req.valid('param');
    const input = c.req.valid('json');
    const key = c.req.valid('header')['idempotency-key'];
    const answer = await idempotent(c, accountId, key, [input.quantity, input.acceptAgreement, input.expectedAmountDue], (doc, ctx) => {
      const changed = changeLicenses(doc, input, ctx);
      const account = toAccount(changed.doc);
      return { ...changed, result: { licenses: account.licenses, billing: account.billing, invoice: changed.result } };
    });
    return c.json(answer as s.LicenseChangeResultType, 200);
  },
  (result) => {
    if (result.success) return undefined;
    if (result.target === 'header' && result.error.issues.some((i) => i.code === 'invalid_type')) {
      throw new ApiError('idempotency_key_required', 'Send an Idempotency-Key header (one per purchase, reused on retries).');
    }
    throw validationError(result);
  },
);
