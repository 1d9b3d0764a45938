import { html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { SeatError } from '../../sdk/core/errors.js';
import type { Page } from '../../sdk/core/pagination.js';
import { LIMITS } from '../../sdk/limits.js';
import type { Role, User, UserListParams, UserSort, UserSortKey, UserStatus } from '../../sdk/types.js';
import { accountState, buyLicense, noLicenseAdvice, reductionWarning } from '../common/account-state.js';
import { emit, request } from '../common/events.js';
import { addEnglish } from '../common/i18n/localize.js';
import { kit } from '../common/kit.js';
import { showing } from '../common/live.js';
import { fullName } from '../common/names.js';
import { SeatElement } from '../common/seat-element.js';
import type { SeatStore } from '../common/store.js';
import { controls, tokens } from '../common/styles.js';
import type { BulkActions } from './bulk.js';
import type { RowMenu } from './row-menu.js';
import type { Action, UserDialogs } from './user-dialogs.js';
import { styles } from './user-table.styles.js';

const SEARCH_DEBOUNCE_MS = 250;
const PAGE_SIZES = [25, 50, 100];
/** Rows drawn while the first page loads. */
const SKELETON_ROWS = 5;
/** The quick filter's threshold (days without activity). */
const INACTIVE_DAYS = 30;

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
 * viewer may take: each row shows its main action (Assign, Resend or Edit) and a *More actions*
 * menu with the others (edit, reassign, make primary contact, revoke, history, remove). Only one
 * page of rows is ever in the DOM. A viewer who may not list users (a member) sees nothing.
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
 * @event seat-bulk-request - Cancelable, before the confirmation of a bulk action (`detail`: action, users it applies to).
 * @event seat-bulk-completed - After a bulk action ran (`detail`: action, users, results, licenses; `results[i]` is for `users[i]`).
 * @event seat-error - An action or the list failed (`detail`: error, action).
 *
 * @csspart base - The element's box.
 * @csspart toolbar - Search and filters.
 * @csspart search - The search field.
 * @csspart table - The table.
 * @csspart row - A user's row (a card in the narrow layout).
 * @csspart cell - A cell of a row.
 * @csspart status - The status label of a row.
 * @csspart action-button - A row's main action (Assign, Resend or Edit).
 * @csspart menu-button - A row's *More actions* button.
 * @csspart menu - The open *More actions* menu.
 * @csspart notice - What went wrong with a row's action, under that row.
 * @csspart bulk-bar - What can be done to the selected users (above the table while any is selected).
 * @csspart pagination - Range, page size and page buttons.
 * @csspart dialog - The confirmation, edit, reassign and history dialog.
 * @csspart confirm-button - The dialog's main button.
 *
 * @cssproperty --seat-color-accent - Buttons, links, the owner's status.
 * @cssproperty --seat-color-surface - Background.
 * @cssproperty --seat-color-surface-subtle - Rows drawn while the first page loads.
 * @cssproperty --seat-color-text - Text.
 * @cssproperty --seat-color-text-muted - Secondary text (emails, headers).
 * @cssproperty --seat-color-border - Borders.
 * @cssproperty --seat-color-danger - Destructive actions and errors.
 * @cssproperty --seat-color-warning-surface - Background of a row's notice.
 * @cssproperty --seat-radius - Corner radius.
 * @cssproperty --seat-font-family - Font.
 */
@customElement('user-table')
export class UserTable extends SeatElement {
  static override styles = [tokens, controls, styles];

  /**
   * Rows per page: a whole number from 1 to 200, as the API takes (default 50). Another value is
   * replaced by the nearest one, with a warning in the console.
   */
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
  /** A row action that failed (or could not run): shown under that user's row. */
  @state() private rowNotice: { userId: string; text: string; buy: boolean } | null = null;
  /** The user whose *More actions* menu is open. */
  @state() private menuFor = '';
  /** Only users holding a license, inactive for 30 days or more. */
  @state() private inactive = false;
  /** The selected users (kept across pages; a new filter clears it). */
  @state() private selected = new Map<string, User>();
  @state() private exporting = false;
  @state() private toolbarError = '';
  @state() private announcement = '';

  /** The rows' dialogs, loaded on first use (or when the browser is idle after the first rows). */
  #dialogs: UserDialogs | undefined;
  #dialogsLoading: Promise<UserDialogs> | undefined;

  /** The *More actions* menu, loaded when one is first opened. */
  #menu: RowMenu | undefined;
  #menuLoading: Promise<void> | undefined;
  /** The bar and dialog of bulk actions, loaded when a row is first selected. */
  #bulk: BulkActions | undefined;
  #bulkLoading: Promise<void> | undefined;
  /** The page size in use (`page-size` checked). */
  #limit: number = LIMITS.pageSizeDefault;
  #searchTimer: ReturnType<typeof setTimeout> | undefined;
  #loadAbort: AbortController | undefined;
  #loadedStore: SeatStore | undefined;
  #loadedKey = '';
  /** The parameters `page` was read with: Next takes its cursor only while they are the current ones. */
  #pageParams = '';
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
    return {
      ...(this.query && { q: this.query }),
      ...(this.statusFilter && { status: this.statusFilter }),
      ...(this.roleFilter && { role: this.roleFilter }),
      ...(this.inactive && { inactiveDays: INACTIVE_DAYS }),
      sort: this.sort,
      limit: this.#limit,
      ...(this.cursors.at(-1) !== undefined && { cursor: this.cursors.at(-1) }),
    };
  }

  /** `page-size` as the API takes it; anything else becomes the nearest allowed value, and says so. */
  #checkPageSize(): void {
    const size = this.pageSize;
    const { pageSizeMin: min, pageSizeMax: max } = LIMITS;
    this.#limit = Number.isFinite(size) ? Math.min(max, Math.max(min, Math.round(size))) : LIMITS.pageSizeDefault;
    if (this.#limit !== size) console.warn(`<user-table>: page-size must be a whole number from ${min} to ${max}; got "${size}", using ${this.#limit}.`);
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (['query', 'statusFilter', 'roleFilter', 'inactive'].some((key) => changed.has(key) && changed.get(key) !== undefined)) this.selected = new Map();
    if (this.selected.size > 0) this.#loadBulk();
    if (changed.has('pageSize')) {
      this.#checkPageSize();
      this.cursors = [undefined];
    }
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
      const page = await showing(store.client.users.list(params, { signal: abort.signal }));
      if (abort.signal.aborted) return;
      // Rows left this page (a change, a filter): the page is empty, so show the one before it.
      if (page.data.length === 0 && this.cursors.length > 1) {
        this.cursors = this.cursors.slice(0, -1);
        return;
      }
      this.page = page;
      this.#pageParams = JSON.stringify(params);
      for (const user of page.data) store.names.set(user.id, fullName(user));
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

  #rows(): HTMLElement[] {
    return [...this.renderRoot.querySelectorAll<HTMLElement>('tbody tr[data-user-id]')];
  }

  #rememberFocus(userId: string): void {
    this.#focusAfterLoad = { userId, index: Math.max(0, this.#rows().findIndex((row) => row.dataset.userId === userId)), reloaded: false };
  }

  /** Once the list reloaded after a change and its dialog closed (which gives focus back to the trigger first). */
  #restoreFocusSoon(): void {
    if (!this.#focusAfterLoad?.reloaded || this.#dialogs?.open || this.#bulk?.open) return;
    setTimeout(() => this.#restoreFocus());
  }

  /**
   * Focus left with a button that is gone (a row filtered out, an action no longer offered): move it
   * to the same user's row, else to the row now in that place, else to the search field.
   */
  #restoreFocus(): void {
    const target = this.#focusAfterLoad;
    this.#focusAfterLoad = null;
    if (!target || this.#dialogs?.open) return;
    const active = this.shadowRoot?.activeElement;
    // Focus still on a live control stays (in a row: the same user's); in a closed dialog (Chrome
    // leaves it there) it is lost. Rows are drawn by position: a row may now show another user.
    const inRow = active?.closest<HTMLElement>('tr[data-user-id]');
    if (active && active.isConnected && !(active as HTMLButtonElement).disabled && !active.closest('dialog') && (!inRow || inRow.dataset.userId === target.userId)) return;
    const rows = this.#rows();
    const row = rows.find((r) => r.dataset.userId === target.userId) ?? rows[Math.min(target.index, rows.length - 1)];
    (row?.querySelector('button') ?? this.renderRoot.querySelector<HTMLElement>('#search'))?.focus();
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

  #onInactive(event: Event): void {
    this.inactive = (event.target as HTMLInputElement).checked;
    this.cursors = [undefined];
  }

  // ---- parts loaded on first use ----

  #loadDialogs(): Promise<UserDialogs> {
    this.#dialogsLoading ??= import('./user-dialogs.js').then(
      ({ UserDialogs, dialogMessages }) => {
        addEnglish(dialogMessages);
        this.#dialogs = new UserDialogs(this, {
          kit,
          store: () => this.store,
          i18n: this.i18n,
          changed: (userId, announcement) => {
            this.announcement = announcement;
            this.#rememberFocus(userId);
          },
          closed: () => this.#restoreFocusSoon(),
        });
        this.requestUpdate();
        return this.#dialogs;
      },
      (error: unknown) => {
        this.#dialogsLoading = undefined;
        throw error;
      },
    );
    return this.#dialogsLoading;
  }

  /** Opens a row's dialog (loading the dialogs first, the first time); a failure to load says so at the row. */
  async #show(id: Action, user: User, trigger: HTMLElement, warning = ''): Promise<void> {
    try {
      await (await this.#loadDialogs()).show(id, user, trigger, warning);
    } catch (error) {
      this.rowNotice = { userId: user.id, text: this.i18n.messageOf(error), buy: false };
    }
  }

  // ---- selection, bulk actions, export ----

  #loadBulk(): void {
    if (this.#bulkLoading) return;
    this.#bulkLoading = import('./bulk.js').then(
      ({ BulkActions, bulkMessages }) => {
        addEnglish(bulkMessages);
        this.#bulk = new BulkActions(this, {
          kit,
          store: () => this.store,
          i18n: this.i18n,
          selected: () => this.selected,
          params: () => this.#params(),
          select: (users) => (this.selected = users),
          matching: () => this.page?.total ?? 0,
          announce: (text) => (this.announcement = text),
        });
        this.requestUpdate();
      },
      (error: unknown) => {
        this.#bulkLoading = undefined;
        this.toolbarError = this.i18n.messageOf(error);
      },
    );
  }

  #toggle(users: User[], on: boolean): void {
    const selected = new Map(this.selected);
    for (const user of users) {
      if (on) selected.set(user.id, user);
      else selected.delete(user.id);
    }
    this.selected = selected;
  }

  /** The users of the current view (filters, search, sort; every page) as CSV, downloaded. */
  async #export(): Promise<void> {
    const store = this.store;
    if (!store || this.exporting) return;
    this.exporting = true;
    this.toolbarError = '';
    try {
      const { limit: _limit, cursor: _cursor, ...params } = this.#params();
      await (await import('./export-csv.js')).exportCsv(store, params);
    } catch (error) {
      this.toolbarError = this.i18n.messageOf(error);
      emit(this, 'seat-error', { error: error as Error, action: 'users.exportCsv' });
    } finally {
      this.exporting = false;
    }
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
  }

  #nextPage(): void {
    const next = this.page?.nextCursor;
    // A page still on its way (a click just before): its cursor is not known yet. A quiet reload of
    // the page shown does not hold Next (nor Previous) back.
    if (!next || this.#pageParams !== JSON.stringify(this.#params())) return;
    this.cursors = [...this.cursors, next];
    this.#pagerFocus = 'next';
  }

  #previousPage(): void {
    if (this.cursors.length <= 1) return;
    this.cursors = this.cursors.slice(0, -1);
    this.#pagerFocus = 'previous';
  }

  // ---- actions ----

  /** What the viewer may do to `user`, the row's main action first (Assign, Resend or Edit). */
  #actionsOf(user: User): Action[] {
    const store = this.store!;
    const manage = store.can('users:manage');
    const isOwner = user.role === 'owner';
    const { status, invitationExpired: expired } = user;
    const offered: [Action, unknown][] = [
      ['assign', manage && status === 'disabled' && !expired],
      ['resend', manage && (status === 'invited' || expired)],
      ['edit', manage],
      ['reassign', manage && !isOwner && status !== 'disabled'],
      ['revoke', manage && status === 'invited'],
      ['history', store.can('users:read')],
      ['owner', store.can('owner:transfer') && !isOwner && status === 'enabled' && user.activatedAt],
      ['unassign', manage && !isOwner && status === 'enabled'],
    ];
    return offered.filter(([, allowed]) => allowed).map(([id]) => id);
  }

  /** "No license is free", and what this viewer can do about it. */
  #noLicense(store: SeatStore): string {
    return `${this.i18n.t('noLicenseToAssign')} ${noLicenseAdvice(store, this.i18n)}`;
  }

  /** Assigning, or resending an expired invitation, needs a free license. */
  #blocked(user: User, id: Action): boolean {
    return (id === 'assign' || id === 'resend') && user.status === 'disabled' && (this.store?.account?.licenses.available ?? 0) <= 0;
  }

  #run(id: Action, user: User, trigger: HTMLElement): void {
    const store = this.store;
    if (!store?.account) return;
    this.rowNotice = null;
    if (this.#blocked(user, id)) {
      this.rowNotice = { userId: user.id, text: this.#noLicense(store), buy: store.can('licenses:manage') };
      return;
    }
    if (id === 'assign' || id === 'resend') {
      // A scheduled reduction would take this license back: say so, with its date, before it is given.
      const warning = user.status === 'disabled' ? reductionWarning(store.account, this.i18n, !user.activatedAt) : '';
      if (warning) void this.#show(id, user, trigger, warning);
      else void this.#direct(user, id);
      return;
    }
    if (id === 'unassign' && !request(this, 'seat-unassign-request', { user })) return;
    if (id === 'owner' && !request(this, 'seat-owner-change-request', { user })) return;
    if (id === 'revoke' && !request(this, 'seat-revoke-request', { user })) return;
    void this.#show(id, user, trigger);
  }

  /** An action without a dialog (nothing is lost by it): run it, announce the outcome, or show the failure at the row. */
  async #direct(user: User, id: 'assign' | 'resend'): Promise<void> {
    const store = this.store!;
    try {
      this.announcement = await (await this.#loadDialogs()).direct(id, user);
      this.#rememberFocus(user.id);
    } catch (error) {
      emit(this, 'seat-error', { error: error as Error, action: id === 'assign' ? 'licenses.assign' : 'invitations.resend' });
      const noLicense = error instanceof SeatError && error.code === 'no_license_available';
      this.rowNotice = {
        userId: user.id,
        text: noLicense ? this.#noLicense(store) : this.i18n.messageOf(error),
        buy: noLicense && store.can('licenses:manage'),
      };
    }
  }

  #buyLicense(): void {
    const store = this.store;
    const notice = this.rowNotice;
    if (store && notice && !buyLicense(this, store)) this.rowNotice = { ...notice, text: this.i18n.t('buyWithManage'), buy: false };
  }

  // ---- the More actions menu (loaded on first use) ----

  #withMenu(use: (menu: RowMenu) => void): void {
    if (this.#menu) return use(this.#menu);
    this.#menuLoading ??= import('./row-menu.js').then(({ RowMenu }) => {
      this.#menu = new RowMenu(this, {
        kit,
        i18n: this.i18n,
        openFor: () => this.menuFor,
        setOpenFor: (userId) => (this.menuFor = userId),
        run: (id, user, trigger) => this.#run(id, user, trigger),
      });
    });
    void this.#menuLoading.then(
      () => use(this.#menu!),
      (error: unknown) => {
        this.#menuLoading = undefined;
        this.toolbarError = this.i18n.messageOf(error);
      },
    );
  }

  #onMenuButtonKey(event: KeyboardEvent, userId: string): void {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const item = event.key === 'ArrowDown' ? 'first' : 'last';
    this.#withMenu((menu) => void menu.open(userId, item));
  }

  // ---- rendering ----

  protected override render() {
    const store = this.store;
    if (!store) return nothing;
    const waiting = accountState(store, this.i18n, this);
    if (waiting || !store.account) return waiting;
    // A member may not list users and has nothing to do here (the banner tells them about their license).
    if (this.forbidden || !store.can('users:read')) return nothing;
    const noLicense = store.account.licenses.available <= 0;
    return html`
      <section part="base" class="base" aria-labelledby="heading">
        <h2 id="heading">${this.i18n.t('usersHeading')}</h2>
        ${this.#renderToolbar()} ${this.toolbarError ? html`<p class="error" role="alert">${this.toolbarError}</p>` : nothing}
        ${this.#bulk?.renderBar() ?? nothing}
        <div class="table-wrap ${this.loading ? 'busy' : ''}">${this.#renderTable()}</div>
        ${this.#renderPagination()}
        <p class="visually-hidden" role="status">${this.announcement}</p>
        ${noLicense ? html`<p id="no-license" hidden>${this.#noLicense(store)}</p>` : nothing}
      </section>
      ${this.#dialogs?.render() ?? html`<dialog part="dialog"></dialog>`} ${this.#bulk?.renderDialog() ?? nothing}
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
      <label class="check"><input id="inactive-filter" type="checkbox" .checked=${this.inactive} @change=${this.#onInactive} />${t('inactiveFilter')}</label>
      <button id="export" type="button" ?disabled=${this.exporting} @click=${() => void this.#export()}>${t(this.exporting ? 'exporting' : 'exportCsv')}</button>
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

  /** Whether rows can be selected (for bulk actions): a viewer who manages users. */
  #selectable(): boolean {
    return !!this.store?.can('users:manage');
  }

  #renderTable() {
    const rows = this.page?.data ?? [];
    const selectable = this.#selectable();
    const span = COLUMNS.length + (selectable ? 1 : 0);
    const message = (content: unknown) => html`<tr>
      <td class="message" colspan=${span}>${content}</td>
    </tr>`;
    const onPage = rows.filter((user) => this.selected.has(user.id)).length;
    return html`<table part="table" aria-labelledby="heading" aria-busy=${this.loading ? 'true' : 'false'}>
      <thead>
        <tr>
          ${selectable
            ? html`<th scope="col" class="select-cell">
                <input
                  type="checkbox"
                  id="select-page"
                  aria-label=${this.i18n.t('selectPage')}
                  .checked=${rows.length > 0 && onPage === rows.length}
                  .indeterminate=${onPage > 0 && onPage < rows.length}
                  ?disabled=${rows.length === 0}
                  @change=${(e: Event) => this.#toggle(rows, (e.target as HTMLInputElement).checked)}
                />
              </th>`
            : nothing}
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
          ? message(html`<div role="alert"><p class="error">${this.i18n.t('usersLoadFailed')}</p></div>
              <button @click=${() => this.reload()}>${this.i18n.t('retry')}</button>`)
          : !this.page
            ? Array.from(
                { length: Math.min(SKELETON_ROWS, this.#limit) },
                () => html`<tr class="skeleton" aria-hidden="true">
                  ${(selectable ? [...COLUMNS, 0] : COLUMNS).map(() => html`<td><span></span></td>`)}
                </tr>`,
              )
            : rows.length === 0
              ? message(this.i18n.t('noUsers'))
              : // By position, not keyed: a new page or order updates the rows in place (no nodes made
                // anew; `repeat` would also cost 0.6 KiB of the first load), and focus on a row that
                // changed user is handled as if it left (#restoreFocus).
                rows.map((user) => this.#renderRow(user))}
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

  #renderRow(user: User) {
    const status = this.#statusOf(user);
    const notice = this.rowNotice?.userId === user.id ? this.rowNotice : null;
    const selectable = this.#selectable();
    return html`<tr part="row" data-user-id=${user.id} class=${this.selected.has(user.id) ? 'selected' : ''}>
        ${selectable
          ? html`<td part="cell" class="select-cell">
              <input
                type="checkbox"
                data-select=${user.id}
                aria-label=${this.i18n.t('selectUser', fullName(user))}
                .checked=${this.selected.has(user.id)}
                @change=${(e: Event) => this.#toggle([user], (e.target as HTMLInputElement).checked)}
              />
            </td>`
          : nothing}
        <th part="cell" scope="row">
          <span class="name">${fullName(user)}</span>
          <span class="email">${user.email}</span>
        </th>
        <td part="cell" class="fixed" data-label=${this.i18n.t('columnRole')}>${this.i18n.role(user.role)}</td>
        <td part="cell" data-label=${user.qualification ? this.i18n.t('columnQualification') : nothing}>${user.qualification}</td>
        <td part="cell" class="fixed"><span part="status" class="status ${status.kind}">${status.label}</span></td>
        <td part="cell" class="fixed" data-label=${this.i18n.t('columnLastActive')}>
          ${user.lastActiveAt ? this.i18n.date(user.lastActiveAt) : this.i18n.t('never')}
        </td>
        <td part="cell" class="fixed actions-cell">${this.#renderActions(user)}</td>
      </tr>
      ${notice
        ? html`<tr class="row-notice">
            <td colspan=${COLUMNS.length + (selectable ? 1 : 0)}>
              <div part="notice" class="notice" role="alert">
                <p>${notice.text}</p>
                ${notice.buy ? html`<button @click=${this.#buyLicense}>${this.i18n.t('buyLicense')}</button>` : nothing}
              </div>
            </td>
          </tr>`
        : nothing}`;
  }

  #renderActions(user: User) {
    const actions = this.#actionsOf(user);
    const main = actions[0] === 'assign' || actions[0] === 'resend' || actions[0] === 'edit' ? actions[0] : undefined;
    const more = main ? actions.slice(1) : actions;
    const name = fullName(user);
    const open = this.menuFor === user.id;
    // No license free: the action stays focusable and says why it cannot run (and, activated, what to do).
    const blocked = !!main && this.#blocked(user, main);
    return html`<div class="row-actions">
      ${main
        ? html`<button
            part="action-button"
            data-action=${main}
            aria-label=${this.i18n.t(main, name)}
            aria-disabled=${blocked ? 'true' : nothing}
            aria-describedby=${blocked ? 'no-license' : nothing}
            @click=${(e: Event) => this.#run(main, user, e.currentTarget as HTMLElement)}
          >
            ${this.i18n.t(`${main}Short`)}
          </button>`
        : nothing}
      ${more.length === 0
        ? nothing
        : html`<div class="menu-wrap" @focusout=${(e: FocusEvent) => this.#menu?.onFocusOut(e)}>
            <button
              part="menu-button"
              id=${`more-${user.id}`}
              aria-haspopup="menu"
              aria-expanded=${open ? 'true' : 'false'}
              aria-controls=${open ? 'menu' : nothing}
              aria-label=${this.i18n.t('moreActions', name)}
              @click=${() => (open ? this.#menu?.close(true) : this.#withMenu((menu) => void menu.open(user.id, 'first')))}
              @keydown=${(e: KeyboardEvent) => this.#onMenuButtonKey(e, user.id)}
            >
              ${this.i18n.t('more')}<span aria-hidden="true">▾</span>
            </button>
            ${open ? (this.#menu?.render(user, more) ?? nothing) : nothing}
          </div>`}
    </div>`;
  }

  #renderPagination() {
    const page = this.page;
    if (!page || page.total === 0) return nothing;
    const size = this.#limit;
    const from = (this.cursors.length - 1) * size + 1;
    const to = from + page.data.length - 1;
    const n = (x: number) => this.i18n.number(x);
    return html`<nav part="pagination" class="pagination" aria-label=${this.i18n.t('pagination')}>
      <div class="field">
        <label for="page-size">${this.i18n.t('pageSize')}</label>
        <select id="page-size" @change=${this.#onPageSize}>
          ${[...new Set([...PAGE_SIZES, size])].sort((a, b) => a - b).map((s) => html`<option value=${s} ?selected=${s === size}>${s}</option>`)}
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
