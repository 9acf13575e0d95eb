import { systemClock } from '../../retention/clock';
import { seedDemo } from '../../data/seeds/demo';
import { historyPresent, seedHistory } from '../../data/seeds/history';
import { createRepositories } from '../../data/repositories';
import { TrainingError } from '../../retention/churnModel';
import { INDUSTRIES } from '../../retention/types';
import { RiskEngine } from '../../services/riskEngine';
import { churnModelService } from './riskShared';
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
  const now = value('now') === undefined ? systemClock() : Date.parse(value('now')!);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 50) fail(`--scale must be a number above 0 and at most 50\nusage: ${USAGE}`, 2);
  if (!Number.isSafeInteger(seed)) fail(`--seed must be a whole number\nusage: ${USAGE}`, 2);
  if (Number.isNaN(now)) fail(`--now must be a date and time\nusage: ${USAGE}`, 2);
  return { scale, seed, now, replace: argv.includes('--replace') };
}

/**
 * `npm run demo:history`: fills the configured database (DATABASE_URL or SQLITE_FILE) with a year of synthetic
 * service history for the manager's review, with quarterly customer snapshots from which it trains and activates a
 * churn model per industry, then rescores everyone. The demo customers are left as they are; a second run stops unless
 * told to `--replace` the history it made before.
 */
async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  const started = performance.now();
  const done = await withDatabase(async ({ config, knex, logger }) => {
    // As `npm start` would: the demo staff (someone to sign in and review) and catalog first, when demo data is on.
    if (config.seedDemo) await seedDemo(knex, systemClock(), config.service.timeZone);
    const present = await historyPresent(knex);
    if (present > 0 && !opts.replace) return false;
    const report = await seedHistory(knex, {
      ...opts,
      timeZone: config.service.timeZone,
      progress: (n, total) => process.stdout.write(`\r${n} / ${total} conversations`),
    });
    process.stdout.write(
      `\n${report.customers} customers, ${report.conversations} conversations, ${report.transcriptLines} transcript lines, ${report.complaints} complaints, ` +
        `${report.handoffs} handoffs, ${report.surveys} surveys, ${report.offerPresentations} offers shown, ${report.usageMonths} usage months, ` +
        `${report.qaReviews} QA reviews, ${report.snapshots} customer snapshots in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
    // The demo's churn models: one per industry, learned from the snapshots and activated when there are enough churners.
    const now = () => opts.now;
    const repos = createRepositories(knex, { now, otpSecret: config.otpSecret, timeZone: config.service.timeZone });
    const service = churnModelService(repos, config, now);
    for (const industry of INDUSTRIES) {
      try {
        const outcome = await service.store(await service.trainOnHistory(industry), true);
        const v = outcome.stored.model.validation;
        process.stdout.write(
          `${industry} churn model v${outcome.stored.version}: AUC ${v.auc?.toFixed(3) ?? '—'}, high band catches ${(v.high.recall * 100).toFixed(1)}% of churners flagging ${(v.high.flagged * 100).toFixed(1)}% — ` +
            `${outcome.activated ? 'active' : `not active (${outcome.eligibility.churners} customers who left, ${outcome.eligibility.needed} needed)`}\n`,
        );
      } catch (err) {
        if (!(err instanceof TrainingError)) throw err;
        process.stdout.write(`${industry}: no churn model (${err.message})\n`);
      }
    }
    for (const industry of INDUSTRIES) await service.checkDrift(industry);
    const scored = await new RiskEngine(repos, now, logger, { tierThresholds: config.tierThresholds, timeZone: config.service.timeZone }).recomputeAll();
    process.stdout.write(
      `rescored ${scored.customers} customers, ${scored.byModel} by a model: ${scored.bands.high} high, ${scored.bands.medium} medium, ${scored.bands.low} low\n`,
    );
    return true;
  });
  if (!done) process.stdout.write('The history is there already (customers H000001…); nothing was added. Use --replace to make it again.\n');
}

main().catch((err) => fail(err instanceof Error ? err.message : String(err), 1));
