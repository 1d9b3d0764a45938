/**
 * `seatkit/sdk`: the wire types of the API and the input limits shared with the server.
 * (The typed client, `SeatClient` and `SeatAdmin`, lands here too.)
 */
export * from './types.js';
export * from './limits.js';
