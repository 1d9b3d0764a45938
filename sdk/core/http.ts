/**
 * The one place the SDK talks HTTP (ky): the base URL, the token, retries, timeouts, and the
 * mapping of every failure to a `SeatError`.
 */
import ky, { HTTPError, TimeoutError, type KyInstance, type Options } from 'ky';
import { errorFromResponse, SeatAuthError, SeatError, SeatNetworkError, SeatTimeoutError } from './errors.js';

export type TokenSource = () => string | Promise<string>;

export interface HttpOptions {
  /** Where the server is mounted: its origin plus any prefix, without `/v1`. */
  baseUrl: string;
  /** A fixed bearer token (session token or, for `SeatAdmin`, the API key). */
  token?: string;
  /** Asked for the token before each call, and once more after a 401. */
  getToken?: TokenSource;
  /** Custom fetch (tests, an in-process app, a proxy). */
  fetch?: typeof fetch;
  /** Retries of a retriable call after the first attempt (default 2). */
  maxRetries?: number;
  /** Per-attempt timeout in ms (default 30,000). */
  timeout?: number;
}

/** Options every SDK method takes as its last argument. */
export interface RequestOptions {
  signal?: AbortSignal;
  /** Per-attempt timeout in ms for this call. */
  timeout?: number;
}

export interface CallOptions extends RequestOptions {
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  headers?: Record<string, string>;
  /** Safe to repeat: GETs, and changes carrying an Idempotency-Key. */
  retry?: boolean;
  /** No Authorization header (invitation lookups and accepts). */
  anonymous?: boolean;
  /** Answer the body as a stream of bytes (a CSV export), not parsed JSON. */
  stream?: boolean;
}

export interface Answer<T> {
  body: T;
  headers: Headers;
}

/** Rejects with the signal's reason when it aborts; `dispose()` removes its listener once the call settled. */
function settleOnAbort(signal: AbortSignal): { promise: Promise<never>; dispose(): void } {
  let onAbort = () => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  // Without a listener on it, a rejection that loses the race is no unhandled rejection either.
  promise.catch(() => {});
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

const RETRY_STATUSES = [408, 429, 500, 502, 503, 504];

export class Http {
  readonly #ky: KyInstance;
  readonly #options: HttpOptions;

  constructor(options: HttpOptions) {
    this.#options = options;
    this.#ky = ky.create({
      prefixUrl: `${options.baseUrl.replace(/\/+$/, '')}/v1/`,
      timeout: options.timeout ?? 30_000,
      ...(options.fetch && { fetch: options.fetch }),
    });
  }

  async #token(): Promise<string | undefined> {
    if (!this.#options.getToken) return this.#options.token;
    try {
      return await this.#options.getToken();
    } catch (error) {
      throw new SeatAuthError({ status: 401, code: 'unauthorized', detail: `getToken failed: ${String((error as Error)?.message ?? error)}`, cause: error });
    }
  }

  async call<T>(method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, options: CallOptions = {}): Promise<Answer<T>> {
    const send = async (token: string | undefined) => {
      const searchParams: Record<string, string> = {};
      for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) searchParams[key] = String(value);
      const kyOptions: Options = {
        method,
        searchParams,
        headers: { ...options.headers, ...(token && !options.anonymous && { Authorization: `Bearer ${token}` }) },
        ...(options.json !== undefined && { json: options.json }),
        ...(options.signal && { signal: options.signal }),
        ...(options.timeout !== undefined && { timeout: options.timeout }),
        retry: {
          limit: options.retry ? (this.#options.maxRetries ?? 2) : 0,
          methods: [method],
          statusCodes: RETRY_STATUSES,
          afterStatusCodes: [413, 429, 503],
          maxRetryAfter: 10_000,
          backoffLimit: 10_000,
          retryOnTimeout: options.retry === true,
          jitter: true,
        },
      };
      const response = await this.#ky(path, kyOptions);
      if (options.stream) return { body: response.body as T, headers: response.headers };
      const text = await response.text();
      return { body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
    };
    const attempt = async () => {
      try {
        return await send(await this.#token());
      } catch (error) {
        // A 401 may be a token that just expired: ask `getToken` once more before giving up.
        if (!this.#options.getToken || options.anonymous || !(error instanceof HTTPError) || error.response.status !== 401) throw error;
        return await send(await this.#token());
      }
    };
    // Settle on abort even when a custom fetch ignores the signal; one listener per call, removed after it.
    const aborted = options.signal && settleOnAbort(options.signal);
    try {
      return await (aborted ? Promise.race([attempt(), aborted.promise]) : attempt());
    } catch (error) {
      throw await this.#map(error, options.signal);
    } finally {
      aborted?.dispose();
    }
  }

  /** GET: the answer's body (retried when it fails in a way worth retrying, unless `retry: false`). */
  async get<T>(path: string, options: CallOptions = {}): Promise<T> {
    return (await this.call<T>('get', path, { retry: true, ...options })).body;
  }

  async post<T>(path: string, options: CallOptions = {}): Promise<T> {
    return (await this.call<T>('post', path, options)).body;
  }

  async put<T>(path: string, options: CallOptions = {}): Promise<T> {
    return (await this.call<T>('put', path, options)).body;
  }

  async patch<T>(path: string, options: CallOptions = {}): Promise<T> {
    return (await this.call<T>('patch', path, options)).body;
  }

  async delete<T>(path: string, options: CallOptions = {}): Promise<T> {
    return (await this.call<T>('delete', path, options)).body;
  }

  async #map(error: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    if (signal?.aborted) return signal.reason;
    if (error instanceof HTTPError) return errorFromResponse(error.response);
    if (error instanceof TimeoutError) {
      return new SeatTimeoutError({ status: 0, code: 'timeout', detail: `No answer within the timeout (${error.request.method} ${error.request.url}).`, cause: error });
    }
    if (error instanceof SeatError || (error instanceof DOMException && error.name === 'AbortError')) return error;
    return new SeatNetworkError({ status: 0, code: 'network_error', detail: `The server could not be reached: ${String((error as Error)?.message ?? error)}`, cause: error });
  }
}

