import { expect, fixture, html } from '@open-wc/testing';
import '../../widget/index.js';
import '../../widget/locales/de.js';
import type { SeatBanner } from '../../widget/seat-banner/seat-banner.js';
import { API_BASE, seed, textOf, until } from './helpers.js';

declare const describe: (name: string, fn: () => void) => void;
declare const it: (name: string, fn: () => Promise<void>) => void;

describe('message catalogue', () => {
  it('speaks German with locale="de", with German money and dates, and takes single-message overrides', async () => {
    const s = await seed({ quantity: 5, currency: 'EUR' });
    const el = await fixture<SeatBanner>(html`
      <seat-provider base-url=${API_BASE} account-id=${s.accountId} token=${s.ownerToken} locale="de">
        <seat-banner></seat-banner>
      </seat-provider>
    `);
    const banner = el.querySelector('seat-banner')!;
    await until(() => textOf(banner).includes('in Nutzung'));
    expect(textOf(banner)).to.contain('3 von 5 Lizenzen in Nutzung');
    (banner.shadowRoot!.querySelector('[part~="manage-button"]') as HTMLButtonElement).click();
    // The dialog loads on first use, and speaks German too.
    await until(() => !!banner.shadowRoot!.querySelector('dialog[open] #quantity'));
    expect(textOf(banner.shadowRoot!.querySelector('#manage-heading'))).to.equal('Lizenzen verwalten');
    const input = banner.shadowRoot!.querySelector('#quantity') as HTMLInputElement;
    input.value = '6';
    input.dispatchEvent(new Event('input'));
    await until(() => textOf(banner.shadowRoot!.querySelector('#quote')).includes('Jetzt fällig'));
    expect(textOf(banner.shadowRoot!.querySelector('#quote'))).to.match(/Jetzt fällig: 4,00\s€/);
    expect(textOf(banner.shadowRoot!.querySelector('[part~="confirm-button"]'))).to.match(/^4,00\s€ bezahlen$/);
    banner.messages = { manageLicenses: 'Plätze verwalten' };
    await banner.updateComplete;
    expect(textOf(banner.shadowRoot!.querySelector('[part~="manage-button"]'))).to.equal('Plätze verwalten');
  });
});
