import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { SeatError } from '../../sdk/core/errors.js';
import type { Page } from '../../sdk/core/pagination.js';
import { LIMITS } from '../../sdk/limits.js';
import type { Role, User, UserListParams, UserSort, UserSortKey, UserStatus } from '../../sdk/types.js';
import { emit, request } from '../shared/events.js';
import { SeatElement } from '../shared/seat-element.js';
import type { SeatStore } from '../shared/store.js';
import { controls, tokens } from '../shared/styles.js';
import { UserDialogs, type DialogKind } from './user-dialogs.js';
import { fullName } from './users.js';
import { styles } from './user-table.styles.js';

const SEARCH_DEBOUNCE_MS = 250;
const PAGE_SIZES = [25, 50, 100] as const;

type Column = { key: 'name' | 'role' | 'qualification' | 'status' | 'lastActive' | 'actions'; sort?: UserSortKey };
const COLUMNS: Column[] = [
  { key: 'name', sort: 'name' },
  { key: 'role', sort: 'role' },
  { key: 'qualification' },
  { key: 'status', sort: 'status' },
  { key: 'lastActive', sort: 'lastActiveAt' },
  { key: 'actions' },
];

/**
 * @summary The account's users: name and email, role, qualification, status and last activity,
 * with search, filters, server-side sorting and pagination, and every user and license action the
 * viewer may take (edit, assign, unassign, reassign, make primary contact, resend or revoke an
 * invitation, view history). Only one page of rows is ever in the DOM.
 *
 * @event seat-unassign-request - Cancelable, before the *Remove team member* dialog opens (`detail`: user).
 * @event seat-reassign-request - Cancelable, before a license moves (`detail`: from, to).
 * @event seat-revoke-request - Cancelable, before the *Revoke invitation* dialog opens (`detail`: user).
 * @event seat-owner-change-request - Cancelable, before the *Change primary contact* dialog opens (`detail`: user).
 * @event seat-purchase-request - Cancelable, when the viewer asks to buy a license to assign (`detail`: licenses, needed).
 * @event seat-license-assigned - After a license was assigned (`detail`: user, licenses).
 * @event seat-license-unassigned - After a license was removed (`detail`: user, licenses).
 * @event seat-license-reassigned - After a license moved (`detail`: users, licenses).
 * @event seat-invitation-resent - After an invitation was sent again (`detail`: user, licenses).
 * @event seat-invitation-revoked - After an invitation was revoked (`detail`: user, licenses).
 * @event seat-user-updated - After a user's details were saved (`detail`: user, licenses).
 * @event seat-owner-changed - After the ownership moved (`detail`: users, licenses); the old owner's session ends.
 * @event seat-error - An action or the list failed (`detail`: error, action).
 *
 * @csspart base - The element's box.
 * @csspart toolbar - Search and filters.
 * @csspart search - The search field.
 * @csspart table - The table.
 * @csspart row - A user's row (a card in the narrow layout).
 * @csspart cell - A cell of a row.
 * @csspart status - The status label of a row.
 * @csspart action-button - A row's action buttons.
 * @csspart pagination - Range, page size and page buttons.
 * @csspart dialog - The confirmation, edit, reassign and history dialog.
 * @csspart confirm-button - The dialog's main button.
 *
 * @cssproperty --seat-color-accent - Buttons, links, the owner's status.
 * @cssproperty --seat-color-surface - Background.
 * @cssproperty --seat-color-text - Text.
 * @cssproperty --seat-color-text-muted - Secondary text (emails, headers).
 * @cssproperty --seat-color-border - Borders.
 * @cssproperty --seat-color-danger - Destructive actions and errors.
 * @cssproperty --seat-radius - Corner radius.
 * @cssproperty --seat-font-family - Font.
 */
@customElement('user-table')
export class UserTable extends SeatElement {
  static override styles = [tokens, controls, styles];

  /** Rows per page: 25, 50 or 100. */
  @property({ attribute: 'page-size', type: Number }) pageSize = 50;

  @state() private searchText = '';
  @state() private query = '';
  @state() private statusFilter: UserStatus | '' = '';
  @state() private roleFilter: Role | '' = '';
  @state() private sort: UserSort = 'name';
  /** Cursors of the pages before and of the current one (the first page's is undefined): Previous pops. */
  @state() private cursors: (string | undefined)[] = [undefined];
  @state() private page: Page<User> | null = null;
  @state() private loading = false;
  @state() private loadError: Error | null = null;
  @state() private forbidden = false;
  @state() private actionError = '';
  @state() private offerPurchase = false;
  @state() private announcement = '';

  readonly #dialogs = new UserDialogs(this, {
    store: () => this.store,
    i18n: this.i18n,
    changed: (userId, announcement) => {
      this.announcement = announcement;
      this.#rememberFocus(userId);
    },
    closed: () => this.#restoreFocusSoon(),
    nameOf: (userId) => {
      const user = this.page?.data.find((u) => u.id === userId);
      return user && fullName(user);
    },
  });

  #searchTimer: ReturnType<typeof setTimeout> | undefined;
  #loadAbort: AbortController | undefined;
  #loadedStore: SeatStore | undefined;
  #loadedKey = '';
  /** Where focus should go once the rows changed under it: the row of this user, else the same position. */
  #focusAfterLoad: { userId: string; index: number; reloaded: boolean } | null = null;
  #pagerFocus: 'next' | 'previous' | null = null;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#searchTimer);
    this.#loadAbort?.abort();
    this.#loadedKey = '';
  }

  /** Reloads the current page. */
  reload(): void {
    this.#loadedKey = '';
    this.requestUpdate();
  }

  // ---- loading ----

  #params(): UserListParams {
    const size = PAGE_SIZES.includes(this.pageSize as (typeof PAGE_SIZES)[number]) ? this.pageSize : LIMITS.pageSizeDefault;
    return {
      ...(this.query && { q: this.query }),
      ...(this.statusFilter && { status: this.statusFilter }),
      ...(this.roleFilter && { role: this.roleFilter }),
      sort: this.sort,
      limit: size,
      ...(this.cursors.at(-1) !== undefined && { cursor: this.cursors.at(-1) }),
    };
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('pageSize') && changed.get('pageSize') !== undefined) this.cursors = [undefined];
    const store = this.store;
    if (!store?.account || store.sessionExpired) {
      this.#loadAbort?.abort();
      return;
    }
    if (!store.can('users:read')) {
      this.forbidden = true;
      return;
    }
    const params = this.#params();
    const key = JSON.stringify([params, store.usersRevision]);
    if (store === this.#loadedStore && key === this.#loadedKey) return;
    this.#loadedStore = store;
    this.#loadedKey = key;
    void this.#load(store, params);
  }

  async #load(store: SeatStore, params: UserListParams): Promise<void> {
    this.#loadAbort?.abort();
    const abort = (this.#loadAbort = new AbortController());
    this.loading = true;
    try {
      const page = await store.client.users.list(params, { signal: abort.signal });
      if (abort.signal.aborted) return;
      // Rows left this page (a change, a filter): the page is empty, so show the one before it.
      if (page.data.length === 0 && this.cursors.length > 1) {
        this.cursors = this.cursors.slice(0, -1);
        return;
      }
      this.page = page;
      this.loadError = null;
      this.forbidden = false;
    } catch (error) {
      if (abort.signal.aborted) return;
      if (error instanceof SeatError && error.status === 403) {
        this.forbidden = true;
      } else {
        this.loadError = error as Error;
        emit(this, 'seat-error', { error: error as Error, action: 'users.list' });
      }
    } finally {
      if (!abort.signal.aborted) this.loading = false;
    }
  }

  protected override updated(changed: PropertyValues): void {
    if (!changed.has('page')) return;
    if (this.#focusAfterLoad) {
      this.#focusAfterLoad.reloaded = true;
      this.#restoreFocusSoon();
    }
    // On the first or last page its button is disabled: keep focus on the other one.
    const pager = this.#pagerFocus;
    this.#pagerFocus = null;
    if (pager && this.renderRoot.querySelector<HTMLButtonElement>(`#${pager}`)?.disabled) {
      this.renderRoot.querySelector<HTMLButtonElement>(pager === 'next' ? '#previous' : '#next')?.focus();
    }
  }

  #rememberFocus(userId: string): void {
    const rows = [...this.renderRoot.querySelectorAll<HTMLElement>('tbody tr[data-user-id]')];
    this.#focusAfterLoad = { userId, index: Math.max(0, rows.findIndex((row) => row.dataset.userId === userId)), reloaded: false };
  }

  /** Once the list reloaded after a change and its dialog closed (which gives focus back to the trigger first). */
  #restoreFocusSoon(): void {
    if (!this.#focusAfterLoad?.reloaded || this.#dialogs.open) return;
    setTimeout(() => this.#restoreFocus());
  }

  /**
   * Focus left with a button that is gone (a row filtered out, an action no longer offered): move it
   * to the same user's row, else to the row now in that place, else to the search field.
   */
  #restoreFocus(): void {
    const target = this.#focusAfterLoad;
    this.#focusAfterLoad = null;
    if (!target || this.#dialogs.open) return;
    const active = this.shadowRoot?.activeElement;
    // Focus still on a live control stays; in a closed dialog (Chrome leaves it there) it is lost.
    if (active && active.isConnected && !(active as HTMLButtonElement).disabled && !active.closest('dialog')) return;
    const rows = [...this.renderRoot.querySelectorAll<HTMLElement>('tbody tr[data-user-id]')];
    const row = rows.find((r) => r.dataset.userId === target.userId) ?? rows[Math.min(target.index, rows.length - 1)];
    const button = row?.querySelector<HTMLElement>('[part~="action-button"]');
    (button ?? this.renderRoot.querySelector<HTMLElement>('#search'))?.focus();
  }

  // ---- toolbar, sorting, paging ----

  #onSearchInput(event: Event): void {
    this.searchText = (event.target as HTMLInputElement).value;
    clearTimeout(this.#searchTimer);
    this.#searchTimer = setTimeout(() => {
      const q = this.searchText.trim();
      if (q === this.query) return;
      this.query = q;
      this.cursors = [undefined];
    }, SEARCH_DEBOUNCE_MS);
  }

  #onStatusFilter(event: Event): void {
    this.statusFilter = (event.target as HTMLSelectElement).value as UserStatus | '';
    this.cursors = [undefined];
  }

  #onRoleFilter(event: Event): void {
    this.roleFilter = (event.target as HTMLSelectElement).value as Role | '';
    this.cursors = [undefined];
  }

  #sortBy(key: UserSortKey): void {
    this.sort = this.sort === key ? `-${key}` : key;
    this.cursors = [undefined];
  }

  #ariaSort(key: UserSortKey | undefined): 'ascending' | 'descending' | 'none' {
    if (!key) return 'none';
    if (this.sort === key) return 'ascending';
    if (this.sort === `-${key}`) return 'descending';
    return 'none';
  }

  #onPageSize(event: Event): void {
    this.pageSize = Number((event.target as HTMLSelectElement).value);
    this.cursors = [undefined];
  }

  #nextPage(): void {
    const next = this.page?.nextCursor;
    if (!next || this.loading) return;
    this.cursors = [...this.cursors, next];
    this.#pagerFocus = 'next';
  }

  #previousPage(): void {
    if (this.cursors.length <= 1 || this.loading) return;
    this.cursors = this.cursors.slice(0, -1);
    this.#pagerFocus = 'previous';
  }

  // ---- actions ----

  async #assign(user: User): Promise<void> {
    await this.#direct(user, 'licenses.assign', async (store) => {
      const result = await store.mutate((client) => client.licenses.assign(user.id));
      emit(this, 'seat-license-assigned', result);
      return this.i18n.t('assigned', fullName(user));
    });
  }

  async #resend(user: User): Promise<void> {
    await this.#direct(user, 'invitations.resend', async (store) => {
      const result = await store.mutate((client) => client.invitations.resend(user.id));
      emit(this, 'seat-invitation-resent', result);
      return this.i18n.t('resent', user.email);
    });
  }

  /** An action without a dialog (nothing is lost by it): run it, announce the outcome or the failure. */
  async #direct(user: User, action: string, run: (store: SeatStore) => Promise<string>): Promise<void> {
    const store = this.store;
    if (!store) return;
    this.actionError = '';
    this.offerPurchase = false;
    try {
      this.announcement = await run(store);
      this.#rememberFocus(user.id);
    } catch (error) {
      const seatError = error as SeatError;
      emit(this, 'seat-error', { error: seatError, action });
      if (seatError.code === 'no_license_available') {
        this.actionError = this.i18n.t('noLicenseToAssign');
        this.offerPurchase = store.can('licenses:manage');
      } else {
        this.actionError = seatError.detail ?? this.i18n.t('somethingWentWrong', '');
      }
    }
  }

  #buyLicense(): void {
    const store = this.store;
    if (!store) return;
    if (!request(this, 'seat-purchase-request', { licenses: store.account?.licenses ?? null, needed: 1 })) return;
    store.openPurchase(1);
  }

  #open(kind: DialogKind, user: User, event: Event): void {
    const trigger = event.currentTarget as HTMLElement;
    if (kind === 'remove' && !request(this, 'seat-unassign-request', { user })) return;
    if (kind === 'owner' && !request(this, 'seat-owner-change-request', { user })) return;
    if (kind === 'revoke' && !request(this, 'seat-revoke-request', { user })) return;
    this.actionError = '';
    void this.#dialogs.show(kind, user, trigger);
  }

  // ---- rendering ----

  protected override render() {
    const store = this.store;
    if (!store) return nothing;
    const heading = html`<h2 id="heading">${this.i18n.t('usersHeading')}</h2>`;
    if (store.sessionExpired) {
      return html`<section part="base" class="base" aria-labelledby="heading">${heading}<p>${this.i18n.t('sessionExpired')}</p></section>`;
    }
    if (!store.account) {
      if (store.status === 'error') {
        return html`<section part="base" class="base" aria-labelledby="heading">
          ${heading}
          <div role="alert"><p class="error">${this.i18n.t('usersLoadFailed')}</p></div>
          <button @click=${() => void store.load()}>${this.i18n.t('retry')}</button>
        </section>`;
      }
      return html`<section part="base" class="base" aria-labelledby="heading" aria-busy="true">${heading}<p>${this.i18n.t('loading')}</p></section>`;
    }
    if (this.forbidden || !store.can('users:read')) {
      return html`<section part="base" class="base" aria-labelledby="heading">${heading}<p>${this.i18n.t('usersForbidden')}</p></section>`;
    }
    return html`
      <section part="base" class="base" aria-labelledby="heading">
        ${heading} ${this.#renderToolbar()}
        ${this.actionError
          ? html`<div class="notice" role="alert">
              <p class="error">${this.actionError}</p>
              ${this.offerPurchase ? html`<button @click=${this.#buyLicense}>${this.i18n.t('buyLicense')}</button>` : nothing}
            </div>`
          : nothing}
        <div class="table-wrap ${this.loading ? 'busy' : ''}">${this.#renderTable()}</div>
        ${this.#renderPagination()}
        <p class="visually-hidden" role="status">${this.announcement}</p>
      </section>
      ${this.#dialogs.render()}
    `;
  }

  #renderToolbar() {
    const t = this.i18n.t.bind(this.i18n);
    return html`<div part="toolbar" class="toolbar" role="search" aria-label=${t('search')}>
      <div class="field grow">
        <label class="small" for="search">${t('search')}</label>
        <input
          id="search"
          part="search"
          type="search"
          autocomplete="off"
          maxlength=${LIMITS.searchMax}
          .value=${this.searchText}
          @input=${this.#onSearchInput}
        />
      </div>
      <div class="field">
        <label class="small" for="status-filter">${t('statusFilter')}</label>
        <select id="status-filter" .value=${this.statusFilter} @change=${this.#onStatusFilter}>
          <option value="" ?selected=${this.statusFilter === ''}>${t('all')}</option>
          <option value="enabled" ?selected=${this.statusFilter === 'enabled'}>${t('statusEnabled')}</option>
          <option value="invited" ?selected=${this.statusFilter === 'invited'}>${t('statusInvited')}</option>
          <option value="disabled" ?selected=${this.statusFilter === 'disabled'}>${t('statusDisabled')}</option>
        </select>
      </div>
      <div class="field">
        <label class="small" for="role-filter">${t('roleFilter')}</label>
        <select id="role-filter" .value=${this.roleFilter} @change=${this.#onRoleFilter}>
          <option value="" ?selected=${this.roleFilter === ''}>${t('all')}</option>
          <option value="owner" ?selected=${this.roleFilter === 'owner'}>${t('roleOwnerShort')}</option>
          <option value="admin" ?selected=${this.roleFilter === 'admin'}>${t('roleAdmin')}</option>
          <option value="member" ?selected=${this.roleFilter === 'member'}>${t('roleMember')}</option>
        </select>
      </div>
    </div>`;
  }

  #columnTitle(key: Column['key']): string {
    const titles = {
      name: 'columnName',
      role: 'columnRole',
      qualification: 'columnQualification',
      status: 'columnStatus',
      lastActive: 'columnLastActive',
      actions: 'columnActions',
    } as const;
    return this.i18n.t(titles[key]);
  }

  #renderTable() {
    const rows = this.page?.data ?? [];
    return html`<table part="table" aria-labelledby="heading" aria-busy=${this.loading ? 'true' : 'false'}>
      <thead>
        <tr>
          ${COLUMNS.map((column) => {
            if (!column.sort) return html`<th scope="col" class="not-sortable">${this.#columnTitle(column.key)}</th>`;
            const sort = this.#ariaSort(column.sort);
            return html`<th scope="col" aria-sort=${sort}>
              <button class="sort" id=${`sort-${column.key}`} @click=${() => this.#sortBy(column.sort!)}>
                ${this.#columnTitle(column.key)}<span class="arrow" aria-hidden="true">${sort === 'ascending' ? '▲' : sort === 'descending' ? '▼' : ''}</span>
              </button>
            </th>`;
          })}
        </tr>
      </thead>
      <tbody>
        ${this.loadError
          ? html`<tr>
              <td class="message" colspan=${COLUMNS.length}>
                <div role="alert"><p class="error">${this.i18n.t('usersLoadFailed')}</p></div>
                <button @click=${() => this.reload()}>${this.i18n.t('retry')}</button>
              </td>
            </tr>`
          : !this.page
            ? html`<tr>
                <td class="message" colspan=${COLUMNS.length}>${this.i18n.t('loading')}</td>
              </tr>`
            : rows.length === 0
              ? html`<tr>
                  <td class="message" colspan=${COLUMNS.length}>${this.i18n.t('noUsers')}</td>
                </tr>`
              : repeat(
                  rows,
                  (user) => user.id,
                  (user) => this.#renderRow(user),
                )}
      </tbody>
    </table>`;
  }

  #statusOf(user: User): { label: string; kind: string } {
    if (user.role === 'owner') return { label: this.i18n.t('statusOwner'), kind: 'owner' };
    if (user.status === 'enabled') return { label: this.i18n.t('statusEnabled'), kind: 'enabled' };
    if (user.status === 'invited') return { label: this.i18n.t('statusInvited'), kind: 'invited' };
    if (user.invitationExpired) return { label: this.i18n.t('statusExpired'), kind: 'expired' };
    return { label: this.i18n.t('statusDisabled'), kind: 'disabled' };
  }

  #roleOf(user: User): string {
    return this.i18n.t(user.role === 'owner' ? 'roleOwnerShort' : user.role === 'admin' ? 'roleAdmin' : 'roleMember');
  }

  #renderRow(user: User) {
    const status = this.#statusOf(user);
    return html`<tr part="row" data-user-id=${user.id}>
      <th part="cell" scope="row">
        <span class="name">${fullName(user)}</span>
        <span class="email">${user.email}</span>
      </th>
      <td part="cell" data-label=${this.i18n.t('columnRole')}>${this.#roleOf(user)}</td>
      <td part="cell" data-label=${user.qualification ? this.i18n.t('columnQualification') : nothing}>${user.qualification}</td>
      <td part="cell"><span part="status" class="status ${status.kind}">${status.label}</span></td>
      <td part="cell" data-label=${this.i18n.t('columnLastActive')}>${user.lastActiveAt ? this.i18n.date(user.lastActiveAt) : this.i18n.t('never')}</td>
      <td part="cell" class="actions-cell"><div class="row-actions">${this.#renderActions(user)}</div></td>
    </tr>`;
  }

  #renderActions(user: User) {
    const store = this.store!;
    const name = fullName(user);
    const manage = store.can('users:manage');
    const isOwner = user.role === 'owner';
    const holdsLicense = user.status === 'enabled' || user.status === 'invited';
    const buttons: TemplateResult[] = [];
    const button = (id: string, label: string, text: string, onClick: (event: Event) => void, icon = false, danger = false) =>
      html`<button
        part="action-button"
        class=${[icon ? 'icon' : '', danger ? 'danger-icon' : ''].join(' ').trim()}
        data-action=${id}
        aria-label=${label}
        title=${icon ? label : nothing}
        @click=${onClick}
      >
        ${icon ? html`<span aria-hidden="true">${text}</span>` : text}
      </button>`;
    if (manage) buttons.push(button('edit', this.i18n.t('edit', name), this.i18n.t('editShort'), (e) => this.#open('edit', user, e)));
    if (manage && user.status === 'disabled' && !user.invitationExpired) {
      buttons.push(button('assign', this.i18n.t('assign', name), this.i18n.t('assignShort'), () => void this.#assign(user)));
    }
    if (manage && !isOwner && holdsLicense) {
      buttons.push(button('reassign', this.i18n.t('reassign', name), this.i18n.t('reassignShort'), (e) => this.#open('reassign', user, e)));
    }
    if (manage && (user.status === 'invited' || (user.status === 'disabled' && user.invitationExpired))) {
      buttons.push(button('resend', this.i18n.t('resend', name), this.i18n.t('resendShort'), () => void this.#resend(user)));
    }
    if (manage && user.status === 'invited') {
      buttons.push(button('revoke', this.i18n.t('revoke', name), this.i18n.t('revokeShort'), (e) => this.#open('revoke', user, e)));
    }
    if (store.can('users:read')) {
      buttons.push(button('history', this.i18n.t('history', name), this.i18n.t('historyShort'), (e) => this.#open('history', user, e)));
    }
    if (store.can('owner:transfer') && !isOwner && user.status === 'enabled' && user.activatedAt) {
      buttons.push(button('owner', this.i18n.t('makeOwner', name), '↑', (e) => this.#open('owner', user, e), true));
    }
    if (manage && !isOwner && user.status === 'enabled') {
      buttons.push(button('unassign', this.i18n.t('unassign', name), '✕', (e) => this.#open('remove', user, e), true, true));
    }
    return buttons;
  }

  #renderPagination() {
    const page = this.page;
    if (!page || page.total === 0) return nothing;
    const size = this.#params().limit!;
    const from = (this.cursors.length - 1) * size + 1;
    const to = from + page.data.length - 1;
    const n = (x: number) => this.i18n.number(x);
    return html`<nav part="pagination" class="pagination" aria-label=${this.i18n.t('pagination')}>
      <div class="field">
        <label for="page-size">${this.i18n.t('pageSize')}</label>
        <select id="page-size" @change=${this.#onPageSize}>
          ${PAGE_SIZES.map((s) => html`<option value=${s} ?selected=${s === size}>${s}</option>`)}
        </select>
      </div>
      <p class="range" aria-live="polite">${this.i18n.t('pageRange', n(from), n(to), n(page.total))}</p>
      <div class="pages">
        <button id="previous" ?disabled=${this.cursors.length <= 1} @click=${this.#previousPage}>${this.i18n.t('previousPage')}</button>
        <button id="next" ?disabled=${!page.hasNextPage()} @click=${this.#nextPage}>${this.i18n.t('nextPage')}</button>
      </div>
    </nav>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'user-table': UserTable;
  }
}
