import { html, type TemplateResult } from 'lit';
import type { Localize } from './i18n/localize.js';
import type { SeatStore } from './store.js';

/**
 * What an element shows before it can show the account: the session ended, loading failed (with
 * *Try again*), or loading. Undefined once the account is there.
 */
export function accountState(store: SeatStore, i18n: Localize): TemplateResult | undefined {
  if (store.sessionExpired) return html`<div part="base" class="base"><p class="error">${i18n.t('sessionExpired')}</p></div>`;
  if (store.account) return undefined;
  if (store.status === 'error') {
    return html`<div part="base" class="base" role="alert">
      <p class="error">${i18n.t('loadFailed')}</p>
      <button @click=${() => void store.load()}>${i18n.t('retry')}</button>
    </div>`;
  }
  return html`<div part="base" class="base" aria-busy="true"><p>${i18n.t('loading')}</p></div>`;
}
