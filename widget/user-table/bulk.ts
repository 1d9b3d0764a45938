/**
 * Bulk work in `<user-table>` (loaded on first use: the table imports it when a row is first
 * selected): the bar of what the viewer may do to the selected users, one confirmation naming the
 * count ("Remove 12 team members"), and each row's outcome. Every action is one batch of the
 * server (`mode: 'partial'`: each user that can be changed is, in one commit; the others say why).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { BatchItemResult, BatchOperation, User, UserListParams } from '../../sdk/types.js';
import type { Localize } from '../common/i18n/localize.js';
import type { Kit } from '../common/kit.js';
import type { SeatStore } from '../common/store.js';

export { bulkMessages } from './bulk.messages.js';

export type BulkAction = 'unassign' | 'assign' | 'resend' | 'revoke';
const ACTIONS: readonly BulkAction[] = ['assign', 'resend', 'revoke', 'unassign'];
/** The server takes up to 1,000 operations a batch. */
const BATCH_MAX = 1000;
const STYLE = `.bulk-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1rem; margin-block-end: 0.75rem; padding: 0.5rem 0.75rem; border: 1px solid var(--_accent); border-radius: var(--_radius); background: var(--_bg-subtle); } .bulk-bar p { margin: 0; } .bulk-actions { display: flex; flex-wrap: wrap; gap: 0.5rem; margin-inline-start: auto; } button.danger-outline { color: var(--_danger); border-color: var(--_danger); } .outcomes { list-style: none; padding: 0; margin: 0.5rem 0 0; max-height: 16rem; overflow-y: auto; } .outcomes li { display: flex; gap: 0.5rem; padding-block: 0.2rem; } .outcomes .ok .mark { color: var(--_success); } .outcomes .failed .mark { color: var(--_danger); }`;
/** Names listed in the confirmation; the rest are counted. */
const NAMES_SHOWN = 8;

/** Whether `action` applies to `user` (the rules of the row's own actions). */
export function applies(action: BulkAction, user: User): boolean {
  if (action === 'assign') return user.status === 'disabled' && !user.invitationExpired;
  if (action === 'resend') return user.status === 'invited' || !!user.invitationExpired;
  if (action === 'revoke') return user.status === 'invited';
  return user.status === 'enabled' && user.role !== 'owner';
}

export interface BulkHostOptions {
  kit: Kit;
  store: () => SeatStore | undefined;
  i18n: Localize;
  /** The selected users, by id. */
  selected: () => Map<string, User>;
  /** The list's current filter (for *Select all N matching*). */
  params: () => UserListParams;
  /** Replaces the selection. */
  select: (users: Map<string, User>) => void;
  /** How many users match the filter, when more than the page shows (else 0). */
  matching: () => number;
  announce: (text: string) => void;
}

interface Outcome {
  user: User;
  ok: boolean;
  detail: string;
}

export class BulkActions implements ReactiveController {
  #action: BulkAction | null = null;
  #users: User[] = [];
  #busy = false;
  #outcomes: Outcome[] | null = null;
  #error = '';
  #selecting = false;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement & { renderRoot: HTMLElement | DocumentFragment },
    private readonly options: BulkHostOptions,
  ) {
    host.addController(this);
    options.kit.addStyles(host, STYLE);
  }

  hostConnected(): void {}

  get #i18n() {
    return this.options.i18n;
  }

  get #kit() {
    return this.options.kit;
  }

  get #dialog(): HTMLDialogElement | null {
    return this.host.renderRoot.querySelector('dialog.bulk');
  }

  get open(): boolean {
    return this.#dialog?.open ?? false;
  }

  #update(): void {
    this.host.requestUpdate();
  }

  /** Every user matching the filter, a page of 200 at a time. */
  async #selectAll(): Promise<void> {
    const store = this.options.store();
    if (!store || this.#selecting) return;
    this.#selecting = true;
    this.#error = '';
    this.#update();
    try {
      const { limit: _limit, cursor: _cursor, ...filter } = this.options.params();
      const all = new Map<string, User>();
      let page = await store.client.users.list({ ...filter, limit: 200 });
      for (;;) {
        for (const user of page.data) all.set(user.id, user);
        if (!page.hasNextPage()) break;
        page = await page.getNextPage();
      }
      this.options.select(all);
      this.options.announce(this.#i18n.t('bulkSelected', all.size));
    } catch (error) {
      this.#error = this.#i18n.messageOf(error);
    } finally {
      this.#selecting = false;
      this.#update();
    }
  }

  async #ask(action: BulkAction, trigger: HTMLElement): Promise<void> {
    const users = [...this.options.selected().values()].filter((user) => applies(action, user));
    if (users.length === 0) return;
    if (!this.#kit.request(this.host, 'seat-bulk-request', { action, users })) return;
    this.#action = action;
    this.#users = users;
    this.#outcomes = null;
    this.#error = '';
    this.#update();
    await this.host.updateComplete;
    this.#kit.openDialog(this.#dialog, trigger);
  }

  /** Escape or Cancel while the batch runs would hide it, not stop it: the dialog stays until it is done. */
  readonly #onCancel = (event: Event): void => {
    if (this.#busy) event.preventDefault();
  };

  async #confirm(): Promise<void> {
    const store = this.options.store();
    const action = this.#action;
    if (!store || !action || this.#busy) return;
    this.#busy = true;
    this.#error = '';
    this.#update();
    const outcomes: Outcome[] = [];
    try {
      for (let start = 0; start < this.#users.length; start += BATCH_MAX) {
        const users = this.#users.slice(start, start + BATCH_MAX);
        const operations = users.map((user): BatchOperation => ({ op: action, userId: user.id }));
        const result = await store.mutate((client) => client.batch({ operations, mode: 'partial' }));
        outcomes.push(...result.results.map((r: BatchItemResult) => ({ user: r.user ?? users[r.index]!, ok: r.ok, detail: r.ok ? '' : (r.detail ?? '') })));
        this.#kit.emit(this.host, 'seat-bulk-completed', { action, results: result.results, users, licenses: result.licenses });
      }
    } catch (error) {
      this.#error = this.#i18n.messageOf(error);
      this.#kit.emit(this.host, 'seat-error', { error: error as Error, action: 'batch' });
    } finally {
      this.#busy = false;
    }
    if (outcomes.length > 0) {
      this.#outcomes = outcomes;
      const done = outcomes.filter((o) => o.ok);
      // What was done leaves the selection; what failed stays selected, to try again.
      const selected = new Map(this.options.selected());
      for (const o of done) selected.delete(o.user.id);
      this.options.select(selected);
      this.options.announce(this.#i18n.t('bulkDone', done.length, outcomes.length - done.length));
    }
    this.#update();
    await this.host.updateComplete;
    this.#dialog?.querySelector<HTMLElement>('.actions button:last-child')?.focus();
  }

  #label(action: BulkAction, n: number): string {
    const i18n = this.#i18n;
    if (action === 'unassign') return i18n.t('bulkRemove', n);
    if (action === 'assign') return i18n.t('bulkAssign', n);
    if (action === 'resend') return i18n.t('bulkResend', n);
    return i18n.t('bulkRevoke', n);
  }

  /** The bar above the table while users are selected. */
  renderBar() {
    const i18n = this.#i18n;
    const { html, nothing } = this.#kit;
    const selected = [...this.options.selected().values()];
    if (selected.length === 0) return nothing;
    const matching = this.options.matching();
    const counts = ACTIONS.map((action) => [action, selected.filter((user) => applies(action, user)).length] as const).filter(([, n]) => n > 0);
    return html`<div part="bulk-bar" class="bulk-bar" role="region" aria-label=${i18n.t('bulkActions')}>
      <p><strong>${i18n.t('bulkSelected', selected.length)}</strong></p>
      ${matching > selected.length
        ? html`<button type="button" class="link" ?disabled=${this.#selecting} @click=${() => void this.#selectAll()}>
            ${this.#selecting ? i18n.t('loading') : i18n.t('bulkSelectAll', matching)}
          </button>`
        : nothing}
      <div class="bulk-actions">
        ${counts.map(
          ([action, n]) =>
            html`<button type="button" data-bulk=${action} class=${action === 'unassign' || action === 'revoke' ? 'danger-outline' : ''} @click=${(e: Event) => void this.#ask(action, e.currentTarget as HTMLElement)}>
              ${this.#label(action, n)}
            </button>`,
        )}
        ${counts.length === 0 ? html`<p class="hint">${i18n.t('bulkNothing')}</p>` : nothing}
        <button type="button" @click=${() => this.options.select(new Map())}>${i18n.t('bulkClear')}</button>
      </div>
      ${this.#error && !this.open ? html`<p class="error" role="alert">${this.#error}</p>` : nothing}
    </div>`;
  }

  /** The confirmation, and then each row's outcome. */
  renderDialog() {
    const i18n = this.#i18n;
    const { html, nothing, fullName, closeDialog } = this.#kit;
    const action = this.#action;
    const users = this.#users;
    const outcomes = this.#outcomes;
    const label = action ? this.#label(action, users.length) : '';
    const names = users.slice(0, NAMES_SHOWN).map((u) => fullName(u));
    const more = users.length - names.length;
    return html`<dialog class="bulk" part="dialog" aria-labelledby="bulk-heading" @cancel=${this.#onCancel} @close=${() => this.#update()}>
      ${action
        ? html`<h2 id="bulk-heading">${outcomes ? i18n.t('bulkResults') : label}</h2>
            ${outcomes
              ? html`<p role="status">${i18n.t('bulkDone', outcomes.filter((o) => o.ok).length, outcomes.filter((o) => !o.ok).length)}</p>
                  <ul class="outcomes">
                    ${outcomes.map(
                      (o) => html`<li class=${o.ok ? 'ok' : 'failed'}>
                        <span class="mark" aria-hidden="true">${o.ok ? '✓' : '✕'}</span>
                        <span>${fullName(o.user)}: ${o.ok ? i18n.t('bulkOk') : o.detail}</span>
                      </li>`,
                    )}
                  </ul>`
              : html`<p>${i18n.t(action === 'unassign' ? 'bulkRemoveBody' : action === 'revoke' ? 'bulkRevokeBody' : action === 'assign' ? 'bulkAssignBody' : 'bulkResendBody')}</p>
                  <p>${i18n.list(more > 0 ? [...names, i18n.t('bulkMore', more)] : names)}</p>`}
            ${this.#busy ? html`<p role="status">${i18n.t('bulkWorking')}</p>` : nothing}
            ${this.#error ? html`<p class="error" role="alert">${this.#error}</p>` : nothing}
            <div class="actions">
              ${outcomes
                ? html`<button type="button" class="primary" @click=${() => closeDialog(this.#dialog)}>${i18n.t('close')}</button>`
                : html`<button type="button" ?disabled=${this.#busy} @click=${() => closeDialog(this.#dialog)}>${i18n.t('cancel')}</button>
                    <button
                      type="button"
                      part="confirm-button"
                      class=${action === 'unassign' || action === 'revoke' ? 'danger' : 'primary'}
                      ?disabled=${this.#busy}
                      @click=${() => void this.#confirm()}
                    >
                      ${label}
                    </button>`}
            </div>`
        : nothing}
    </dialog>`;
  }
}
