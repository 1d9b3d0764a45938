/** Entry of `dist/seatkit.js`, the self-contained browser file. */
export * from './sdk/index.js';
