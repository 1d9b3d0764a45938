/**
 * For the host's back end: checks that a webhook came from seatkit (Standard Webhooks: the
 * signature over `id.timestamp.body` with the endpoint's secret, and a timestamp within 5 minutes)
 * and returns its payload. Verify the raw body, before any JSON parsing re-serialises it.
 */
import { Webhook } from 'standardwebhooks';
import type { WebhookPayload } from '../../sdk/types.js';

export class WebhookVerificationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebhookVerificationError';
  }
}

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string {
  if (headers instanceof Headers) return headers.get(name) ?? '';
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

/** The payload, once `headers` prove `body` was signed with `secret` (or one of its rotations) within 5 minutes; else throws. */
export function verifyWebhook(body: string, headers: HeaderBag, secret: string): WebhookPayload {
  const wanted = { 'webhook-id': header(headers, 'webhook-id'), 'webhook-timestamp': header(headers, 'webhook-timestamp'), 'webhook-signature': header(headers, 'webhook-signature') };
  try {
    return new Webhook(secret).verify(body, wanted) as WebhookPayload;
  } catch (error) {
    throw new WebhookVerificationError(`Not a valid seatkit webhook: ${(error as Error).message}`, { cause: error });
  }
}
