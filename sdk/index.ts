/**
 * `seatkit/sdk`: the typed client of the seatkit API (browsers and Node), its errors, the wire
 * types and the input limits shared with the server.
 */
export { SeatClient, SeatAdmin, type SeatClientOptions, type SeatAdminOptions } from './client.js';
export {
  SeatError,
  SeatValidationError,
  SeatAuthError,
  SeatForbiddenError,
  SeatNotFoundError,
  SeatConflictError,
  SeatRateLimitError,
  SeatServerError,
  SeatNetworkError,
  SeatTimeoutError,
  type SeatErrorInit,
} from './core/errors.js';
export { Page, PagePromise } from './core/pagination.js';
export type { RequestOptions, TokenSource } from './core/http.js';
export type { StreamOptions } from './resources/stream.js';
export * from './types.js';
export * from './limits.js';
