import { createRepositories, type Repositories } from '../../data/repositories';
import { parseSnapshotCsv, type SnapshotFile } from '../../data/snapshotImport';
import { generateSnapshots, snapshotDates, warehouseCustomers } from '../../data/seeds/churnSnapshots';
import { type ChurnModel, trainChurnModel } from '../../retention/churnModel';
import { endOfDay } from '../../retention/serviceFeatures';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-22T04:00:00Z');
let db: TestDatabase;
let repos: Repositories;

const file = (text: string): SnapshotFile => {
  const r = parseSnapshotCsv(text);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.file;
};

/** A small model trained on generated snapshots (fast: few customers). */
function smallModel(industry: string): ChurnModel {
  const dates = snapshotDates(NOW, 3);
  const records = generateSnapshots({ industry: 'telecom', customers: warehouseCustomers('M', 600, NOW, 3), dates, seed: 2 });
  const sources = new Map(Object.keys(records[0].features).map((k) => [k, 'column' as const]));
  return trainChurnModel(
    records.map((r) => ({ ...r, churned: null, tracksClosing: true })),
    sources,
    industry,
    NOW,
    { maxPairs: 0, grid: [{ l2: 1, smooth: 3 }] },
  );
}

beforeAll(async () => {
  db = await createTestDatabase({ seed: true });
  repos = createRepositories(db.knex, { now: () => NOW, otpSecret: 'x'.repeat(32) });
});
afterAll(() => db.destroy());

describe(`churn model storage on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('stores snapshots per customer and date, and a later import of the same date replaces them', async () => {
    const first = await repos.snapshots.store(
      'telecom',
      file('customer_no,snapshot_date,closed_on,plan,fee\nT0001,2026-09-30,,5G,388\nT0002,2026-09-30,,4G,45\n'),
      { fileName: 'sept.csv', at: NOW },
    );
    expect(first).toMatchObject({ rows: 2, replaced: 0, customers: 2, firstDate: '2026-09-30', lastDate: '2026-09-30' });
    const second = await repos.snapshots.store(
      'telecom',
      file('customer_no,snapshot_date,closed_on,plan,fee\nT0002,2026-09-30,2026-11-10,4G,40\nT0002,2026-10-31,2026-11-10,4G,40\n'),
      { fileName: 'oct.csv', at: NOW },
    );
    expect(second).toMatchObject({ rows: 2, replaced: 1, customers: 1 });
    expect(await repos.snapshots.latest('telecom', 'T0002')).toEqual({
      customerNo: 'T0002',
      snapshotDate: '2026-10-31',
      closedOn: '2026-11-10',
      churned: null,
      tracksClosing: true,
      features: { plan: '4G', fee: 40 },
    });
    expect((await repos.snapshots.all('telecom')).map((s) => [s.customerNo, s.snapshotDate, s.features.fee])).toEqual([
      ['T0001', '2026-09-30', 388],
      ['T0002', '2026-09-30', 40],
      ['T0002', '2026-10-31', 40],
    ]);
    expect(await repos.snapshots.customersOf(second.importId)).toEqual(['T0002']);
    expect(await repos.snapshots.summary('telecom')).toEqual({ rows: 3, customers: 2, firstDate: '2026-09-30', lastDate: '2026-10-31', imports: 2 });
    expect(await repos.snapshots.latest('bank', 'T0002')).toBeUndefined();
  });

  it('versions models per industry, keeps one active, and retires it on request', async () => {
    const model = smallModel('telecom');
    const v1 = await repos.churnModels.save(model);
    const v2 = await repos.churnModels.save(model);
    expect([v1.version, v2.version, v1.status]).toEqual([1, 2, 'candidate']);
    expect(v1.model.scorecard.features.length).toBeGreaterThan(0);
    expect(await repos.churnModels.activeId('telecom')).toBeUndefined();
    await repos.churnModels.activate(v1.id, NOW);
    const active = await repos.churnModels.activate(v2.id, NOW + 1);
    expect(active).toMatchObject({ version: 2, status: 'active', activatedAt: NOW + 1 });
    expect(await repos.churnModels.findVersion('telecom', 1)).toMatchObject({ status: 'retired', retiredAt: NOW + 1 });
    expect(await repos.churnModels.activeId('telecom')).toBe(v2.id);
    expect((await repos.churnModels.list('telecom', 10)).map((m) => m.version)).toEqual([2, 1]);
    expect(await repos.churnModels.retireActive('telecom', NOW + 2)).toBe(true);
    expect(await repos.churnModels.active('telecom')).toBeUndefined();
    expect((await repos.churnModels.save(smallModel('bank'))).version).toBe(1);
  });

  it('logs a score per model, customer and month, keeping the first time it was high', async () => {
    const model = await repos.churnModels.save(smallModel('telecom'));
    const t2 = (await repos.customers.findByCustomerNo('T0002'))!.id;
    await repos.churnModels.recordScore(model.id, t2, { score: 40, band: 'medium', month: '2026-10', at: NOW - 30 * DAY });
    await repos.churnModels.recordScore(model.id, t2, { score: 80, band: 'high', month: '2026-10', at: NOW - 29 * DAY });
    await repos.churnModels.recordScore(model.id, t2, { score: 85, band: 'high', month: '2026-10', at: NOW - 28 * DAY });
    await repos.churnModels.recordScore(model.id, t2, { score: 30, band: 'low', month: '2026-10', at: NOW - 27 * DAY });
    const rows = await db.knex('churn_model_scores').where({ model_id: model.id }).select('*');
    expect(rows.map((r) => [r.month, Number(r.score), r.band, Number(r.first_high_at), Number(r.scored_at)])).toEqual([
      ['2026-10', 30, 'low', NOW - 29 * DAY, NOW - 27 * DAY],
    ]);

    // T0002 closed on 2026-11-10 (its snapshot says so): scored high in the 90 days before, so it was warned of.
    const t1 = (await repos.customers.findByCustomerNo('T0001'))!.id;
    await repos.churnModels.recordScore(model.id, t1, { score: 10, band: 'low', month: '2026-10', at: NOW - 40 * DAY });
    const closedT2 = endOfDay('2026-11-10', 'Asia/Shanghai');
    expect(NOW - 29 * DAY).toBeLessThan(closedT2);
    expect(await repos.churnModels.outcomes(model.id, 'telecom', NOW - 365 * DAY, NOW, 'Asia/Shanghai')).toEqual({ churners: 1, warned: 1 });
    // Closed in the customer records, never high: a churner the model missed.
    await db
      .knex('customers')
      .where({ id: t1 })
      .update({ closed_at: NOW - 20 * DAY });
    expect(await repos.churnModels.outcomes(model.id, 'telecom', NOW - 365 * DAY, NOW, 'Asia/Shanghai')).toEqual({ churners: 2, warned: 1 });
    await db.knex('customers').where({ id: t1 }).update({ closed_at: null });
  });

  it('keeps drift checks and claims a nightly run once', async () => {
    const model = await repos.churnModels.save(smallModel('insurance'));
    expect(await repos.churnModels.latestCheck(model.id)).toBeUndefined();
    await repos.churnModels.saveCheck(model.id, { checkedAt: NOW, customers: 3, counts: { contract: [1, 2, 0, 0, 0] } });
    await repos.churnModels.saveCheck(model.id, { checkedAt: NOW + 1, customers: 4, counts: { contract: [2, 2, 0, 0, 0] } });
    expect(await repos.churnModels.latestCheck(model.id)).toEqual({ checkedAt: NOW + 1, customers: 4, counts: { contract: [2, 2, 0, 0, 0] } });
    const claims = await Promise.all([
      repos.churnModels.claimRun('risk.nightly', '2026-11-22', NOW),
      repos.churnModels.claimRun('risk.nightly', '2026-11-22', NOW),
    ]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await repos.churnModels.claimRun('risk.nightly', '2026-11-23', NOW)).toBe(true);
  });

  it('reads what the service knew of its customers, and nothing of strangers', async () => {
    const ids = await repos.serviceEvents.customerIds(['B0005', 'T0002', 'nobody']);
    expect([...ids.keys()].sort()).toEqual(['B0005', 'T0002']);
    // The demo seed dates its history from the wall clock.
    const seededAt = Date.now();
    const events = await repos.serviceEvents.events([...ids.values()], seededAt - 365 * DAY, seededAt + DAY);
    const b5 = events.get(ids.get('B0005')!)!;
    // The demo's B0005 has an open complaint and deposits falling over 90 days.
    expect(b5.complaints.length).toBeGreaterThan(0);
    expect(b5.balances.length).toBeGreaterThan(0);
    const t2 = events.get(ids.get('T0002')!)!;
    expect(t2.surveys.map((s) => [s.kind, s.score])).toContainEqual(['csat', 2]);
  });
});
