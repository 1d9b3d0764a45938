import { html, nothing, type TemplateResult } from 'lit';
import type { Account } from '../../sdk/types.js';
import { request } from './events.js';
import type { Localize } from './i18n/localize.js';
import { fullName } from './names.js';
import type { SeatStore } from './store.js';

/**
 * What an element shows before it can show the account: the session ended, loading failed (with
 * *Try again*), or loading. Only the first of the store's elements says it (a page says it once);
 * the others show nothing. Undefined once the account is there.
 */
export function accountState(store: SeatStore, i18n: Localize, element: Element): TemplateResult | typeof nothing | undefined {
  if (store.account && !store.sessionExpired) return undefined;
  if (!store.leads(element)) return nothing;
  if (store.sessionExpired) return html`<div part="base" class="base" role="alert"><p class="error">${i18n.t('sessionExpired')}</p></div>`;
  if (store.status === 'error') {
    return html`<div part="base" class="base" role="alert">
      <p class="error">${i18n.t('loadFailed')}</p>
      <button @click=${() => void store.load()}>${i18n.t('retry')}</button>
    </div>`;
  }
  return html`<div part="base" class="base" aria-busy="true"><p>${i18n.t('loading')}</p></div>`;
}

/**
 * No license is free: what this viewer can do about it. The owner buys or frees one; an admin
 * frees one or asks the owner (named: members and admins may not be able to look the owner up).
 */
export function noLicenseAdvice(store: SeatStore, i18n: Localize): string {
  const owner = fullName(store.account!.owner);
  if (store.can('licenses:manage')) return i18n.t('buyOrFree');
  return store.can('users:manage') ? i18n.t('freeOrAsk', owner) : i18n.t('askOwner', owner);
}

/**
 * Taking one more license now (an invite, an assign) while a reduction is scheduled: the warning
 * that the reduction will undo it (or release someone else), naming the date; '' when all still fit.
 * Releases go to pending invitations newest first, then to the most recently assigned, so a new
 * invitation goes first, and a new active user only after every pending invitation.
 */
export function reductionWarning(account: Account, i18n: Localize, becomesInvited: boolean): string {
  const { scheduled, inUse, invited } = account.licenses;
  const excess = scheduled ? inUse + 1 - scheduled.quantity : 0;
  if (!scheduled || excess <= 0) return '';
  const date = i18n.date(scheduled.effectiveAt);
  return becomesInvited || excess > invited ? i18n.t('reductionUndoes', scheduled.quantity, date) : i18n.t('reductionReleases', scheduled.quantity, date, excess);
}

/**
 * Asks for one more license: the host's own purchase flow takes it (it cancels
 * `seat-purchase-request`), else a `<seat-banner>` of the store opens its dialog. False when
 * neither did (nothing on this page sells licenses).
 */
export function buyLicense(element: Element, store: SeatStore): boolean {
  return !request(element, 'seat-purchase-request', { licenses: store.account?.licenses ?? null, needed: 1 }) || store.openPurchase(1);
}
