// Runs every Node test file (test/**/*.test.ts, except the browser ones) with node:test + tsx, then
// the store conformance runs: the rule tests that talk to a store run again on the file store and
// on PostgreSQL (SEATKIT_TEST_STORE; each PostgreSQL test file creates its own database and drops it).
// Node 20's test runner takes no globs, so the files are listed here.
//   node scripts/test-node.mjs [files…]     those files only, on the memory store
//   SEATKIT_TEST_STORE=postgres node scripts/test-node.mjs [files…]   on one store only
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'browser' ? [] : find(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function run(files, store) {
  const env = store ? { ...process.env, SEATKIT_TEST_STORE: store } : process.env;
  if (store) console.log(`\n# conformance on the ${store} store: ${files.length} files`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit', env });
  return result.status ?? 1;
}

const only = process.argv.slice(2);
if (only.length > 0 || process.env.SEATKIT_TEST_STORE) process.exit(run(only.length > 0 ? only : find('test').sort()));

const files = find('test').sort();
// Files whose tests take their store from the run: storeHarness() (in-process) or liveServer() (over HTTP, on the file store by default).
const uses = (pattern) => files.filter((file) => pattern.test(readFileSync(file, 'utf8')));
const onFile = uses(/\bstoreHarness\(/);
const onPostgres = uses(/\b(storeHarness|liveServer)\(/);
const results = [
  ['all tests (memory store)', run(files)],
  ['conformance on the file store', run(onFile, 'file')],
  ['conformance on PostgreSQL', run(onPostgres, 'postgres')],
];
for (const [name, status] of results) console.log(`${status === 0 ? 'passed' : 'FAILED'}: ${name}`);
process.exit(results.some(([, status]) => status !== 0) ? 1 : 0);
