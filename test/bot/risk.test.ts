import pino from 'pino';
import { RiskEngine } from '../../bot/risk';
import { createRepositories } from '../../data/repositories';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const DAY = 86_400_000;
let db: TestDatabase;
let engine: RiskEngine;
// A minute ahead, so that the figures the seed stamps "now" are in the past.
const now = Date.now() + 60_000;
const repos = () => createRepositories(db.knex, { now: () => now, otpSecret: 'x'.repeat(32) });
const id = async (no: string) => (await repos().customers.findByCustomerNo(no))!.id;

beforeAll(async () => {
  db = await createTestDatabase({ seed: true });
  engine = new RiskEngine(repos(), () => now, pino({ level: 'silent' }));
});
afterAll(() => db.destroy());

describe(`the retention engine on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('scores the demo customers from their stored facts, and keeps their tier and stage', async () => {
    const report = await engine.recomputeAll();
    expect(report).toMatchObject({ customers: 10, failed: 0 });
    const b5 = await repos().customers.findByCustomerNo('B0005');
    // Deposits fell from 400k to 150k within 30 days, after falling from 600k: money leaving, a sustained decline.
    expect(b5).toMatchObject({ tier: 'gold', lifecycleStage: 'decline' });
    expect((await repos().customers.churnSignals(b5!.id)).map((s) => (s as { code: string }).code)).toContain('funds_outflow');
    const b1 = await repos().customers.findByCustomerNo('B0001');
    expect((await repos().customers.churnSignals(b1!.id)).map((s) => (s as { code: string }).code)).toEqual(['large_maturity']);
    const t2 = await repos().customers.findByCustomerNo('T0002');
    expect(t2).toMatchObject({ tier: 'regular', lifecycleStage: 'decline' });
    expect((await repos().customers.churnSignals(t2!.id)).map((s) => (s as { code: string }).code)).toContain('low_satisfaction');
    for (const no of ['B0001', 'B0002', 'B0003', 'B0004', 'T0001', 'T0003', 'I0001', 'I0002']) {
      const c = await repos().customers.findByCustomerNo(no);
      expect({ no, stage: c!.lifecycleStage }).toEqual({ no, stage: { B0003: 'growth', B0004: 'acquisition', T0003: 'growth' }[no] ?? 'maturity' });
    }
  });

  it('raises the score when a churn intent is heard, and lowers it again once it is a month old', async () => {
    const customer = await id('B0003');
    const before = await engine.recompute(customer);
    await repos().churnIntents.record({ customerId: customer, conversationId: null, channel: 'test', reason: 'price', reasonText: null, createdAt: now - DAY });
    const after = await engine.recompute(customer);
    expect(after!.score - before!.score).toBe(45);
    expect(after!.signals.map((s) => s.code)).toContain('churn_intent');
    const later = new RiskEngine(repos(), () => now + 31 * DAY, pino({ level: 'silent' }));
    expect((await later.recompute(customer))!.signals.map((s) => s.code)).not.toContain('churn_intent');
  });

  it('counts a complaint past its resolution deadline', async () => {
    const customer = await id('I0001');
    await repos().complaints.create({
      customerId: customer,
      conversationId: null,
      channel: 'test',
      channelUserId: null,
      category: 'claims',
      severity: 'medium',
      description: 'claim unpaid',
      contact: null,
      locale: 'zh-CN',
      route: 'back_office',
      escalated: false,
      firstContactDueAt: now - 8 * DAY,
      resolutionDueAt: now - DAY,
    });
    const risk = await engine.recompute(customer);
    expect(risk!.signals.map((s) => s.code)).toContain('overdue_complaint');
  });
});
