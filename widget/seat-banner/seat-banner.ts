import { html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { accountState, noLicenseAdvice } from '../common/account-state.js';
import { deepActiveElement } from '../common/dialog.js';
import { addEnglish } from '../common/i18n/localize.js';
import { kit } from '../common/kit.js';
import { SeatElement } from '../common/seat-element.js';
import { controls, tokens } from '../common/styles.js';
import type { PurchaseDialog } from './purchase-dialog.js';
import { styles } from './seat-banner.styles.js';

/**
 * @summary Licenses in use and available, the scheduled reduction, and (for the owner) a dialog to
 * buy licenses or reduce them at the period end, with a live quote and the license agreement.
 *
 * @event seat-licenses-change-request - Cancelable, before a change of the total is sent (`detail`: quantity, amountDue).
 * @event seat-licenses-changed - After the total changed (`detail`: licenses, billing, invoice).
 * @event seat-error - A change failed (`detail`: error, action).
 *
 * @csspart base - The banner's box.
 * @csspart summary - "N of M licenses in use".
 * @csspart meter - The meter of licenses in use.
 * @csspart counts - Active, pending and available counts.
 * @csspart notice - The scheduled-reduction and no-license notices.
 * @csspart confirmation - What the last change of the total did ("Paid $8.00: 2 licenses added…").
 * @csspart manage-button - The *Manage licenses* button.
 * @csspart dialog - The *Manage licenses* dialog.
 * @csspart confirm-button - The dialog's *Complete change* button.
 *
 * @cssproperty --seat-color-accent - Buttons, links and the meter.
 * @cssproperty --seat-color-surface - Background.
 * @cssproperty --seat-color-text - Text.
 * @cssproperty --seat-color-warning-surface - Background of notices.
 * @cssproperty --seat-radius - Corner radius.
 * @cssproperty --seat-font-family - Font.
 */
@customElement('seat-banner')
export class SeatBanner extends SeatElement {
  static override styles = [tokens, controls, styles];

  /** The license agreement the buyer accepts (linked next to the checkbox). */
  @property({ attribute: 'agreement-url' }) agreementUrl?: string;

  /** What the last change did, shown (and announced) after the dialog closed. */
  @state() private announcement = '';

  /** The *Manage licenses* dialog, loaded on first use. */
  #purchase: PurchaseDialog | undefined;
  #purchaseLoading: Promise<PurchaseDialog> | undefined;
  #purchaseListenerOn: EventTarget | undefined;
  readonly #onPurchase = (event: Event) => {
    const needed = (event as CustomEvent<number>).detail;
    if (!this.store?.can('licenses:manage')) return;
    event.preventDefault();
    this.openManage((this.store.account?.licenses.quantity ?? 0) + needed);
  };

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#purchaseListenerOn?.removeEventListener('purchase', this.#onPurchase);
    this.#purchaseListenerOn = undefined;
  }

  protected override updated(_changed: PropertyValues): void {
    // The banner sells licenses for the other elements of its store (the invite form's "Buy a license").
    const store = this.store;
    if (store !== this.#purchaseListenerOn) {
      this.#purchaseListenerOn?.removeEventListener('purchase', this.#onPurchase);
      store?.addEventListener('purchase', this.#onPurchase);
      this.#purchaseListenerOn = store;
    }
    void store?.loadNames(store.account?.licenses.scheduled?.releases ?? []);
  }

  /** Opens the *Manage licenses* dialog (loaded the first time), optionally with a proposed total. */
  openManage(quantity?: number): void {
    if (!this.store?.account) return;
    this.announcement = '';
    // Focus returns to what opened it (the invite form's "Buy a license"), or to Manage licenses if that is gone.
    const trigger = deepActiveElement();
    this.#purchaseLoading ??= import('./purchase-dialog.js').then(
      ({ PurchaseDialog, purchaseMessages }) => {
        addEnglish(purchaseMessages);
        return (this.#purchase = new PurchaseDialog(this, {
          kit,
          store: () => this.store,
          i18n: this.i18n,
          agreementUrl: () => this.agreementUrl,
          done: (announcement) => (this.announcement = announcement),
        }));
      },
      (error: unknown) => {
        this.#purchaseLoading = undefined;
        throw error;
      },
    );
    void this.#purchaseLoading.then(
      (dialog) => dialog.open(quantity, trigger, this.renderRoot.querySelector('[part~="manage-button"]')),
      (error: unknown) => (this.announcement = this.i18n.messageOf(error)),
    );
  }

  #nameList(ids: string[]): string {
    return this.i18n.list(ids.map((id) => this.store?.names.get(id) ?? '…'));
  }

  protected override render() {
    const store = this.store;
    if (!store) return nothing;
    const waiting = accountState(store, this.i18n, this);
    const account = store.account;
    if (waiting || !account) return waiting;
    const l = account.licenses;
    // Members act on nothing here: they are told about their own license, not warned in red.
    const manages = store.can('users:manage');
    return html`
      <section part="base" class="base" aria-labelledby="heading">
        <div class="top">
          <div>
            <h2 id="heading" class="visually-hidden">${this.i18n.t('bannerHeading')}</h2>
            <p part="summary" class="summary">${this.i18n.t('inUse', l.inUse, l.quantity)}</p>
            ${manages ? nothing : html`<p class="own">${this.i18n.t('youHaveLicense')}</p>`}
          </div>
          ${store.can('licenses:manage')
            ? html`<button part="manage-button" class="primary" @click=${() => this.openManage()}>${this.i18n.t('manageLicenses')}</button>`
            : nothing}
        </div>
        <meter part="meter" aria-label=${this.i18n.t('meterLabel')} min="0" max=${l.quantity} value=${l.inUse} high=${Math.max(0, l.quantity - 0.5)}></meter>
        <ul part="counts" class="counts">
          <li>${this.i18n.t('enabledCount', l.enabled)}</li>
          <li>${this.i18n.t('invitedCount', l.invited)}</li>
          <li class=${l.available <= 0 && manages ? 'none' : ''}>${this.i18n.t('availableCount', Math.max(0, l.available))}</li>
        </ul>
        ${l.available <= 0
          ? html`<div part="notice" class="notice"><p>${this.i18n.t('noneFree')} ${noLicenseAdvice(store, this.i18n)}</p></div>`
          : nothing}
        ${l.scheduled
          ? html`<div part="notice" class="notice">
              <p>
                ${this.i18n.t('scheduledNotice', l.scheduled.quantity, this.i18n.date(l.scheduled.effectiveAt))}
                ${l.scheduled.releases.length > 0 && store.can('users:read') ? this.i18n.t('scheduledReleases', this.#nameList(l.scheduled.releases)) : nothing}
              </p>
            </div>`
          : nothing}
        <p part="confirmation" class="done" role="status">${this.announcement}</p>
      </section>
      ${store.can('licenses:manage') ? (this.#purchase?.render(account) ?? html`<dialog part="dialog"></dialog>`) : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'seat-banner': SeatBanner;
  }
}
