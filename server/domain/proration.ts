import { utcDay } from './time.js';

/**
 * Amount due now for `added` licenses (docs/rules.md, money): exact integer arithmetic, one half-up rounding
 * of the final amount. `remainingDays` counts the change's own day.
 */
export function prorate(unitPrice: number, added: number, remainingDays: number, periodDays: number): number {
  if (added <= 0 || remainingDays <= 0 || periodDays <= 0) return 0;
  const numerator = BigInt(unitPrice) * BigInt(added) * BigInt(remainingDays);
  const denominator = BigInt(periodDays);
  return Number((2n * numerator + denominator) / (2n * denominator));
}

export interface PeriodDays {
  periodDays: number;
  remainingDays: number;
}

export function periodDays(periodStart: string, periodEnd: string, now: Date): PeriodDays {
  return {
    periodDays: utcDay(periodEnd) - utcDay(periodStart),
    remainingDays: Math.max(0, utcDay(periodEnd) - utcDay(now)),
  };
}
