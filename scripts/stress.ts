/**
 * The long crash test: runs test/server/crash.test.ts with CRASH_ROUNDS (default 25) and prints the
 * figures: rounds, acknowledged writes, lost writes (must be 0), invalid files (must be 0); and its
 * restart loop through `npm run server` with RESTART_ROUNDS (default 20): refused starts (must be 0)
 * and lost writes (must be 0). Then the long versions (STRESS=1) of the property, fuzzing and
 * storage-fault tests, with their figures.
 *
 *   npx tsx scripts/stress.ts            (npm run test:stress)
 *   CRASH_ROUNDS=100 RESTART_ROUNDS=50 npx tsx scripts/stress.ts
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const rounds = process.env.CRASH_ROUNDS ?? '25';
const restartRounds = process.env.RESTART_ROUNDS ?? '20';

const child = spawn(process.execPath, ['scripts/test-node.mjs', 'test/server/crash.test.ts'], {
  cwd: root,
  env: { ...process.env, CRASH_ROUNDS: rounds, RESTART_ROUNDS: restartRounds },
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
let restarts: { rounds: number; refusedStarts: number; acknowledged: number; lost: number } | undefined;
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
    const restart = /restart-total (\{.*\})/.exec(line);
    if (restart) restarts = JSON.parse(restart[1]!);
  }
});

const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
const sum = (key: keyof Round) => seen.reduce((total, r) => total + r[key], 0);
const restartTimes = seen.map((r) => r.restartMs).sort((a, b) => a - b);
const figures = {
  rounds: seen.length,
  roundsAsked: Number(rounds),
  acknowledgedWrites: sum('acknowledged'),
  lostWrites: sum('lost'),
  invalidFiles: sum('invalidFiles'),
  tornTailsDropped: sum('tornTails'),
  restartMsMedian: restartTimes[Math.floor(restartTimes.length / 2)] ?? null,
  restartMsMax: restartTimes.at(-1) ?? null,
  npmRestartRounds: restarts?.rounds ?? 0,
  npmRefusedStarts: restarts?.refusedStarts ?? null,
  npmAcknowledged: restarts?.acknowledged ?? 0,
  npmLostWrites: restarts?.lost ?? null,
};
console.log('\nstress figures');
for (const [name, value] of Object.entries(figures)) console.log(`  ${name.padEnd(20)} ${value}`);
let ok =
  code === 0 &&
  figures.rounds === figures.roundsAsked &&
  figures.lostWrites === 0 &&
  figures.invalidFiles === 0 &&
  figures.npmRestartRounds === Number(restartRounds) &&
  figures.npmRefusedStarts === 0 &&
  figures.npmLostWrites === 0;

// The long versions of the issue-8 tests (STRESS=1): properties, fuzzing, storage faults.
for (const [file, tag] of [
  ['test/server/properties.test.ts', 'property-figures'],
  ['test/server/fuzz.test.ts', 'fuzz-figures'],
  ['test/server/faults.test.ts', 'fault-figures'],
] as const) {
  const run = spawnSync(process.execPath, ['scripts/test-node.mjs', file], { cwd: root, env: { ...process.env, STRESS: '1' }, encoding: 'utf8' });
  const line = new RegExp(`${tag} (\\{.*\\})`).exec(run.stdout);
  console.log(`\n${file} (STRESS=1): ${run.status === 0 ? 'pass' : 'FAIL'}`);
  if (line) for (const [name, value] of Object.entries(JSON.parse(line[1]!) as Record<string, unknown>)) console.log(`  ${name.padEnd(20)} ${JSON.stringify(value)}`);
  else process.stdout.write(run.stdout.slice(-3000));
  ok &&= run.status === 0;
}
console.log(ok ? 'PASS' : 'FAIL');
process.exit(ok ? 0 : 1);
