/**
 * The README's SDK example runs as written: the `ts` block after `<!-- sdk-example` is written to
 * a temp file (its `seatkit/sdk` import pointed at sdk/index.ts) and run with tsx against a real
 * server on a random port.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { start, type Started } from '../../server/node.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SDK_ENTRY = join(ROOT, 'sdk', 'index.ts');

/** The fenced `ts` block that follows the marker. */
function extractExample(readme: string): string {
  const marker = readme.indexOf('<!-- sdk-example');
  assert.ok(marker >= 0, 'README.md has the <!-- sdk-example marker');
  const match = /```ts\n([\s\S]*?)\n```/.exec(readme.slice(marker));
  assert.ok(match, 'a ```ts block follows the marker');
  return match[1]!;
}

describe('README "For SDK users" example', () => {
  let server: Started;
  let dir: string;
  before(async () => {
    server = await start({ PORT: '0', SEATKIT_DB: ':memory:', SEATKIT_API_KEY: 'sk_readme_test_0123456789', SEATKIT_LOG_REQUESTS: 'off' }, () => {});
    dir = await mkdtemp(join(tmpdir(), 'seatkit-readme-'));
  });
  after(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs against a real server: exit code 0, the users and the charge line printed', async (t) => {
    const example = extractExample(await readFile(join(ROOT, 'README.md'), 'utf8'));
    assert.match(example, /from 'seatkit\/sdk'/);
    const code = example.replaceAll(`from 'seatkit/sdk'`, `from ${JSON.stringify(SDK_ENTRY)}`);
    assert.doesNotMatch(code, /seatkit\/sdk/);
    const file = join(dir, 'example.mts'); // .mts: an ES module (top-level await) outside the package
    await writeFile(file, code);

    // Asynchronous: the server runs in this process and must keep answering.
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], {
      cwd: ROOT,
      env: { ...process.env, SEATKIT_URL: server.url, SEATKIT_API_KEY: server.apiKey },
      timeout: 60_000,
    }).catch((error: { code?: number; stdout?: string; stderr?: string }) => {
      assert.fail(`the example failed (exit ${error.code}):\n${error.stdout}\n${error.stderr}`);
    });
    assert.equal(stderr, '');
    t.diagnostic(stdout.trim().replaceAll('\n', ' / '));
    const lines = stdout.trim().split('\n');
    assert.ok(lines.includes('ada@acme.example enabled'), stdout);
    assert.ok(lines.includes('grace@acme.example invited'), stdout);
    const charge = lines.find((line) => line.includes('charged'));
    assert.match(charge ?? '', /^8 licenses free; charged [1-9]\d* USD \(minor units\)$/, stdout);
    // The error branch: quote(0) is a SeatError with status, code, errors and a request id.
    assert.ok(lines.some((line) => /^400 validation_failed .*quantity.* req_\S+$/.test(line)), stdout);
  });
});
