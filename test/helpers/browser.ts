import fs from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/**
 * The browser the page tests drive: Debian's Chromium (`apt-get install -y chromium`), or CHROMIUM_PATH. Without one
 * the browser suites do not run, and say so (see test/helpers/globalSetup.js); CI sets REQUIRE_BROWSER=1, which makes a
 * missing browser a failure instead.
 */
export const BROWSER_PATH: string | undefined = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p): p is string => !!p && fs.existsSync(p),
);

if (!BROWSER_PATH && process.env.REQUIRE_BROWSER === '1') {
  throw new Error('REQUIRE_BROWSER=1 but no Chromium was found (install it with `apt-get install -y chromium`, or set CHROMIUM_PATH)');
}

/** `describe` when a browser is there; otherwise the suite is reported as not run. */
export const describeWithBrowser: jest.Describe = BROWSER_PATH ? describe : describe.skip;

/** Starts the headless browser with the flags this machine's closed network needs. */
export function launchBrowser(): Promise<Browser> {
  // The browser runs on the machine's own clock even when the suite runs with the clock shifted (libfaketime, as CI's
  // second run does): Chromium does not start under it.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'LD_PRELOAD' && !k.startsWith('FAKETIME'))) as Record<string, string>;
  return chromium.launch({
    env,
    executablePath: BROWSER_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
