import { expect, fixture, html } from '@open-wc/testing';
import '../../widget/index.js';
import type { SeatBanner } from '../../widget/seat-banner/seat-banner.js';
import { API_BASE, seed, textOf, until } from './helpers.js';

declare const describe: (name: string, fn: () => void) => void;
declare const it: (name: string, fn: () => Promise<void>) => void;

describe('<seat-banner>', () => {
  it('shows "N of M licenses in use" with the counts, from the real API', async () => {
    const s = await seed({ quantity: 5 });
    const el = await fixture<SeatBanner>(html`<seat-banner base-url=${API_BASE} account-id=${s.accountId} token=${s.ownerToken}></seat-banner>`);
    await until(() => textOf(el).includes('licenses in use'));
    expect(textOf(el)).to.contain('3 of 5 licenses in use');
    expect(textOf(el)).to.contain('3 active');
    expect(textOf(el)).to.contain('2 available');
    await expect(el).to.be.accessible();
  });

  it('quotes an increase with the amount due now', async () => {
    const s = await seed({ quantity: 5 });
    const el = await fixture<SeatBanner>(html`<seat-banner base-url=${API_BASE} account-id=${s.accountId} token=${s.ownerToken}></seat-banner>`);
    await until(() => !!el.shadowRoot!.querySelector('[part~="manage-button"]'));
    (el.shadowRoot!.querySelector('[part~="manage-button"]') as HTMLButtonElement).click();
    const input = el.shadowRoot!.querySelector('#quantity') as HTMLInputElement;
    input.value = '7';
    input.dispatchEvent(new Event('input'));
    await until(() => textOf(el.shadowRoot!.querySelector('#quote')).includes('Amount due now'));
    expect(textOf(el.shadowRoot!.querySelector('#quote'))).to.contain('$8.00');
    await expect(el).to.be.accessible();
  });
});
