/** Entry of `dist/seatkit.js`: the elements (registered on import), the SDK and Lit in one file. */
export * from './sdk/index.js';
export * from './widget/index.js';
