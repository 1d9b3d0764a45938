import { ApiError } from './errors.js';

/** Counts actions per key in a window and refuses (429) past a limit. */
export interface Limiter {
  /** Counts `count` hits for `key` (all or none), or throws 429 with Retry-After when they do not fit the window. */
  hit(key: string, now: number, count?: number): void | Promise<void>;
  /** Gives back hits whose action did not happen. */
  refund(key: string, count?: number): void | Promise<void>;
}

/** A fixed-window counter per key, in memory (one process). */
export class RateLimiter implements Limiter {
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Counts `count` hits for `key` (all or none), or throws 429 with Retry-After when they do not fit the window. */
  hit(key: string, now: number, count = 1): void {
    let window = this.#windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      if (this.#windows.size > 10_000) this.#sweep(now);
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
    }
    if (window.count + count > this.limit) {
      const retryAfter = Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000));
      throw new ApiError('rate_limited', `Too many requests. Try again in ${retryAfter} seconds.`, { headers: { 'Retry-After': String(retryAfter) } });
    }
    window.count += count;
  }

  /** Gives back hits whose action did not happen. */
  refund(key: string, count = 1): void {
    const window = this.#windows.get(key);
    if (window) window.count = Math.max(0, window.count - count);
  }

  #sweep(now: number): void {
    for (const [key, window] of this.#windows) if (now - window.start >= this.windowMs) this.#windows.delete(key);
  }
}
