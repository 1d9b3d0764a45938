import type { Invoice, Quote } from '../../sdk/types.js';
import { ApiError } from '../errors.js';
import { auditEvent } from './events.js';
import { periodDays, prorate } from './proration.js';
import { renewalReleases } from './renewal.js';
import type { AccountDoc, Context, Outcome } from './state.js';
import { countLicenses } from './counts.js';

/** The price and effect of changing the total to `quantity`, as of `now` (docs/rules.md, money). */
export function quote(doc: AccountDoc, quantity: number, now: Date): Quote {
  const { plan } = doc;
  const change = quantity - plan.quantity;
  const days = periodDays(plan.periodStart, plan.periodEnd, now);
  const { inUse } = countLicenses(doc);
  return {
    quantity,
    currentQuantity: plan.quantity,
    change,
    amountDue: prorate(plan.unitPrice, change, days.remainingDays, days.periodDays),
    currency: plan.currency,
    effectiveAt: change > 0 ? now.toISOString() : plan.periodEnd,
    remainingDays: days.remainingDays,
    periodDays: days.periodDays,
    mustFree: Math.max(0, inUse - quantity),
    releases: change < 0 ? renewalReleases(doc, quantity) : [],
  };
}

export interface LicenseChangeCommand {
  quantity: number;
  acceptAgreement: boolean;
  expectedAmountDue: number;
}

/**
 * Changes the licensed total: an increase applies at once and is charged pro rata; a decrease is
 * scheduled for the period end (replacing any scheduled one); the current total cancels it.
 */
export function changeLicenses(doc: AccountDoc, cmd: LicenseChangeCommand, ctx: Context): Outcome<Invoice | null> {
  if (cmd.acceptAgreement !== true) throw new ApiError('agreement_required', 'Accept the license agreement to change licenses.');
  const q = quote(doc, cmd.quantity, ctx.now);
  if (q.mustFree > 0) {
    throw new ApiError('licenses_in_use', `${q.mustFree} more license(s) are in use than the new total. Free them first.`, {
      extra: { mustFree: q.mustFree },
    });
  }
  if (q.amountDue !== cmd.expectedAmountDue) {
    throw new ApiError('quote_changed', `The amount due is now ${q.amountDue}, not ${cmd.expectedAmountDue}. Nothing was charged.`, {
      extra: { amountDue: q.amountDue },
    });
  }
  const { plan } = doc;
  if (q.change > 0) {
    const invoice: Invoice = {
      id: ctx.newId('inv'),
      kind: 'proration',
      quantity: q.change,
      amount: q.amountDue,
      currency: plan.currency,
      createdAt: ctx.now.toISOString(),
      periodStart: ctx.now.toISOString(),
      periodEnd: plan.periodEnd,
    };
    const next = { ...doc, plan: { ...plan, quantity: cmd.quantity, scheduled: null }, invoices: [...doc.invoices, invoice] };
    const event = auditEvent(doc, ctx, 'licenses.increased', [], { quantity: plan.quantity, scheduled: plan.scheduled }, {
      quantity: cmd.quantity,
      invoiceId: invoice.id,
      amount: invoice.amount,
    });
    return { doc: next, events: [event], result: invoice };
  }
  if (q.change < 0) {
    const scheduled = { quantity: cmd.quantity, effectiveAt: plan.periodEnd };
    if (plan.scheduled?.quantity === cmd.quantity) return { doc, events: [], result: null };
    const event = auditEvent(doc, ctx, 'licenses.decrease_scheduled', [], { scheduled: plan.scheduled }, { scheduled });
    return { doc: { ...doc, plan: { ...plan, scheduled } }, events: [event], result: null };
  }
  if (!plan.scheduled) return { doc, events: [], result: null };
  const event = auditEvent(doc, ctx, 'licenses.decrease_cancelled', [], { scheduled: plan.scheduled }, { scheduled: null });
  return { doc: { ...doc, plan: { ...plan, scheduled: null } }, events: [event], result: null };
}
