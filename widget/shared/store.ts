/**
 * The one shared state of a `<seat-provider>` (or of an element used alone): the SDK client, the
 * account (license counts, plan, viewer), and a revision of the users so lists reload after a
 * change. Every change made through any element goes through `mutate`, so the banner, the table
 * and the form show it at once.
 */
import type { SeatClient } from '../../sdk/client.js';
import { SeatAuthError, type SeatError } from '../../sdk/core/errors.js';
import type { Account, Billing, LicenseCounts, Permission } from '../../sdk/types.js';
import type { Messages } from './i18n/en.js';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

export class SeatStore extends EventTarget {
  account: Account | null = null;
  status: LoadStatus = 'idle';
  error: SeatError | Error | null = null;
  /** Bumped after every change of users: lists reload. */
  usersRevision = 0;
  sessionExpired = false;
  /** Locale and message overrides of the provider (elements may override them again). */
  locale: string | undefined;
  messages: Partial<Messages> | undefined;
  #loading: AbortController | null = null;

  constructor(readonly client: SeatClient) {
    super();
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
  async mutate<T extends { licenses: LicenseCounts; billing?: Billing }>(change: (client: SeatClient) => Promise<T>): Promise<T> {
    try {
      const result = await change(this.client);
      if (this.account) this.account = { ...this.account, licenses: result.licenses, ...(result.billing && { billing: result.billing }) };
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
