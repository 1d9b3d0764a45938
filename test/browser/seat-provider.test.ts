import { expect, fixture, html } from '@open-wc/testing';
import '../../widget/index.js';
import type { SeatProvider } from '../../widget/seat-provider/seat-provider.js';
import { API_BASE, seed, textOf, until } from './helpers.js';

declare const describe: (name: string, fn: () => void) => void;
declare const it: (name: string, fn: () => Promise<void>) => void;

/** The provider with all three elements, as a host page puts them. */
function page(accountId: string, token: string) {
  return fixture<SeatProvider>(html`<seat-provider base-url=${API_BASE} account-id=${accountId} token=${token}>
    <seat-banner></seat-banner>
    <invite-form></invite-form>
    <user-table></user-table>
  </seat-provider>`);
}

/** Each element's text, in page order. */
const texts = (provider: SeatProvider) => [...provider.querySelectorAll('seat-banner, invite-form, user-table')].map((el) => textOf(el));

describe('<seat-provider>', () => {
  it('says "Loading…" once for all its elements, then each shows its part', async () => {
    const s = await seed({ quantity: 5 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const original = window.fetch;
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      await gate;
      return original.call(window, input, init);
    };
    try {
      const provider = await page(s.accountId, s.ownerToken);
      await until(() => texts(provider)[0] === 'Loading…');
      expect(texts(provider)).to.deep.equal(['Loading…', '', '']);
      await expect(provider).to.be.accessible();
      release();
      await until(() => texts(provider).every((text) => text !== '' && text !== 'Loading…'));
    } finally {
      window.fetch = original;
      release();
    }
  });

  it('says once, in one style, that the session ended', async () => {
    const s = await seed({ quantity: 5 });
    const provider = await page(s.accountId, 'not-a-session-token');
    const expired: unknown[] = [];
    provider.addEventListener('seat-session-expired', (event) => expired.push(event.detail));
    await until(() => texts(provider)[0]!.includes('session has ended'));
    expect(texts(provider)).to.deep.equal(['Your session has ended. Sign in again to continue.', '', '']);
    expect(expired).to.deep.equal([{ reason: 'unauthorized' }]);
    await expect(provider).to.be.accessible();
  });

  it('lets the first element in the page say it, whichever element that is', async () => {
    const s = await seed({ quantity: 5 });
    const provider = await fixture<SeatProvider>(html`<seat-provider base-url=${API_BASE} account-id=${s.accountId} token="nope">
      <user-table></user-table>
      <seat-banner></seat-banner>
    </seat-provider>`);
    await until(() => texts(provider).some((text) => text.includes('session has ended')));
    expect(texts(provider)).to.deep.equal(['Your session has ended. Sign in again to continue.', '']);
  });
});
