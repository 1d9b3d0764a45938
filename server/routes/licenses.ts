import { createRoute } from '@hono/zod-openapi';
import { changeLicenses, quote } from '../domain/licenses.js';
import { assignLicense, findUser, reassignLicense, unassignLicense } from '../domain/users.js';
import { licenseCounts, toAccount, toUser } from '../domain/views.js';
import { ApiError } from '../errors.js';
import { accountNow, mutate } from '../http/account.js';
import { sessionAuth } from '../http/auth.js';
import { router } from '../http/context.js';
import { userResult } from '../http/etag.js';
import { validationError } from '../http/validation.js';
import { withInvitation } from '../invitations.js';
import { body, json, problems, accountSecurity } from '../openapi.js';
import * as s from '../schemas.js';

export const licenses = router();

licenses.openapi(
  createRoute({
    method: 'put',
    path: '/accounts/{accountId}/users/{userId}/license',
    tags: ['Licenses'],
    summary: 'Assign a license to a disabled user (enabled again, or invited anew if never activated)',
    security: accountSecurity,
    middleware: [sessionAuth({ permission: 'users:manage' })] as const,
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
    security: accountSecurity,
    middleware: [sessionAuth({ permission: 'users:manage' })] as const,
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
    security: accountSecurity,
    middleware: [sessionAuth({ permission: 'users:manage' })] as const,
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
    security: accountSecurity,
    middleware: [sessionAuth({ permission: 'licenses:manage' })] as const,
    request: { params: s.AccountParams, query: s.QuoteQuery },
    responses: { 200: json(s.Quote, 'The quote'), ...problems(401, 403, 404) },
  }),
  async (c) => {
    const doc = c.var.account;
    return c.json(quote(doc, Number(c.req.valid('query').quantity), accountNow(doc, c.var.deps.clock)), 200);
  },
);

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

licenses.openapi(
  createRoute({
    method: 'post',
    path: '/accounts/{accountId}/licenses',
    tags: ['Licenses'],
    summary: 'Change the licensed total (quoted first; Idempotency-Key required)',
    description:
      'An increase applies at once and records a proration invoice; a decrease is scheduled for the period end. ' +
      'Replaying a key with the same body answers the first response (`Idempotent-Replayed: true`).',
    security: accountSecurity,
    middleware: [sessionAuth({ permission: 'licenses:manage' })] as const,
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
    const fingerprint = await c.var.deps.hash(JSON.stringify([input.quantity, input.acceptAgreement, input.expectedAmountDue]));
    const { inFlight, clock } = c.var.deps;
    const slot = `${accountId}\n${key}`;
    if (inFlight.has(slot)) throw new ApiError('idempotency_key_in_use', 'A request with this Idempotency-Key is still running. Retry shortly.', { headers: { 'Retry-After': '1' } });
    inFlight.add(slot);
    try {
      const outcome = await mutate(c, accountId, (doc, ctx) => {
        const wall = clock.now();
        const seen = Object.hasOwn(doc.idempotency, key) ? doc.idempotency[key] : undefined;
        if (seen && wall.getTime() - Date.parse(seen.createdAt) < IDEMPOTENCY_TTL_MS) {
          if (seen.fingerprint !== fingerprint) throw new ApiError('idempotency_key_reused', 'This Idempotency-Key was used with another request. Use a new key.');
          return { doc, events: [], result: { replayed: true, body: seen.body } };
        }
        const changed = changeLicenses(doc, input, ctx);
        const account = toAccount(changed.doc);
        const response = { licenses: account.licenses, billing: account.billing, invoice: changed.result };
        const kept = Object.entries(doc.idempotency).filter(([, r]) => wall.getTime() - Date.parse(r.createdAt) < IDEMPOTENCY_TTL_MS);
        const idempotency = Object.fromEntries([...kept, [key, { fingerprint, status: 200, body: response, createdAt: wall.toISOString() }]]);
        return { ...changed, doc: { ...changed.doc, idempotency }, result: { replayed: false, body: response } };
      });
      if (outcome.result.replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(outcome.result.body as s.LicenseChangeResultType, 200);
    } finally {
      inFlight.delete(slot);
    }
  },
  (result) => {
    if (result.success) return undefined;
    if (result.target === 'header' && result.error.issues.some((i) => i.code === 'invalid_type')) {
      throw new ApiError('idempotency_key_required', 'Send an Idempotency-Key header (one per purchase, reused on retries).');
    }
    throw validationError(result);
  },
);
