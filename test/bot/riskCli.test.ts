import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { main as riskImport } from '../../bot/cli/riskImport';
import { main as riskModels } from '../../bot/cli/riskModels';
import { main as riskScore } from '../../bot/cli/riskScore';
import { CliError, type CliIo } from '../../bot/cli/riskShared';
import { main as riskTrain } from '../../bot/cli/riskTrain';
import { generateSnapshots, snapshotDates, warehouseCustomers } from '../../data/seeds/churnSnapshots';
import { validateChurnModel } from '../../retention/churnModel';
import { snapshotCsv } from '../helpers/snapshots';

const now = Date.parse('2026-11-22T04:00:00Z');
const clock = () => now;
let dir: string;
let csv: string;
const saved = { DATABASE_URL: process.env.DATABASE_URL, SQLITE_FILE: process.env.SQLITE_FILE, LOG_LEVEL: process.env.LOG_LEVEL };

/** Runs a CLI's main function, collecting what it writes. */
async function run(main: (argv: string[], io: CliIo, clock?: () => number) => Promise<number>, argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) }, clock);
  return { code, out, err };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'risk-cli-'));
  // These commands open the configured database: a SQLite file of this suite's own.
  process.env.DATABASE_URL = '';
  process.env.SQLITE_FILE = path.join(dir, 'cli.sqlite3');
  process.env.LOG_LEVEL = 'silent';
  csv = path.join(dir, 'telecom.csv');
  const records = generateSnapshots({ industry: 'telecom', customers: warehouseCustomers('W', 1200, now, 21), dates: snapshotDates(now, 5), seed: 8 });
  fs.writeFileSync(csv, snapshotCsv(records));
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('npm run risk:train and risk:score, with a model file', () => {
  it('trains on the file alone, prints the validation figures and writes the model', async () => {
    const model = path.join(dir, 'model.json');
    const r = await run(riskTrain, ['--input', csv, '--industry', 'telecom', '--model-out', model]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^telecom churn model: \d+ labelled snapshots/);
    expect(r.out).toMatch(/validated on \d+ \(\d+ churners\): the snapshots from \d{4}-\d{2}-\d{2} on \(held out by time\)/);
    expect(r.out).toMatch(/AUC 0\.\d{3}/);
    expect(r.out).toMatch(/high band {3}score ≥ \d+: catches \d+\.\d% of churners \(target 70\.0%\), precision \d+\.\d%, flags \d+\.\d% of customers/);
    expect(r.out).toContain('not used: gender (sensitive)');
    expect(r.out).toMatch(/trained in \d+\.\d s/);
    const written = validateChurnModel(JSON.parse(fs.readFileSync(model, 'utf8')));
    expect(written.validation.high.recall).toBeGreaterThanOrEqual(0.7);
    // Nothing was written to the database.
    expect(fs.existsSync(process.env.SQLITE_FILE!)).toBe(false);

    const scores = path.join(dir, 'scores.csv');
    const s = await run(riskScore, ['--model', model, '--input', csv, '--output', scores]);
    expect(s.code).toBe(0);
    expect(s.out).toMatch(/^scored \d+ customers with the telecom model: \d+ high, \d+ medium, \d+ low; written to /);
    const rows = parse(fs.readFileSync(scores, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0])).toEqual(['customer_no', 'score', 'band', 'signals']);
    expect(new Set(rows.map((x) => x.customer_no)).size).toBe(rows.length);
    for (const x of rows.slice(0, 50)) {
      expect(Number(x.score)).toBeGreaterThanOrEqual(0);
      expect(Number(x.score)).toBeLessThanOrEqual(100);
      expect(['low', 'medium', 'high']).toContain(x.band);
      if (x.signals) expect(x.signals).toMatch(/^model:[^=]+=.+ \+\d+(; model:[^=]+=.+ \+\d+)*$/);
    }
    expect(rows.some((x) => x.band === 'high' && x.signals.includes('model:contract=month-to-month'))).toBe(true);
  });

  it('refuses a bad file with its problems, line by line', async () => {
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'customer_no,snapshot_date,churned,plan\nC1,2026-01-31,0,a\nC2,2026-13-01,2,b\n');
    const attempt = run(riskTrain, ['--input', bad, '--industry', 'bank', '--model-out', path.join(dir, 'never.json')]);
    await expect(attempt).rejects.toThrow(CliError);
    await expect(attempt).rejects.toMatchObject({ exitCode: 1 });
    await expect(attempt).rejects.toThrow(
      /nothing imported, the file has problems:\n {2}line 3, column snapshot_date: "2026-13-01" is not a date \(YYYY-MM-DD\)\n {2}line 3, column churned: "2" is not 0 or 1/,
    );
    expect(fs.existsSync(path.join(dir, 'never.json'))).toBe(false);
    await expect(run(riskTrain, ['--input', bad, '--industry', 'retail'])).rejects.toThrow(/--industry must be one of bank, telecom, insurance/);
    await expect(run(riskScore, ['--model', path.join(dir, 'missing.json'), '--input', bad, '--output', 'x.csv'])).rejects.toThrow(/no such file/);
  });
});

describe('npm run risk:train in the database, then risk:models and risk:import', () => {
  it('imports, trains, stores the model as a version, activates it and lists it', async () => {
    const r = await run(riskTrain, ['--input', csv, '--industry', 'telecom']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^imported \d+ snapshots of \d+ customers/);
    expect(r.out).toContain('stored as telecom model v1: active, it scores telecom customers from now on');
    expect(r.out).toMatch(/rescored 0 telecom customers/);

    const again = await run(riskTrain, ['--input', csv, '--industry', 'telecom', '--no-activate']);
    expect(again.out).toMatch(/imported \d+ snapshots .*; \d+ replaced earlier ones/);
    expect(again.out).toContain('stored as telecom model v2, not active (--no-activate)');

    const list = await run(riskModels, ['--industry', 'telecom']);
    expect(list.out).toMatch(/^v2 candidate, trained 2026-11-22 04:00 UTC\n/);
    expect(list.out).toMatch(/\nv1 active, trained/);
    const activated = await run(riskModels, ['--industry', 'telecom', '--activate', '2']);
    expect(activated.out).toContain('telecom model v2 is active');
    expect((await run(riskModels, ['--industry', 'telecom', '--rule-score'])).out).toContain('the model is retired; the rule score serves');
    await expect(run(riskModels, ['--industry', 'telecom', '--activate', '9'])).rejects.toThrow('there is no telecom model v9');

    const month = path.join(dir, 'month.csv');
    fs.writeFileSync(month, 'customer_no,snapshot_date,closed_on,contract,tenure_months\nW00001,2026-11-30,,two-year,40\nT0009,2026-11-30,,month-to-month,2\n');
    const imported = await run(riskImport, [month, '--industry', 'telecom']);
    expect(imported.out).toBe(
      'imported 2 snapshots of 2 customers (2026-11-30 to 2026-11-30; 0 replaced earlier ones); 0 of them are customers of the service and were rescored (0 by the model)\n',
    );
  });
});
