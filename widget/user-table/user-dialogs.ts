/**
 * The dialogs of `<user-table>` (a reactive controller rendering one native `<dialog>` into the
 * table's shadow root): confirm removal, revocation and ownership transfer; choose the receiver of
 * a reassigned license; edit a user's details (If-Match, with the 412 path); a user's history.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { SeatError } from '../../sdk/core/errors.js';
import { checkName, checkQualification, LIMITS, type TextProblem } from '../../sdk/limits.js';
import type { AssignableRole, AuditEvent, UpdateUserBody, User } from '../../sdk/types.js';
import { closeDialog, openDialog } from '../shared/dialog.js';
import { emit, request } from '../shared/events.js';
import type { Localize } from '../shared/i18n/localize.js';
import type { SeatStore } from '../shared/store.js';
import { fullName } from './users.js';

export type DialogKind = 'remove' | 'owner' | 'revoke' | 'reassign' | 'edit' | 'history';

type Field = 'firstName' | 'lastName' | 'role' | 'qualification';
interface EditForm {
  firstName: string;
  lastName: string;
  role: AssignableRole;
  qualification: string;
}

export interface DialogHostOptions {
  store: () => SeatStore | undefined;
  i18n: Localize;
  /** A change was made for this user: announce it (the host keeps focus near the user's row). */
  changed: (userId: string, announcement: string) => void;
  /** The dialog closed (after focus went back to its trigger). */
  closed: () => void;
  /** The name of a user the host knows (for the history's "by …"), if any. */
  nameOf: (userId: string) => string | undefined;
}

export class UserDialogs implements ReactiveController {
  kind: DialogKind | null = null;
  user: User | null = null;
  busy = false;
  error = '';
  // reassign
  receivers: User[] | null = null;
  receiverId = '';
  // edit
  form: EditForm = { firstName: '', lastName: '', role: 'member', qualification: '' };
  version = 0;
  fieldErrors: Partial<Record<Field, string>> = {};
  // history
  events: AuditEvent[] | null = null;

  #abort: AbortController | undefined;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement & { renderRoot: HTMLElement | DocumentFragment },
    private readonly options: DialogHostOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.#abort?.abort();
  }

  get #dialog(): HTMLDialogElement | null {
    return this.host.renderRoot.querySelector('dialog');
  }

  get open(): boolean {
    return this.#dialog?.open ?? false;
  }

  get #t() {
    return this.options.i18n;
  }

  /** Opens a dialog for `user`; focus returns to `trigger` when it closes. */
  async show(kind: DialogKind, user: User, trigger: HTMLElement): Promise<void> {
    this.#abort?.abort();
    const abort = (this.#abort = new AbortController());
    this.kind = kind;
    this.user = user;
    this.busy = false;
    this.error = '';
    this.fieldErrors = {};
    this.receivers = null;
    this.receiverId = '';
    this.events = null;
    if (kind === 'edit') this.#fill(user);
    this.host.requestUpdate();
    await this.host.updateComplete;
    openDialog(this.#dialog, trigger);
    const store = this.options.store();
    if (!store) return;
    try {
      if (kind === 'reassign') {
        const page = await store.client.users.list({ status: 'disabled', sort: 'name', limit: LIMITS.pageSizeMax }, { signal: abort.signal });
        this.receivers = page.data;
        this.receiverId = page.data[0]?.id ?? '';
      } else if (kind === 'history') {
        this.events = (await store.client.users.history(user.id, { limit: 100 }, { signal: abort.signal })).data;
      }
    } catch (error) {
      if (abort.signal.aborted) return;
      this.error = (error as SeatError).detail ?? this.#t.t('somethingWentWrong', '');
    }
    this.host.requestUpdate();
  }

  close(): void {
    closeDialog(this.#dialog);
  }

  readonly #onClose = (): void => {
    this.#abort?.abort();
    this.kind = null;
    this.busy = false;
    this.host.requestUpdate();
    this.options.closed();
  };

  #fill(user: User): void {
    this.form = {
      firstName: user.firstName,
      lastName: user.lastName,
      role: user.role === 'admin' ? 'admin' : 'member',
      qualification: user.qualification,
    };
    this.version = user.version;
  }

  /** Runs a confirmed change; a failure stays in the dialog (and is emitted as `seat-error`). */
  async #run(action: string, change: (store: SeatStore, user: User) => Promise<string | null>): Promise<void> {
    const store = this.options.store();
    const user = this.user;
    if (!store || !user || this.busy) return;
    // Busy before anything awaits: a double click changes once.
    this.busy = true;
    this.error = '';
    this.host.requestUpdate();
    try {
      const announcement = await change(store, user);
      if (announcement !== null) this.options.changed(user.id, announcement);
      this.close();
    } catch (error) {
      const seatError = error as SeatError;
      emit(this.host, 'seat-error', { error: seatError, action });
      if (seatError.code === 'precondition_failed' && this.kind === 'edit') {
        await this.#reloadAfterConflict(store, user);
      } else {
        this.#applyFieldErrors(seatError);
        this.error = seatError.detail ?? this.#t.t('somethingWentWrong', '');
      }
    } finally {
      this.busy = false;
      this.host.requestUpdate();
    }
  }

  async #reloadAfterConflict(store: SeatStore, user: User): Promise<void> {
    this.error = this.#t.t('editConflict');
    try {
      const fresh = await store.client.users.get(user.id);
      this.user = fresh;
      this.#fill(fresh);
    } catch (error) {
      this.error = (error as SeatError).detail ?? this.#t.t('somethingWentWrong', '');
    }
  }

  #applyFieldErrors(error: SeatError): void {
    const fields: Field[] = ['firstName', 'lastName', 'role', 'qualification'];
    for (const field of fields) if (error.errors?.[field]) this.fieldErrors = { ...this.fieldErrors, [field]: error.errors[field] };
  }

  #confirmRemove = () =>
    this.#run('licenses.unassign', async (store, user) => {
      const result = await store.mutate((client) => client.licenses.unassign(user.id));
      emit(this.host, 'seat-license-unassigned', result);
      return this.#t.t('unassigned', fullName(user));
    });

  #confirmRevoke = () =>
    this.#run('invitations.revoke', async (store, user) => {
      const result = await store.mutate((client) => client.invitations.revoke(user.id));
      emit(this.host, 'seat-invitation-revoked', result);
      return this.#t.t('revoked', fullName(user));
    });

  #confirmOwner = () =>
    this.#run('account.transferOwnership', async (store, user) => {
      const result = await store.mutate((client) => client.account.transferOwnership(user.id));
      emit(this.host, 'seat-owner-changed', result);
      // The viewer was the owner: every session of theirs has just ended.
      store.expire('owner_transferred');
      return null;
    });

  #confirmReassign = () => {
    const to = this.receivers?.find((u) => u.id === this.receiverId);
    const from = this.user;
    if (!to || !from) return;
    if (!request(this.host, 'seat-reassign-request', { from, to })) {
      this.close();
      return;
    }
    void this.#run('licenses.reassign', async (store) => {
      const result = await store.mutate((client) => client.licenses.reassign(from.id, to.id));
      emit(this.host, 'seat-license-reassigned', result);
      return this.#t.t('reassigned', fullName(from), fullName(to));
    });
  };

  #problem(problem: TextProblem | null, max: number): string | undefined {
    if (problem === 'required') return this.#t.t('required');
    if (problem === 'too_long') return this.#t.t('tooLong', max);
    if (problem === 'forbidden_characters') return this.#t.t('forbiddenCharacters');
    if (problem === 'no_letter') return this.#t.t('noLetter');
    return undefined;
  }

  #validate(): boolean {
    const errors: Partial<Record<Field, string>> = {};
    const first = this.#problem(checkName(this.form.firstName), LIMITS.nameMax);
    const last = this.#problem(checkName(this.form.lastName), LIMITS.nameMax);
    const qualification = this.#problem(checkQualification(this.form.qualification), LIMITS.qualificationMax);
    if (first) errors.firstName = first;
    if (last) errors.lastName = last;
    if (qualification) errors.qualification = qualification;
    this.fieldErrors = errors;
    return Object.keys(errors).length === 0;
  }

  #save = (event: Event) => {
    event.preventDefault();
    const user = this.user;
    if (!user || this.busy) return;
    if (!this.#validate()) {
      this.host.requestUpdate();
      void this.host.updateComplete.then(() => this.host.renderRoot.querySelector<HTMLElement>('dialog [aria-invalid="true"]')?.focus());
      return;
    }
    const patch: UpdateUserBody = {};
    if (this.form.firstName !== user.firstName) patch.firstName = this.form.firstName;
    if (this.form.lastName !== user.lastName) patch.lastName = this.form.lastName;
    if (this.form.qualification !== user.qualification) patch.qualification = this.form.qualification;
    if (user.role !== 'owner' && this.form.role !== user.role) patch.role = this.form.role;
    if (Object.keys(patch).length === 0) {
      this.close();
      return;
    }
    const ifMatch = `"${this.version}"`;
    void this.#run('users.update', async (store) => {
      const result = await store.mutate((client) => client.users.update(user.id, patch, { ifMatch }));
      emit(this.host, 'seat-user-updated', result);
      return this.#t.t('userUpdated', fullName(result.user));
    });
  };

  #input(field: Field) {
    return (event: Event) => {
      this.form = { ...this.form, [field]: (event.target as HTMLInputElement | HTMLSelectElement).value };
      if (this.fieldErrors[field]) this.fieldErrors = { ...this.fieldErrors, [field]: undefined };
      this.host.requestUpdate();
    };
  }

  render() {
    return html`<dialog part="dialog" aria-labelledby="dialog-heading" @close=${this.#onClose}>${this.kind && this.user ? this.#content(this.kind, this.user) : nothing}</dialog>`;
  }

  #content(kind: DialogKind, user: User) {
    const t = this.#t;
    const name = fullName(user);
    const errorMessage = this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing;
    const confirm = (label: string, onClick: () => void, danger = false, disabled = false) => html`<div class="actions">
      <button type="button" @click=${() => this.close()}>${t.t('cancel')}</button>
      <button type="button" part="confirm-button" class=${danger ? 'danger' : 'primary'} ?disabled=${this.busy || disabled} @click=${onClick}>${label}</button>
    </div>`;
    switch (kind) {
      case 'remove':
        return html`<h2 id="dialog-heading">${t.t('removeHeading')}</h2>
          <p>${t.t('removeBody', name)}</p>
          ${errorMessage} ${confirm(t.t('removeConfirm'), this.#confirmRemove, true)}`;
      case 'revoke':
        return html`<h2 id="dialog-heading">${t.t('revokeHeading')}</h2>
          <p>${t.t('revokeBody', name)}</p>
          ${errorMessage} ${confirm(t.t('revokeConfirm'), this.#confirmRevoke, true)}`;
      case 'owner':
        return html`<h2 id="dialog-heading">${t.t('ownerHeading')}</h2>
          <p>${t.t('ownerBody', name)}</p>
          ${errorMessage} ${confirm(t.t('ownerConfirm'), this.#confirmOwner)}`;
      case 'reassign':
        return this.#reassign(user, errorMessage, confirm);
      case 'edit':
        return this.#edit(user, errorMessage);
      case 'history':
        return this.#history(user, errorMessage);
    }
  }

  #reassign(user: User, errorMessage: unknown, confirm: (label: string, onClick: () => void, danger?: boolean, disabled?: boolean) => unknown) {
    const t = this.#t;
    const receivers = this.receivers;
    return html`<h2 id="dialog-heading">${t.t('reassignHeading')}</h2>
      <p id="reassign-body">${t.t('reassignBody', fullName(user))}</p>
      ${receivers === null && !this.error
        ? html`<p>${t.t('loading')}</p>`
        : receivers && receivers.length === 0
          ? html`<p>${t.t('noReceivers')}</p>`
          : receivers
            ? html`<div class="field">
                <label for="receiver">${t.t('reassignTo')}</label>
                <select id="receiver" aria-describedby="reassign-body" @change=${(e: Event) => (this.receiverId = (e.target as HTMLSelectElement).value)}>
                  ${receivers.map((r) => html`<option value=${r.id} ?selected=${r.id === this.receiverId}>${t.t('receiverOption', fullName(r), r.email)}</option>`)}
                </select>
              </div>`
            : nothing}
      ${errorMessage} ${confirm(t.t('reassignConfirm'), this.#confirmReassign, false, !this.receiverId)}`;
  }

  #edit(user: User, errorMessage: unknown) {
    const t = this.#t;
    const e = this.fieldErrors;
    const text = (field: 'firstName' | 'lastName' | 'qualification', id: string, label: string, max: number, hint?: string) => html`<div class="field">
      <label for=${id}>${label}</label>
      <input
        id=${id}
        type="text"
        maxlength=${max}
        autocomplete="off"
        .value=${this.form[field]}
        aria-invalid=${e[field] ? 'true' : 'false'}
        aria-describedby=${e[field] ? `${id}-error` : hint ? `${id}-hint` : nothing}
        @input=${this.#input(field)}
      />
      ${hint ? html`<p class="hint" id=${`${id}-hint`}>${hint}</p>` : nothing}
      ${e[field] ? html`<p class="field-error" id=${`${id}-error`}>${e[field]}</p>` : nothing}
    </div>`;
    return html`<h2 id="dialog-heading">${t.t('editHeading')}</h2>
      <p class="hint">${user.email}</p>
      <form novalidate @submit=${this.#save}>
        ${text('firstName', 'edit-first-name', t.t('firstName'), LIMITS.nameMax)} ${text('lastName', 'edit-last-name', t.t('lastName'), LIMITS.nameMax)}
        ${user.role === 'owner'
          ? nothing
          : html`<div class="field">
              <label for="edit-role">${t.t('role')}</label>
              <select id="edit-role" @change=${this.#input('role')}>
                <option value="member" ?selected=${this.form.role === 'member'}>${t.t('roleMember')}</option>
                <option value="admin" ?selected=${this.form.role === 'admin'}>${t.t('roleAdmin')}</option>
              </select>
            </div>`}
        ${text('qualification', 'edit-qualification', t.t('qualification'), LIMITS.qualificationMax, t.t('qualificationHint'))} ${errorMessage}
        <div class="actions">
          <button type="button" @click=${() => this.close()}>${t.t('cancel')}</button>
          <button type="submit" part="confirm-button" class="primary" ?disabled=${this.busy}>${t.t('save')}</button>
        </div>
      </form>`;
  }

  #actor(event: AuditEvent, user: User): string {
    const t = this.#t;
    const actor = event.actor;
    if (actor.type === 'system') return t.t('actorSystem');
    if (actor.type === 'api_key') return t.t('actorApiKey');
    if (actor.userId === this.options.store()?.account?.viewer?.userId) return t.t('actorYou');
    if (actor.userId === user.id) return fullName(user);
    return this.options.nameOf(actor.userId) ?? '';
  }

  #history(user: User, errorMessage: unknown) {
    const t = this.#t;
    const format = new Intl.DateTimeFormat(t.lang, { dateStyle: 'medium', timeStyle: 'short' });
    const events = this.events;
    return html`<h2 id="dialog-heading">${t.t('historyHeading', fullName(user))}</h2>
      ${errorMessage}
      ${events === null && !this.error
        ? html`<p>${t.t('loading')}</p>`
        : events && events.length === 0
          ? html`<p>${t.t('noHistory')}</p>`
          : events
            ? html`<ol>
                ${events.map(
                  (event) => html`<li>
                    <span class="event">${t.t('historyEntry', t.t('historyAction', event.action), this.#actor(event, user))}</span>
                    <time datetime=${event.createdAt}>${format.format(new Date(event.createdAt))}</time>
                  </li>`,
                )}
              </ol>`
            : nothing}
      <div class="actions">
        <button type="button" class="primary" @click=${() => this.close()}>${t.t('close')}</button>
      </div>`;
  }
}
