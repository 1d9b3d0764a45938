import { SeatConflictError } from '../core/errors.js';
import type { Http, RequestOptions } from '../core/http.js';
import type { LicenseChangeBody, LicenseChangeResult, Quote, UserResult, UsersResult } from '../types.js';

function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => (clearTimeout(timer), reject(signal!.reason));
    const timer = setTimeout(() => (signal?.removeEventListener('abort', onAbort), resolve()), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Licenses: give, take back, move between users; quote and change the total. */
export class LicensesResource {
  constructor(
    private readonly http: Http,
    private readonly path: string,
  ) {}

  /** Gives a license to a disabled user (enabled again, or invited anew if never activated). */
  async assign(userId: string, options: RequestOptions = {}): Promise<UserResult> {
    return this.http.put<UserResult>(`${this.path}/users/${encodeURIComponent(userId)}/license`, options);
  }

  /** Takes a user's license: the user is kept (disabled) and the license is free at once. */
  async unassign(userId: string, options: RequestOptions = {}): Promise<UserResult> {
    return this.http.delete<UserResult>(`${this.path}/users/${encodeURIComponent(userId)}/license`, options);
  }

  /** Moves a license from one user to another in one step (works with none available). */
  async reassign(fromUserId: string, toUserId: string, options: RequestOptions = {}): Promise<UsersResult> {
    return this.http.post<UsersResult>(`${this.path}/license-transfers`, { ...options, json: { fromUserId, toUserId } });
  }

  /** The price and effect of a new total: amount due now (increase) or when it takes effect (decrease). */
  async quote(quantity: number, options: RequestOptions = {}): Promise<Quote> {
    return this.http.get<Quote>(`${this.path}/licenses/quote`, { ...options, query: { quantity } });
  }

  /**
   * Changes the total to what was quoted. One Idempotency-Key is made per call (or pass your own)
   * and reused on every retry, so a dropped answer never charges twice.
   */
  async change(body: LicenseChangeBody, options: RequestOptions & { idempotencyKey?: string } = {}): Promise<LicenseChangeResult> {
    const { idempotencyKey = newIdempotencyKey(), ...rest } = options;
    const send = () =>
      this.http.post<LicenseChangeResult>(`${this.path}/licenses`, {
        ...rest,
        json: body,
        headers: { 'Idempotency-Key': idempotencyKey },
        retry: true,
      });
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        // The first attempt (timed out here) may still be running there: wait, then ask again with the same key.
        if (!(error instanceof SeatConflictError) || error.code !== 'idempotency_key_in_use' || attempt >= 5) throw error;
        await delay(1000 * attempt, rest.signal);
      }
    }
  }
}
