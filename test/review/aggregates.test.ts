import { createReviewRepository, type ReviewRepository, usageMonths } from '../../data/repositories/reviewRepository';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { at, EXPECTED, type Fixture, FIXTURE_NOW, insertReviewFixture, PERIOD } from './fixture';

let db: TestDatabase;
let review: ReviewRepository;
let fx: Fixture;

beforeAll(async () => {
  db = await createTestDatabase();
  review = createReviewRepository(db.knex);
  fx = await insertReviewFixture(db.knex);
});
afterAll(() => db.destroy());

describe('the dashboard figures, against the fixture worked out by hand', () => {
  it('averages CSAT over the answers of the period and gives its 1–5 distribution', async () => {
    const s = await review.surveyFigures(PERIOD);
    expect(s.csat.answered).toBe(EXPECTED.csat.answered);
    expect(s.csat.average).toBeCloseTo(EXPECTED.csat.average, 10);
    expect(s.csat.distribution.map((d) => [d.key, d.count])).toEqual([1, 2, 3, 4, 5].map((k, i) => [k, EXPECTED.csat.distribution[i]]));
  });

  it('counts NPS promoters, passives and detractors and computes the score', async () => {
    const { nps } = await review.surveyFigures(PERIOD);
    expect(nps).toMatchObject(EXPECTED.nps);
    expect(nps.distribution.find((d) => d.key === 9)?.count).toBe(2);
  });

  it('gives the response rate as answered ÷ sent, leaving out surveys never sent', async () => {
    const { response } = await review.surveyFigures(PERIOD);
    expect(response).toEqual({ ...EXPECTED.response, rate: 12 / 14 });
  });

  it('counts complaints by category and status, and the deadline breaches as of now', async () => {
    const c = await review.complaintFigures(PERIOD, FIXTURE_NOW);
    expect(c.total).toBe(EXPECTED.complaints.total);
    expect(Object.fromEntries(c.byCategory.map((x) => [x.key, x.count]))).toEqual(EXPECTED.complaints.byCategory);
    expect(Object.fromEntries(c.byStatus.map((x) => [x.key, x.count]))).toEqual(EXPECTED.complaints.byStatus);
    expect(c.breaches).toEqual(EXPECTED.complaints.breaches);
  });

  it('gives the median and the 90th percentile of the wait, and each agent’s load', async () => {
    const h = await review.handoffFigures(PERIOD);
    expect(h).toMatchObject({ queued: 6, accepted: 5, abandoned: 1 });
    expect(h.waitMs.median).toBe(EXPECTED.handoffs.medianMs);
    expect(h.waitMs.p90).toBeCloseTo(EXPECTED.handoffs.p90Ms, 6);
    expect(h.agents.map((a) => ({ id: a.agentId, handled: a.handled, resolved: a.resolved, wait: a.averageWaitMs }))).toEqual([
      { id: fx.agents.a1, handled: 3, resolved: 2, wait: Math.round(((1 + 2 + 10) / 3) * 60_000) },
      { id: fx.agents.a2, handled: 2, resolved: 2, wait: 3.5 * 60_000 },
    ]);
    // An even count: the median halfway between the middle two (3 and 4 minutes), the 90th percentile 3 + 0.9 × 1.
    const agent2 = await review.handoffFigures({ ...PERIOD, agentId: fx.agents.a2 });
    expect(agent2.waitMs.median).toBe(3.5 * 60_000);
    expect(agent2.waitMs.p90).toBeCloseTo(3.9 * 60_000, 6);
  });

  it('gives the offer take-up as accepted ÷ shown', async () => {
    const o = await review.offerFigures(PERIOD);
    expect(o).toMatchObject(EXPECTED.offers);
    expect(Object.fromEntries(o.byOutcome.map((x) => [x.key, x.count]))).toEqual({ accepted: 3, declined: 4, later: 1, expired: 1, shown: 1 });
  });

  it('counts active customers by risk band and lists the VIP and gold ones at high risk, highest first', async () => {
    const r = await review.riskFigures(PERIOD);
    expect(Object.fromEntries(r.byBand.map((b) => [b.key, b.count]))).toEqual({
      low: EXPECTED.risk.low,
      medium: EXPECTED.risk.medium,
      high: EXPECTED.risk.high,
    });
    expect(r.highValueAtRisk.count).toBe(3);
    expect(r.highValueAtRisk.top.map((c) => c.customerNo)).toEqual(EXPECTED.risk.highValueAtRisk);
  });

  it('gives the retention rate of the baseline group: 1 − lost ÷ group', async () => {
    expect(await review.retentionFigures(PERIOD)).toEqual(EXPECTED.retention);
  });

  it('narrows every figure by tier', async () => {
    const vip = { ...PERIOD, tiers: ['vip' as const] };
    expect((await review.surveyFigures(vip)).csat).toMatchObject({ answered: 3, average: 5 });
    expect((await review.complaintFigures(vip, FIXTURE_NOW)).total).toBe(1);
    expect((await review.handoffFigures(vip)).queued).toBe(2);
    expect(await review.retentionFigures(vip)).toMatchObject({ group: 1, lost: 0, rate: 1 });
  });

  it('narrows surveys by agent, channel, category and score', async () => {
    expect((await review.surveyFigures({ ...PERIOD, agentId: fx.agents.a2 })).csat.answered).toBe(3);
    expect((await review.surveyFigures({ ...PERIOD, channel: 'wechat' })).csat.answered).toBe(1);
    expect((await review.surveyFigures({ ...PERIOD, category: 'service' })).csat.distribution.find((d) => d.key === 1)?.count).toBe(1);
    expect((await review.surveyFigures({ ...PERIOD, score: { min: 1, max: 2 } })).csat.answered).toBe(2);
  });

  it('buckets the trend by day for a month, and the buckets add up to the totals', async () => {
    const trend = await review.trend(PERIOD);
    expect(trend.bucketMs).toBe(86_400_000);
    expect(trend.buckets).toHaveLength(22);
    expect(trend.buckets.reduce((a, b) => a + b.complaints, 0)).toBe(5);
    expect(trend.buckets.reduce((a, b) => a + b.csatAnswered, 0)).toBe(7);
    expect(trend.buckets[4]).toMatchObject({ start: at('2026-11-05', '00:00'), csatAnswered: 1, csatAverage: 1 });
  });

  it('answers an empty period with zeros and no averages, not errors', async () => {
    const empty = { from: at('2020-01-01', '00:00'), to: at('2020-01-02', '00:00') };
    const d = await review.dashboard(empty, FIXTURE_NOW);
    expect(d.surveys.csat).toMatchObject({ answered: 0, average: null });
    expect(d.surveys.nps.score).toBeNull();
    expect(d.surveys.response.rate).toBeNull();
    expect(d.handoffs.waitMs).toEqual({ median: null, p90: null });
    expect(d.offers.takeUp).toBeNull();
    expect(d.retention.rate).toBeNull();
  });
});

describe('the lists behind the figures', () => {
  it('hold exactly the rows each figure counts', async () => {
    const count = (name: Parameters<ReviewRepository['count']>[0], f: Record<string, unknown> = {}) => review.count(name, { ...PERIOD, ...f }, FIXTURE_NOW);
    expect(await count('surveys', { kind: 'csat', surveyStatus: 'answered' })).toBe(7);
    expect(await count('surveys', { kind: 'csat', surveyStatus: 'answered', score: { min: 5, max: 5 } })).toBe(3);
    expect(await count('surveys')).toBe(14);
    expect(await count('surveys', { surveyStatus: 'unanswered' })).toBe(2);
    expect(await count('complaints', { breached: true })).toBe(3);
    expect(await count('complaints', { breached: false })).toBe(2);
    expect(await count('complaints', { breached: 'first_contact' })).toBe(2);
    expect(await count('complaints', { breached: 'resolution' })).toBe(2);
    expect(await count('complaints', { category: 'billing' })).toBe(2);
    expect(await count('handoffs', { accepted: true })).toBe(5);
    expect(await count('handoffs', { agentId: fx.agents.a1, accepted: true })).toBe(3);
    expect(await count('offers', { outcome: 'accepted' })).toBe(3);
    expect(await count('customers', { band: 'high', tiers: ['vip', 'gold'] })).toBe(3);
    expect(await count('retention')).toBe(7);
    expect(await count('retention', { lost: true })).toBe(3);
    expect(await count('retention', { lost: 'low_usage' })).toBe(2);
    expect(await count('retention', { lost: false })).toBe(4);
  });

  it('orders handoffs by the longest wait when asked', async () => {
    const rows = await review.list('handoffs', { ...PERIOD, sortByWait: true }, { offset: 0, limit: 100 }, FIXTURE_NOW);
    expect(rows.map((r) => r.waitMs! / 60_000)).toEqual([10, 4, 3, 2, 1]);
  });

  it('marks each complaint’s breaches and tells the lost customers’ reasons', async () => {
    const rows = await review.list('complaints', PERIOD, { offset: 0, limit: 100 }, FIXTURE_NOW);
    const byRef = Object.fromEntries(rows.map((r) => [r.reference, [r.firstContactBreached, r.resolutionBreached]]));
    expect(byRef).toEqual({ 'CFX-k1': [false, false], 'CFX-k2': [true, true], 'CFX-k3': [false, true], 'CFX-k4': [true, false], 'CFX-k5': [false, false] });
    const group = await review.list('retention', { ...PERIOD, lost: true }, { offset: 0, limit: 100 }, FIXTURE_NOW);
    expect(Object.fromEntries(group.map((r) => [r.customerNo, r.lost]))).toEqual({ FX02: 'low_usage', FX04: 'closed', FX08: 'low_usage' });
  });

  it('pages with offsets, and a page past the end is empty', async () => {
    const first = await review.list('surveys', PERIOD, { offset: 0, limit: 5 }, FIXTURE_NOW);
    const second = await review.list('surveys', PERIOD, { offset: 5, limit: 5 }, FIXTURE_NOW);
    expect(first).toHaveLength(5);
    expect(new Set([...first, ...second].map((r) => r.id)).size).toBe(10);
    expect(await review.list('surveys', PERIOD, { offset: 99_999_900, limit: 100 }, FIXTURE_NOW)).toEqual([]);
  });
});

describe('QA reviews', () => {
  it('are saved, refined, then signed off, after which they do not change', async () => {
    const cv = fx.lowCsatConversation;
    const first = await review.saveQa(cv, fx.agents.a1, { resolved: 3, courtesy: 4, accuracy: 4, compliance: 5, comment: 'ok' }, false, FIXTURE_NOW);
    expect(first).toMatchObject({ status: 'saved', review: { resolved: 3, agentId: fx.agents.a1, signedOffAt: null } });
    const refined = await review.saveQa(
      cv,
      fx.agents.a2,
      { resolved: 2, courtesy: 4, accuracy: 4, compliance: 5, comment: 'refined' },
      true,
      FIXTURE_NOW + 1000,
    );
    expect(refined).toMatchObject({
      status: 'signed',
      review: { resolved: 2, comment: 'refined', signedOffAt: FIXTURE_NOW + 1000, signedOffBy: fx.agents.a2 },
    });
    const late = await review.saveQa(cv, fx.agents.a1, { resolved: 5, courtesy: 5, accuracy: 5, compliance: 5, comment: 'changed' }, false, FIXTURE_NOW + 2000);
    expect(late).toMatchObject({ status: 'final', review: { resolved: 2, comment: 'refined' } });
    expect(await review.qaFigures(PERIOD)).toEqual({ reviews: 0, signed: 0, average: null });
    const around = { from: FIXTURE_NOW - 1000, to: FIXTURE_NOW + 10_000 };
    expect(await review.qaFigures(around)).toEqual({ reviews: 1, signed: 1, average: (2 + 4 + 4 + 5) / 4 });
    expect(await review.count('qa', { ...around, signed: true }, FIXTURE_NOW)).toBe(1);
  });
});

describe('helpers', () => {
  it('reads the last three complete months at a period’s end', () => {
    expect(usageMonths(at('2026-11-23', '00:00'))).toEqual(['2026-08', '2026-09', '2026-10']);
    expect(usageMonths(at('2026-11-01', '00:00'))).toEqual(['2026-08', '2026-09', '2026-10']);
    expect(usageMonths(at('2026-01-15', '00:00'))).toEqual(['2025-10', '2025-11', '2025-12']);
  });
});
