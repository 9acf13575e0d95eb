import fs from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { createRepositories } from '../../data/repositories';
import type { ParsedSnapshot } from '../../data/snapshotImport';
import { scoreWithModel, validateChurnModel } from '../../retention/churnModel';
import type { FeatureRow } from '../../retention/scorecard';
import { serviceFeaturesAt } from '../../retention/serviceFeatures';
import { type CliIo, CliError, parseOptions, readSnapshotFile, resolvePath, runCli } from './riskShared';
import { withDatabase } from './shared';
import { systemClock } from '../../retention/clock';

const USAGE = 'npm run -s risk:score -- --model MODEL.json --input FILE.csv --output SCORES.csv';
const DAY = 86_400_000;

/**
 * `npm run -s risk:score`: scores the customers of a snapshot file with a model file and writes
 * `customer_no,score,band,signals` (score 0–100, band low|medium|high, signals "code +points; …", strongest first). A
 * customer with several snapshots is scored on the latest. A model that uses the service's own features reads them
 * from the configured database for the customers it knows; a column the model expects and the file lacks counts as
 * missing (named on stderr).
 */
export async function main(argv: string[], io: CliIo, clock: () => number = systemClock): Promise<number> {
  const o = parseOptions(argv, { values: ['model', 'input', 'output'], flags: [] }, USAGE);
  for (const name of ['model', 'input', 'output']) if (!o.values.get(name)) throw new CliError(`--${name} is required\nusage: ${USAGE}`, 2);
  const modelPath = resolvePath(o.values.get('model')!);
  if (!fs.existsSync(modelPath)) throw new CliError(`no such file: ${modelPath}`, 2);
  let model;
  try {
    model = validateChurnModel(JSON.parse(fs.readFileSync(modelPath, 'utf8')));
  } catch (err) {
    throw new CliError(`${modelPath}: ${err instanceof SyntaxError ? 'not JSON' : (err as Error).message}`, 1);
  }
  const file = readSnapshotFile(o.values.get('input')!);
  const latest = new Map<string, ParsedSnapshot>();
  for (const row of file.rows) {
    const seen = latest.get(row.customerNo);
    if (!seen || row.snapshotDate > seen.snapshotDate) latest.set(row.customerNo, row);
  }
  const columns = new Set(file.columns.map((c) => c.name));
  const wanted = model.scorecard.features
    .flatMap((f) => (f.kind === 'pair' && f.pair ? f.pair : [f]))
    .filter((f) => f.source === 'column')
    .map((f) => f.name);
  const absent = [...new Set(wanted.filter((name) => !columns.has(name)))];
  if (absent.length) io.err(`note: the file has no column ${absent.join(', ')}: scored as missing\n`);

  let service = new Map<string, FeatureRow>();
  if (model.scorecard.features.some((f) => f.source === 'service')) service = await serviceFeatures([...latest.keys()], clock());

  const rows: string[][] = [['customer_no', 'score', 'band', 'signals']];
  const bands: Record<string, number> = { low: 0, medium: 0, high: 0 };
  for (const [customerNo, snapshot] of latest) {
    const risk = scoreWithModel(model, { ...snapshot.features, ...(service.get(customerNo) ?? {}) });
    bands[risk.band]++;
    rows.push([customerNo, String(risk.score), risk.band, risk.signals.map((s) => `${s.code} +${s.weight}`).join('; ')]);
  }
  const out = resolvePath(o.values.get('output')!);
  fs.writeFileSync(out, stringify(rows));
  io.out(`scored ${latest.size} customers with the ${model.industry} model: ${bands.high} high, ${bands.medium} medium, ${bands.low} low; written to ${out}\n`);
  return 0;
}

/** The service's own features now, for the customers it knows. */
async function serviceFeatures(customerNos: string[], now: number): Promise<Map<string, FeatureRow>> {
  return withDatabase(async ({ config, knex }) => {
    const repos = createRepositories(knex, { now: () => now, otpSecret: config.otpSecret, timeZone: config.service.timeZone });
    const ids = await repos.serviceEvents.customerIds(customerNos);
    const events = await repos.serviceEvents.events([...ids.values()], now - 365 * DAY, now);
    return new Map([...ids.entries()].map(([no, id]) => [no, serviceFeaturesAt(events.get(id), now)]));
  });
}

if (require.main === module) runCli(main);
