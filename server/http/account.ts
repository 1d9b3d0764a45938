/** The request's account: loaded and settled to the present, and changed through the domain. */
import type { Actor } from '../../sdk/types.js';
import type { Clock } from '../config.js';
import { randomId } from '../crypto.js';
import { requirePermission } from '../domain/permissions.js';
import { needsSettling, settle } from '../domain/renewal.js';
import type { AccountDoc, Context, Outcome } from '../domain/state.js';
import { ApiError, unauthorized } from '../errors.js';
import type { Ctx } from './context.js';

/** The account's time: its test clock, or the wall clock. */
export function accountNow(doc: AccountDoc, clock: Clock): Date {
  return doc.testClock ? new Date(doc.testClock.now) : clock.now();
}

function context(c: Ctx, doc: AccountDoc): Context {
  const viewer = c.get('viewer');
  const actor: Actor = viewer ? { type: 'user', userId: viewer.id } : { type: 'api_key' };
  return { now: accountNow(doc, c.get('deps').clock), actor, newId: randomId };
}

/**
 * Runs a domain command on the request's account: serialised with every other change of it,
 * after settling what time has passed, committed atomically with its audit events.
 */
export async function mutate<T>(c: Ctx, accountId: string, fn: (doc: AccountDoc, ctx: Context) => Outcome<T> | Promise<Outcome<T>>): Promise<Outcome<T>> {
  return c.get('deps').store.transact(accountId, async (doc) => {
    const ctx = context(c, doc);
    const settled = settle(doc, ctx);
    recheckViewer(c, settled.doc);
    const outcome = await fn(settled.doc, ctx);
    return { ...outcome, events: [...settled.events, ...outcome.events] };
  });
}

/**
 * The viewer was authorised before the change waited its turn; a change committed meanwhile
 * (ownership transfer, unassign, role edit) may have ended the session or taken the right.
 */
function recheckViewer(c: Ctx, doc: AccountDoc): void {
  const viewer = c.get('viewer');
  if (!viewer) return;
  const session = doc.sessions.get(c.get('sessionHash') ?? '');
  const current = doc.users.get(viewer.id);
  if (!session || !current || current.status !== 'enabled') throw unauthorized('Your session has ended. Sign in again.');
  const permission = c.get('permission');
  if (permission) requirePermission(current, permission);
}

/** Loads an account and settles it to the present (lazy renewals and invitation expiry). */
export async function loadAccount(c: Ctx, accountId: string): Promise<AccountDoc> {
  const { store, clock } = c.get('deps');
  const doc = await store.get(accountId);
  if (!doc) throw new ApiError('not_found', 'No such account.');
  if (!needsSettling(doc, accountNow(doc, clock))) return doc;
  return (await mutate(c, accountId, (d) => ({ doc: d, events: [], result: undefined }))).doc;
}
