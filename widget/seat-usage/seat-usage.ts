import { html, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { accountState } from '../common/account-state.js';
import { addEnglish } from '../common/i18n/localize.js';
import { kit } from '../common/kit.js';
import { SeatElement } from '../common/seat-element.js';
import { controls, tokens } from '../common/styles.js';
import type { UsageView } from './usage-view.js';

/**
 * @summary Licenses in use against the number of licenses over time (a chart with a table as its
 * text alternative, and the peak of each period), and, for the account owner, the setting that
 * frees idle licenses automatically, with how many it would free now. The chart and the setting
 * are loaded when the element first shows (a chunk beside the script); a member sees nothing.
 *
 * @event seat-reclaim-policy-changed - After the owner saved the reclaim policy (`detail`: enabled, inactiveDays, preview).
 * @event seat-error - Loading or saving failed (`detail`: error, action).
 *
 * @csspart base - The element's box.
 * @csspart chart - The SVG chart.
 * @csspart table - The table of periods (the chart's text alternative).
 * @csspart policy - The reclaim policy setting.
 *
 * @cssproperty --seat-color-accent - Licenses in use.
 * @cssproperty --seat-color-text-muted - The number of licenses, axes.
 * @cssproperty --seat-color-surface - Background.
 * @cssproperty --seat-color-border - Borders, grid lines.
 * @cssproperty --seat-color-text - Text.
 */
@customElement('seat-usage')
export class SeatUsage extends SeatElement {
  static override styles = [tokens, controls];

  /** Days shown, 1–730 (default 90): up to 31 a bar per day, up to 182 per week, else per month. */
  @property({ type: Number }) days = 90;

  #view: UsageView | undefined;
  #loading: Promise<void> | undefined;
  #failed = '';

  protected override willUpdate(changed: PropertyValues): void {
    if (this.store?.account && !this.#loading) {
      this.#loading = import('./usage-view.js').then(
        ({ UsageView, usageMessages }) => {
          addEnglish(usageMessages);
          this.#view = new UsageView(this, { kit, store: () => this.store, i18n: this.i18n, days: () => this.days });
          this.requestUpdate();
        },
        (error: unknown) => {
          this.#loading = undefined;
          this.#failed = this.i18n.messageOf(error);
          this.requestUpdate();
        },
      );
    }
    if (changed.has('days')) this.#view?.reload();
  }

  protected override render() {
    const store = this.store;
    if (!store) return nothing;
    const waiting = accountState(store, this.i18n, this);
    if (waiting || !store.account) return waiting;
    if (!store.can('users:read')) return nothing;
    if (this.#failed) return html`<div part="base" class="base" role="alert"><p class="error">${this.#failed}</p></div>`;
    return this.#view?.render() ?? html`<div part="base" class="base" aria-busy="true"><p>${this.i18n.t('loading')}</p></div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'seat-usage': SeatUsage;
  }
}
