import { expect, fixture, html } from '@open-wc/testing';
import type { ReclaimPolicy } from '../../sdk/types.js';
import '../../widget/index.js';
import type { SeatBanner } from '../../widget/seat-banner/seat-banner.js';
import type { SeatProvider } from '../../widget/seat-provider/seat-provider.js';
import type { SeatUsage } from '../../widget/seat-usage/seat-usage.js';
import { API_BASE, API_KEY, api, seed, textOf, until, type Seeded } from './helpers.js';

declare const describe: (name: string, fn: () => void) => void;
declare const it: (name: string, fn: () => Promise<void>) => void;

const q = <T extends Element = HTMLElement>(el: Element, selector: string) => el.shadowRoot!.querySelector(selector) as T;

async function mount(s: Seeded, token: string, theme = '') {
  const provider = await fixture<SeatProvider>(html`<seat-provider base-url=${API_BASE} account-id=${s.accountId} token=${token}>
    <seat-banner></seat-banner>
    <seat-usage days="60" theme=${theme || 'light'}></seat-usage>
  </seat-provider>`);
  const usage = provider.querySelector('seat-usage') as SeatUsage;
  const banner = provider.querySelector('seat-banner') as SeatBanner;
  await until(() => textOf(banner).includes('licenses in use'));
  return { provider, usage, banner };
}

/** An account 45 days on: one license bought on the way, Grace active lately, Alan not since day one. */
async function history(): Promise<Seeded> {
  const s = await seed({ quantity: 4 });
  await api('POST', `/v1/accounts/${s.accountId}/test-clock`, API_KEY, { advanceTo: '2026-06-01T00:00:00.000Z' });
  await s.addUser('edsger@acme.example', 'Edsger', 'Dijkstra');
  await api('POST', `/v1/accounts/${s.accountId}/test-clock`, API_KEY, { advanceTo: '2026-06-29T00:00:00.000Z' });
  await api('POST', `/v1/accounts/${s.accountId}/users/${s.admin.id}/activity`, API_KEY);
  return s;
}

describe('<seat-usage>', () => {
  it('draws licenses in use against the total as an image with a name, the same figures in a table, light and dark', async () => {
    const s = await history();
    for (const theme of ['light', 'dark']) {
      const { usage } = await mount(s, s.ownerToken, theme);
      await until(() => !!q(usage, 'svg'));
      const chart = q(usage, 'svg');
      expect(chart.getAttribute('role')).to.equal('img');
      expect(chart.getAttribute('aria-label')).to.match(/^Licenses in use from .+ to Jun 29, 2026: peak 4, 4 licenses now\.$/);
      // The text alternative: a row per week (46 days), its peak and the total.
      const rows = [...usage.shadowRoot!.querySelectorAll('[part~="table"] tbody tr')].map((tr) => textOf(tr));
      expect(rows.length).to.be.within(6, 9);
      expect(rows.at(-1)).to.match(/ 4 4 4$/);
      expect(rows[0]).to.match(/ 3 3 4$/);
      expect(q(usage, 'summary').textContent).to.equal('Usage as a table');
      // A bar per period, and the total drawn as a line across the plot.
      expect(usage.shadowRoot!.querySelectorAll('svg rect.bar').length).to.equal(rows.length);
      expect(q<SVGGraphicsElement>(usage, 'svg path.quantity').getBBox().width).to.be.greaterThan(900);
      q<HTMLDetailsElement>(usage, 'details').open = true;
      await expect(usage).to.be.accessible();
      // The bars use the theme's accent: light and dark differ.
      const fill = getComputedStyle(q(usage, 'rect.bar')).fill;
      expect(fill).to.equal(theme === 'light' ? 'rgb(11, 92, 213)' : 'rgb(110, 168, 254)');
    }
  });

  it("shows the owner the reclaim policy with how many licenses it would free now, previews other days, saves it", async () => {
    const s = await history();
    const { usage, banner } = await mount(s, s.ownerToken);
    await until(() => !!q(usage, '#reclaim-days'));
    const days = q<HTMLInputElement>(usage, '#reclaim-days');
    // Alan and Edsger have been idle 28+ days; Grace was active today.
    days.value = '20';
    days.dispatchEvent(new Event('input'));
    await until(() => textOf(q(usage, '#reclaim-preview')) === '2 licenses would be freed now.');
    days.value = '40';
    days.dispatchEvent(new Event('input'));
    await until(() => textOf(q(usage, '#reclaim-preview')) === '1 license would be freed now.');
    await expect(usage).to.be.accessible();
    // A bad number: said at the field, nothing sent.
    days.value = '3';
    days.dispatchEvent(new Event('input'));
    await until(() => textOf(q(usage, '#reclaim-days-error')) === 'Enter a whole number from 7 to 365.');
    expect(days.getAttribute('aria-invalid')).to.equal('true');
    const saved: ReclaimPolicy[] = [];
    usage.addEventListener('seat-reclaim-policy-changed', (e) => saved.push(e.detail));
    q<HTMLButtonElement>(usage, 'form button[type="submit"]').click();
    await new Promise((r) => setTimeout(r, 100));
    expect(saved).to.deep.equal([]);
    expect((await api<ReclaimPolicy>('GET', `/v1/accounts/${s.accountId}/reclaim-policy`, s.ownerToken)).enabled).to.equal(false);
    await expect(usage).to.be.accessible();

    days.value = '20';
    days.dispatchEvent(new Event('input'));
    q<HTMLInputElement>(usage, '#reclaim-enabled').click();
    q<HTMLButtonElement>(usage, 'form button[type="submit"]').click();
    await until(() => saved.length === 1);
    expect(saved[0]).to.include({ enabled: true, inactiveDays: 20 });
    // Turned on, it freed the two idle licenses at once: the banner shows it.
    await until(() => textOf(banner).includes('2 of 4 licenses in use'));
  });

  it('shows an admin the usage without the policy, and a member nothing', async () => {
    const s = await history();
    const admin = await mount(s, s.adminToken);
    await until(() => !!q(admin.usage, 'svg'));
    expect(q(admin.usage, '[part~="policy"]')).to.equal(null);
    const member = await mount(s, s.memberToken);
    await new Promise((r) => setTimeout(r, 200));
    expect(q(member.usage, 'section')).to.equal(null);
  });
});
