// Where Chromium is, and the flags it needs here (root, no GPU, no network besides loopback).
import { existsSync } from 'node:fs';

export function chromiumPath() {
  const found = [process.env.CHROME_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/google-chrome'].find(
    (p) => p && existsSync(p),
  );
  if (!found) throw new Error('Chromium not found: run `bash scripts/ensure-chromium.sh` or set CHROME_PATH.');
  return found;
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
