/** Headless Chromium for end-to-end tests (playwright-core with the machine's Chromium). */
import { chromium, type Browser } from 'playwright-core';
// @ts-expect-error a plain .mjs helper shared with the test runner config
import { CHROMIUM_ARGS, chromiumPath } from '../../scripts/chromium.mjs';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath() as string, headless: true, args: CHROMIUM_ARGS as string[] });
}
