import type { z } from '@hono/zod-openapi';
import { Problem } from './schemas.js';

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid request (validation_failed, invalid_json, idempotency_key_required)',
  401: 'Missing or invalid token (unauthorized)',
  403: 'Not allowed for this role (forbidden)',
  404: 'Not found, or not in this account (not_found)',
  409: 'Conflicts with the current state (see `code`)',
  410: 'Expired (invitation_expired)',
  412: 'Stale If-Match (precondition_failed)',
  413: 'Body over 64 KiB (payload_too_large)',
  415: 'Body is not JSON (unsupported_media_type)',
  422: 'Refused (agreement_required, idempotency_key_reused)',
  428: 'If-Match required (precondition_required)',
  429: 'Rate limited (rate_limited), see Retry-After',
};

/** Error responses of a route, all problem+json. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(
    [...new Set([400, ...statuses])].map((status) => [
      status,
      { description: STATUS_TEXT[status] ?? 'Error', content: { 'application/problem+json': { schema: Problem } } },
    ]),
  );
}

export function json<T extends z.ZodTypeAny>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

export function body<T extends z.ZodTypeAny>(schema: T, required = true) {
  return { body: { required, content: { 'application/json': { schema } } } };
}

export const apiKeySecurity: Record<string, string[]>[] = [{ apiKey: [] }];
/** Routes of one account: a session of its user, or the API key (with every permission). */
export const accountSecurity: Record<string, string[]>[] = [{ session: [] }, { apiKey: [] }];
