import { createRepositories } from '../../data/repositories';
import { RiskEngine } from '../../services/riskEngine';
import { type CliIo, CliError, churnModelService, describeModel, industryOption, parseOptions, runCli } from './riskShared';
import { withDatabase } from './shared';
import { systemClock } from '../../retention/clock';

const USAGE = 'npm run -s risk:models -- --industry bank|telecom|insurance [--activate VERSION | --rule-score]';

/**
 * `npm run -s risk:models`: the stored churn models of an industry, newest first, with their figures; `--activate N`
 * makes version N the active one (refused when its history has too few customers who left), `--rule-score` retires
 * the active model so the rule score serves again. Either rescores the industry's customers.
 */
export async function main(argv: string[], io: CliIo, clock: () => number = systemClock): Promise<number> {
  const o = parseOptions(argv, { values: ['industry', 'activate'], flags: ['rule-score'] }, USAGE);
  const industry = industryOption(o.values.get('industry'), USAGE);
  const activate = o.values.get('activate');
  if (activate !== undefined && !/^\d{1,9}$/.test(activate)) throw new CliError(`--activate needs a version number\nusage: ${USAGE}`, 2);
  if (activate !== undefined && o.flags.has('rule-score')) throw new CliError(`--activate and --rule-score contradict each other\nusage: ${USAGE}`, 2);
  return withDatabase(async ({ config, knex, logger }) => {
    const repos = createRepositories(knex, { now: clock, otpSecret: config.otpSecret, timeZone: config.service.timeZone });
    const service = churnModelService(repos, config, clock);
    const rescore = async () => {
      const r = await new RiskEngine(repos, clock, logger, { tierThresholds: config.tierThresholds, timeZone: config.service.timeZone }).recomputeAll({
        industry,
      });
      io.out(`rescored ${r.customers} ${industry} customers (${r.byModel} by the model): ${r.bands.high} high, ${r.bands.medium} medium, ${r.bands.low} low\n`);
    };
    if (activate !== undefined) {
      const result = await service.activateVersion(industry, Number(activate));
      if (!result.ok && result.reason === 'not_found') throw new CliError(`there is no ${industry} model v${activate}`, 1);
      if (!result.ok)
        throw new CliError(
          `${industry} model v${activate} is not activated: ${result.eligibility!.churners} customers who left in its history, ${result.eligibility!.needed} needed`,
          1,
        );
      io.out(`${industry} model v${activate} is active\n`);
      await rescore();
      await service.checkDrift(industry);
      return 0;
    }
    if (o.flags.has('rule-score')) {
      io.out(
        (await service.retire(industry))
          ? `${industry}: the model is retired; the rule score serves\n`
          : `${industry}: no model was active; the rule score serves\n`,
      );
      await rescore();
      return 0;
    }
    const models = await repos.churnModels.list(industry, 20);
    if (models.length === 0) io.out(`${industry}: no model trained yet; the rule score serves\n`);
    for (const m of models) {
      io.out(`v${m.version} ${m.status}, trained ${new Date(m.trainedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC\n`);
      for (const line of describeModel(m.model)) io.out(`  ${line}\n`);
    }
    return 0;
  });
}

if (require.main === module) runCli(main);
