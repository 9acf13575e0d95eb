import { createRepositories } from '../../data/repositories';
import { RiskEngine } from '../../services/riskEngine';
import { type CliIo, CliError, churnModelService, industryOption, parseOptions, readSnapshotFile, resolvePath, runCli } from './riskShared';
import { withDatabase } from './shared';
import { systemClock } from '../../retention/clock';

const USAGE = 'npm run -s risk:import -- FILE.csv --industry bank|telecom|insurance';

/**
 * `npm run -s risk:import`: imports a month's customer snapshots (customer_no, snapshot_date, closed_on or churned,
 * the operator's columns) without training. A file with any problem imports nothing and is reported line by line.
 * Customers of the service in the file are rescored (an active model reads their new snapshot); later snapshots also
 * bring the outcomes the review's real recall is measured on.
 */
export async function main(argv: string[], io: CliIo, clock: () => number = systemClock): Promise<number> {
  const o = parseOptions(argv, { values: ['industry'], flags: [], positional: 1 }, USAGE);
  const input = o.positional[0];
  if (!input) throw new CliError(`usage: ${USAGE}`, 2);
  const industry = industryOption(o.values.get('industry'), USAGE);
  const file = readSnapshotFile(input);
  return withDatabase(async ({ config, knex, logger }) => {
    const repos = createRepositories(knex, { now: clock, otpSecret: config.otpSecret, timeZone: config.service.timeZone });
    const service = churnModelService(repos, config, clock);
    const imported = await service.importSnapshots(industry, file, resolvePath(input));
    const ids = await repos.serviceEvents.customerIds(await repos.snapshots.customersOf(imported.importId));
    const engine = new RiskEngine(repos, clock, logger, { tierThresholds: config.tierThresholds, timeZone: config.service.timeZone });
    let byModel = 0;
    for (const id of ids.values()) if ((await engine.recompute(id, 'snapshot_imported'))?.source === 'model') byModel++;
    await service.checkDrift(industry);
    io.out(
      `imported ${imported.rows} snapshots of ${imported.customers} customers (${imported.firstDate} to ${imported.lastDate}; ${imported.replaced} replaced earlier ones); ` +
        `${ids.size} of them are customers of the service and were rescored (${byModel} by the model)\n`,
    );
    return 0;
  });
}

if (require.main === module) runCli(main);
