import { expect, fixture, html } from '@open-wc/testing';
import type { PageBody, User } from '../../sdk/types.js';
import '../../widget/index.js';
import type { InviteForm } from '../../widget/invite-form/invite-form.js';
import type { SeatBanner } from '../../widget/seat-banner/seat-banner.js';
import type { SeatProvider } from '../../widget/seat-provider/seat-provider.js';
import type { SeatEventDetails } from '../../widget/common/events.js';
import { API_BASE, api, seed, textOf, until, type Seeded } from './helpers.js';

declare const describe: (name: string, fn: () => void) => void;
declare const it: (name: string, fn: () => Promise<void>) => void;

const q = <T extends Element = HTMLElement>(el: Element, selector: string) => el.shadowRoot!.querySelector(selector) as T;

async function mount(s: Seeded) {
  const provider = await fixture<SeatProvider>(html`
    <seat-provider base-url=${API_BASE} account-id=${s.accountId} token=${s.ownerToken}>
      <seat-banner></seat-banner>
      <invite-form></invite-form>
    </seat-provider>
  `);
  const banner = provider.querySelector('seat-banner') as SeatBanner;
  const form = provider.querySelector('invite-form') as InviteForm;
  await until(() => textOf(banner).includes('licenses in use') && !!q(form, 'form'));
  return { provider, banner, form };
}

async function emails(s: Seeded): Promise<string[]> {
  return (await api<PageBody<User>>('GET', `/v1/accounts/${s.accountId}/users?limit=200`, s.ownerToken)).data.map((u) => u.email).sort();
}

/** Opens *Invite several* and pastes `csv` into it. */
async function paste(form: InviteForm, csv: string): Promise<void> {
  if (!q(form, '#csv')) {
    q<HTMLButtonElement>(form, '#several').click();
    await until(() => !!q(form, '#csv'));
  }
  const area = q<HTMLTextAreaElement>(form, '#csv');
  area.value = csv;
  area.dispatchEvent(new Event('input'));
  q<HTMLButtonElement>(form, '#csv-check').click();
}

const previewRows = (form: InviteForm) => [...form.shadowRoot!.querySelectorAll('[part~="csv-preview"] tbody tr')].map((tr) => textOf(tr));

describe('<invite-form> Invite several', () => {
  it('previews a pasted CSV with each bad row named before anything is sent, offers to buy the shortfall, then invites in one batch', async () => {
    const s = await seed({ quantity: 5 });
    const { form, banner } = await mount(s);
    const before = await emails(s);
    const batches: string[] = [];
    const seen = (e: Event) => batches.push(e.type);
    form.addEventListener('seat-users-imported', seen);
    await paste(
      form,
      [
        'Email,First name,Last name,Role,Qualification',
        'edsger@acme.example,Edsger,Dijkstra,member,Professor',
        'not-an-email,Bad,Row,member,',
        'grace@acme.example,Grace,Hopper,admin,',
        'barbara@acme.example,Barbara,Liskov,admin,',
        'EDSGER@acme.example,Edsger,Again,member,',
        'donald@acme.example,Donald,Knuth,member,',
      ].join('\n'),
    );
    await until(() => previewRows(form).length === 6);
    const preview = previewRows(form);
    expect(preview[0]).to.match(/^2 Edsger Dijkstra edsger@acme\.example Ready$/);
    expect(preview[1]).to.contain('not-an-email').and.contain('Email: Enter a valid email address');
    expect(preview[2]).to.contain('grace@acme.example').and.match(/already/i);
    expect(preview[3]).to.contain('Ready');
    expect(preview[4]).to.contain('Same email as row 2');
    expect(preview[5]).to.contain('Ready');
    expect(textOf(form.shadowRoot)).to.contain('3 ready, 3 with a problem (not invited).').and.contain('Needs 3 licenses; 2 available.');
    // Nothing was sent: the account has the same users.
    expect(await emails(s)).to.deep.equal(before);
    const invite = q<HTMLButtonElement>(form, '#csv-invite');
    expect(textOf(invite)).to.equal('Invite 3 users');
    expect(invite.disabled, 'short of a license').to.equal(true);
    await expect(form).to.be.accessible();

    // The shortfall: the host's purchase flow is asked for the licenses missing.
    const asked: SeatEventDetails['seat-purchase-request'][] = [];
    form.addEventListener('seat-purchase-request', (e) => {
      asked.push(e.detail);
      e.preventDefault();
    });
    [...form.shadowRoot!.querySelectorAll('button')].find((b) => textOf(b) === 'Buy 1 license')!.click();
    expect(asked.map((a) => a.needed)).to.deep.equal([1]);

    // One row fewer fits: one atomic batch invites the two.
    await paste(form, ['email,firstName,lastName', 'edsger@acme.example,Edsger,Dijkstra', 'barbara@acme.example,Barbara,Liskov', 'bad,Bad,Row'].join('\n'));
    await until(() => previewRows(form).length === 3);
    expect(textOf(q(form, '#csv-invite'))).to.equal('Invite 2 users');
    await until(() => !q<HTMLButtonElement>(form, '#csv-invite').disabled);
    q<HTMLButtonElement>(form, '#csv-invite').click();
    await until(() => textOf(form.shadowRoot).includes('Invitations sent to 2 users.'));
    expect(batches).to.deep.equal(['seat-users-imported']);
    expect(await emails(s)).to.deep.equal([...before, 'barbara@acme.example', 'edsger@acme.example'].sort());
    await until(() => textOf(banner).includes('5 of 5 licenses in use'));
    await expect(form).to.be.accessible();
  });

  it('says what is wrong with the whole file: no email column, no rows', async () => {
    const s = await seed();
    const { form } = await mount(s);
    await paste(form, 'name,surname\nAda,Lovelace');
    await until(() => textOf(form.shadowRoot).includes('No email column'));
    await paste(form, 'email,firstName,lastName\n');
    await until(() => textOf(form.shadowRoot).includes('No rows found.'));
    expect(q(form, '[part~="csv-preview"]')).to.equal(null);
    // Back to one invitation at a time.
    q<HTMLButtonElement>(form, '#several').click();
    await until(() => !!q(form, 'form'));
  });
});
