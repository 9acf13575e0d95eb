import { importBalances } from '../../data/accountsImport';
import { createRepositories } from '../../data/repositories';
import { RiskEngine } from '../risk';
import { fail, readArgumentFile, withDatabase } from './shared';
import { systemClock } from '../../retention/clock';

/**
 * `npm run accounts:import -- FILE.csv`: updates balances from a CSV export (customer_no,kind,number,balance,as_of),
 * reports bad rows by line (the good ones are kept), then recomputes the churn risk of the customers it touched.
 * Exits 1 when any row was refused.
 */
async function main(): Promise<void> {
  const { file, text } = readArgumentFile('npm run accounts:import -- FILE.csv   (columns: customer_no,kind,number,balance,as_of)');
  const report = await withDatabase(async ({ config, knex, logger }) => {
    const result = await importBalances(knex, text);
    const risk = new RiskEngine(
      createRepositories(knex, { now: systemClock, otpSecret: config.otpSecret, timeZone: config.service.timeZone }),
      systemClock,
      logger,
      {
        tierThresholds: config.tierThresholds,
        timeZone: config.service.timeZone,
      },
    );
    for (const id of result.customerIds) await risk.recompute(id, 'balances_imported');
    return result;
  });
  process.stdout.write(
    `${file}: ${report.updated} balance(s) updated, ${report.customerIds.length} customer(s) rescored, ${report.problems.length} row(s) refused\n`,
  );
  for (const p of report.problems) process.stdout.write(`  line ${p.line}: ${p.message}\n`);
  if (report.problems.length > 0) process.exitCode = 1;
}

main().catch((err) => fail(err instanceof Error ? err.message : String(err), 1));
