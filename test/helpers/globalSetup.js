// Says once, before the suites run, which ones will not run on this machine and how to run them.
const fs = require('node:fs');

module.exports = async () => {
  const notes = [];
  const browser = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && fs.existsSync(p));
  if (!browser) {
    if (process.env.REQUIRE_BROWSER === '1')
      throw new Error('REQUIRE_BROWSER=1 but no Chromium was found: install it with `apt-get install -y chromium` (or set CHROMIUM_PATH)');
    notes.push(
      'the browser suites (test/browser) did not run: no Chromium found. Install it with `apt-get install -y chromium` (or set CHROMIUM_PATH); CI runs them.',
    );
  }
  if (!process.env.DATABASE_URL) {
    notes.push('the PostgreSQL suites (*.pg.test.ts) did not run: set DATABASE_URL=postgres://… to run them, as .ci/run does.');
  }
  for (const note of notes) process.stdout.write(`\nNote: ${note}\n`);
};
