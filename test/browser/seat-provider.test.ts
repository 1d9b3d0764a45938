import { expect, fixture, html } from '@open-wc/testing';
import '../../widget/index.js';
import type { SeatProvider } from '../../widget/seat-provider/seat-provider.js';
import type { CreateAccountResult, SessionResult } from '../../sdk/types.js';
import { API_BASE, API_KEY, api, seed, textOf, until } from './helpers.js';

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
  it('gives each element the store of the nearest provider, and follows a change of account or a move to another provider', async () => {
    const five = await seed({ quantity: 5 });
    // More accounts on the same server (seed starts a new one): the owner alone holds a license.
    const another = async (quantity: number) => {
      const { account, owner } = await api<CreateAccountResult>('POST', '/v1/accounts', API_KEY, {
        name: `Account of ${quantity}`,
        licenses: { quantity, unitPrice: 400, currency: 'USD', interval: 'month' },
        owner: { email: `owner${quantity}@acme.example`, firstName: 'Olive', lastName: 'Owner' },
      });
      return { accountId: account.id, token: (await api<SessionResult>('POST', `/v1/accounts/${account.id}/sessions`, API_KEY, { userId: owner.id })).token };
    };
    const [seven, nine] = [await another(7), await another(9)];
    const root = await fixture<HTMLDivElement>(html`<div>
      <seat-provider id="outer" base-url=${API_BASE} account-id=${five.accountId} token=${five.ownerToken}>
        <seat-banner id="a"></seat-banner>
        <seat-banner id="b"></seat-banner>
        <seat-provider id="inner" base-url=${API_BASE} account-id=${nine.accountId} token=${nine.token}>
          <seat-banner id="c"></seat-banner>
        </seat-provider>
      </seat-provider>
      <seat-provider id="other" base-url=${API_BASE} account-id=${nine.accountId} token=${nine.token}></seat-provider>
    </div>`);
    const el = (id: string) => root.querySelector<HTMLElement>(`#${id}`)!;
    /** The total the banner shows ("3 of 5 licenses in use": 5). */
    const shows = (id: string) => / of (\d+) licenses in use/.exec(textOf(el(id)))?.[1];
    await until(() => shows('a') === '5' && shows('b') === '5' && shows('c') === '9');

    // Moved into another provider: its account, and no longer the old provider's.
    el('other').append(el('a'));
    await until(() => shows('a') === '9');
    const outer = el('outer') as SeatProvider;
    outer.accountId = seven.accountId;
    outer.token = seven.token;
    await until(() => shows('b') === '7');
    expect(shows('a')).to.equal('9');
    expect(shows('c')).to.equal('9', 'the nearest provider answers');
  });

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
