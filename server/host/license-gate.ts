/**
 * For the host's back end: a middleware that lets a request through only when the signed-in person
 * holds a license of their account, asking seatkit's entitlement check (which also records the
 * person's activity). Not licensed: 403 problem+json `license_required`. For Hono (`licenseGate`)
 * and for Node / Express (`licenseGate.node`, `(req, res, next)`).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { SeatAdmin } from '../../sdk/client.js';
import { SeatError } from '../../sdk/core/errors.js';
import type { Entitlement, EntitlementSelector, Problem } from '../../sdk/types.js';

/** Who is asking: the account and one way to name the person (your id for them, their email, or seatkit's id). */
export type Person = { accountId: string } & EntitlementSelector;

export interface LicenseGateOptions<From> {
  /** Where seatkit is mounted (without `/v1`) and the server API key; or `admin`. */
  baseUrl?: string;
  apiKey?: string;
  admin?: SeatAdmin;
  /** The signed-in person of a request, from your own session; undefined answers 401. */
  identify: (from: From) => Person | undefined | Promise<Person | undefined>;
  /** Keep an answer this long (ms) before asking again; default 0 (ask every time). */
  cacheMs?: number;
  /** When seatkit cannot be asked: `deny` (503, the default) or `allow`. */
  onUnavailable?: 'deny' | 'allow';
}

type Decision = { pass: true; entitlement: Entitlement | null } | { pass: false; problem: Problem };

function problem(status: 401 | 403 | 503, code: Problem['code'], title: string, detail: string): Problem {
  return { type: `urn:seatkit:problem:${code}`, title, status, detail, code, requestId: `gate_${crypto.randomUUID()}` };
}

function decider<From>(options: LicenseGateOptions<From>): (from: From) => Promise<Decision> {
  const admin = options.admin ?? new SeatAdmin({ baseUrl: options.baseUrl ?? '', apiKey: options.apiKey ?? '' });
  if (!options.admin && (!options.baseUrl || !options.apiKey)) throw new Error('licenseGate needs baseUrl and apiKey, or admin');
  const cache = new Map<string, { entitlement: Entitlement; until: number }>();
  const cacheMs = options.cacheMs ?? 0;
  return async (from) => {
    const person = await options.identify(from);
    if (!person) return { pass: false, problem: problem(401, 'unauthorized', 'Authentication is required', 'Sign in to use this.') };
    const { accountId, ...selector } = person;
    const key = JSON.stringify([accountId, selector]);
    let entitlement = cache.get(key);
    if (!entitlement || entitlement.until <= Date.now()) {
      try {
        entitlement = { entitlement: await admin.entitlements.check(accountId, selector as EntitlementSelector), until: Date.now() + cacheMs };
      } catch (error) {
        // seatkit down or unreachable: the configured answer. Anything else (a bad id from
        // `identify`, a wrong API key) is a bug to see, not a denial to hide it.
        const unavailable = error instanceof SeatError && (error.status === 0 || error.status >= 500);
        if (!unavailable) throw error;
        if (options.onUnavailable === 'allow') return { pass: true, entitlement: null };
        return { pass: false, problem: problem(503, 'storage_unavailable', 'License check unavailable', 'The license could not be checked. Try again shortly.') };
      }
      if (cacheMs > 0) {
        if (cache.size > 10_000) cache.clear();
        cache.set(key, entitlement);
      }
    }
    if (entitlement.entitlement.licensed) return { pass: true, entitlement: entitlement.entitlement };
    const why = entitlement.entitlement.reason === 'invitation_expired' ? 'Your invitation expired.' : entitlement.entitlement.reason === 'unknown_user' ? 'You are not a user of this account.' : 'Your license was taken back.';
    return { pass: false, problem: problem(403, 'license_required', 'A license is required', `${why} Ask an administrator of your account for a license.`) };
  };
}

/** Hono: `app.use('/app/*', licenseGate({ baseUrl, apiKey, identify: (c) => ({ accountId, externalId }) }))`; the answer is `c.get('entitlement')`. */
function honoGate(options: LicenseGateOptions<Context>): MiddlewareHandler {
  const decide = decider(options);
  return async (c, next) => {
    const decision = await decide(c);
    if (!decision.pass) {
      return c.body(JSON.stringify(decision.problem), decision.problem.status as 401, { 'Content-Type': 'application/problem+json' });
    }
    c.set('entitlement' as never, decision.entitlement as never);
    await next();
  };
}

interface NodeRequest {
  headers: Record<string, string | string[] | undefined>;
}
interface NodeResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body: string): unknown;
  locals?: Record<string, unknown>;
}

/** Node / Express: `app.use(licenseGate.node({ baseUrl, apiKey, identify: (req) => … }))`; the answer is `res.locals.entitlement`. */
function nodeGate<Req extends NodeRequest = NodeRequest>(options: LicenseGateOptions<Req>) {
  const decide = decider(options);
  return (req: Req, res: NodeResponse, next: (error?: unknown) => void): void => {
    decide(req).then(
      (decision) => {
        if (!decision.pass) {
          res.statusCode = decision.problem.status;
          res.setHeader('Content-Type', 'application/problem+json');
          res.end(JSON.stringify(decision.problem));
          return;
        }
        if (res.locals) res.locals.entitlement = decision.entitlement;
        next();
      },
      (error: unknown) => next(error),
    );
  };
}

export const licenseGate = Object.assign(honoGate, { node: nodeGate });
