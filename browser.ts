/**
 * Entry of `dist/seatkit.js`: the elements (registered on import), the browser half of the SDK
 * and Lit in one file. `SeatAdmin` is left out on purpose: the API key never belongs in a browser.
 */
export { SeatClient, type SeatClientOptions } from './sdk/client.js';
export * from './sdk/core/errors.js';
export { Page, PagePromise } from './sdk/core/pagination.js';
export * from './sdk/limits.js';
export type * from './sdk/types.js';
export * from './widget/index.js';
