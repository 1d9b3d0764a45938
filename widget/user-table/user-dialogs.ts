/**
 * The dialogs of `<user-table>` (a reactive controller rendering one native `<dialog>` into the
 * table's shadow root): confirm removal, revocation and ownership transfer; confirm an assign that
 * a scheduled reduction would undo; choose the receiver of a reassigned license (searched on the
 * server); edit a user's details (If-Match, with the 412 path); a user's history, page by page.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { SeatError } from '../../sdk/core/errors.js';
import type { Page } from '../../sdk/core/pagination.js';
import type { TextProblem } from '../../sdk/limits.js';
import type { AssignableRole, AuditEvent, Role, UpdateUserBody, User } from '../../sdk/types.js';
import type { Localize } from '../common/i18n/localize.js';
import type { Kit } from '../common/kit.js';
import type { SeatStore } from '../common/store.js';

export { dialogMessages } from './user-dialogs.messages.js';

/** Everything a row offers; each but assign and resend (which run at once, unless warned) has a dialog. */
export type Action = 'edit' | 'assign' | 'resend' | 'reassign' | 'revoke' | 'history' | 'owner' | 'unassign';

// The elements' own helpers, handed over by the table when it loads this module (see kit.ts).
let html: Kit['html'];
let nothing: Kit['nothing'];
let emit: Kit['emit'];
let request: Kit['request'];
let openDialog: Kit['openDialog'];
let closeDialog: Kit['closeDialog'];
let fullName: Kit['fullName'];
let checkName: Kit['checkName'];
let checkQualification: Kit['checkQualification'];
let LIMITS: Kit['LIMITS'];

/** The dialogs' own styles (added to the table's shadow root when they load). */
const STYLE = `dialog ol { list-style: none; margin: 0.75rem 0 0; padding: 0; } dialog li { padding-block: 0.4rem; border-block-end: 1px solid var(--_border); } .receivers { border: none; margin: 0; padding: 0; } .receivers legend { font-weight: 600; margin-block-end: 0.25rem; } label.receiver { display: flex; gap: 0.5rem; align-items: baseline; font-weight: 400; padding-block: 0.25rem; } label.receiver .email { display: inline; } dialog li time { display: block; color: var(--_muted); font-size: 0.875em; } dialog p { margin-block: 0.5rem; }`;

const SEARCH_DEBOUNCE_MS = 250;
/** Receivers shown at a time: a search finds anyone else. */
const RECEIVERS_SHOWN = 20;
const HISTORY_PAGE = 20;

type Field = 'firstName' | 'lastName' | 'role' | 'qualification';
interface EditForm {
  firstName: string;
  lastName: string;
  role: AssignableRole;
  qualification: string;
}

interface DialogState {
  kind: Action | null;
  user: User | null;
  busy: boolean;
  error: string;
  /** assign, resend: what a scheduled reduction will do to this license. */
  warning: string;
  // reassign
  receivers: Page<User> | null;
  receiverId: string;
  receiverQuery: string;
  // edit
  form: EditForm;
  version: number;
  fieldErrors: Partial<Record<Field, string>>;
  // history: the events shown, and the page to continue from
  events: AuditEvent[] | null;
  history: Page<AuditEvent> | null;
}

const FRESH: Omit<DialogState, 'kind' | 'user'> = {
  busy: false,
  error: '',
  warning: '',
  receivers: null,
  receiverId: '',
  receiverQuery: '',
  form: { firstName: '', lastName: '', role: 'member', qualification: '' },
  version: 0,
  fieldErrors: {},
  events: null,
  history: null,
};

export interface DialogHostOptions {
  kit: Kit;
  store: () => SeatStore | undefined;
  i18n: Localize;
  /** A change was made for this user: announce it (the host keeps focus near the user's row). */
  changed: (userId: string, announcement: string) => void;
  /** The dialog closed (after focus went back to its trigger). */
  closed: () => void;
}

export class UserDialogs implements ReactiveController {
  #state: DialogState = { kind: null, user: null, ...FRESH };
  #abort: AbortController | undefined;
  #searchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement & { renderRoot: HTMLElement | DocumentFragment },
    private readonly options: DialogHostOptions,
  ) {
    host.addController(this);
    ({ html, nothing, emit, request, openDialog, closeDialog, fullName, checkName, checkQualification, LIMITS } = options.kit);
    options.kit.addStyles(host, STYLE);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.#abort?.abort();
    clearTimeout(this.#searchTimer);
  }

  get #dialog(): HTMLDialogElement | null {
    return this.host.renderRoot.querySelector('dialog');
  }

  /** Shown since `show`, until its `close` event (a task after closing) gave focus back to the trigger. */
  #shown = false;

  /**
   * Whether the dialog is shown or its close is still under way: focus moved elsewhere before the
   * `close` event would be taken back to the trigger by it.
   */
  get open(): boolean {
    return this.#shown;
  }

  get #i18n() {
    return this.options.i18n;
  }

  /** Every change of what the dialog shows goes through here: one place asks the host to render. */
  #set(patch: Partial<DialogState>): void {
    this.#state = { ...this.#state, ...patch };
    this.host.requestUpdate();
  }

  /** Opens the dialog of `kind` for `user`; focus returns to `trigger` when it closes. */
  async show(kind: Action, user: User, trigger: HTMLElement, warning = ''): Promise<void> {
    this.#abort?.abort();
    this.#set({ kind, user, ...FRESH, warning, ...(kind === 'edit' && this.#filled(user)) });
    await this.host.updateComplete;
    openDialog(this.#dialog, trigger);
    this.#shown = this.#dialog?.open ?? false;
    if (kind === 'reassign') void this.#findReceivers('');
    if (kind === 'history') void this.#moreHistory();
  }

  close(): void {
    closeDialog(this.#dialog);
  }

  /** Assigns or resends at once (nothing is lost by it): emits the outcome and answers what to announce. */
  async direct(kind: 'assign' | 'resend', user: User): Promise<string> {
    const store = this.options.store()!;
    if (kind === 'assign') {
      emit(this.host, 'seat-license-assigned', await store.mutate((client) => client.licenses.assign(user.id)));
      return this.#i18n.t('assigned', fullName(user));
    }
    emit(this.host, 'seat-invitation-resent', await store.mutate((client) => client.invitations.resend(user.id)));
    return this.#i18n.t('resent', user.email);
  }

  readonly #onClose = (): void => {
    // `close` fires a task after closing: a dialog opened again meanwhile keeps its new content.
    if (this.#dialog?.open) return;
    this.#shown = false;
    this.#abort?.abort();
    clearTimeout(this.#searchTimer);
    this.#set({ kind: null, busy: false });
    this.options.closed();
  };

  /** A new load (a search, the first history page) replaces any still running. */
  #load<T>(run: (store: SeatStore, signal: AbortSignal) => Promise<T>, apply: (result: T) => Partial<DialogState>): Promise<void> {
    const store = this.options.store();
    if (!store) return Promise.resolve();
    this.#abort?.abort();
    const abort = (this.#abort = new AbortController());
    return run(store, abort.signal).then(
      (result) => {
        if (!abort.signal.aborted) this.#set({ ...apply(result), error: '' });
      },
      (error: unknown) => {
        if (!abort.signal.aborted) this.#set({ error: this.#i18n.messageOf(error) });
      },
    );
  }

  // ---- reassign: the receiver, searched on the server among the users without a license ----

  #findReceivers(q: string): Promise<void> {
    return this.#load(
      (store, signal) => store.client.users.list({ ...(q && { q }), status: 'disabled', sort: 'name', limit: RECEIVERS_SHOWN }, { signal }),
      (page) => ({ receivers: page, receiverId: page.data.some((u) => u.id === this.#state.receiverId) ? this.#state.receiverId : '' }),
    );
  }

  #onReceiverSearch = (event: Event): void => {
    const q = (event.target as HTMLInputElement).value.trim();
    this.#set({ receiverQuery: q });
    clearTimeout(this.#searchTimer);
    this.#searchTimer = setTimeout(() => void this.#findReceivers(q), SEARCH_DEBOUNCE_MS);
  };

  // ---- history, a page at a time ----

  async #moreHistory(): Promise<void> {
    const { user, history, events } = this.#state;
    await this.#load(
      (store, signal) => store.client.users.history(user!.id, { limit: HISTORY_PAGE, ...(history?.nextCursor && { cursor: history.nextCursor }) }, { signal }),
      (page) => {
        // Entries name the other people involved (who acted, who received a license).
        void this.options.store()?.loadNames(page.data.flatMap((e) => [...e.userIds, ...(e.actor.type === 'user' ? [e.actor.userId] : [])]));
        return { history: page, events: [...(events ?? []), ...page.data] };
      },
    );
    // The last page: *Show more* (which had focus) is gone, so focus goes to *Close*.
    if (history && !this.#state.history?.hasNextPage()) {
      await this.host.updateComplete;
      this.#dialog?.querySelector<HTMLElement>('.actions .primary')?.focus();
    }
  }

  // ---- edit ----

  #filled(user: User): Pick<DialogState, 'form' | 'version'> {
    return {
      form: { firstName: user.firstName, lastName: user.lastName, role: user.role === 'admin' ? 'admin' : 'member', qualification: user.qualification },
      version: user.version,
    };
  }

  /** Runs a confirmed change; a failure stays in the dialog (and is emitted as `seat-error`). */
  async #run(action: string, change: (store: SeatStore, user: User) => Promise<string | null>): Promise<void> {
    const store = this.options.store();
    const user = this.#state.user;
    if (!store || !user || this.#state.busy) return;
    // Busy before anything awaits: a double click changes once.
    this.#set({ busy: true, error: '' });
    try {
      const announcement = await change(store, user);
      if (announcement !== null) this.options.changed(user.id, announcement);
      this.close();
    } catch (error) {
      emit(this.host, 'seat-error', { error: error as Error, action });
      if ((error as Partial<SeatError>).code === 'precondition_failed' && this.#state.kind === 'edit') {
        await this.#reloadAfterConflict(store, user);
      } else {
        const fields = (error as Partial<SeatError>).errors ?? {};
        this.#set({
          error: this.#i18n.messageOf(error),
          fieldErrors: Object.fromEntries(Object.entries(fields).filter(([key]) => key in this.#state.form)),
        });
      }
    } finally {
      this.#set({ busy: false });
    }
  }

  async #reloadAfterConflict(store: SeatStore, user: User): Promise<void> {
    try {
      const fresh = await store.client.users.get(user.id);
      this.#set({ user: fresh, ...this.#filled(fresh), error: this.#i18n.t('editConflict') });
    } catch (error) {
      this.#set({ error: this.#i18n.messageOf(error) });
    }
  }

  #confirm = (): void => {
    const { kind, user } = this.#state;
    const i18n = this.#i18n;
    if (kind === 'unassign') {
      void this.#run('licenses.unassign', async (store, user) => {
        emit(this.host, 'seat-license-unassigned', await store.mutate((client) => client.licenses.unassign(user.id)));
        return i18n.t('unassigned', fullName(user));
      });
    } else if (kind === 'revoke') {
      void this.#run('invitations.revoke', async (store, user) => {
        emit(this.host, 'seat-invitation-revoked', await store.mutate((client) => client.invitations.revoke(user.id)));
        return i18n.t('revoked', fullName(user));
      });
    } else if (kind === 'assign' || kind === 'resend') {
      void this.#run(kind === 'assign' ? 'licenses.assign' : 'invitations.resend', (_store, user) => this.direct(kind, user));
    } else if (kind === 'owner') {
      void this.#run('account.transferOwnership', async (store, user) => {
        emit(this.host, 'seat-owner-changed', await store.mutate((client) => client.account.transferOwnership(user.id)));
        // The viewer was the owner: every session of theirs has just ended.
        store.expire('owner_transferred');
        return null;
      });
    } else if (kind === 'reassign') {
      const to = this.#state.receivers?.data.find((u) => u.id === this.#state.receiverId);
      if (!to || !user) return;
      if (!request(this.host, 'seat-reassign-request', { from: user, to })) {
        this.close();
        return;
      }
      void this.#run('licenses.reassign', async (store) => {
        emit(this.host, 'seat-license-reassigned', await store.mutate((client) => client.licenses.reassign(user.id, to.id)));
        return i18n.t('reassigned', fullName(user), fullName(to));
      });
    }
  };

  #problem(problem: TextProblem | null, max: number): string | undefined {
    if (problem === 'required') return this.#i18n.t('required');
    if (problem === 'too_long') return this.#i18n.t('tooLong', max);
    if (problem === 'forbidden_characters') return this.#i18n.t('forbiddenCharacters');
    if (problem === 'no_letter') return this.#i18n.t('noLetter');
    return undefined;
  }

  #save = (event: Event): void => {
    event.preventDefault();
    const { user, form, busy, version } = this.#state;
    if (!user || busy) return;
    const errors = Object.fromEntries(
      Object.entries({
        firstName: this.#problem(checkName(form.firstName), LIMITS.nameMax),
        lastName: this.#problem(checkName(form.lastName), LIMITS.nameMax),
        qualification: this.#problem(checkQualification(form.qualification), LIMITS.qualificationMax),
      }).filter(([, message]) => message),
    );
    if (Object.keys(errors).length > 0) {
      this.#set({ fieldErrors: errors });
      void this.host.updateComplete.then(() => this.host.renderRoot.querySelector<HTMLElement>('dialog [aria-invalid="true"]')?.focus());
      return;
    }
    const patch: UpdateUserBody = {};
    if (form.firstName !== user.firstName) patch.firstName = form.firstName;
    if (form.lastName !== user.lastName) patch.lastName = form.lastName;
    if (form.qualification !== user.qualification) patch.qualification = form.qualification;
    if (user.role !== 'owner' && form.role !== user.role) patch.role = form.role;
    if (Object.keys(patch).length === 0) {
      this.close();
      return;
    }
    void this.#run('users.update', async (store) => {
      const result = await store.mutate((client) => client.users.update(user.id, patch, { ifMatch: `"${version}"` }));
      emit(this.host, 'seat-user-updated', result);
      return this.#i18n.t('userUpdated', fullName(result.user));
    });
  };

  #input(field: Field) {
    return (event: Event) =>
      this.#set({
        form: { ...this.#state.form, [field]: (event.target as HTMLInputElement | HTMLSelectElement).value },
        fieldErrors: { ...this.#state.fieldErrors, [field]: undefined },
      });
  }

  // ---- rendering ----

  render() {
    const { kind, user } = this.#state;
    return html`<dialog part="dialog" aria-labelledby="dialog-heading" @close=${this.#onClose}>${kind && user ? this.#content(kind, user) : nothing}</dialog>`;
  }

  #buttons(label: string, danger = false, disabled = false) {
    return html`<div class="actions">
      <button type="button" @click=${() => this.close()}>${this.#i18n.t('cancel')}</button>
      <button type="button" part="confirm-button" class=${danger ? 'danger' : 'primary'} ?disabled=${this.#state.busy || disabled} @click=${this.#confirm}>
        ${label}
      </button>
    </div>`;
  }

  #content(kind: Action, user: User) {
    const i18n = this.#i18n;
    const name = fullName(user);
    const error = this.#state.error ? html`<p class="error" role="alert">${this.#state.error}</p>` : nothing;
    const confirmation = (heading: string, body: string, label: string, danger = false) =>
      html`<h2 id="dialog-heading">${heading}</h2>
        <p>${body}</p>
        ${error} ${this.#buttons(label, danger)}`;
    switch (kind) {
      case 'unassign':
        return confirmation(i18n.t('removeHeading'), i18n.t('removeBody', name), i18n.t('removeConfirm'), true);
      case 'revoke':
        return confirmation(i18n.t('revokeHeading'), i18n.t('revokeBody', name), i18n.t('revokeConfirm'), true);
      case 'owner':
        return confirmation(i18n.t('ownerHeading'), i18n.t('ownerBody', name), i18n.t('ownerConfirm'));
      case 'assign':
        return confirmation(i18n.t('assign', name), this.#state.warning, i18n.t('assignShort'));
      case 'resend':
        return confirmation(i18n.t('resend', name), this.#state.warning, i18n.t('resendInvitation'));
      case 'reassign':
        return this.#reassign(user, error);
      case 'edit':
        return this.#edit(user, error);
      case 'history':
        return this.#history(user, error);
    }
  }

  #reassign(user: User, error: unknown) {
    const i18n = this.#i18n;
    const { receivers, receiverId, receiverQuery } = this.#state;
    const shown = receivers?.data ?? [];
    return html`<h2 id="dialog-heading">${i18n.t('reassignHeading')}</h2>
      <p id="reassign-body">${i18n.t('reassignBody', fullName(user))}</p>
      <div class="field">
        <label for="receiver-search">${i18n.t('findReceiver')}</label>
        <input
          id="receiver-search"
          type="search"
          autocomplete="off"
          maxlength=${LIMITS.searchMax}
          aria-describedby="receivers-count"
          @input=${this.#onReceiverSearch}
        />
      </div>
      ${shown.length > 0
        ? html`<fieldset class="receivers">
            <legend>${i18n.t('reassignTo')}</legend>
            ${shown.map(
              (r) => html`<label class="receiver">
                <input type="radio" name="receiver" .checked=${r.id === receiverId} @change=${() => this.#set({ receiverId: r.id })} />
                <span>${fullName(r)} <span class="email">${r.email}</span></span>
              </label>`,
            )}
          </fieldset>`
        : nothing}
      <p id="receivers-count" class="hint" role="status">
        ${!receivers
          ? this.#state.error
            ? ''
            : i18n.t('loading')
          : shown.length === 0
            ? i18n.t(receiverQuery ? 'noReceiverMatches' : 'noReceivers')
            : receivers.total > shown.length
              ? i18n.t('receiversMore', shown.length, receivers.total)
              : ''}
      </p>
      ${error} ${this.#buttons(i18n.t('reassignConfirm'), false, !receiverId)}`;
  }

  #edit(user: User, error: unknown) {
    const i18n = this.#i18n;
    const { form, fieldErrors: e, busy } = this.#state;
    const text = (field: 'firstName' | 'lastName' | 'qualification', id: string, label: string, max: number, hint?: string) => html`<div class="field">
      <label for=${id}>${label}</label>
      <input
        id=${id}
        type="text"
        maxlength=${max}
        autocomplete="off"
        .value=${form[field]}
        aria-invalid=${e[field] ? 'true' : 'false'}
        aria-describedby=${e[field] ? `${id}-error` : hint ? `${id}-hint` : nothing}
        @input=${this.#input(field)}
      />
      ${hint ? html`<p class="hint" id=${`${id}-hint`}>${hint}</p>` : nothing}
      ${e[field] ? html`<p class="field-error" id=${`${id}-error`}>${e[field]}</p>` : nothing}
    </div>`;
    return html`<h2 id="dialog-heading">${i18n.t('editHeading')}</h2>
      <p class="hint">${user.email}</p>
      <form novalidate @submit=${this.#save}>
        ${text('firstName', 'edit-first-name', i18n.t('firstName'), LIMITS.nameMax)} ${text('lastName', 'edit-last-name', i18n.t('lastName'), LIMITS.nameMax)}
        ${user.role === 'owner'
          ? nothing
          : html`<div class="field">
              <label for="edit-role">${i18n.t('role')}</label>
              <select id="edit-role" @change=${this.#input('role')}>
                <option value="member" ?selected=${form.role === 'member'}>${i18n.t('roleMember')}</option>
                <option value="admin" ?selected=${form.role === 'admin'}>${i18n.t('roleAdmin')}</option>
              </select>
            </div>`}
        ${text('qualification', 'edit-qualification', i18n.t('qualification'), LIMITS.qualificationMax, i18n.t('qualificationHint'))} ${error}
        <div class="actions">
          <button type="button" @click=${() => this.close()}>${i18n.t('cancel')}</button>
          <button type="submit" part="confirm-button" class="primary" ?disabled=${busy}>${i18n.t('save')}</button>
        </div>
      </form>`;
  }

  /** One history entry: what happened (to whom, what changed) and who did it, or that it happened by itself. */
  #entry(event: AuditEvent, user: User): string {
    const i18n = this.#i18n;
    const store = this.options.store();
    const name = (id: string | undefined) => (id === user.id ? fullName(user) : (store?.names.get(id!) ?? '…'));
    const [first, second] = event.userIds;
    const other = first === user.id ? second : first;
    let what = i18n.t('historyAction', event.action);
    if (event.action === 'license.reassigned') what = first === user.id ? i18n.t('reassignedTo', name(other)) : i18n.t('reassignedFrom', name(other));
    if (event.action === 'owner.transferred') what = first === user.id ? i18n.t('ownerTo', name(other)) : i18n.t('ownerFrom', name(other));
    if (event.action === 'user.updated') {
      const before = event.before ?? {};
      const value = (key: string, v: unknown) => (key === 'role' ? i18n.role(v as Role) : String(v));
      const changes = Object.entries(event.after ?? {})
        .filter(([key]) => key in FRESH.form)
        .map(([key, after]) => i18n.t('fieldChange', i18n.t(key as Field), value(key, before[key]), value(key, after)));
      what = i18n.t('detailsChanged', i18n.list(changes));
    }
    const actor = event.actor;
    if (actor.type === 'system') return i18n.t('historyAutomatic', what);
    const who = actor.type === 'api_key' ? i18n.t('actorApiKey') : actor.userId === store?.account?.viewer?.userId ? i18n.t('actorYou') : name(actor.userId);
    return i18n.t('historyEntry', what, who);
  }

  #history(user: User, error: unknown) {
    const i18n = this.#i18n;
    const format = new Intl.DateTimeFormat(i18n.lang, { dateStyle: 'medium', timeStyle: 'short' });
    const { events, history } = this.#state;
    return html`<h2 id="dialog-heading">${i18n.t('historyHeading', fullName(user))}</h2>
      ${events === null
        ? this.#state.error
          ? nothing
          : html`<p>${i18n.t('loading')}</p>`
        : events.length === 0
          ? html`<p>${i18n.t('noHistory')}</p>`
          : html`<ol>
              ${events.map(
                (event) => html`<li>
                  <span class="event">${this.#entry(event, user)}</span>
                  <time datetime=${event.createdAt}>${format.format(new Date(event.createdAt))}</time>
                </li>`,
              )}
            </ol>`}
      ${error}
      ${events && history ? html`<p class="hint" role="status">${i18n.t('historyShown', events.length, history.total)}</p>` : nothing}
      <div class="actions">
        ${history?.hasNextPage() ? html`<button type="button" @click=${() => void this.#moreHistory()}>${i18n.t('showMore')}</button>` : nothing}
        <button type="button" class="primary" @click=${() => this.close()}>${i18n.t('close')}</button>
      </div>`;
  }
}
