import type { BillingInterval } from '../../sdk/types.js';

const DAY_MS = 86_400_000;

/** Days since the epoch of the UTC date of an instant. */
export function utcDay(instant: string | Date): number {
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  return Math.floor(ms / DAY_MS);
}

/**
 * The k-th period boundary after `anchor`: same time of day, the anchor's day of month clamped to
 * the month's length (monthly) or the same date, Feb 29 clamped to Feb 28 (yearly).
 */
export function periodBoundary(anchor: string, interval: BillingInterval, k: number): string {
  const a = new Date(anchor);
  const monthIndex = a.getUTCMonth() + (interval === 'month' ? k : 12 * k);
  const year = a.getUTCFullYear() + Math.floor(monthIndex / 12);
  const month = ((monthIndex % 12) + 12) % 12;
  const daysInMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(a.getUTCDate(), daysInMonth);
  return new Date(
    Date.UTC(year, month, day, a.getUTCHours(), a.getUTCMinutes(), a.getUTCSeconds(), a.getUTCMilliseconds()),
  ).toISOString();
}

export function addSeconds(instant: Date, seconds: number): string {
  return new Date(instant.getTime() + seconds * 1000).toISOString();
}
