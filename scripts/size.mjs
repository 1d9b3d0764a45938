// Prints the sizes of the browser files: dist/seatkit.js (what a page loads first: minified, gzip,
// brotli, against the 25 KiB brotli budget), each chunk it loads on first use, and the single-file
// dist/seatkit.bundle.js. Exits 1 over budget.
import { readdirSync, readFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const BUDGET = 25 * 1024;
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
function sizes(file) {
  const code = readFileSync(`dist/${file}`);
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length, brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length };
}
const line = (file, s) => `dist/${file}: ${kib(s.min)} min, ${kib(s.gzip)} gzip, ${kib(s.brotli)} brotli`;

const first = sizes('seatkit.js');
console.log(`${line('seatkit.js', first)} (first load; budget ${kib(BUDGET)} brotli: ${first.brotli <= BUDGET ? 'within' : 'OVER'})`);
const chunks = readdirSync('dist').filter((f) => /^seatkit-.+\.js$/.test(f)).sort();
for (const chunk of chunks) console.log(`  ${line(chunk, sizes(chunk))} (on first use)`);
try {
  console.log(`${line('seatkit.bundle.js', sizes('seatkit.bundle.js'))} (single file, everything)`);
} catch {
  // no single-file build
}
if (first.brotli > BUDGET) process.exit(1);
