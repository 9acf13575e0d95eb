import { systemClock } from '../../retention/clock';
import { seedDemo } from '../../data/seeds/demo';
import { historyPresent, seedHistory } from '../../data/seeds/history';
import { fail, withDatabase } from './shared';

const USAGE = 'npm run demo:history -- [--scale 1] [--seed 2026] [--now 2026-11-22T12:00:00+08:00] [--replace]';

/** Reads `--name value` and `--flag` options. */
function options(argv: string[]): { scale: number; seed: number; now: number; replace: boolean } {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const known = new Set(['--scale', '--seed', '--now', '--replace']);
  for (const a of argv) if (a.startsWith('--') && !known.has(a)) fail(`unknown option ${a}\nusage: ${USAGE}`, 2);
  const scale = Number(value('scale') ?? 1);
  const seed = Number(value('seed') ?? 2026);
  const now = value('now') === undefined ? Date.now() : Date.parse(value('now')!);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 50) fail(`--scale must be a number above 0 and at most 50\nusage: ${USAGE}`, 2);
  if (!Number.isSafeInteger(seed)) fail(`--seed must be a whole number\nusage: ${USAGE}`, 2);
  if (Number.isNaN(now)) fail(`--now must be a date and time\nusage: ${USAGE}`, 2);
  return { scale, seed, now, replace: argv.includes('--replace') };
}

/**
 * `npm run demo:history`: fills the configured database (DATABASE_URL or SQLITE_FILE) with a year of synthetic
 * service history for the manager's review. The demo customers are left as they are; a second run stops unless told
 * to `--replace` the history it made before.
 */
async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  const started = Date.now();
  const report = await withDatabase(async ({ config, knex }) => {
    // As `npm start` would: the demo staff (someone to sign in and review) and catalog first, when demo data is on.
    if (config.seedDemo) await seedDemo(knex, systemClock(), config.service.timeZone);
    const present = await historyPresent(knex);
    if (present > 0 && !opts.replace) return undefined;
    return seedHistory(knex, {
      ...opts,
      timeZone: config.service.timeZone,
      progress: (done, total) => process.stdout.write(`\r${done} / ${total} conversations`),
    });
  });
  if (!report) {
    process.stdout.write('The history is there already (customers H000001…); nothing was added. Use --replace to make it again.\n');
    return;
  }
  process.stdout.write(
    `\n${report.customers} customers, ${report.conversations} conversations, ${report.transcriptLines} transcript lines, ${report.complaints} complaints, ` +
      `${report.handoffs} handoffs, ${report.surveys} surveys, ${report.offerPresentations} offers shown, ${report.usageMonths} usage months, ` +
      `${report.qaReviews} QA reviews in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
}

main().catch((err) => fail(err instanceof Error ? err.message : String(err), 1));
