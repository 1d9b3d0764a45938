/**
 * Webhook endpoints (server-wide: each receives the events of every account) and their signing
 * secrets, in the Standard Webhooks format: `whsec_` + base64 of random bytes. A rotated secret
 * keeps signing for 24 hours beside the new one, so a receiver can switch without losing a message.
 */
import { AUDIT_ACTIONS, type AuditAction, type WebhookEndpoint } from '../../sdk/types.js';

export interface WebhookEndpointRecord {
  id: string;
  url: string;
  /** The actions it receives; null for every action (including ones added in later versions). */
  events: AuditAction[] | null;
  description: string;
  disabled: boolean;
  createdAt: string;
  /** Newest first; an old one signs until `expiresAt`. */
  secrets: { secret: string; expiresAt: string | null }[];
}

/** How long a rotated secret keeps signing beside the new one. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

export function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `whsec_${btoa(binary)}`;
}

export function toWebhookEndpoint(record: WebhookEndpointRecord): WebhookEndpoint {
  const { secrets: _secrets, events, ...rest } = record;
  return { ...rest, events: events ?? [...AUDIT_ACTIONS] };
}

/** The secrets that sign a message sent at `now` (the newest first). */
export function signingSecrets(record: WebhookEndpointRecord, now: Date): string[] {
  return record.secrets.filter((s) => s.expiresAt === null || Date.parse(s.expiresAt) > now.getTime()).map((s) => s.secret);
}

/** The endpoint after a rotation at `now`: a new secret, the current one kept for the overlap. */
export function rotated(record: WebhookEndpointRecord, now: Date): WebhookEndpointRecord {
  const expiresAt = new Date(now.getTime() + ROTATION_OVERLAP_MS).toISOString();
  const kept = record.secrets
    .filter((s) => s.expiresAt === null || Date.parse(s.expiresAt) > now.getTime())
    .map((s) => ({ secret: s.secret, expiresAt: s.expiresAt ?? expiresAt }));
  return { ...record, secrets: [{ secret: newSecret(), expiresAt: null }, ...kept] };
}

export function wants(record: WebhookEndpointRecord, action: AuditAction): boolean {
  return !record.disabled && (record.events === null || record.events.includes(action));
}
