/**
 * The SDK's one error tree: every failure of a call is a `SeatError` (except an abort, which
 * rejects with the signal's reason). Mapped in one place, `errorFromProblem`, from the server's
 * problem+json answer.
 */
import type { ErrorCode, Problem } from '../types.js';

export interface SeatErrorInit {
  status: number;
  code: ErrorCode | 'network_error' | 'timeout';
  detail: string;
  requestId?: string;
  errors?: Record<string, string>;
  problem?: Problem;
  cause?: unknown;
}

/** Base of every error the SDK throws: `status`, stable `code`, human `detail`, the server's `requestId`. */
export class SeatError extends Error {
  /** HTTP status; 0 when no answer came (network, timeout). */
  readonly status: number;
  /** Stable code (`no_license_available`, …; `network_error`, `timeout` for failures without an answer). */
  readonly code: SeatErrorInit['code'];
  readonly detail: string;
  /** The request id to quote to the operator ('' when no answer came). */
  readonly requestId: string;
  /** Field → message, for validation errors. */
  readonly errors: Record<string, string>;
  /** The whole problem document, with any extra members (`mustFree`, `userId`, …). */
  readonly problem: Problem | undefined;

  constructor(init: SeatErrorInit) {
    super(init.detail, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
    this.requestId = init.requestId ?? '';
    this.errors = init.errors ?? {};
    this.problem = init.problem;
  }
}

/** 400, 413, 415, 422, 428: the request itself is wrong (see `errors`). */
export class SeatValidationError extends SeatError {}
/** 401: no valid token (after `getToken` was asked once more). */
export class SeatAuthError extends SeatError {}
/** 403: the viewer's role may not do this. */
export class SeatForbiddenError extends SeatError {}
/** 404 and 410: missing, not in this account, or an invitation that is no longer valid. */
export class SeatNotFoundError extends SeatError {}
/** 409 and 412: conflicts with the current state (`code` says which). */
export class SeatConflictError extends SeatError {}
/** 429: rate limited; `retryAfter` seconds. */
export class SeatRateLimitError extends SeatError {
  readonly retryAfter: number | undefined;
  constructor(init: SeatErrorInit & { retryAfter?: number }) {
    super(init);
    this.retryAfter = init.retryAfter;
  }
}
/** 5xx: the server failed (503 `storage_unavailable`: nothing was changed, retry later). */
export class SeatServerError extends SeatError {}
/** No answer: the network failed (`cause` has the underlying error). */
export class SeatNetworkError extends SeatError {}
/** No answer in time (`cause` has the underlying error). */
export class SeatTimeoutError extends SeatError {}

function classFor(status: number): new (init: SeatErrorInit) => SeatError {
  if (status === 401) return SeatAuthError;
  if (status === 403) return SeatForbiddenError;
  if (status === 404 || status === 410) return SeatNotFoundError;
  if (status === 409 || status === 412) return SeatConflictError;
  if (status === 429) return SeatRateLimitError;
  if (status >= 500) return SeatServerError;
  return SeatValidationError;
}

/** Maps an HTTP error answer (problem+json, or anything else a proxy may send) to its error class. */
export async function errorFromResponse(response: Response): Promise<SeatError> {
  let problem: Problem | undefined;
  try {
    const body: unknown = await response.json();
    if (body && typeof body === 'object' && typeof (body as Problem).code === 'string') problem = body as Problem;
  } catch {
    // Not JSON: a proxy or a crash answered.
  }
  const status = response.status;
  const retryAfter = Number(response.headers.get('Retry-After'));
  const init = {
    status,
    code: problem?.code ?? (status >= 500 ? 'internal_error' : status === 404 ? 'not_found' : 'validation_failed'),
    detail: problem?.detail ?? `HTTP ${status} ${response.statusText}`.trim(),
    requestId: problem?.requestId ?? response.headers.get('X-Request-Id') ?? '',
    errors: problem?.errors,
    problem,
    ...(Number.isFinite(retryAfter) && response.headers.has('Retry-After') && { retryAfter }),
  };
  const ErrorClass = classFor(status);
  return new ErrorClass(init);
}
