/**
 * Documentation snippets run as written: the `ts` block after a `<!-- name` marker of a markdown
 * file, with `seatkit/server` pointed at the source, run with tsx as its own process.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from './server-process.js';

/** The `ts` block after `<!-- name` in `doc` (a path in the repository); it must import `seatkit/server`. */
export async function snippet(doc: string, name: string): Promise<string> {
  const text = await readFile(join(ROOT, doc), 'utf8');
  const marker = text.indexOf(`<!-- ${name}`);
  assert.ok(marker >= 0, `${doc} has the <!-- ${name} marker`);
  const match = /```ts\n([\s\S]*?)\n```/.exec(text.slice(marker));
  assert.ok(match && match.index < 200, `a \`\`\`ts block follows the <!-- ${name} marker`);
  assert.match(match[1]!, /from 'seatkit\/server'/);
  return match[1]!.replaceAll(`from 'seatkit/server'`, `from ${JSON.stringify(join(ROOT, 'server', 'index.ts'))}`);
}

export interface RunningSnippet {
  url: string;
  output: () => string;
  child: ChildProcess;
  /** Ends the process (SIGTERM) and removes its file. */
  close(): Promise<void>;
}

/**
 * Runs `source` as a process with `env` (PORT=0 added); resolves once it prints "listening on
 * <port>". The file is written inside the repository so its imports resolve.
 */
export async function runSnippet(name: string, source: string, env: Record<string, string>): Promise<RunningSnippet> {
  const dir = await mkdtemp(join(ROOT, '.snippet-'));
  const file = join(dir, `${name}.mts`);
  await writeFile(file, source);
  const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  let out = '';
  for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk) => (out += String(chunk)));
  try {
    const port = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${out}`)), 30_000);
      child.stdout!.on('data', () => {
        const match = /listening on (\d+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.once('exit', (code) => reject(new Error(`${name} exited (${code}):\n${out}`)));
    });
    return { url: `http://127.0.0.1:${port}`, output: () => out, child, close };
  } catch (error) {
    await close();
    throw error;
  }
}
