import { expect, fixture, html } from '@open-wc/testing';
import '../../widget/index.js';
import type { SeatBanner } from '../../widget/seat-banner/seat-banner.js';
import { API_BASE, seed, textOf, until } from './helpers.js';

declare const describe: (name: string, fn: () => void) => void;
declare const it: (name: string, fn: () => Promise<void>) => void;

const surfaceOf = (el: SeatBanner) => getComputedStyle(el.shadowRoot!.querySelector('[part~="base"]')!).backgroundColor;

describe('theming', () => {
  it('draws light and dark surfaces, follows a host token, and a ::part rule reaches inside', async () => {
    const s = await seed();
    const banner = (theme: string) =>
      fixture<SeatBanner>(html`<seat-banner theme=${theme} base-url=${API_BASE} account-id=${s.accountId} token=${s.ownerToken}></seat-banner>`);
    const light = await banner('light');
    const dark = await banner('dark');
    await until(() => textOf(light).includes('licenses in use') && textOf(dark).includes('licenses in use'));
    expect(surfaceOf(light)).to.equal('rgb(255, 255, 255)');
    expect(surfaceOf(dark)).to.equal('rgb(22, 24, 28)');
    await expect(dark).to.be.accessible();

    const style = document.createElement('style');
    style.textContent = `seat-banner.branded { --seat-color-surface: rgb(1, 2, 3); } seat-banner.branded::part(summary) { text-transform: uppercase; }`;
    document.head.append(style);
    try {
      light.classList.add('branded');
      expect(surfaceOf(light)).to.equal('rgb(1, 2, 3)');
      expect(getComputedStyle(light.shadowRoot!.querySelector('[part~="summary"]')!).textTransform).to.equal('uppercase');
    } finally {
      style.remove();
    }
  });
});
