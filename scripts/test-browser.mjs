// Runs the browser tests (@web/test-runner in Chromium) and ends with a plain
// "browser: N passed, N failed" line (the runner's own counts carry ANSI codes).
// The exit code is the runner's.
import { spawn } from 'node:child_process';

const child = spawn(process.execPath, ['node_modules/@web/test-runner/dist/bin.js', ...process.argv.slice(2)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
let output = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  output += chunk;
});
child.on('close', (code) => {
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
  const counts = [...plain.matchAll(/(\d+) passed, (\d+) failed/g)].at(-1);
  if (counts) console.log(`\nbrowser: ${counts[1]} passed, ${counts[2]} failed`);
  else console.log('\nbrowser: no test result found');
  process.exit(code ?? 1);
});
