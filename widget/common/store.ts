/**
 * The one shared state of a `<seat-provider>` (or of an element used alone): the SDK client, the
 * account (license counts, plan, viewer), and a revision of the users so lists reload after a
 * change. Every change made through any element goes through `mutate`, so the banner, the table
 * and the form show it at once.
 */
import type { SeatClient } from '../../sdk/client.js';
import { SeatAuthError, type SeatError } from '../../sdk/core/errors.js';
import type { Account, Billing, LicenseCounts, Permission, User } from '../../sdk/types.js';
import type { Messages } from './i18n/en.js';
import { fullName } from './names.js';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

export class SeatStore extends EventTarget {
  account: Account | null = null;
  status: LoadStatus = 'idle';
  error: SeatError | Error | null = null;
  /** Bumped after every change of users: lists reload. */
  usersRevision = 0;
  sessionExpired = false;
  /** Whether its elements keep the account's live stream (the provider's `live`, or a lone element's). */
  live = true;
  /** Changes of this page still running: a live end of the session waits for them (their outcome is told first). */
  pending: Promise<unknown> = Promise.resolve();
  /** Locale and message overrides of the provider (elements may override them again). */
  locale: string | undefined;
  messages: Partial<Messages> | undefined;
  /** Names of users by id ("Ada Lovelace"), for texts that mention users the viewer may not have on screen. */
  readonly names = new Map<string, string>();
  #loading: AbortController | null = null;
  readonly #asked = new Set<string>();
  readonly #elements = new Set<Element>();

  constructor(readonly client: SeatClient) {
    super();
  }

  /** An element shows this store (while connected). */
  attach(element: Element): void {
    this.#elements.add(element);
    this.#changed();
  }

  detach(element: Element): void {
    if (this.#elements.delete(element)) this.#changed();
  }

  /**
   * Whether `element` is the first of the store's elements in the page: it alone shows what they
   * share (loading, a failure, the end of the session), so a page says each once.
   */
  leads(element: Element): boolean {
    for (const other of this.#elements) {
      if (other !== element && other.isConnected && other.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING) return false;
    }
    return true;
  }

  /** Whether an element with this tag shows the store (the banner carries the account-wide notices). */
  shows(tag: string): boolean {
    return [...this.#elements].some((element) => element.localName === tag && element.isConnected);
  }

  /** Loads the names of these users (each asked once, even if that fails); the store changes when they arrive. */
  async loadNames(ids: Iterable<string>): Promise<void> {
    if (!this.can('users:read')) return;
    const missing = [...new Set(ids)].filter((id) => !this.names.has(id) && !this.#asked.has(id));
    if (missing.length === 0) return;
    for (const id of missing) this.#asked.add(id);
    const found = await Promise.all(missing.map((id) => this.client.users.get(id).catch(() => undefined)));
    for (const user of found) if (user) this.names.set(user.id, fullName(user));
    if (found.some(Boolean)) this.#changed();
  }

  can(permission: Permission): boolean {
    return this.account?.viewer?.permissions.includes(permission) ?? false;
  }

  /** (Re)loads the account. */
  async load(): Promise<void> {
    this.#loading?.abort();
    const controller = (this.#loading = new AbortController());
    this.status = this.account ? 'ready' : 'loading';
    this.#changed();
    try {
      this.account = await this.client.account.get({ signal: controller.signal });
      this.status = 'ready';
      this.error = null;
    } catch (error) {
      if (controller.signal.aborted) return;
      this.#fail(error);
      this.status = 'error';
    }
    this.#changed();
  }

  /**
   * Runs a change through the client; its answer's license counts (and billing) show everywhere
   * at once, and user lists reload. A 401 ends the session for every element.
   */
  async mutate<T extends { licenses: LicenseCounts; billing?: Billing; user?: User; users?: User[] }>(change: (client: SeatClient) => Promise<T>): Promise<T> {
    const run = change(this.client);
    this.pending = Promise.allSettled([this.pending, run]).then(() => undefined);
    try {
      const result = await run;
      if (this.account) this.account = { ...this.account, licenses: result.licenses, ...(result.billing && { billing: result.billing }) };
      for (const user of [result.user, ...(result.users ?? [])]) if (user) this.names.set(user.id, fullName(user));
      this.usersRevision++;
      this.#changed();
      return result;
    } catch (error) {
      this.#fail(error);
      throw error;
    }
  }

  /** The session ended: every element stops and the provider tells the host (`seat-session-expired`). */
  expire(reason: 'owner_transferred' | 'unauthorized'): void {
    if (this.sessionExpired) return;
    this.sessionExpired = true;
    this.dispatchEvent(new CustomEvent('session-expired', { detail: reason }));
    this.#changed();
  }

  /** Asks whoever can sell licenses (the banner) to open its purchase dialog; false when nobody did. */
  openPurchase(quantity: number): boolean {
    return !this.dispatchEvent(new CustomEvent('purchase', { detail: quantity, cancelable: true }));
  }

  #fail(error: unknown): void {
    if (error instanceof SeatAuthError) this.expire('unauthorized');
    this.error = error as Error;
  }

  #changed(): void {
    this.dispatchEvent(new Event('change'));
  }
}
