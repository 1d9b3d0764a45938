import { html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { SeatError } from '../../sdk/core/errors.js';
import { checkEmail, checkName, checkQualification, LIMITS, type TextProblem } from '../../sdk/limits.js';
import type { AssignableRole, InviteBody, User } from '../../sdk/types.js';
import { emit } from '../common/events.js';
import { accountState, buyLicense, noLicenseAdvice, reductionWarning } from '../common/account-state.js';
import { addEnglish } from '../common/i18n/localize.js';
import { kit } from '../common/kit.js';
import { fullName } from '../common/names.js';
import { SeatElement } from '../common/seat-element.js';
import { controls, tokens } from '../common/styles.js';
import type { InviteCsv } from './invite-csv.js';
import { styles } from './invite-form.styles.js';

type Field = 'email' | 'firstName' | 'lastName' | 'role' | 'qualification';
type Values = Record<Field, string>;

/** In the order of the form: the first invalid one gets the focus. */
const FIELDS: readonly Field[] = ['email', 'firstName', 'lastName', 'role', 'qualification'];
const EMPTY: Values = { email: '', firstName: '', lastName: '', role: 'member', qualification: '' };

/** Element ids of the fields (shadow-root scoped). */
const ID: Record<Field, string> = { email: 'email', firstName: 'first-name', lastName: 'last-name', role: 'role', qualification: 'qualification' };

/**
 * @summary Invites a new user (which takes a license): email, names, role and qualification,
 * checked like the server checks them, with messages at the fields. When no license is free it
 * says so and offers to buy one.
 *
 * @event seat-user-invited - After an invitation was sent (`detail`: user, licenses).
 * @event seat-license-assigned - After a license was assigned to an existing user instead (`detail`: user, licenses).
 * @event seat-purchase-request - Cancelable, on *Buy a license* (`detail`: licenses, needed). Cancel it to run your own purchase flow; otherwise a `<seat-banner>` of the same provider opens its dialog.
 * @event seat-users-imported - After *Invite several* sent its invitations, one atomic batch (`detail`: users, licenses).
 * @event seat-error - An invitation or assignment failed for another reason than the fields (`detail`: error, action).
 *
 * @csspart base - The form's box.
 * @csspart form - The `<form>`.
 * @csspart field - Each field: label, control and message.
 * @csspart input - The inputs and the role select.
 * @csspart submit-button - The *Invite new user* button.
 * @csspart csv - *Invite several*: the CSV field, file picker and preview.
 * @csspart csv-preview - The table of the CSV's rows, each with its problem or "Ready".
 * @csspart notice - The "no license is free" notice with *Buy a license* (when no `<seat-banner>` shares the provider), or the reason *Invite new user* is disabled, or the warning that a scheduled reduction will undo an invitation.
 *
 * @cssproperty --seat-color-accent - Buttons, links and focus.
 * @cssproperty --seat-color-surface - Background.
 * @cssproperty --seat-color-text - Text.
 * @cssproperty --seat-color-border - Borders of the box and the inputs.
 * @cssproperty --seat-color-danger - Invalid fields and their messages.
 * @cssproperty --seat-color-success - The "Invitation sent" message.
 * @cssproperty --seat-color-warning-surface - Background of the no-license notice.
 * @cssproperty --seat-radius - Corner radius.
 * @cssproperty --seat-font-family - Font.
 */
@customElement('invite-form')
export class InviteForm extends SeatElement {
  static override styles = [tokens, controls, styles];

  @state() private values: Values = { ...EMPTY };
  @state() private errors: Partial<Record<Field, string>> = {};
  @state() private sending = false;
  /** `user_exists`: the existing user, offered a license instead. */
  @state() private existingUserId = '';
  @state() private announcement = '';
  @state() private alert = '';
  @state() private buyHint = '';
  /** *Invite several* (CSV) is shown instead of the single form. */
  @state() private several = false;
  /** The CSV import, loaded on first use. */
  #csv: InviteCsv | undefined;
  #csvLoading: Promise<void> | undefined;
  /** Fields typed in since they were last checked: only those are checked on blur (a server's message stays until its field is edited). */
  #edited = new Set<Field>();

  /** Resets the fields, their messages and the last outcome. */
  reset(): void {
    this.values = { ...EMPTY };
    this.errors = {};
    this.#edited.clear();
    this.existingUserId = '';
    this.alert = '';
  }

  #problem(field: Field, value: string): string | undefined {
    const problem: TextProblem | null =
      field === 'email' ? checkEmail(value) : field === 'qualification' ? checkQualification(value) : field === 'role' ? null : checkName(value);
    switch (problem) {
      case null:
        return undefined;
      case 'required':
        return this.i18n.t('required');
      case 'forbidden_characters':
        return this.i18n.t('forbiddenCharacters');
      case 'no_letter':
        return this.i18n.t('noLetter');
      case 'invalid_email':
        return this.i18n.t('invalidEmail');
      case 'too_long':
        if (field !== 'email') return this.i18n.t('tooLong', field === 'qualification' ? LIMITS.qualificationMax : LIMITS.nameMax);
        return value.length > LIMITS.emailMax ? this.i18n.t('tooLong', LIMITS.emailMax) : this.i18n.t('emailLocalTooLong', LIMITS.emailLocalMax);
    }
  }

  /** What is sent: surrounding spaces are dropped (pasted addresses carry them; the server would refuse them). */
  #clean(field: Field, value: string): string {
    return field === 'role' ? value : value.trim();
  }

  #onInput(field: Field, event: Event): void {
    const value = (event.target as HTMLInputElement | HTMLSelectElement).value;
    this.values = { ...this.values, [field]: value };
    if (field === 'email') this.existingUserId = '';
    this.#edited.add(field);
    // A field with a message is checked again as it is fixed; others wait for blur or submit.
    if (this.errors[field] !== undefined) this.#check(field);
  }

  #onBlur(field: Field): void {
    if (this.#edited.has(field) && (this.values[field] !== '' || this.errors[field] !== undefined)) this.#check(field);
  }

  #check(field: Field): void {
    this.#edited.delete(field);
    this.errors = { ...this.errors, [field]: this.#problem(field, this.#clean(field, this.values[field])) };
  }

  #focusField(field: Field): void {
    this.renderRoot.querySelector<HTMLElement>(`#${ID[field]}`)?.focus();
  }

  async #focusFirstInvalid(): Promise<void> {
    await this.updateComplete;
    const first = FIELDS.find((f) => this.errors[f] !== undefined);
    if (first) this.#focusField(first);
  }

  async #submit(event: Event): Promise<void> {
    event.preventDefault();
    const store = this.store;
    // The flag is set before anything awaits: a double submit invites once.
    if (!store || this.sending || this.#noLicense()) return;
    this.announcement = '';
    this.alert = '';
    this.existingUserId = '';
    const clean = Object.fromEntries(FIELDS.map((f) => [f, this.#clean(f, this.values[f])])) as Values;
    const errors = Object.fromEntries(FIELDS.map((f) => [f, this.#problem(f, clean[f])]).filter(([, m]) => m !== undefined));
    this.errors = errors;
    this.#edited.clear();
    if (Object.keys(errors).length > 0) {
      this.alert = this.i18n.t('fixErrors');
      await this.#focusFirstInvalid();
      return;
    }
    const body: InviteBody = { email: clean.email, firstName: clean.firstName, lastName: clean.lastName, role: clean.role as AssignableRole };
    if (clean.qualification) body.qualification = clean.qualification;
    this.sending = true;
    try {
      const result = await store.mutate((client) => client.invitations.create(body));
      this.reset();
      this.announcement = this.i18n.t('invited', this.#who(result.user));
      emit(this, 'seat-user-invited', result);
      await this.updateComplete;
      // The submit button was disabled while sending, which drops its focus: start the next invite.
      this.#focusField('email');
    } catch (error) {
      // Enabled again before the focus moves back to it.
      this.sending = false;
      await this.#failed(error, 'invitations.create');
    } finally {
      this.sending = false;
    }
  }

  async #failed(error: unknown, action: string): Promise<void> {
    const seatError = error instanceof SeatError ? error : undefined;
    const code = seatError?.code;
    if (code === 'user_exists' && action === 'invitations.create') {
      this.errors = { email: this.i18n.t('alreadyUser') };
      this.existingUserId = await this.#assignable(seatError!.problem?.userId);
    } else if (code === 'validation_failed' && Object.keys(seatError!.errors).some((k) => (FIELDS as readonly string[]).includes(k))) {
      this.errors = Object.fromEntries(Object.entries(seatError!.errors).filter(([k]) => (FIELDS as readonly string[]).includes(k)));
      this.alert = this.i18n.t('fixErrors');
    } else if (code === 'no_license_available') {
      // The counts were stale: reload them. The form's own notice (alone) says what to do; beside a
      // banner, which says it for the page, the form says why nothing was sent.
      await this.store?.load();
      await this.updateComplete;
      if (!this.renderRoot.querySelector('#no-license')) this.alert = this.i18n.t('noLicenseToInvite');
      await this.updateComplete;
      (this.renderRoot.querySelector<HTMLElement>('#no-license button') ?? this.renderRoot.querySelector<HTMLElement>('#email'))?.focus();
      return;
    } else {
      this.alert = this.i18n.messageOf(error);
      emit(this, 'seat-error', { error: error as Error, action });
    }
    if (Object.keys(this.errors).length > 0) await this.#focusFirstInvalid();
    else {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('[part~="submit-button"]')?.focus();
    }
  }

  /** The existing user's id when a license can be assigned to them (they hold none), else ''. */
  async #assignable(userId: string | undefined): Promise<string> {
    const store = this.store;
    if (!store || !userId) return '';
    try {
      const user = await store.client.users.get(userId);
      return user.status === 'disabled' ? userId : '';
    } catch {
      // Could not tell: offer it; the server refuses it if the user holds a license already.
      return userId;
    }
  }

  async #assignInstead(): Promise<void> {
    const store = this.store;
    const userId = this.existingUserId;
    if (!store || !userId || this.sending) return;
    this.sending = true;
    this.alert = '';
    try {
      const result = await store.mutate((client) => client.licenses.assign(userId));
      this.reset();
      this.announcement = this.i18n.t('licenseAssigned', this.#who(result.user));
      emit(this, 'seat-license-assigned', result);
      await this.updateComplete;
      this.#focusField('email');
    } catch (error) {
      this.sending = false;
      this.existingUserId = '';
      await this.#failed(error, 'licenses.assign');
    } finally {
      this.sending = false;
    }
  }

  /** "Grace Hopper (grace@example.com)": names are the person's own text, shown as text. */
  #who(user: User): string {
    return `${fullName(user)} (${user.email})`;
  }

  #toggleSeveral(): void {
    this.several = !this.several;
    if (this.#csvLoading) return;
    this.#csvLoading = import('./invite-csv.js').then(
      ({ InviteCsv, csvMessages }) => {
        addEnglish(csvMessages);
        this.#csv = new InviteCsv(this, {
          kit,
          store: () => this.store,
          i18n: this.i18n,
          problem: (field, value) => this.#problem(field, value),
          announce: (text) => (this.announcement = text),
        });
        this.requestUpdate();
      },
      () => {
        this.#csvLoading = undefined;
        this.alert = this.i18n.t('csvLoadFailed');
      },
    );
  }

  #noLicense(): boolean {
    const licenses = this.store?.account?.licenses;
    return !!licenses && licenses.available <= 0;
  }

  #buy(): void {
    const store = this.store;
    if (!store) return;
    // Nobody sells licenses on this page: say where, rather than a button that does nothing.
    this.buyHint = buyLicense(this, store) ? '' : this.i18n.t('buyWithManage');
  }

  protected override render() {
    const store = this.store;
    if (!store) return nothing;
    const waiting = accountState(store, this.i18n, this);
    if (waiting || !store.account) return waiting;
    // Members cannot invite: the form is not theirs to see.
    if (!store.can('users:manage')) return nothing;
    const noLicense = this.#noLicense();
    // The banner says "no license is free" for the whole page; alone, the form says it.
    const notice = noLicense && !store.shows('seat-banner');
    const warning = noLicense ? '' : reductionWarning(store.account, this.i18n, true);
    const hint = notice ? '' : noLicense ? this.i18n.t('inviteNeedsLicense') : warning;
    return html`
      <section part="base" class="base" aria-labelledby="heading">
        <div class="heading">
          <h2 id="heading">${this.i18n.t(this.several ? 'csvHeading' : 'inviteHeading')}</h2>
          <button type="button" id="several" class="link" @click=${this.#toggleSeveral}>${this.i18n.t(this.several ? 'inviteOne' : 'inviteSeveral')}</button>
        </div>
        <div aria-live="polite">
          ${notice
            ? html`<div part="notice" id="no-license" class="notice">
                <p>${this.i18n.t('noLicenseToInvite')} ${noLicenseAdvice(store, this.i18n)}</p>
                ${store.can('licenses:manage') ? html`<button type="button" class="primary" @click=${this.#buy}>${this.i18n.t('buyLicense')}</button>` : nothing}
                ${this.buyHint ? html`<p class="hint">${this.buyHint}</p>` : nothing}
              </div>`
            : nothing}
        </div>
        ${this.several ? (this.#csv?.render() ?? html`<p aria-busy="true">${this.i18n.t('loading')}</p>`) : this.#renderForm(noLicense, hint, warning)}
        <div class="messages">
          <p class="success" role="status">${this.announcement}</p>
          <p class="error" role="alert">${this.alert}</p>
        </div>
      </section>
    `;
  }

  #renderForm(noLicense: boolean, hint: string, warning: string) {
    return html`
        <form part="form" novalidate @submit=${this.#submit}>
          <div class="grid">
            ${this.#field('email', 'email', 'wide')} ${this.#field('firstName', 'text')} ${this.#field('lastName', 'text')}
            <div part="field" class="field">
              <label for="role">${this.i18n.t('role')}</label>
              <select
                part="input"
                id="role"
                .value=${this.values.role}
                aria-invalid=${this.errors.role !== undefined ? 'true' : 'false'}
                aria-describedby=${this.errors.role !== undefined ? 'role-error' : nothing}
                @change=${(e: Event) => this.#onInput('role', e)}
              >
                <option value="member" ?selected=${this.values.role === 'member'}>${this.i18n.t('roleMember')}</option>
                <option value="admin" ?selected=${this.values.role === 'admin'}>${this.i18n.t('roleAdmin')}</option>
              </select>
              ${this.errors.role !== undefined ? html`<p id="role-error" class="field-error">${this.errors.role}</p>` : nothing}
            </div>
            ${this.#field('qualification', 'text')}
          </div>
          ${hint ? html`<p id="submit-hint" part="notice" class=${warning ? 'notice' : 'hint'}>${hint}</p>` : nothing}
          <div class="actions">
            <button
              part="submit-button"
              class="primary"
              type="submit"
              ?disabled=${this.sending || noLicense}
              aria-describedby=${hint ? 'submit-hint' : nothing}
            >
              ${this.sending ? this.i18n.t('inviting') : this.i18n.t('inviteSubmit')}
            </button>
          </div>
        </form>`;
  }

  #field(field: Field, type: 'email' | 'text', className = '') {
    const id = ID[field];
    const error = this.errors[field];
    const optional = field === 'qualification';
    const describedBy = [error !== undefined && `${id}-error`, optional && `${id}-hint`].filter(Boolean).join(' ');
    const label = field === 'email' ? this.i18n.t('email') : field === 'firstName' ? this.i18n.t('firstName') : field === 'lastName' ? this.i18n.t('lastName') : this.i18n.t('qualification');
    return html`
      <div part="field" class="field ${className}">
        <label for=${id}>${label}</label>
        <input
          part="input"
          id=${id}
          type=${type}
          autocomplete="off"
          spellcheck="false"
          ?required=${!optional}
          .value=${this.values[field]}
          aria-invalid=${error !== undefined ? 'true' : 'false'}
          aria-describedby=${describedBy || nothing}
          @input=${(e: Event) => this.#onInput(field, e)}
          @blur=${() => this.#onBlur(field)}
        />
        ${optional ? html`<p id="${id}-hint" class="hint">${this.i18n.t('qualificationHint')}</p>` : nothing}
        ${error !== undefined ? html`<p id="${id}-error" class="field-error">${error}</p>` : nothing}
        ${field === 'email' && this.existingUserId
          ? html`<button type="button" class="link" ?disabled=${this.sending} @click=${this.#assignInstead}>
              ${this.sending ? this.i18n.t('assigning') : this.i18n.t('assignInstead')}
            </button>`
          : nothing}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'invite-form': InviteForm;
  }
}
