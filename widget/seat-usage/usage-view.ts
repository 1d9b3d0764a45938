/**
 * What `<seat-usage>` shows (loaded when it first shows, handed the elements' helpers: see
 * kit.ts): licenses in use against the number of licenses over time as an SVG chart (`role="img"`
 * with a name that sums it up) with a table of the same figures as its text alternative, the peak
 * of each period; and, for the owner, the reclaim policy with how many licenses it would free now.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ReclaimPolicy, UsageDay } from '../../sdk/types.js';
import type { Localize } from '../common/i18n/localize.js';
import type { Kit } from '../common/kit.js';
import type { SeatStore } from '../common/store.js';

export { usageMessages } from './usage.messages.js';

const DAYS_MIN = 7;
const DAYS_MAX = 365;
const PREVIEW_DEBOUNCE_MS = 300;
/** The plot's own units: it is stretched to the element's width and a fixed height, so the text is HTML. */
const W = 1000;
const H = 100;

export interface Period {
  /** First day of the period (YYYY-MM-DD). */
  start: string;
  end: string;
  /** The most licenses in use at once in the period. */
  peak: number;
  /** In use, and the number of licenses, at the period's end. */
  inUse: number;
  quantity: number;
}

/** Days grouped into periods: a day each up to 31 days, a week each up to 182, else a calendar month. */
export function periods(days: UsageDay[]): { unit: 'day' | 'week' | 'month'; periods: Period[] } {
  const unit = days.length <= 31 ? 'day' : days.length <= 182 ? 'week' : 'month';
  const groups: UsageDay[][] = [];
  days.forEach((day, i) => {
    const fresh = unit === 'day' || (unit === 'week' ? i % 7 === 0 : day.date.slice(0, 7) !== groups.at(-1)?.[0]?.date.slice(0, 7));
    if (fresh || groups.length === 0) groups.push([]);
    groups.at(-1)!.push(day);
  });
  return {
    unit,
    periods: groups.map((group) => ({
      start: group[0]!.date,
      end: group.at(-1)!.date,
      peak: Math.max(...group.map((d) => d.maxInUse)),
      inUse: group.at(-1)!.inUse,
      quantity: group.at(-1)!.quantity,
    })),
  };
}

export interface UsageHostOptions {
  kit: Kit;
  store: () => SeatStore | undefined;
  i18n: Localize;
  days: () => number;
}

const STYLE = `
  .head { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline; gap: 0.25rem 1rem; }
  .head p { margin: 0; color: var(--_muted); }
  .plot { display: grid; grid-template-columns: auto 1fr; column-gap: 0.5rem; margin-block: 0.75rem 0.25rem; }
  .y { display: flex; flex-direction: column; justify-content: space-between; text-align: end; font-size: 0.8125em; color: var(--_muted); line-height: 1; }
  svg { display: block; width: 100%; height: 10rem; border-block-end: 1px solid var(--_border); }
  svg .bar { fill: var(--_accent); opacity: 0.8; }
  svg .quantity { fill: none; stroke: var(--_fg); stroke-width: 2; stroke-dasharray: 6 4; }
  svg .grid { stroke: var(--_border); }
  .x { grid-column: 2; display: flex; justify-content: space-between; gap: 1rem; font-size: 0.8125em; color: var(--_muted); }
  .legend { display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; margin: 0 0 0.5rem; padding: 0; list-style: none; font-size: 0.875em; color: var(--_muted); }
  .legend span { display: inline-block; width: 1.25rem; height: 0.6rem; margin-inline-end: 0.4rem; vertical-align: middle; }
  .legend .peak { background: var(--_accent); opacity: 0.8; }
  .legend .total { border-block-start: 2px dashed var(--_fg); height: 0; }
  details { margin-block: 0.5rem; }
  summary { cursor: pointer; color: var(--_accent); }
  .periods { max-height: 16rem; overflow: auto; }
  table { width: 100%; border-collapse: collapse; font-size: 0.875em; }
  th, td { text-align: end; padding: 0.25rem 0.5rem; border-block-end: 1px solid var(--_border); }
  th:first-child, td:first-child { text-align: start; }
  table { overflow-wrap: normal; }
  thead th { white-space: nowrap; }
  form { margin-block-start: 1rem; padding-block-start: 1rem; border-block-start: 1px solid var(--_border); }
  h3 { font-size: 1rem; margin-block-end: 0.5rem; }
  .policy-row { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 0.5rem 1rem; }
  .policy-row .field { margin: 0; }
  label.check { display: flex; gap: 0.5rem; align-items: center; font-weight: 400; min-height: 2.25rem; margin: 0; }
  input[type='number'] { width: 7rem; }
  .preview { font-weight: 600; }
  .success { color: var(--_success); }
`;

export class UsageView implements ReactiveController {
  #data: UsageDay[] | null = null;
  #error = '';
  #abort: AbortController | undefined;
  #policy: ReclaimPolicy | null = null;
  #enabled = false;
  #daysText = '';
  #preview: number | null = null;
  #daysError = '';
  #saving = false;
  #saved = '';
  #previewTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly options: UsageHostOptions,
  ) {
    host.addController(this);
    options.kit.addStyles(host, STYLE);
    this.reload();
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.#abort?.abort();
    clearTimeout(this.#previewTimer);
  }

  get #i18n() {
    return this.options.i18n;
  }

  /** Loads the usage (and, for the owner, the policy) again. */
  reload(): void {
    const store = this.options.store();
    if (!store) return;
    this.#abort?.abort();
    const abort = (this.#abort = new AbortController());
    const days = Math.min(730, Math.max(1, Math.round(this.options.days()) || 90));
    void store.client.usage.get({ days }, { signal: abort.signal }).then(
      (usage) => {
        this.#data = usage.data;
        this.#error = '';
        this.host.requestUpdate();
      },
      (error: unknown) => {
        if (abort.signal.aborted) return;
        this.#error = this.#i18n.messageOf(error);
        this.options.kit.emit(this.host, 'seat-error', { error: error as Error, action: 'usage.get' });
        this.host.requestUpdate();
      },
    );
    if (store.can('licenses:manage') && !this.#policy) {
      void store.client.reclaimPolicy.get({}, { signal: abort.signal }).then(
        (policy) => this.#setPolicy(policy),
        () => {},
      );
    }
  }

  #setPolicy(policy: ReclaimPolicy): void {
    this.#policy = policy;
    this.#enabled = policy.enabled;
    this.#daysText = String(policy.inactiveDays);
    this.#preview = policy.preview.length;
    this.host.requestUpdate();
  }

  /** The days typed, when valid (a whole number from 7 to 365). */
  #days(): number | null {
    const days = Number(this.#daysText);
    return /^\d+$/.test(this.#daysText.trim()) && days >= DAYS_MIN && days <= DAYS_MAX ? days : null;
  }

  #onDays(event: Event): void {
    this.#daysText = (event.target as HTMLInputElement).value;
    this.#saved = '';
    const days = this.#days();
    this.#daysError = days === null ? this.#i18n.t('reclaimDaysRange', DAYS_MIN, DAYS_MAX) : '';
    clearTimeout(this.#previewTimer);
    if (days !== null) {
      this.#previewTimer = setTimeout(() => {
        void this.options
          .store()
          ?.client.reclaimPolicy.get({ inactiveDays: days })
          .then((policy) => {
            if (this.#days() !== days) return;
            this.#preview = policy.preview.length;
            this.host.requestUpdate();
          })
          .catch(() => {});
      }, PREVIEW_DEBOUNCE_MS);
    }
    this.host.requestUpdate();
  }

  async #save(event: Event): Promise<void> {
    event.preventDefault();
    const store = this.options.store();
    const days = this.#days();
    if (!store || this.#saving) return;
    if (days === null) {
      this.#daysError = this.#i18n.t('reclaimDaysRange', DAYS_MIN, DAYS_MAX);
      this.host.requestUpdate();
      return;
    }
    this.#saving = true;
    this.#saved = '';
    this.host.requestUpdate();
    try {
      const policy = await store.client.reclaimPolicy.update({ enabled: this.#enabled, inactiveDays: days });
      this.#setPolicy(policy);
      this.#saved = this.#i18n.t('reclaimSaved');
      this.options.kit.emit(this.host, 'seat-reclaim-policy-changed', policy);
      // Turned on, it may have freed licenses at once: every element shows the new counts.
      store.usersRevision++;
      await store.load();
      this.reload();
    } catch (error) {
      this.#daysError = this.#i18n.messageOf(error);
      this.options.kit.emit(this.host, 'seat-error', { error: error as Error, action: 'reclaimPolicy.update' });
    } finally {
      this.#saving = false;
      this.host.requestUpdate();
    }
  }

  render() {
    const i18n = this.#i18n;
    const { html, nothing } = this.options.kit;
    const data = this.#data;
    const store = this.options.store();
    return html`<section part="base" class="base" aria-labelledby="usage-heading">
        <div class="head">
          <h2 id="usage-heading">${i18n.t('usageHeading')}</h2>
          <p>${i18n.t('usageDays', data?.length ?? this.options.days())}</p>
        </div>
        ${this.#error
          ? html`<p class="error" role="alert">${this.#error}</p>`
          : !data
            ? html`<p aria-busy="true">${i18n.t('loading')}</p>`
            : data.length === 0
              ? html`<p>${i18n.t('usageNoData')}</p>`
              : this.#chart(data)}
        ${store?.can('licenses:manage') && this.#policy ? this.#policyForm() : nothing}
      </section>`;
  }

  #chart(days: UsageDay[]) {
    const i18n = this.#i18n;
    const { html, svg } = this.options.kit;
    const { periods: shown, unit } = periods(days);
    const top = Math.max(1, ...shown.map((p) => Math.max(p.peak, p.quantity)));
    const max = Math.ceil(top * 1.1);
    const slot = W / shown.length;
    const y = (v: number) => H - (v / max) * H;
    const label = (p: Period) =>
      unit === 'month'
        ? new Intl.DateTimeFormat(i18n.lang, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(p.start))
        : unit === 'week'
          ? `${i18n.date(p.start)} – ${i18n.date(p.end)}`
          : i18n.date(p.start);
    const steps = `M0 ${y(shown[0]!.quantity)} ${shown.map((p, i) => `V${y(p.quantity)} H${(i + 1) * slot}`).join(' ')}`;
    const peak = Math.max(...shown.map((p) => p.peak));
    const name = i18n.t('usageChart', i18n.date(days[0]!.date), i18n.date(days.at(-1)!.date), peak, days.at(-1)!.quantity);
    // The axes' text repeats what the image's name and the table say: hidden from assistive technology.
    return html`<div class="plot">
        <div class="y" aria-hidden="true"><span>${i18n.number(max)}</span><span>0</span></div>
        <svg part="chart" role="img" aria-label=${name} viewBox="0 0 ${W} ${H}" preserveAspectRatio="none">
          <line class="grid" x1="0" x2=${W} y1="0.5" y2="0.5" vector-effect="non-scaling-stroke"></line>
          ${shown.map((p, i) => svg`<rect class="bar" x=${i * slot + slot * 0.15} width=${slot * 0.7} y=${y(p.peak)} height=${H - y(p.peak)}></rect>`)}
          <path class="quantity" d=${steps} vector-effect="non-scaling-stroke"></path>
        </svg>
        <div class="x" aria-hidden="true"><span>${label(shown[0]!)}</span><span>${label(shown.at(-1)!)}</span></div>
      </div>
      <ul class="legend">
        <li><span class="peak"></span>${i18n.t('usagePeak')}</li>
        <li><span class="total"></span>${i18n.t('usageTotal')}</li>
      </ul>
      <details>
        <summary>${i18n.t('usageTable')}</summary>
        <div class="periods">
          <table part="table">
            <thead>
              <tr>
                <th scope="col">${i18n.t('usageDate')}</th>
                <th scope="col">${i18n.t('usagePeak')}</th>
                <th scope="col">${i18n.t('usageInUse')}</th>
                <th scope="col">${i18n.t('usageTotal')}</th>
              </tr>
            </thead>
            <tbody>
              ${shown.map(
                (p) => html`<tr>
                  <th scope="row">${label(p)}</th>
                  <td>${i18n.number(p.peak)}</td>
                  <td>${i18n.number(p.inUse)}</td>
                  <td>${i18n.number(p.quantity)}</td>
                </tr>`,
              )}
            </tbody>
          </table>
        </div>
      </details>`;
  }

  #policyForm() {
    const i18n = this.#i18n;
    const { html, nothing } = this.options.kit;
    const error = this.#daysError;
    return html`<form part="policy" novalidate @submit=${(e: Event) => void this.#save(e)}>
      <h3>${i18n.t('reclaimHeading')}</h3>
      <div class="policy-row">
        <label class="check">
          <input
            id="reclaim-enabled"
            type="checkbox"
            .checked=${this.#enabled}
            @change=${(e: Event) => {
              this.#enabled = (e.target as HTMLInputElement).checked;
              this.#saved = '';
              this.host.requestUpdate();
            }}
          />
          ${i18n.t('reclaimEnabled')}
        </label>
        <div class="field">
          <label for="reclaim-days">${i18n.t('reclaimDays')}</label>
          <input
            id="reclaim-days"
            type="number"
            inputmode="numeric"
            min=${DAYS_MIN}
            max=${DAYS_MAX}
            .value=${this.#daysText}
            aria-invalid=${error ? 'true' : 'false'}
            aria-describedby=${error ? 'reclaim-days-error' : 'reclaim-preview'}
            @input=${(e: Event) => this.#onDays(e)}
          />
        </div>
        <button type="submit" class="primary" ?disabled=${this.#saving}>${i18n.t('reclaimSave')}</button>
      </div>
      ${error ? html`<p id="reclaim-days-error" class="field-error">${error}</p>` : nothing}
      <p id="reclaim-preview" class="preview" role="status">${this.#preview === null || error ? '' : i18n.t('reclaimPreview', this.#preview)}</p>
      <p class="success" role="status">${this.#saved}</p>
    </form>`;
  }
}
