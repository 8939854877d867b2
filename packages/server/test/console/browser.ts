/**
 * Debian's Chromium driven by playwright-core (no browser download): `/usr/bin/chromium`, headless, with
 * the background-network features off (this machine has no network beyond the package registries).
 * Missing Chromium is a failure that says how to install it, never a skip.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.TESSERA_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not at ${CHROMIUM}: apt-get install chromium (or set TESSERA_CHROMIUM).`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export async function newContext(
  browser: Browser,
  options: { bypassCSP?: boolean } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 1280, height: 900 },
    bypassCSP: options.bypassCSP ?? false,
  });
}

/** Where screenshots go: `TESSERA_SCREENSHOTS` or `test-output/screenshots` (ignored by git). */
export function screenshotDir(): string {
  const dir = process.env.TESSERA_SCREENSHOTS ?? join(process.cwd(), 'test-output', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}
