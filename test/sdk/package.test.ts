/**
 * The built package (`npm run build`): `seatkit/sdk` imports by name from ESM, resolves from
 * CommonJS, ships declarations without `any`, and bundles for browsers with no `node:` import.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { startServerProcess } from '../helpers/server-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

async function filesUnder(dir: string, suffix: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(suffix)).map((e) => join(e.parentPath, e.name));
}

/** Removes comments (line and block) from TypeScript declarations; strings are left alone. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** The parts of custom-elements.json these tests read. */
interface Manifest {
  modules: {
    path: string;
    exports?: { kind: string; name: string; declaration: { name: string } }[];
    declarations?: {
      name: string;
      tagName?: string;
      attributes?: Named[];
      members?: (Named & { kind: string; privacy?: string; static?: boolean })[];
      events?: Named[];
      slots?: Named[];
      cssParts?: Named[];
      cssProperties?: Named[];
    }[];
  }[];
}
interface Named {
  name: string;
  description?: string;
}

describe('the built package seatkit/sdk', () => {
  let consumer: string;

  before(async () => {
    await run('npm', ['run', 'build'], { cwd: ROOT, timeout: 120_000 });
    // A consumer project outside the package, with seatkit installed (linked) as a dependency.
    consumer = await mkdtemp(join(tmpdir(), 'seatkit-consumer-'));
    await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { seatkit: '*' } }));
    await mkdir(join(consumer, 'node_modules'));
    await symlink(ROOT, join(consumer, 'node_modules', 'seatkit'), 'dir');
  });
  after(async () => {
    if (consumer) await rm(consumer, { recursive: true, force: true });
  });

  it('package.json exports ./sdk with types and default, pointing at what the build produced', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { type: string; exports: Record<string, { types: string; default: string }> };
    assert.equal(pkg.type, 'module');
    const sdk = pkg.exports['./sdk'];
    assert.ok(sdk, 'exports ./sdk');
    assert.deepEqual(Object.keys(sdk), ['types', 'default'], 'types first, then default');
    assert.ok((await stat(join(ROOT, sdk.types))).isFile(), sdk.types);
    assert.ok((await stat(join(ROOT, sdk.default))).isFile(), sdk.default);
  });

  it('imports by package name from an ES module: SeatClient, SeatAdmin and SeatError are functions that work', async () => {
    const script = `
      import { SeatClient, SeatAdmin, SeatError, SeatNotFoundError, LIMITS, checkEmail } from 'seatkit/sdk';
      console.log(typeof SeatClient, typeof SeatAdmin, typeof SeatError);
      const client = new SeatClient({ baseUrl: 'http://localhost:1', accountId: 'acc_x', token: 't' });
      console.log(typeof client.users.list, typeof client.licenses.change, new SeatNotFoundError({ status: 404, code: 'not_found', detail: 'x' }) instanceof SeatError);
      console.log(LIMITS.pageSizeMax, checkEmail('ada@acme.example'));
    `;
    for (const cwd of [ROOT, consumer]) {
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd });
      assert.deepEqual(stdout.trim().split('\n'), ['function function function', 'function function true', '200 null'], `from ${cwd}`);
    }
  });

  it('resolves from CommonJS (require.resolve) to the built file', async () => {
    const { stdout } = await run(process.execPath, ['-e', "console.log(require.resolve('seatkit/sdk'))"], { cwd: ROOT });
    assert.equal(stdout.trim(), join(ROOT, 'dist', 'sdk', 'index.js'));
  });

  it('its declarations (dist/sdk/**/*.d.ts) contain no `any`', async () => {
    const files = await filesUnder(join(ROOT, 'dist', 'sdk'), '.d.ts');
    assert.ok(files.length >= 5, `declarations: ${files.length}`);
    const offenders: string[] = [];
    for (const file of files) {
      withoutComments(await readFile(file, 'utf8'))
        .split('\n')
        .forEach((line, i) => {
          if (/\bany\b/.test(line)) offenders.push(`${file.slice(ROOT.length)}:${i + 1}: ${line.trim()}`);
        });
    }
    assert.deepEqual(offenders, []);
    const index = await readFile(join(ROOT, 'dist', 'sdk', 'index.d.ts'), 'utf8');
    for (const name of ['SeatClient', 'SeatAdmin', 'SeatError', 'Page', 'PagePromise']) assert.match(index, new RegExp(`\\b${name}\\b`));
  });

  it('type-checks a consumer that imports seatkit/sdk (types through the exports map)', async () => {
    await writeFile(
      join(consumer, 'use.ts'),
      `import { SeatClient, SeatError, type User, type Page } from 'seatkit/sdk';
       const client = new SeatClient({ baseUrl: 'http://localhost:1', accountId: 'acc_x', token: 't' });
       export async function names(): Promise<string[]> {
         const page: Page<User> = await client.users.list({ sort: '-email', limit: 10 });
         try { await client.licenses.quote(2); } catch (error) { if (error instanceof SeatError) return [error.code]; }
         return page.data.map((u) => u.email);
       }
       // @ts-expect-error: an unknown sort key is a type error
       client.users.list({ sort: 'shoeSize' });
      `,
    );
    await writeFile(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, lib: ['ES2023', 'DOM'], types: [] }, files: ['use.ts'] }),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', consumer], { cwd: consumer }).catch((error: { stdout?: string }) => assert.fail(`tsc failed:\n${error.stdout}`));
    assert.equal(result.stdout, '');
  });

  it('bundles for browsers with vite: no node: import, small (one entry importing SeatClient)', async (t) => {
    const { build } = await import('vite');
    const bundle = async (name: string, source: string) => {
      const entry = join(consumer, `${name}.js`);
      await writeFile(entry, source);
      const outDir = join(consumer, `out-${name}`);
      await build({
        root: consumer,
        configFile: false,
        logLevel: 'silent',
        build: {
          outDir,
          emptyOutDir: true,
          minify: true,
          target: 'es2022',
          lib: { entry, formats: ['es'], fileName: () => `${name}.js` },
        },
      });
      const code = await readFile(join(outDir, `${name}.js`), 'utf8');
      return { code, bytes: Buffer.byteLength(code), gzip: gzipSync(code).length };
    };

    const client = await bundle('client', `import { SeatClient } from 'seatkit/sdk';\nconsole.log(SeatClient);\n`);
    t.diagnostic(`browser bundle of SeatClient: ${client.bytes} bytes minified, ${client.gzip} bytes gzipped`);
    assert.doesNotMatch(client.code, /["']node:/, 'no node: import');
    assert.doesNotMatch(client.code, /\brequire\(/, 'no require()');
    assert.doesNotMatch(client.code, /\bprocess\.env\b|\bBuffer\b/, 'no Node globals');
    assert.match(client.code, /Idempotency-Key/, 'the client is in it');
    assert.ok(client.bytes < 40_000, `small: ${client.bytes} bytes`);
    assert.ok(client.gzip < 12_000, `small gzipped: ${client.gzip} bytes`);

    // Tree-shaking: the input limits alone leave the client (and ky) out.
    const limits = await bundle('limits', `import { checkEmail } from 'seatkit/sdk';\nconsole.log(checkEmail('a@b.example'));\n`);
    t.diagnostic(`browser bundle of checkEmail alone: ${limits.bytes} bytes minified`);
    assert.doesNotMatch(limits.code, /Idempotency-Key|prefixUrl/, 'neither the client nor ky');
    assert.ok(limits.bytes < client.bytes / 3, `${limits.bytes} bytes`);
  });

  it('dist/custom-elements.json lists every element with its attributes, properties, events, slots, parts and CSS properties', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { customElements: string };
    const manifest = JSON.parse(await readFile(join(ROOT, pkg.customElements), 'utf8')) as Manifest;
    const elements = new Map(manifest.modules.flatMap((m) => (m.declarations ?? []).filter((d) => d.tagName).map((d) => [d.tagName!, { ...d, module: m }] as const)));
    assert.deepEqual([...elements.keys()].sort(), ['invite-form', 'seat-banner', 'seat-provider', 'seat-usage', 'user-table']);
    const names = (list: Named[] | undefined) => (list ?? []).map((x) => x.name);
    const expected: Record<string, { attributes: string[]; properties: string[]; events: string[]; slots: string[]; parts: string[]; cssProperties: string[] }> = {
      'seat-provider': { attributes: ['base-url', 'account-id', 'token', 'locale'], properties: ['getToken', 'messages', 'client'], events: ['seat-session-expired'], slots: [''], parts: [], cssProperties: [] },
      'seat-banner': { attributes: ['agreement-url', 'base-url', 'account-id', 'token'], properties: ['agreementUrl', 'getToken', 'messages'], events: ['seat-licenses-changed', 'seat-licenses-change-request', 'seat-error'], slots: [], parts: ['summary', 'meter', 'manage-button', 'dialog'], cssProperties: ['--seat-color-accent', '--seat-radius'] },
      'invite-form': { attributes: ['base-url', 'account-id', 'token', 'locale'], properties: ['getToken', 'messages'], events: ['seat-user-invited', 'seat-purchase-request', 'seat-error'], slots: [], parts: ['form', 'input', 'submit-button'], cssProperties: ['--seat-color-accent', '--seat-color-danger'] },
      'seat-usage': { attributes: ['days', 'base-url', 'account-id', 'token'], properties: ['days', 'getToken', 'messages'], events: ['seat-reclaim-policy-changed', 'seat-error'], slots: [], parts: ['base', 'chart', 'table', 'policy'], cssProperties: ['--seat-color-accent', '--seat-color-border'] },
      'user-table': { attributes: ['page-size', 'base-url', 'account-id', 'token'], properties: ['pageSize', 'getToken', 'messages'], events: ['seat-license-unassigned', 'seat-unassign-request', 'seat-owner-changed', 'seat-error'], slots: [], parts: ['table', 'row', 'action-button', 'pagination'], cssProperties: ['--seat-color-accent', '--seat-color-text-muted'] },
    };
    for (const [tag, want] of Object.entries(expected)) {
      const el = elements.get(tag)!;
      const definition = el.module.exports?.find((e) => e.kind === 'custom-element-definition');
      assert.equal(definition?.name, tag, `${tag}: registered (custom-element-definition)`);
      const properties = (el.members ?? []).filter((m) => m.kind === 'field' && !m.static && (m.privacy ?? 'public') === 'public');
      const got = { attributes: el.attributes, properties, events: el.events, slots: el.slots, parts: el.cssParts, cssProperties: el.cssProperties };
      for (const [kind, list] of Object.entries(got)) {
        const wanted = want[kind as keyof typeof want];
        for (const name of wanted) assert.ok(names(list).includes(name), `${tag}: ${kind} lists ${JSON.stringify(name)} (has ${names(list).join(', ')})`);
        if (wanted.length > 0) {
          const undocumented = (list ?? []).filter((x) => !x.description?.trim()).map((x) => x.name);
          assert.deepEqual(undocumented, [], `${tag}: every one of its ${kind} has a description`);
        }
      }
      // Private state is not listed as API.
      assert.ok(!properties.some((p) => p.name.startsWith('#')), `${tag}: no # field listed as public`);
    }
    // The elements with a shadow UI all expose parts and tokens; the provider has the default slot.
    for (const tag of ['seat-banner', 'invite-form', 'user-table']) {
      assert.ok((elements.get(tag)!.cssParts ?? []).length >= 3, `${tag}: parts`);
      assert.ok((elements.get(tag)!.cssProperties ?? []).length >= 3, `${tag}: CSS properties`);
    }
  });

  it('ships the server as the bin seatkit-server: dist/server/node.js runs with plain node through its bin link and exits 0 on SIGTERM', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
    assert.deepEqual(pkg.bin, { 'seatkit-server': 'dist/server/node.js' });
    const entry = join(ROOT, 'dist/server/node.js');
    assert.match(await readFile(entry, 'utf8'), /^#!\/usr\/bin\/env node\n/, 'a shebang, for the bin link');
    // npm links a dependency's bin into node_modules/.bin: run it through such a link, from the consumer.
    await mkdir(join(consumer, 'node_modules', '.bin'), { recursive: true });
    const link = join(consumer, 'node_modules', '.bin', 'seatkit-server');
    await symlink(entry, link);
    const server = await startServerProcess({ SEATKIT_DB: ':memory:' }, { entry: [link] });
    try {
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    } finally {
      await server.stop();
    }
    assert.deepEqual(await server.exited, { code: 0, signal: null });
  });

  it('npm pack ships only what users need: dist/**, README.md, package.json (and LICENSE when there is one)', async (t) => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, timeout: 60_000 });
    const [packed] = JSON.parse(stdout) as { size: number; unpackedSize: number; entryCount: number; files: { path: string; size: number }[] }[];
    assert.ok(packed);
    const paths = packed.files.map((f) => f.path).sort();
    t.diagnostic(`packed: ${(packed.size / 1024).toFixed(1)} KiB (${(packed.unpackedSize / 1024).toFixed(1)} KiB unpacked), ${packed.entryCount} files`);
    const top = [...new Set(paths.map((p) => (p.includes('/') ? `${p.split('/')[0]}/` : p)))];
    t.diagnostic(`top level: ${top.join(', ')}`);
    const allowed = (p: string) => p.startsWith('dist/') || ['README.md', 'package.json', 'LICENSE', 'LICENSE.md'].includes(p);
    assert.deepEqual(paths.filter((p) => !allowed(p)), [], 'nothing outside dist/, README, package.json, LICENSE');
    assert.deepEqual(paths.filter((p) => /\.test\.|\/test\/|(^|\/)(demo|scripts|\.seatkit)\//.test(p) || /\.tsx?$/.test(p.replace(/\.d\.ts$/, ''))), [], 'no tests, demo, scripts, data or TypeScript sources');
    assert.ok(paths.includes('dist/server/node.js'), 'the Node entry, run by the seatkit-server bin');
    // What the exports map and the manifest point at is in it.
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string | Record<string, string>>; customElements: string };
    const targets = Object.values(pkg.exports).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target)));
    for (const target of [...targets, pkg.customElements]) {
      const pattern = new RegExp(`^${target.replace(/^\.\//, '').replace(/[.]/g, '\\.').replace('*', '[^/]+')}$`);
      assert.ok(paths.some((p) => pattern.test(p)), `${target} is packed`);
    }
    for (const path of ['dist/seatkit.js', 'dist/custom-elements.json', 'dist/widget/index.d.ts', 'dist/widget/locales/de.js', 'README.md', 'package.json']) assert.ok(paths.includes(path), path);
    // Source maps are shipped and self-contained: every source they name is inlined (the TypeScript sources are not packed).
    const maps = paths.filter((p) => p.endsWith('.map'));
    assert.ok(maps.includes('dist/seatkit.js.map'));
    for (const map of maps) {
      const { sources, sourcesContent } = JSON.parse(await readFile(join(ROOT, map), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      assert.ok(sources.every((_, i) => typeof sourcesContent?.[i] === 'string'), `${map}: every source inlined`);
    }
    // The server (PostgreSQL store, live streams, host helpers) ships in the same package as the
    // elements and their lazily loaded parts: about 860 KiB with the source maps.
    assert.ok(packed.size < 1024 * 1024, `packed size ${packed.size} bytes`);
  });
});
