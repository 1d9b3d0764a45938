import { createRoute, type z } from '@hono/zod-openapi';
import type { BatchItemResult, BatchOperation, BatchResult } from '../../sdk/types.js';
import { licensesNeeded, runBatch, type OperationResult, type PreparedOperation } from '../domain/batch.js';
import { can } from '../domain/permissions.js';
import { licenseCounts, toUser } from '../domain/views.js';
import { ApiError } from '../errors.js';
import { accountNow, mutate } from '../http/account.js';
import { router, type Ctx } from '../http/context.js';
import { forAccount } from '../http/route.js';
import { validationError } from '../http/validation.js';
import { prepareInvitation, sendInvitation, type PendingInvitation } from '../invitations.js';
import { body, json, problems } from '../openapi.js';
import * as s from '../schemas.js';
import { randomId } from '../crypto.js';

export const batch = router();

/** Operations that may send an invitation email, and so need a token ready. */
const INVITING = new Set(['invite', 'assign', 'resend']);

/** Checks each operation's fields and the caller's right to it, as its own route would. */
function prepare(c: Ctx, raw: readonly z.infer<typeof s.BatchBody>['operations'][number][]): PreparedOperation[] {
  const viewer = c.var.viewer;
  return raw.map((input) => {
    const parsed = s.BatchOperationSchemas[input.op].safeParse(input);
    if (!parsed.success) return { refused: validationError({ error: parsed.error, data: input }) };
    const operation = parsed.data as BatchOperation;
    if (viewer) {
      if (operation.op === 'provision') return { refused: new ApiError('forbidden', 'Provisioning needs the server API key.') };
      if (operation.op === 'invite' && operation.externalId !== undefined) return { refused: new ApiError('forbidden', 'Only the server API key may set externalId.') };
      if (!can(viewer, 'users:manage')) return { refused: new ApiError('forbidden', `Your role (${viewer.role}) may not do this.`) };
    }
    return { operation };
  });
}

function itemResult(index: number, result: OperationResult): BatchItemResult {
  return result.ok ? { index, ok: true, user: toUser(result.user) } : { index, ok: false, code: result.code, detail: result.detail, ...(result.errors && { errors: result.errors }) };
}

batch.openapi(
  createRoute({
    method: 'post',
    path: '/accounts/{accountId}/batch',
    tags: ['Batches'],
    summary: 'Up to 1,000 operations (invite, provision, assign, unassign, resend, revoke) at once: atomic (default) or partial; dryRun',
    description:
      'Each operation keeps the rules and permissions of its own route, and makes its own audit event. ' +
      '*Atomic*: all or nothing in one commit; if any fails, 409 `batch_rejected` with every result and `licensesNeeded`. ' +
      '*Partial*: each that fits, in order, in one commit. Invitation emails go out after the commit and count against the rate limit together (all fit, or 429 before anything). The body may be up to 1 MiB.',
    ...forAccount(),
    request: { params: s.AccountParams, ...body(s.BatchBody) },
    responses: { 200: json(s.BatchResult, 'What became of each operation'), ...problems(401, 403, 404, 409, 413, 415, 429) },
  }),
  async (c) => {
    const { accountId } = c.req.valid('param');
    const input = c.req.valid('json');
    const atomic = (input.mode ?? 'atomic') === 'atomic';
    const operations = prepare(c, input.operations);
    const pending = new Map<number, PendingInvitation>();
    for (const [index, prepared] of operations.entries()) if ('operation' in prepared && INVITING.has(prepared.operation.op)) pending.set(index, await prepareInvitation(c));
    const grantsAt = (now: Date) => (index: number) => pending.get(index)?.grant(now) ?? { tokenHash: `unused-${randomId('tok')}`, expiresAt: now.toISOString() };

    const reject = (doc: Parameters<typeof licensesNeeded>[0], results: OperationResult[], now: Date, ctx: Parameters<typeof licensesNeeded>[2]) =>
      new ApiError('batch_rejected', `${results.filter((r) => !r.ok).length} of ${results.length} operations cannot be done, so none was.`, {
        extra: { results: results.map((r, i) => itemResult(i, r)), licensesNeeded: licensesNeeded(doc, operations, ctx, grantsAt(now)) },
      });

    if (input.dryRun) {
      const doc = c.var.account;
      const ctx = { now: accountNow(doc, c.var.deps.clock), actor: c.var.viewer ? { type: 'user' as const, userId: c.var.viewer.id } : { type: 'api_key' as const }, newId: randomId };
      const dry = runBatch(doc, operations, ctx, grantsAt(ctx.now));
      if (atomic && dry.results.some((r) => !r.ok)) throw reject(doc, dry.results, ctx.now, ctx);
      const result: BatchResult = { results: dry.results.map((r, i) => itemResult(i, r)), licenses: licenseCounts(atomic || dry.results.some((r) => r.ok) ? dry.doc : doc), dryRun: true };
      return c.json(result, 200);
    }

    const limiter = c.var.deps.limits?.invitations;
    let counted = 0;
    const outcome = await mutate(c, accountId, async (doc, ctx) => {
      const ran = runBatch(doc, operations, ctx, grantsAt(ctx.now));
      if (atomic && ran.results.some((r) => !r.ok)) throw reject(doc, ran.results, ctx.now, ctx);
      // The batch's emails count together: all fit the hour's limit, or the batch does not run.
      // Counted once however often the change is computed (PostgreSQL computes it again when
      // another process committed first): only the difference from what is counted already.
      const emails = ran.invitations.size;
      if (limiter && emails !== counted) {
        if (emails > counted) await limiter.hit(accountId, c.var.deps.clock.now().getTime(), emails - counted);
        else await limiter.refund(accountId, counted - emails);
        counted = emails;
      }
      return { doc: ran.doc, events: ran.events, result: ran };
    }).catch(async (error: unknown) => {
      if (counted > 0) await limiter?.refund(accountId, counted);
      throw error;
    });
    const ran = outcome.result;
    // After the commit, in the background: a thousand emails must not hold the answer.
    void (async () => {
      for (const [userId, index] of ran.invitations) await sendInvitation(c, outcome.doc, userId, pending.get(index)!.token);
    })();
    const result: BatchResult = { results: ran.results.map((r, i) => itemResult(i, r)), licenses: licenseCounts(outcome.doc), dryRun: false };
    return c.json(result, 200);
  },
);
