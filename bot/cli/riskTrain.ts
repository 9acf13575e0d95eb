import fs from 'node:fs';
import { createRepositories } from '../../data/repositories';
import { type ChurnModel, trainChurnModel, TrainingError, type TrainingSettings } from '../../retention/churnModel';
import { columnSources, eligibilityOf, snapshotsOfFile, trainingSettings } from '../../services/churnModels';
import { RiskEngine } from '../../services/riskEngine';
import { loadConfig } from '../config';
import {
  type CliIo,
  CliError,
  churnModelService,
  churnSettings,
  describeModel,
  industryOption,
  parseOptions,
  readSnapshotFile,
  resolvePath,
  runCli,
} from './riskShared';
import { withDatabase } from './shared';
import { systemClock } from '../../retention/clock';

const USAGE =
  'npm run -s risk:train -- --input FILE.csv --industry bank|telecom|insurance [--model-out MODEL.json [--activate]] [--no-activate] ' +
  '[--exclude COL,COL] [--target-recall 0.7] [--outcomes-until YYYY-MM-DD] [--seed N]';

/**
 * `npm run -s risk:train`: learns a churn model from customer snapshots and prints its validation figures.
 *
 * Without --model-out it works in the service's database: the file's snapshots are imported (a customer's snapshot of
 * the same date replaced), the model is trained on every stored snapshot of the industry together with what the
 * service knew of each customer at each date, stored as the industry's next version, and activated when its history
 * holds enough customers who left (RISK_MODEL_MIN_CHURNERS, 200) unless --no-activate; the industry's customers are
 * then rescored. With --model-out it trains on the file alone, writes the model there and leaves the database alone,
 * unless --activate asks for both.
 */
export async function main(argv: string[], io: CliIo, clock: () => number = systemClock): Promise<number> {
  const o = parseOptions(
    argv,
    { values: ['input', 'industry', 'model-out', 'exclude', 'target-recall', 'outcomes-until', 'seed'], flags: ['activate', 'no-activate'] },
    USAGE,
  );
  const input = o.values.get('input');
  if (!input) throw new CliError(`--input is required\nusage: ${USAGE}`, 2);
  const industry = industryOption(o.values.get('industry'), USAGE);
  const modelOut = o.values.get('model-out');
  if (o.flags.has('activate') && o.flags.has('no-activate')) throw new CliError(`--activate and --no-activate contradict each other\nusage: ${USAGE}`, 2);
  const overrides: TrainingSettings = {};
  const recall = o.values.get('target-recall');
  if (recall !== undefined) {
    const r = Number(recall);
    if (!(r > 0 && r < 1)) throw new CliError(`--target-recall must be a share between 0 and 1, e.g. 0.7 (got ${recall})`, 2);
    overrides.targetRecall = r;
    overrides.mediumRecall = Math.max(r, 0.9);
  }
  const until = o.values.get('outcomes-until');
  if (until !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(until)) throw new CliError('--outcomes-until must be a date YYYY-MM-DD', 2);
    overrides.outcomesUntil = until;
  }
  const seed = o.values.get('seed');
  if (seed !== undefined) {
    if (!/^\d{1,9}$/.test(seed)) throw new CliError('--seed must be a whole number', 2);
    overrides.seed = Number(seed);
  }
  const excluded = o.values
    .get('exclude')
    ?.split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const file = readSnapshotFile(input);
  const inDatabase = modelOut === undefined || o.flags.has('activate');
  const started = clock();

  const train = (run: () => Promise<ChurnModel>) =>
    run().catch((err) => {
      if (err instanceof TrainingError) throw new CliError(`no model: ${err.message}`, 1);
      throw err;
    });

  if (!inDatabase) {
    const settings = churnSettings(loadConfig(), excluded);
    const snapshots = snapshotsOfFile(file);
    const model = await train(async () => trainChurnModel(snapshots, columnSources(snapshots), industry, clock(), trainingSettings(settings, overrides)));
    const seconds = (clock() - started) / 1000;
    writeModel(modelOut!, model);
    for (const line of describeModel(model)) io.out(`${line}\n`);
    io.out(`  trained in ${seconds.toFixed(1)} s\n`);
    const e = eligibilityOf(model, settings.minChurners);
    io.out(
      `written to ${resolvePath(modelOut!)}${e.eligible ? '' : ` (the service would not activate it: ${e.churners} customers who left, ${e.needed} needed)`}\n`,
    );
    return 0;
  }

  return withDatabase(async ({ config, knex, logger }) => {
    const repos = createRepositories(knex, { now: clock, otpSecret: config.otpSecret, timeZone: config.service.timeZone });
    const service = churnModelService(repos, config, clock, excluded);
    const imported = await service.importSnapshots(industry, file, resolvePath(input));
    io.out(
      `imported ${imported.rows} snapshots of ${imported.customers} customers (${imported.firstDate} to ${imported.lastDate}; ${imported.replaced} replaced earlier ones)\n`,
    );
    const model = await train(() => service.trainOnHistory(industry, overrides));
    const seconds = (clock() - started) / 1000;
    for (const line of describeModel(model)) io.out(`${line}\n`);
    io.out(`  trained in ${seconds.toFixed(1)} s\n`);
    const outcome = await service.store(model, !o.flags.has('no-activate'));
    const v = `${industry} model v${outcome.stored.version}`;
    if (outcome.activated) io.out(`stored as ${v}: active, it scores ${industry} customers from now on\n`);
    else if (!outcome.eligibility.eligible)
      io.out(
        `stored as ${v}, not active: ${outcome.eligibility.churners} customers who left in its history, ${outcome.eligibility.needed} needed; the rule score serves\n`,
      );
    else
      io.out(
        `stored as ${v}, not active (--no-activate); activate it with npm run -s risk:models -- --industry ${industry} --activate ${outcome.stored.version}\n`,
      );
    if (modelOut) {
      writeModel(modelOut, model);
      io.out(`written to ${resolvePath(modelOut)}\n`);
    }
    if (outcome.activated) {
      const report = await new RiskEngine(repos, clock, logger, { tierThresholds: config.tierThresholds, timeZone: config.service.timeZone }).recomputeAll({
        industry,
      });
      await service.checkDrift(industry);
      io.out(
        `rescored ${report.customers} ${industry} customers (${report.byModel} by the model, the rest by the rule score: no snapshot of them): ${report.bands.high} high, ${report.bands.medium} medium, ${report.bands.low} low\n`,
      );
    }
    return 0;
  });
}

function writeModel(file: string, model: object): void {
  fs.writeFileSync(resolvePath(file), `${JSON.stringify(model, null, 1)}\n`);
}

if (require.main === module) runCli(main);
