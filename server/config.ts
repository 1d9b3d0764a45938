import type { StreamLimits } from './streams.js';
import type { WebhookTransport } from './webhooks/transport.js';

/** What `createApp` needs besides its collaborators. Node reads it from the environment (server/node.ts). */
export interface AppConfig {
  /** The server API key for host back ends (`Authorization: Bearer <key>`). */
  apiKey: string;
  /** Activation link template; `{token}` is replaced by the invitation token. */
  inviteUrl: string;
  /** Allowed CORS origins; `['*']` allows any (auth is by bearer token, no cookies). */
  corsOrigins: string[];
  /** Invitation lifetime (default 7 days). */
  invitationTtlSeconds: number;
  /** `false` turns rate limits off (load tests). */
  rateLimits: false | RateLimits;
  /** Where the app logs (unexpected errors, mail failures). */
  log: Logger;
  /** The client a request comes from, for per-client rate limits (the Node entry gives the socket address). */
  clientKey?: (request: Request, env: unknown) => string;
  /** Seconds before each retry of a failed webhook delivery; after the last, it fails. */
  webhookRetries: number[];
  /** How long a webhook endpoint has to answer an attempt. */
  webhookTimeoutMs: number;
  /** How webhook attempts are sent (default: `fetch` and Web Crypto; the Node entry uses a worker thread). */
  webhookTransport?: WebhookTransport;
  /** Caps and keep-alive of live streams (defaults in server/streams.ts). */
  streams?: Partial<StreamLimits>;
}

/** SEATKIT_WEBHOOK_RETRIES when unset: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (about a day in all). */
export const DEFAULT_WEBHOOK_RETRIES = [5, 300, 1800, 7200, 18000, 36000, 36000];

export type LogLevel = 'info' | 'warn' | 'error';

/**
 * One structured log entry: a level, a message and named fields (the Node entry writes each as a
 * JSON line). Real errors (a 500, an exception nobody expected) are `error`; a client's mistake
 * is at most `info`.
 */
export type Logger = (entry: { level: LogLevel; message: string } & Record<string, unknown>) => void;

export interface RateLimits {
  /** Invitation emails (invites and resends) per account per hour. */
  invitationsPerHour: number;
  /** Invitation-token lookups and accepts per client per minute. */
  tokenLookupsPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { invitationsPerHour: 100, tokenLookupsPerMinute: 30 };

export function defaultConfig(overrides: Partial<AppConfig> & Pick<AppConfig, 'apiKey'>): AppConfig {
  return {
    inviteUrl: 'http://localhost:8787/activate/{token}',
    corsOrigins: ['*'],
    webhookRetries: DEFAULT_WEBHOOK_RETRIES,
    webhookTimeoutMs: 10_000,
    invitationTtlSeconds: 7 * 24 * 60 * 60,
    rateLimits: DEFAULT_RATE_LIMITS,
    log: () => {},
    ...overrides,
  };
}

/** The clock the app reads wall time from; tests inject their own. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
