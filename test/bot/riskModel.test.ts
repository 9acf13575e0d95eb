import pino from 'pino';
import { buildHandoffPacket } from '../../bot/handoff/packet';
import { createRepositories, type Repositories } from '../../data/repositories';
import type { StoredChurnModel } from '../../data/repositories/churnModelRepository';
import { generateSnapshots, snapshotDates, warehouseCustomers } from '../../data/seeds/churnSnapshots';
import { parseSnapshotCsv, type SnapshotFile } from '../../data/snapshotImport';
import { ChurnModelService } from '../../services/churnModels';
import { RiskEngine } from '../../services/riskEngine';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { snapshotCsv } from '../helpers/snapshots';

const DAY = 86_400_000;
// The demo seed stamps its rows from the wall clock; a minute ahead keeps them in the past.
const now = Date.now() + 60_000;
let db: TestDatabase;
let repos: Repositories;
let engine: RiskEngine;
let service: ChurnModelService;
let telecom: StoredChurnModel;

const settings = { minChurners: 200, highBandRecall: 0.7, mediumBandRecall: 0.9, excludedColumns: ['gender'], timeZone: 'Asia/Shanghai' };
const toFile = (csv: string): SnapshotFile => {
  const r = parseSnapshotCsv(csv);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.file;
};
const customer = async (no: string) => (await repos.customers.findByCustomerNo(no))!;

beforeAll(async () => {
  db = await createTestDatabase({ seed: true });
  repos = createRepositories(db.knex, { now: () => now, otpSecret: 'x'.repeat(32) });
  engine = new RiskEngine(repos, () => now, pino({ level: 'silent' }));
  service = new ChurnModelService({ snapshots: repos.snapshots, churnModels: repos.churnModels, serviceEvents: repos.serviceEvents, now: () => now, settings });
  // The operator's telecom warehouse: 1,200 customers of its own and the service's three telecom demo customers.
  const demo = await Promise.all(['T0001', 'T0002', 'T0003'].map(async (no) => ({ customerNo: no, joinedAt: (await customer(no)).joinedAt, closedAt: null })));
  const records = generateSnapshots({
    industry: 'telecom',
    customers: [...warehouseCustomers('W', 1200, now, 4), ...demo],
    dates: snapshotDates(now, 5),
    seed: 9,
  });
  await service.importSnapshots('telecom', toFile(snapshotCsv(records)), 'telecom.csv');
  const outcome = await service.store(await service.trainOnHistory('telecom'), true);
  expect(outcome.activated).toBe(true);
  telecom = outcome.stored;
  // This month's export finds T0002 on a month-to-month contract, new, using less and complaining.
  const today = new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);
  await service.importSnapshots(
    'telecom',
    toFile(
      `customer_no,snapshot_date,contract,tenure_months,usage_change_pct,complaints_90d,monthly_fee,payment,region,gender\nT0002,${today},month-to-month,3,-55,3,45,counter,west,M\n`,
    ),
    'today.csv',
  );
});
afterAll(() => db.destroy());

describe(`the churn model in the service on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('learns from the stored history of the operator’s columns, leaving gender out', () => {
    const names = telecom.model.scorecard.features.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['contract', 'tenure_months', 'usage_change_pct', 'complaints_90d']));
    expect(names).not.toContain('gender');
    expect(telecom.model.training.churnedCustomers).toBeGreaterThanOrEqual(200);
    expect(telecom).toMatchObject({ industry: 'telecom', version: 1, status: 'active' });
  });

  it('scores a customer with a snapshot by the model, and the agent’s packet shows its score, band and signals', async () => {
    const t1 = await customer('T0002');
    const risk = (await engine.recompute(t1.id))!;
    expect(risk).toMatchObject({ source: 'model', modelVersion: 1, band: 'high' });
    expect(risk.signals.map((s) => s.code)).toEqual(expect.arrayContaining(['model:contract=month-to-month']));
    for (const s of risk.signals) expect(s.code).toMatch(/^model:/);
    const packet = await buildHandoffPacket(repos, { conversationId: 0, customerId: t1.id, reasons: ['explicit_request'], complaintId: null, now });
    expect(packet.churnRisk).toEqual({ score: risk.score, band: risk.band, signals: risk.signals });
    const logged = await db.knex('churn_model_scores').where({ model_id: telecom.id, customer_id: t1.id }).first('score', 'band');
    expect(logged).toBeDefined();
  });

  it('makes a customer high risk on churn words whatever the model says, the words first', async () => {
    const t3 = await customer('T0003');
    const before = (await engine.recompute(t3.id))!;
    await repos.churnIntents.record({ customerId: t3.id, conversationId: null, channel: 'test', reason: 'price', reasonText: null, createdAt: now - DAY });
    const after = (await engine.recompute(t3.id, 'churn_intent'))!;
    expect(after.source).toBe('model');
    expect(after.band).toBe('high');
    expect(after.score).toBeGreaterThanOrEqual(Math.max(before.score, telecom.model.bands.high));
    expect(after.signals[0].code).toBe('churn_intent');
    expect(after.signals.slice(1).every((s) => s.code.startsWith('model:'))).toBe(true);
  });

  it('keeps the rule score for a customer without a snapshot, and where no model is active', async () => {
    const b1 = await customer('B0001');
    const risk = (await engine.recompute(b1.id))!;
    expect(risk.source).toBe('rules');
    expect(risk.signals.map((s) => s.code)).toEqual(['large_maturity']);
  });

  it('does not activate a model with fewer than 200 customers who left: the rule score serves', async () => {
    const records = generateSnapshots({
      industry: 'insurance',
      customers: [...warehouseCustomers('I', 600, now, 5), { customerNo: 'I0001', joinedAt: (await customer('I0001')).joinedAt, closedAt: null }],
      dates: snapshotDates(now, 3),
      seed: 3,
    });
    await service.importSnapshots('insurance', toFile(snapshotCsv(records)), 'insurance.csv');
    const model = await service.trainOnHistory('insurance', { maxPairs: 0 });
    const outcome = await service.store(model, true);
    expect(outcome.activated).toBe(false);
    expect(outcome.eligibility.churners).toBeLessThan(200);
    expect(outcome.stored.status).toBe('candidate');
    expect(await service.activateVersion('insurance', outcome.stored.version)).toMatchObject({ ok: false, reason: 'too_few_churners' });
    expect((await engine.recompute((await customer('I0001')).id))!.source).toBe('rules');
  });

  it('rescores everyone, and counts the latest export per bin for drift, read as training read it', async () => {
    const report = await engine.recomputeAll({ industry: 'telecom' });
    expect(report).toMatchObject({ customers: 3, failed: 0, byModel: 3 });
    // The latest export is today's, of T0002 alone.
    expect(await service.checkDrift('telecom')).toEqual({ modelId: telecom.id, customers: 1 });
    const check = (await repos.churnModels.latestCheck(telecom.id))!;
    expect(check.customers).toBe(1);
    const contract = telecom.model.scorecard.features.find((f) => f.name === 'contract')!;
    expect(check.counts.contract[contract.bins.findIndex((b) => b.key === 'month-to-month')]).toBe(1);
    expect(await service.checkDrift('bank')).toBeUndefined();
  });

  it('goes back to the rule score when the model is retired', async () => {
    expect(await service.retire('telecom')).toBe(true);
    expect((await engine.recompute((await customer('T0001')).id))!.source).toBe('rules');
    expect((await service.activateVersion('telecom', 1)).ok).toBe(true);
    expect((await engine.recompute((await customer('T0001')).id))!.source).toBe('model');
  });
});
