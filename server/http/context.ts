/** What every route shares: the app's dependencies, the request context type, a resource router. */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context as HonoContext } from 'hono';
import type { Permission } from '../../sdk/types.js';
import type { ActivityRecorder } from '../activity.js';
import type { AppConfig, Clock } from '../config.js';
import type { Hasher } from '../crypto.js';
import type { AccountDoc, UserRecord } from '../domain/state.js';
import type { Mailer } from '../mail/types.js';
import type { Limiter } from '../rate-limit.js';
import type { Store } from '../store/types.js';
import type { StreamHub } from '../streams.js';
import type { Webhooks } from '../webhooks/service.js';
import { validationError } from './validation.js';

export interface Deps {
  store: Store;
  mailer: Mailer;
  clock: Clock;
  config: AppConfig;
  limits: { invitations: Limiter; tokenLookups: Limiter } | null;
  /** Idempotency keys whose first request is still running (this process). */
  inFlight: Set<string>;
  /** SHA-256 of tokens and request fingerprints. */
  hash: Hasher;
  /** `lastActiveAt`, kept without a write per request. */
  activity: ActivityRecorder;
  /** Webhook endpoints and the sending of deliveries. */
  webhooks: Webhooks;
  /** The open live streams (caps, and their end at shutdown). */
  streams: StreamHub;
}

export interface Env {
  Variables: {
    deps: Deps;
    requestId: string;
    /** The signed-in user (session routes). */
    viewer: UserRecord | null;
    /** The account of the request, settled to the present. */
    account: AccountDoc;
    /** Hash of the session token, and the permission the route needs (re-checked inside each change). */
    sessionHash: string | null;
    permission: Permission | undefined;
  };
}

export type Ctx = HonoContext<Env>;

/** A resource router: validation failures become problem+json. */
export function router(): OpenAPIHono<Env> {
  return new OpenAPIHono<Env>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result);
    },
  });
}

