/**
 * The entitlement check without the framework: the host product asks it on every request it
 * serves, so the Node entry (node.ts) offers each request here first, before a web `Request` is
 * built. The plain case (GET, the API key, one well-formed selector, an account with nothing to
 * settle) is answered here, with `checkEntitlement` as the route answers it and the same headers.
 * Anything else, every error included, answers `undefined` and goes to the app as usual. A test
 * (test/server/hot-path.test.ts) holds the two answers equal for every kind of request.
 */
import { timingSafeEqual } from '../crypto.js';
import { needsSettling } from '../domain/renewal.js';
import { checkEntitlement } from '../routes/entitlements.js';
import { EntitlementQuery } from '../schemas.js';
import { accountNow } from './account.js';
import { bearerToken } from './auth.js';
import type { Deps } from './context.js';

/** What the hot path reads of a request. */
export interface HotRequest {
  method: string;
  /** The request target as sent (path and query). */
  url: string;
  /**
   * A header as the app sees it: Host as Node gives it (@hono/node-server builds the URL from it), the
   * others as web `Headers` do (repeated ones joined with `, `); undefined when absent.
   */
  header(name: 'authorization' | 'host' | 'origin'): string | undefined;
}

/** A 200 answer. */
export interface HotAnswer {
  /** Names and values in turn (as Node's `writeHead` takes them), Content-Type included; Content-Length is the writer's to add. */
  headers: string[];
  body: string;
  requestId: string;
}

/** Undefined (at once, or once the account is read): the app answers. */
export type HotPath = (request: HotRequest) => Promise<HotAnswer | undefined> | undefined;

/**
 * The requests taken: the check's path and one selector, in characters that @hono/node-server
 * passes on as they are and that Hono's query parsing only percent-decodes (no `+`, `&`, `=`, `#`
 * or `'`). Anything else, a selector sent twice included, goes to the app.
 */
const PLAIN_CHECK = /^\/v1\/accounts\/([A-Za-z0-9_-]{1,64})\/entitlement\?(userId|externalId|email)=([A-Za-z0-9!$()*,\-./:;?@_~%]*)$/;
/** Hosts @hono/node-server takes without a check. */
const PLAIN_HOST = /^[a-z0-9._-]+(?::(?:[1-5]\d{3,4}|[6-9]\d{3}))?$/;

/** Percent-decoded as Hono's query parsing does; undefined when malformed (Hono would decode it differently). */
function decoded(value: string): string | undefined {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

export function hotPath(
  deps: Pick<Deps, 'store' | 'activity' | 'clock' | 'config'>,
  nextId: () => string,
  headersFor: (origin: string | undefined) => readonly [string, string][],
): HotPath {
  // An origin's headers, flattened once: `headersFor` gives the same list for the same origin.
  const flattened = new WeakMap<readonly [string, string][], string[]>();
  const flat = (headers: readonly [string, string][]) => {
    let found = flattened.get(headers);
    if (!found) flattened.set(headers, (found = ['Content-Type', 'application/json', ...headers.flat()]));
    return found;
  };
  return (request) => {
    if (request.method !== 'GET') return undefined;
    const check = PLAIN_CHECK.exec(request.url);
    if (!check) return undefined;
    const host = request.header('host');
    if (host === undefined || !PLAIN_HOST.test(host)) return undefined;
    const token = bearerToken(request.header('authorization'));
    if (token === undefined || !timingSafeEqual(token, deps.config.apiKey)) return undefined;
    const value = decoded(check[3]!);
    if (value === undefined) return undefined;
    const query = EntitlementQuery.safeParse({ [check[2]!]: value });
    if (!query.success) return undefined;
    const origin = request.header('origin');
    return deps.store.get(check[1]!).then((doc) => {
      if (!doc || needsSettling(doc, accountNow(doc, deps.clock))) return undefined;
      const requestId = nextId();
      return { headers: flat(headersFor(origin)).concat('X-Request-Id', requestId), body: JSON.stringify(checkEntitlement(deps, doc, query.data)), requestId };
    });
  };
}
