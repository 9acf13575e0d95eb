import { createRepositories } from '../../data/repositories';
import { removeHistory, seedHistory } from '../../data/seeds/history';
import { ChurnModelService } from '../../services/churnModels';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const NOW = Date.parse('2026-11-22T04:00:00Z');
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase({ seed: true });
});
afterAll(() => db.destroy());

describe(`the demo history's snapshots on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('come with the history, agree with who left, and teach a model the structure they were made with', async () => {
    const report = await seedHistory(db.knex, { scale: 0.5, seed: 2026, now: NOW });
    expect(report.snapshots).toBeGreaterThan(10_000);
    const dates = (await db.knex('customer_snapshots').distinct('snapshot_date').orderBy('snapshot_date')).map((r) => r.snapshot_date);
    expect(dates).toEqual(['2025-10-31', '2026-01-31', '2026-04-30', '2026-07-31', '2026-10-31']);

    // A history customer who left has no snapshot after leaving, and each of their snapshots says when they closed.
    const closed = await db.knex('customers').where('customer_no', 'like', 'H%').whereNotNull('closed_at').select('customer_no', 'closed_at');
    expect(closed.length).toBeGreaterThan(0);
    for (const c of closed.slice(0, 20)) {
      const closedOn = new Date(Number(c.closed_at) + 8 * 3_600_000).toISOString().slice(0, 10);
      const rows = await db.knex('customer_snapshots').where({ customer_no: c.customer_no }).select('snapshot_date', 'closed_on');
      for (const r of rows)
        expect({ no: c.customer_no, closedOn: r.closed_on, before: r.snapshot_date < closedOn }).toEqual({ no: c.customer_no, closedOn, before: true });
    }

    const repos = createRepositories(db.knex, { now: () => NOW, otpSecret: 'x'.repeat(32) });
    const service = new ChurnModelService({
      snapshots: repos.snapshots,
      churnModels: repos.churnModels,
      serviceEvents: repos.serviceEvents,
      now: () => NOW,
      settings: { minChurners: 200, highBandRecall: 0.7, mediumBandRecall: 0.9, excludedColumns: ['gender'], timeZone: 'Asia/Shanghai' },
    });
    const model = await service.trainOnHistory('bank');
    expect(service.eligibility(model).eligible).toBe(true);
    expect(model.validation).toMatchObject({ method: 'time', from: '2026-07-31' });
    expect(model.validation.auc).toBeGreaterThan(0.75);
    const weight = (name: string, key: string) => model.scorecard.features.find((f) => f.name === name)!.bins.find((b) => b.key === key)!.weight;
    // One product, no digital activity, a short tenure and complaints raise churn; gender carries nothing and is not used.
    expect(weight('products_held', '1')).toBeGreaterThan(weight('products_held', '2'));
    expect(weight('digital_active', 'no')).toBeGreaterThan(weight('digital_active', 'yes'));
    const tenure = model.scorecard.features.find((f) => f.name === 'tenure_months')!;
    expect(tenure.bins[0].weight).toBeGreaterThan(tenure.bins[tenure.bins.length - 2].weight);
    expect(model.scorecard.features.map((f) => f.name)).not.toContain('gender');

    // Replacing the history takes its snapshots away with it.
    await removeHistory(db.knex);
    expect(Number((await db.knex('customer_snapshots').count({ n: '*' }))[0].n)).toBe(0);
    expect(Number((await db.knex('snapshot_imports').count({ n: '*' }))[0].n)).toBe(0);
  });
});
