import { html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { SeatError } from '../../sdk/core/errors.js';
import { LIMITS } from '../../sdk/limits.js';
import type { Account, Quote } from '../../sdk/types.js';
import { closeDialog, openDialog } from '../shared/dialog.js';
import { emit, request } from '../shared/events.js';
import { accountState, noLicenseAdvice } from '../shared/account-state.js';
import { SeatElement } from '../shared/seat-element.js';
import { controls, tokens } from '../shared/styles.js';
import { styles } from './seat-banner.styles.js';

const QUOTE_DEBOUNCE_MS = 250;
/** A purchase above this many times what the account pays per period now asks to be confirmed twice. */
const LARGE_PURCHASE_FACTOR = 10;

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

  @state() private quantity = 0;
  @state() private quote: Quote | null = null;
  @state() private quoting = false;
  @state() private quoteError = '';
  @state() private agreed = false;
  /** A large purchase was asked for once: the next click confirms it. */
  @state() private confirmingLarge = false;
  @state() private submitting = false;
  @state() private submitError = '';
  /** What the last change did, shown (and announced) after the dialog closed. */
  @state() private announcement = '';

  private get dialog(): HTMLDialogElement {
    return this.renderRoot.querySelector('dialog')!;
  }

  #quoteTimer: ReturnType<typeof setTimeout> | undefined;
  #quoteAbort: AbortController | undefined;
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
    clearTimeout(this.#quoteTimer);
    this.#quoteAbort?.abort();
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

  /** Opens the *Manage licenses* dialog, optionally with a proposed total. */
  openManage(quantity?: number): void {
    const licenses = this.store?.account?.licenses;
    if (!licenses) return;
    this.quantity = quantity ?? licenses.scheduled?.quantity ?? licenses.quantity;
    this.agreed = false;
    this.confirmingLarge = false;
    this.submitError = '';
    this.announcement = '';
    this.quote = null;
    // Focus returns to what opened it (the invite form's "Buy a license"), or to Manage licenses if that is gone.
    openDialog(this.dialog, undefined, this.renderRoot.querySelector('[part~="manage-button"]'));
    this.#requestQuote(0);
  }

  #nameList(ids: string[]): string {
    return this.i18n.list(ids.map((id) => this.store?.names.get(id) ?? '…'));
  }

  #onQuantityInput(event: Event): void {
    this.quantity = (event.target as HTMLInputElement).valueAsNumber;
    // The agreement was given for the total shown then: a new total needs it again.
    this.agreed = false;
    this.confirmingLarge = false;
    this.submitError = '';
    this.#requestQuote(QUOTE_DEBOUNCE_MS);
  }

  #validQuantity(): boolean {
    return Number.isInteger(this.quantity) && this.quantity >= LIMITS.quantityMin && this.quantity <= LIMITS.quantityMax;
  }

  #requestQuote(delay: number): void {
    clearTimeout(this.#quoteTimer);
    this.#quoteAbort?.abort();
    this.quoteError = '';
    if (!this.#validQuantity()) {
      this.quote = null;
      this.quoting = false;
      return;
    }
    this.quoting = true;
    this.#quoteTimer = setTimeout(() => void this.#fetchQuote(), delay);
  }

  async #fetchQuote(): Promise<void> {
    const store = this.store;
    if (!store) return;
    const abort = (this.#quoteAbort = new AbortController());
    try {
      const quote = await store.client.licenses.quote(this.quantity, { signal: abort.signal });
      if (abort.signal.aborted) return;
      this.quote = quote;
    } catch (error) {
      if (abort.signal.aborted) return;
      this.quote = null;
      this.quoteError = this.i18n.messageOf(error);
    } finally {
      if (!abort.signal.aborted) this.quoting = false;
    }
  }

  #onDialogClose(): void {
    // `close` fires a task after closing: if the dialog was opened again meanwhile, its new quote stays.
    if (this.dialog.open) return;
    clearTimeout(this.#quoteTimer);
    this.#quoteAbort?.abort();
    this.quoting = false;
  }

  #canConfirm(): boolean {
    const q = this.quote;
    return !!q && !this.quoting && !this.submitting && this.agreed && q.quantity === this.quantity && q.mustFree === 0 && this.#isChange(q);
  }

  #isChange(q: Quote): boolean {
    const scheduled = this.store?.account?.licenses.scheduled;
    return q.change !== 0 || !!scheduled;
  }

  /** Above ten times what the account pays per period now: a typo (1000 for 100) costs real money. */
  #isLarge(q: Quote): boolean {
    const { billing, licenses } = this.store!.account!;
    return q.amountDue > LARGE_PURCHASE_FACTOR * licenses.quantity * billing.unitPrice;
  }

  async #confirm(): Promise<void> {
    const store = this.store;
    const q = this.quote;
    if (!store || !q || !this.#canConfirm()) return;
    if (this.#isLarge(q) && !this.confirmingLarge) {
      this.confirmingLarge = true;
      return;
    }
    // Disabled before anything awaits: a double click buys once.
    this.submitting = true;
    try {
      const detail = { quantity: q.quantity, currentQuantity: q.currentQuantity, amountDue: q.amountDue, currency: q.currency };
      if (!request(this, 'seat-licenses-change-request', detail)) return;
      const result = await store.mutate((client) => client.licenses.change({ quantity: q.quantity, expectedAmountDue: q.amountDue, acceptAgreement: true }));
      emit(this, 'seat-licenses-changed', result);
      const { quantity, scheduled } = result.licenses;
      this.announcement =
        q.change > 0
          ? this.i18n.t('paid', this.i18n.money(result.invoice?.amount ?? q.amountDue, q.currency), q.change, quantity)
          : scheduled
            ? this.i18n.t('decreaseScheduled', scheduled.quantity, this.i18n.date(scheduled.effectiveAt))
            : this.i18n.t('reductionCancelled', quantity);
      closeDialog(this.dialog);
    } catch (error) {
      emit(this, 'seat-error', { error: error as Error, action: 'licenses.change' });
      this.confirmingLarge = false;
      if (error instanceof SeatError && error.code === 'quote_changed') {
        this.submitError = this.i18n.t('quoteChanged');
        this.#requestQuote(0);
      } else {
        this.submitError = this.i18n.messageOf(error);
      }
    } finally {
      this.submitting = false;
    }
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
      ${store.can('licenses:manage') ? this.#renderDialog(account) : nothing}
    `;
  }

  #renderDialog(account: Account) {
    const q = this.quote;
    const invalid = !this.#validQuantity();
    const money = (minor: number) => this.i18n.money(minor, account.billing.currency);
    const pays = !!q && q.change > 0 && q.quantity === this.quantity && !this.quoting;
    const submitting = this.submitting;
    // While paying, nothing closes the dialog: `closedby` (a prevented `cancel` alone gives way to a
    // second Escape in Chrome), and the prevented `cancel` where `closedby` is not supported.
    return html`
      <dialog
        part="dialog"
        aria-labelledby="manage-heading"
        closedby=${submitting ? 'none' : 'closerequest'}
        @cancel=${(e: Event) => submitting && e.preventDefault()}
        @close=${this.#onDialogClose}
      >
        <h2 id="manage-heading">${this.i18n.t('manageHeading')}</h2>
        <p class="hint">
          ${this.i18n.t('currentTotal', account.licenses.quantity)}
          ${this.i18n.t('unitPrice', money(account.billing.unitPrice), account.billing.interval)}
        </p>
        <div class="field">
          <label for="quantity">${this.i18n.t('newTotal')}</label>
          <input
            id="quantity"
            type="number"
            inputmode="numeric"
            min=${LIMITS.quantityMin}
            max=${LIMITS.quantityMax}
            step="1"
            .value=${Number.isNaN(this.quantity) ? '' : String(this.quantity)}
            ?disabled=${submitting}
            aria-invalid=${invalid ? 'true' : 'false'}
            aria-describedby="quote"
            @input=${this.#onQuantityInput}
          />
        </div>
        <div id="quote" class="quote" role="status" aria-live="polite">${this.#renderQuote(q, invalid, account)}</div>
        <div class="field agreement">
          <input
            id="agree"
            type="checkbox"
            .checked=${live(this.agreed)}
            ?disabled=${submitting}
            @change=${(e: Event) => (this.agreed = (e.target as HTMLInputElement).checked)}
          />
          <label for="agree">${this.i18n.t('agreement')}</label>
          ${this.agreementUrl
            ? html`<a href=${this.agreementUrl} target="_blank" rel="noopener noreferrer">${this.i18n.t('agreementLink')}</a>`
            : nothing}
        </div>
        ${this.confirmingLarge && q
          ? html`<p class="notice" role="alert">${this.i18n.t('largePurchase', money(q.amountDue), money(account.licenses.quantity * account.billing.unitPrice), account.billing.interval)}</p>`
          : nothing}
        ${this.submitError ? html`<p class="error" role="alert">${this.submitError}</p>` : nothing}
        <p class="hint" role="status">${submitting ? this.i18n.t(pays ? 'paying' : 'changing') : ''}</p>
        <div class="actions">
          <button ?disabled=${submitting} @click=${() => closeDialog(this.dialog)}>${this.i18n.t('cancel')}</button>
          <button part="confirm-button" class="primary" ?disabled=${!this.#canConfirm()} @click=${this.#confirm}>
            ${pays ? this.i18n.t(this.confirmingLarge ? 'confirmPay' : 'pay', money(q!.amountDue)) : this.i18n.t('completeChange')}
          </button>
        </div>
      </dialog>
    `;
  }

  #renderQuote(q: Quote | null, invalid: boolean, account: Account) {
    if (invalid) return html`<p class="error">${this.i18n.t('quantityRange', this.i18n.number(LIMITS.quantityMin), this.i18n.number(LIMITS.quantityMax))}</p>`;
    if (this.quoteError) return html`<p class="error">${this.quoteError}</p>`;
    if (this.quoting || !q) return html`<p class="hint">${this.i18n.t('quoting')}</p>`;
    const scheduled = account.licenses.scheduled;
    if (q.mustFree > 0) return html`<p class="error">${this.i18n.t('mustFree', q.mustFree)}</p>`;
    const { unitPrice, currency, interval } = account.billing;
    const recurring = html`<p class="hint">
      ${this.i18n.t('recurringTotal', this.i18n.date(account.billing.periodEnd), q.quantity, this.i18n.money(q.quantity * unitPrice, currency), interval)}
    </p>`;
    if (q.change > 0) {
      return html`<p class="amount">${this.i18n.t('amountDueNow', this.i18n.money(q.amountDue, q.currency))}</p>
        <p class="hint">${this.i18n.t('prorationNote', q.remainingDays, q.periodDays)}</p>
        ${recurring} ${scheduled ? html`<p class="hint">${this.i18n.t('cancelsScheduled', scheduled.quantity)}</p>` : nothing}`;
    }
    if (q.change < 0) {
      // A decrease that would release anyone is refused (mustFree above), so it names nobody.
      return html`<p class="amount">${this.i18n.t('takesEffect', this.i18n.date(q.effectiveAt))}</p>
        ${recurring}`;
    }
    return html`<p class="hint">${scheduled ? this.i18n.t('cancelsScheduled', scheduled.quantity) : this.i18n.t('noChange')}</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'seat-banner': SeatBanner;
  }
}
