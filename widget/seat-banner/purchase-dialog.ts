/**
 * The *Manage licenses* dialog of `<seat-banner>` (loaded on first use, handed the elements'
 * helpers: see kit.ts): the unit price, the new total, a live quote, the license agreement, and the
 * change itself — one purchase however often it is clicked, a large one confirmed twice, and no way
 * to close the dialog while paying.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { SeatError } from '../../sdk/core/errors.js';
import type { Account, Quote } from '../../sdk/types.js';
import type { Localize } from '../common/i18n/localize.js';
import type { Kit } from '../common/kit.js';
import type { SeatStore } from '../common/store.js';

export { purchaseMessages } from './purchase.messages.js';

// The elements' own helpers, handed over by the banner when it loads this module (see kit.ts).
let html: Kit['html'];
let nothing: Kit['nothing'];
let emit: Kit['emit'];
let request: Kit['request'];
let openDialog: Kit['openDialog'];
let closeDialog: Kit['closeDialog'];
let LIMITS: Kit['LIMITS'];

const QUOTE_DEBOUNCE_MS = 250;
/** A purchase above this many times what the account pays per period now asks to be confirmed twice. */
const LARGE_PURCHASE_FACTOR = 10;

const STYLE = `dialog > .hint { margin-block: 0.25rem 1rem; } .quote { min-height: 3.5rem; margin-block-end: 0.75rem; } .quote p { margin: 0.25rem 0; }
.amount { font-weight: 700; font-size: 1.05rem; } .agreement { display: flex; align-items: center; gap: 0.5rem; flex-wrap: wrap; } .agreement label { margin: 0; }`;

export interface PurchaseHostOptions {
  kit: Kit;
  store: () => SeatStore | undefined;
  i18n: Localize;
  agreementUrl: () => string | undefined;
  /** What the change did (shown and announced by the banner once the dialog closed). */
  done: (announcement: string) => void;
}

export class PurchaseDialog implements ReactiveController {
  #quantity = 0;
  #quote: Quote | null = null;
  #quoting = false;
  #quoteError = '';
  #agreed = false;
  /** A large purchase was asked for once: the next click confirms it. */
  #confirmingLarge = false;
  #submitting = false;
  #submitError = '';
  #quoteTimer: ReturnType<typeof setTimeout> | undefined;
  #quoteAbort: AbortController | undefined;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement & { renderRoot: HTMLElement | DocumentFragment },
    private readonly options: PurchaseHostOptions,
  ) {
    host.addController(this);
    ({ html, nothing, emit, request, openDialog, closeDialog, LIMITS } = options.kit);
    options.kit.addStyles(host, STYLE);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    clearTimeout(this.#quoteTimer);
    this.#quoteAbort?.abort();
  }

  get #dialog(): HTMLDialogElement | null {
    return this.host.renderRoot.querySelector('dialog');
  }

  get #i18n() {
    return this.options.i18n;
  }

  #update(): void {
    this.host.requestUpdate();
  }

  /** Opens it, optionally with a proposed total; focus returns to `trigger`, else to `fallback`. */
  async open(quantity: number | undefined, trigger: Element | null, fallback: Element | null): Promise<void> {
    const licenses = this.options.store()?.account?.licenses;
    if (!licenses) return;
    this.#quantity = quantity ?? licenses.scheduled?.quantity ?? licenses.quantity;
    this.#agreed = false;
    this.#confirmingLarge = false;
    this.#submitError = '';
    this.#quote = null;
    this.#update();
    await this.host.updateComplete;
    openDialog(this.#dialog, trigger, fallback);
    this.#requestQuote(0);
  }

  #onQuantityInput(event: Event): void {
    this.#quantity = (event.target as HTMLInputElement).valueAsNumber;
    // The agreement was given for the total shown then: a new total needs it again.
    this.#agreed = false;
    this.#confirmingLarge = false;
    this.#submitError = '';
    this.#requestQuote(QUOTE_DEBOUNCE_MS);
  }

  #validQuantity(): boolean {
    return Number.isInteger(this.#quantity) && this.#quantity >= LIMITS.quantityMin && this.#quantity <= LIMITS.quantityMax;
  }

  #requestQuote(delay: number): void {
    clearTimeout(this.#quoteTimer);
    this.#quoteAbort?.abort();
    this.#quoteError = '';
    if (!this.#validQuantity()) {
      this.#quote = null;
      this.#quoting = false;
    } else {
      this.#quoting = true;
      this.#quoteTimer = setTimeout(() => void this.#fetchQuote(), delay);
    }
    this.#update();
  }

  async #fetchQuote(): Promise<void> {
    const store = this.options.store();
    if (!store) return;
    const abort = (this.#quoteAbort = new AbortController());
    try {
      const quote = await store.client.licenses.quote(this.#quantity, { signal: abort.signal });
      if (abort.signal.aborted) return;
      this.#quote = quote;
    } catch (error) {
      if (abort.signal.aborted) return;
      this.#quote = null;
      this.#quoteError = this.#i18n.messageOf(error);
    } finally {
      if (!abort.signal.aborted) this.#quoting = false;
      this.#update();
    }
  }

  #onClose(): void {
    // `close` fires a task after closing: if the dialog was opened again meanwhile, its new quote stays.
    if (this.#dialog?.open) return;
    clearTimeout(this.#quoteTimer);
    this.#quoteAbort?.abort();
    this.#quoting = false;
    this.#update();
  }

  #canConfirm(): boolean {
    const q = this.#quote;
    return !!q && !this.#quoting && !this.#submitting && this.#agreed && q.quantity === this.#quantity && q.mustFree === 0 && this.#isChange(q);
  }

  #isChange(q: Quote): boolean {
    return q.change !== 0 || !!this.options.store()?.account?.licenses.scheduled;
  }

  /** Above ten times what the account pays per period now: a typo (1000 for 100) costs real money. */
  #isLarge(q: Quote): boolean {
    const { billing, licenses } = this.options.store()!.account!;
    return q.amountDue > LARGE_PURCHASE_FACTOR * licenses.quantity * billing.unitPrice;
  }

  async #confirm(): Promise<void> {
    const store = this.options.store();
    const q = this.#quote;
    if (!store || !q || !this.#canConfirm()) return;
    if (this.#isLarge(q) && !this.#confirmingLarge) {
      this.#confirmingLarge = true;
      this.#update();
      return;
    }
    // Disabled before anything awaits: a double click buys once.
    this.#submitting = true;
    this.#update();
    const i18n = this.#i18n;
    try {
      const detail = { quantity: q.quantity, currentQuantity: q.currentQuantity, amountDue: q.amountDue, currency: q.currency };
      if (!request(this.host, 'seat-licenses-change-request', detail)) return;
      const result = await store.mutate((client) => client.licenses.change({ quantity: q.quantity, expectedAmountDue: q.amountDue, acceptAgreement: true }));
      emit(this.host, 'seat-licenses-changed', result);
      const { quantity, scheduled } = result.licenses;
      this.options.done(
        q.change > 0
          ? i18n.t('paid', i18n.money(result.invoice?.amount ?? q.amountDue, q.currency), q.change, quantity)
          : scheduled
            ? i18n.t('decreaseScheduled', scheduled.quantity, i18n.date(scheduled.effectiveAt))
            : i18n.t('reductionCancelled', quantity),
      );
      closeDialog(this.#dialog);
    } catch (error) {
      emit(this.host, 'seat-error', { error: error as Error, action: 'licenses.change' });
      this.#confirmingLarge = false;
      if ((error as Partial<SeatError>).code === 'quote_changed') {
        this.#submitError = i18n.t('quoteChanged');
        this.#requestQuote(0);
      } else {
        this.#submitError = i18n.messageOf(error);
      }
    } finally {
      this.#submitting = false;
      this.#update();
    }
  }

  render(account: Account) {
    const i18n = this.#i18n;
    const q = this.#quote;
    const invalid = !this.#validQuantity();
    const money = (minor: number) => i18n.money(minor, account.billing.currency);
    const pays = !!q && q.change > 0 && q.quantity === this.#quantity && !this.#quoting;
    const submitting = this.#submitting;
    const agreementUrl = this.options.agreementUrl();
    // While paying, nothing closes the dialog: `closedby` (a prevented `cancel` alone gives way to a
    // second Escape in Chrome), and the prevented `cancel` where `closedby` is not supported.
    return html`
      <dialog
        part="dialog"
        aria-labelledby="manage-heading"
        closedby=${submitting ? 'none' : 'closerequest'}
        @cancel=${(e: Event) => submitting && e.preventDefault()}
        @close=${() => this.#onClose()}
      >
        <h2 id="manage-heading">${i18n.t('manageHeading')}</h2>
        <p class="hint">
          ${i18n.t('currentTotal', account.licenses.quantity)} ${i18n.t('unitPrice', money(account.billing.unitPrice), account.billing.interval)}
        </p>
        <div class="field">
          <label for="quantity">${i18n.t('newTotal')}</label>
          <input
            id="quantity"
            type="number"
            inputmode="numeric"
            min=${LIMITS.quantityMin}
            max=${LIMITS.quantityMax}
            step="1"
            .value=${Number.isNaN(this.#quantity) ? '' : String(this.#quantity)}
            ?disabled=${submitting}
            aria-invalid=${invalid ? 'true' : 'false'}
            aria-describedby="quote"
            @input=${(e: Event) => this.#onQuantityInput(e)}
          />
        </div>
        <div id="quote" class="quote" role="status" aria-live="polite">${this.#renderQuote(q, invalid, account)}</div>
        <div class="field agreement">
          <input
            id="agree"
            type="checkbox"
            .checked=${this.#agreed}
            ?disabled=${submitting}
            @change=${(e: Event) => {
              this.#agreed = (e.target as HTMLInputElement).checked;
              this.#update();
            }}
          />
          <label for="agree">${i18n.t('agreement')}</label>
          ${agreementUrl ? html`<a href=${agreementUrl} target="_blank" rel="noopener noreferrer">${i18n.t('agreementLink')}</a>` : nothing}
        </div>
        ${this.#confirmingLarge && q
          ? html`<p class="notice" role="alert">
              ${i18n.t('largePurchase', money(q.amountDue), money(account.licenses.quantity * account.billing.unitPrice), account.billing.interval)}
            </p>`
          : nothing}
        ${this.#submitError ? html`<p class="error" role="alert">${this.#submitError}</p>` : nothing}
        <p class="hint" role="status">${submitting ? i18n.t(pays ? 'paying' : 'changing') : ''}</p>
        <div class="actions">
          <button ?disabled=${submitting} @click=${() => closeDialog(this.#dialog)}>${i18n.t('cancel')}</button>
          <button part="confirm-button" class="primary" ?disabled=${!this.#canConfirm()} @click=${() => void this.#confirm()}>
            ${pays ? i18n.t(this.#confirmingLarge ? 'confirmPay' : 'pay', money(q!.amountDue)) : i18n.t('completeChange')}
          </button>
        </div>
      </dialog>
    `;
  }

  #renderQuote(q: Quote | null, invalid: boolean, account: Account) {
    const i18n = this.#i18n;
    if (invalid) return html`<p class="error">${i18n.t('quantityRange', i18n.number(LIMITS.quantityMin), i18n.number(LIMITS.quantityMax))}</p>`;
    if (this.#quoteError) return html`<p class="error">${this.#quoteError}</p>`;
    if (this.#quoting || !q) return html`<p class="hint">${i18n.t('quoting')}</p>`;
    const scheduled = account.licenses.scheduled;
    if (q.mustFree > 0) return html`<p class="error">${i18n.t('mustFree', q.mustFree)}</p>`;
    const { unitPrice, currency, interval } = account.billing;
    const recurring = html`<p class="hint">
      ${i18n.t('recurringTotal', i18n.date(account.billing.periodEnd), q.quantity, i18n.money(q.quantity * unitPrice, currency), interval)}
    </p>`;
    if (q.change > 0) {
      return html`<p class="amount">${i18n.t('amountDueNow', i18n.money(q.amountDue, q.currency))}</p>
        <p class="hint">${i18n.t('prorationNote', q.remainingDays, q.periodDays)}</p>
        ${recurring} ${scheduled ? html`<p class="hint">${i18n.t('cancelsScheduled', scheduled.quantity)}</p>` : nothing}`;
    }
    if (q.change < 0) {
      // A decrease that would release anyone is refused (mustFree above), so it names nobody.
      return html`<p class="amount">${i18n.t('takesEffect', i18n.date(q.effectiveAt))}</p>
        ${recurring}`;
    }
    return html`<p class="hint">${scheduled ? i18n.t('cancelsScheduled', scheduled.quantity) : i18n.t('noChange')}</p>`;
  }
}
