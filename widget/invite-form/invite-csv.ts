/**
 * *Invite several* of `<invite-form>` (loaded on first use, with its CSV parser): paste CSV or
 * choose a file, see each row's problem (checked here as the server checks fields, then by a dry
 * run of the batch on the server: who is already a user), the licenses needed against those free
 * (offering to buy the shortfall), then one atomic batch ("Invite 12 users"). Rows with a problem
 * are named and left out; nothing is sent before *Invite N users*.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import Papa from 'papaparse';
import type { SeatError } from '../../sdk/core/errors.js';
import type { AssignableRole, BatchItemResult, InviteBody, User } from '../../sdk/types.js';
import type { Localize } from '../common/i18n/localize.js';
import type { Kit } from '../common/kit.js';
import type { SeatStore } from '../common/store.js';

export { csvMessages } from './invite-csv.messages.js';

const STYLE = `textarea { font: inherit; font-family: ui-monospace, monospace; font-size: 0.875em; color: var(--_fg); background: var(--_bg); border: 1px solid var(--_border); border-radius: var(--_radius); padding: 0.4rem 0.6rem; width: 100%; } textarea:focus-visible { outline: none; box-shadow: var(--_focus); } .preview { max-height: 20rem; overflow: auto; margin-block: 0.75rem; } .preview table { width: 100%; border-collapse: collapse; font-size: 0.875em; } .preview th, .preview td { text-align: start; vertical-align: top; padding: 0.3rem 0.4rem; border-block-end: 1px solid var(--_border); } .preview thead th { white-space: nowrap; } .preview .name, .preview .email { display: block; } .preview .email { color: var(--_muted); } .preview td.ok { color: var(--_success); } .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(14rem, 100%), 1fr)); column-gap: 1rem; } .wide { grid-column: 1 / -1; } .notice { justify-content: space-between; } .notice .hint { flex-basis: 100%; }`;

/** A batch takes up to 1,000 operations. */
export const CSV_ROWS_MAX = 1000;

type Column = 'email' | 'firstName' | 'lastName' | 'role' | 'qualification';

/** Header names as people write them ("First name", "first_name", "E-mail"), folded. */
const HEADERS: Record<string, Column> = {
  email: 'email',
  emailaddress: 'email',
  mail: 'email',
  firstname: 'firstName',
  first: 'firstName',
  givenname: 'firstName',
  lastname: 'lastName',
  last: 'lastName',
  surname: 'lastName',
  familyname: 'lastName',
  role: 'role',
  qualification: 'qualification',
  title: 'qualification',
  jobtitle: 'qualification',
};

export interface CsvRow {
  /** The line in the file (the header is line 1). */
  line: number;
  body: InviteBody;
  /** What is wrong with it ('' when ready). */
  problem: string;
}

export interface CsvHostOptions {
  kit: Kit;
  store: () => SeatStore | undefined;
  i18n: Localize;
  /** The form's own message for a field's value (undefined when valid). */
  problem: (field: 'email' | 'firstName' | 'lastName' | 'qualification', value: string) => string | undefined;
  announce: (text: string) => void;
}

/** Parses CSV text into rows with their problems; a problem of the whole file is thrown as text. */
export function parseCsv(text: string, i18n: Localize, problemOf: CsvHostOptions['problem']): CsvRow[] {
  const parsed = Papa.parse<Record<string, string>>(text.trim(), {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: (header) => HEADERS[header.toLowerCase().replace(/[\s_-]/g, '')] ?? header,
  });
  const fields = parsed.meta.fields ?? [];
  for (const column of ['email', 'firstName', 'lastName'] as const) if (!fields.includes(column)) throw new Error(i18n.t('csvMissingColumn', column));
  if (parsed.data.length === 0) throw new Error(i18n.t('csvNoRows'));
  if (parsed.data.length > CSV_ROWS_MAX) throw new Error(i18n.t('csvTooMany', CSV_ROWS_MAX));
  const seen = new Map<string, number>();
  return parsed.data.map((record, index) => {
    const line = index + 2;
    const value = (column: Column) => (record[column] ?? '').trim();
    const role = value('role').toLowerCase() || 'member';
    const body: InviteBody = { email: value('email'), firstName: value('firstName'), lastName: value('lastName'), role: role as AssignableRole };
    if (value('qualification')) body.qualification = value('qualification');
    const fieldProblem = (['email', 'firstName', 'lastName', 'qualification'] as const)
      .map((field) => {
        const message = problemOf(field, value(field));
        return message && `${i18n.t(field)}: ${message}`;
      })
      .find(Boolean);
    const key = body.email.toLowerCase();
    const duplicate = seen.get(key);
    if (!duplicate && body.email) seen.set(key, line);
    const problem = fieldProblem || (role !== 'member' && role !== 'admin' ? i18n.t('csvBadRole') : duplicate ? i18n.t('csvDuplicate', duplicate) : '');
    return { line, body, problem };
  });
}

export class InviteCsv implements ReactiveController {
  #text = '';
  #rows: CsvRow[] | null = null;
  #error = '';
  #busy = false;
  #buyHint = '';

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement & { renderRoot: HTMLElement | DocumentFragment },
    private readonly options: CsvHostOptions,
  ) {
    host.addController(this);
    options.kit.addStyles(host, STYLE);
  }

  hostConnected(): void {}

  get #i18n() {
    return this.options.i18n;
  }

  #set(patch: () => void): void {
    patch();
    this.host.requestUpdate();
  }

  async #readFile(event: Event): Promise<void> {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (!file) return;
    this.#text = await file.text();
    this.host.requestUpdate();
    await this.#check();
  }

  /** Parses and checks: here first, then a dry run on the server (nothing changes there). */
  async #check(): Promise<void> {
    const store = this.options.store();
    if (!store || this.#busy) return;
    this.#set(() => {
      this.#rows = null;
      this.#error = '';
      this.#buyHint = '';
    });
    let rows: CsvRow[];
    try {
      rows = parseCsv(this.#text, this.#i18n, this.options.problem);
    } catch (error) {
      this.#set(() => (this.#error = (error as Error).message));
      return;
    }
    const ready = rows.filter((row) => !row.problem);
    if (ready.length > 0) {
      this.#set(() => (this.#busy = true));
      try {
        const result = await store.client.batch({ operations: ready.map((row) => ({ op: 'invite', ...row.body })), mode: 'partial', dryRun: true });
        this.#apply(ready, result.results);
      } catch (error) {
        this.#error = this.#i18n.messageOf(error);
      } finally {
        this.#busy = false;
      }
    }
    this.#set(() => (this.#rows = rows));
  }

  /** The server's word on each row; running out of licenses is the shortfall, not a row's problem. */
  #apply(rows: CsvRow[], results: BatchItemResult[]): void {
    for (const result of results) {
      const row = rows[result.index];
      if (row && !result.ok && result.code !== 'no_license_available') row.problem = result.detail ?? result.code ?? '';
    }
  }

  #ready(): CsvRow[] {
    return (this.#rows ?? []).filter((row) => !row.problem);
  }

  #shortfall(): number {
    return Math.max(0, this.#ready().length - (this.options.store()?.account?.licenses.available ?? 0));
  }

  #buy(): void {
    const store = this.options.store();
    if (!store) return;
    const needed = this.#shortfall();
    const asked = !this.options.kit.request(this.host, 'seat-purchase-request', { licenses: store.account?.licenses ?? null, needed }) || store.openPurchase(needed);
    this.#set(() => (this.#buyHint = asked ? '' : this.#i18n.t('buyWithManage')));
  }

  async #invite(): Promise<void> {
    const store = this.options.store();
    const ready = this.#ready();
    if (!store || this.#busy || ready.length === 0 || this.#shortfall() > 0) return;
    this.#set(() => {
      this.#busy = true;
      this.#error = '';
    });
    try {
      const result = await store.mutate((client) => client.batch({ operations: ready.map((row) => ({ op: 'invite', ...row.body })) }));
      const users = result.results.map((r) => r.user).filter((u): u is User => !!u);
      this.options.kit.emit(this.host, 'seat-users-imported', { users, licenses: result.licenses });
      this.options.announce(this.#i18n.t('csvInvited', users.length));
      this.#text = '';
      this.#rows = null;
    } catch (error) {
      // Something changed since the check (someone joined meanwhile): the rows say what.
      const problem = (error as Partial<SeatError>).code === 'batch_rejected' ? (error as SeatError).problem : undefined;
      if (problem?.results) this.#apply(ready, problem.results);
      else this.options.kit.emit(this.host, 'seat-error', { error: error as Error, action: 'batch' });
      this.#error = this.#i18n.messageOf(error);
    } finally {
      this.#set(() => (this.#busy = false));
    }
  }

  render() {
    const i18n = this.#i18n;
    const { html, nothing, noLicenseAdvice } = this.options.kit;
    const rows = this.#rows;
    const ready = this.#ready().length;
    const available = this.options.store()?.account?.licenses.available ?? 0;
    const shortfall = this.#shortfall();
    const canBuy = !!this.options.store()?.can('licenses:manage');
    return html`<div class="csv" part="csv">
      <div class="field">
        <label for="csv">${i18n.t('csvPaste')}</label>
        <textarea
          id="csv"
          rows="5"
          spellcheck="false"
          aria-describedby="csv-help"
          .value=${this.#text}
          @input=${(e: Event) => (this.#text = (e.target as HTMLTextAreaElement).value)}
        ></textarea>
        <p id="csv-help" class="hint">${i18n.t('csvHelp')}</p>
      </div>
      <div class="field">
        <label for="csv-file">${i18n.t('csvFile')}</label>
        <input id="csv-file" type="file" accept=".csv,text/csv" @change=${(e: Event) => void this.#readFile(e)} />
      </div>
      <div class="actions">
        <button type="button" id="csv-check" ?disabled=${this.#busy} @click=${() => void this.#check()}>${this.#busy && !rows ? i18n.t('csvChecking') : i18n.t('csvPreview')}</button>
      </div>
      ${this.#error ? html`<p class="error" role="alert">${this.#error}</p>` : nothing}
      ${rows
        ? html`<div class="preview">
            <table part="csv-preview">
              <caption class="visually-hidden">${i18n.t('csvHeading')}</caption>
              <thead>
                <tr>
                  <th scope="col">${i18n.t('csvRow')}</th>
                  <th scope="col">${i18n.t('columnName')}</th>
                  <th scope="col">${i18n.t('csvProblem')}</th>
                </tr>
              </thead>
              <tbody>
                ${rows.map(
                  (row) => html`<tr class=${row.problem ? 'bad' : ''}>
                    <td>${row.line}</td>
                    <td>
                      <span class="name">${`${row.body.firstName} ${row.body.lastName}`.trim()}</span>
                      <span class="email">${row.body.email}</span>
                    </td>
                    <td class=${row.problem ? 'error' : 'ok'}>${row.problem || i18n.t('csvReady')}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </div>
          <div role="status">
            <p>${i18n.t('csvSummary', ready, rows.length - ready)} ${i18n.t('csvLicenses', ready, available)}</p>
          </div>
          ${shortfall > 0
            ? html`<div class="notice" part="notice">
                <p>${i18n.t('csvShortfall', shortfall)}</p>
                ${canBuy ? html`<button type="button" class="primary" @click=${() => this.#buy()}>${i18n.t('csvBuy', shortfall)}</button>` : html`<p>${noLicenseAdvice(this.options.store()!, i18n)}</p>`}
                ${this.#buyHint ? html`<p class="hint">${this.#buyHint}</p>` : nothing}
              </div>`
            : nothing}
          <div class="actions">
            <button type="button" id="csv-invite" class="primary" ?disabled=${this.#busy || ready === 0 || shortfall > 0} @click=${() => void this.#invite()}>
              ${i18n.t('csvInvite', ready)}
            </button>
          </div>`
        : nothing}
    </div>`;
  }
}
