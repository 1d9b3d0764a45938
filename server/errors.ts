import { ERROR_CODES, type ErrorCode } from '../sdk/types.js';

const TITLES: Record<ErrorCode, string> = {
  validation_failed: 'The request is not valid',
  invalid_json: 'The body is not valid JSON',
  idempotency_key_required: 'An Idempotency-Key header is required',
  unauthorized: 'Authentication is required',
  forbidden: 'You may not do this',
  not_found: 'Not found',
  invitation_invalid: 'This invitation is not valid',
  license_required: 'A license is required',
  user_exists: 'This person is already a user of the account',
  external_id_exists: 'Another user of the account has this external id',
  no_license_available: 'No license is available',
  owner_requires_license: 'The account owner always holds a license',
  owner_role_locked: "The account owner's role changes only by an ownership transfer",
  licenses_in_use: 'More licenses are in use than the new total',
  quote_changed: 'The price changed since the quote',
  user_not_eligible: 'The user is not eligible for this action',
  user_not_enabled: 'The user is not enabled',
  batch_rejected: 'The batch was refused: nothing was changed',
  idempotency_key_in_use: 'A request with this Idempotency-Key is still running',
  test_clock_required: 'This account has no test clock',
  invitation_expired: 'This invitation has expired',
  precondition_failed: 'The user was changed by someone else',
  payload_too_large: 'The body is too large',
  unsupported_media_type: 'The body must be JSON',
  agreement_required: 'The license agreement must be accepted',
  idempotency_key_reused: 'This Idempotency-Key was used with another request',
  precondition_required: 'An If-Match header is required',
  rate_limited: 'Too many requests',
  too_many_streams: 'Too many open streams',
  internal_error: 'Something went wrong on our side',
  storage_unavailable: 'Storage is unavailable',
};

export interface ApiErrorOptions {
  /** Field path → message, for `validation_failed`. */
  errors?: Record<string, string>;
  /** Extra problem members (e.g. `mustFree`, `userId`). */
  extra?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** The one error of the server: every failure, in the domain or at the edge, is thrown as this. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly errors?: Record<string, string>;
  readonly extra?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(code: ErrorCode, detail?: string, options: ApiErrorOptions = {}) {
    super(detail ?? TITLES[code]);
    this.name = 'ApiError';
    this.code = code;
    this.status = ERROR_CODES[code];
    this.errors = options.errors;
    this.extra = options.extra;
    this.headers = options.headers;
  }

  get title(): string {
    return TITLES[this.code];
  }
}

/**
 * Where the Node front leaves an error on a request (`IncomingMessage`) for the app to answer with
 * its own headers (request id, CORS): a change sent on to another process that did not answer.
 */
export const FRONT_ERROR = 'seatkitError';

/** The problem `type` URI of a code (a stable, non-dereferenceable URN). */
export function problemType(code: ErrorCode): string {
  return `urn:seatkit:problem:${code}`;
}

/** 401 with the `WWW-Authenticate` challenge: no token, a wrong one, or a session that has ended. */
export function unauthorized(detail = 'Send a valid token: Authorization: Bearer <token>.'): ApiError {
  return new ApiError('unauthorized', detail, { headers: { 'WWW-Authenticate': 'Bearer' } });
}
