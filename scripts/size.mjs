// Prints the size of the self-contained browser file (dist/seatkit.js): minified, gzip, brotli,
// against the 30 KiB brotli budget. Exits 1 over budget.
import { readFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const BUDGET = 30 * 1024;
const file = 'dist/seatkit.js';
const code = readFileSync(file);
const gzip = gzipSync(code, { level: 9 }).length;
const brotli = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`${file}: ${kib(code.length)} min, ${kib(gzip)} gzip, ${kib(brotli)} brotli (budget ${kib(BUDGET)} brotli: ${brotli <= BUDGET ? 'within' : 'OVER'})`);
if (brotli > BUDGET) process.exit(1);
