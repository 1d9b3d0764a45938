import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { periodDays, prorate } from '../../server/domain/proration.js';
import { periodBoundary } from '../../server/domain/time.js';

describe('proration', () => {
  it("charges GitHub's documented case: 10 seats at $4.00 on June 4 of a May 15 → June 15 cycle is $14.19", () => {
    const days = periodDays('2026-05-15T00:00:00Z', '2026-06-15T00:00:00Z', new Date('2026-06-04T12:00:00Z'));
    assert.deepEqual(days, { periodDays: 31, remainingDays: 11 });
    assert.equal(prorate(400, 10, days.remainingDays, days.periodDays), 1419);
  });

  it('rounds half up once, on the final amount', () => {
    assert.equal(prorate(1, 1, 1, 2), 1); // 0.5 → 1
    assert.equal(prorate(1, 1, 1, 3), 0); // 0.33 → 0
    assert.equal(prorate(5, 3, 1, 2), 8); // 7.5 → 8
  });

  it('is exact at the limits (unitPrice 100,000,000 × 100,000 licenses × 366 days)', () => {
    assert.equal(prorate(100_000_000, 100_000, 366, 366), 10_000_000_000_000);
    assert.equal(prorate(100_000_000, 99_999, 365, 366), Number((100_000_000n * 99_999n * 365n * 2n + 366n) / (2n * 366n)));
  });

  it('charges nothing for a decrease or no change', () => {
    assert.equal(prorate(400, 0, 10, 31), 0);
    assert.equal(prorate(400, -3, 10, 31), 0);
  });
});

describe('billing periods', () => {
  it('keeps the anchor day of month, clamped to short months', () => {
    const anchor = '2026-01-31T09:30:00.000Z';
    assert.equal(periodBoundary(anchor, 'month', 1), '2026-02-28T09:30:00.000Z');
    assert.equal(periodBoundary(anchor, 'month', 2), '2026-03-31T09:30:00.000Z');
    assert.equal(periodBoundary(anchor, 'month', 3), '2026-04-30T09:30:00.000Z');
    assert.equal(periodBoundary(anchor, 'month', 12), '2027-01-31T09:30:00.000Z');
  });

  it('renews yearly on the same date (Feb 29 → Feb 28)', () => {
    assert.equal(periodBoundary('2028-02-29T00:00:00.000Z', 'year', 1), '2029-02-28T00:00:00.000Z');
    assert.equal(periodBoundary('2028-02-29T00:00:00.000Z', 'year', 4), '2032-02-29T00:00:00.000Z');
  });
});
