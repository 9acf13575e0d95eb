import { createRepositories } from '../../data/repositories';
import { RiskEngine } from '../risk';
import { fail, withDatabase } from './shared';
import { systemClock } from '../../retention/clock';

/** `npm run risk:recompute`: recomputes every active customer's churn risk, tier and lifecycle stage. */
async function main(): Promise<void> {
  const started = performance.now();
  const report = await withDatabase(async ({ config, knex, logger }) => {
    const repos = createRepositories(knex, { now: systemClock, otpSecret: config.otpSecret, timeZone: config.service.timeZone });
    return new RiskEngine(repos, systemClock, logger, { tierThresholds: config.tierThresholds, timeZone: config.service.timeZone }).recomputeAll();
  });
  process.stdout.write(
    `${report.customers} customer(s) rescored in ${performance.now() - started} ms: ${report.bands.high} high, ${report.bands.medium} medium, ${report.bands.low} low risk` +
      `${report.failed ? `; ${report.failed} failed (see the log)` : ''}\n`,
  );
  if (report.failed > 0) process.exitCode = 1;
}

main().catch((err) => fail(err instanceof Error ? err.message : String(err), 1));
