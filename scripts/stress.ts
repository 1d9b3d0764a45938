/**
 * The long crash test: runs test/server/crash.test.ts with CRASH_ROUNDS (default 25) and prints the
 * figures: rounds, acknowledged writes, lost writes (must be 0), invalid files (must be 0).
 *
 *   npx tsx scripts/stress.ts            (npm run test:stress)
 *   CRASH_ROUNDS=100 npx tsx scripts/stress.ts
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const rounds = process.env.CRASH_ROUNDS ?? '25';

const child = spawn(process.execPath, ['scripts/test-node.mjs', 'test/server/crash.test.ts'], {
  cwd: root,
  env: { ...process.env, CRASH_ROUNDS: rounds },
  stdio: ['ignore', 'pipe', 'inherit'],
});

interface Round {
  round: number;
  acknowledged: number;
  lost: number;
  invalidFiles: number;
  tornTails: number;
  restartMs: number;
}

const seen: Round[] = [];
let buffered = '';
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk: string) => {
  process.stdout.write(chunk);
  buffered += chunk;
  let newline: number;
  while ((newline = buffered.indexOf('\n')) !== -1) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    const match = /crash-round (\{.*\})/.exec(line);
    if (match) seen.push(JSON.parse(match[1]!) as Round);
  }
});

const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
const sum = (key: keyof Round) => seen.reduce((total, r) => total + r[key], 0);
const restarts = seen.map((r) => r.restartMs).sort((a, b) => a - b);
const figures = {
  rounds: seen.length,
  roundsAsked: Number(rounds),
  acknowledgedWrites: sum('acknowledged'),
  lostWrites: sum('lost'),
  invalidFiles: sum('invalidFiles'),
  tornTailsDropped: sum('tornTails'),
  restartMsMedian: restarts[Math.floor(restarts.length / 2)] ?? null,
  restartMsMax: restarts.at(-1) ?? null,
};
console.log('\nstress figures');
for (const [name, value] of Object.entries(figures)) console.log(`  ${name.padEnd(20)} ${value}`);
const ok = code === 0 && figures.rounds === figures.roundsAsked && figures.lostWrites === 0 && figures.invalidFiles === 0;
console.log(ok ? 'PASS' : 'FAIL');
process.exit(ok ? 0 : 1);
