import { createReviewRepository } from '../../data/repositories/reviewRepository';
import { seedHistory } from '../../data/seeds/history';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const NOW = Date.parse('2026-11-22T12:00:00+08:00');
const YEAR = { from: NOW - 365 * 86_400_000, to: NOW };
let a: TestDatabase;
let b: TestDatabase;
let c: TestDatabase;

beforeAll(async () => {
  [a, b, c] = await Promise.all([createTestDatabase({ seed: true, now: NOW }), createTestDatabase(), createTestDatabase()]);
});
afterAll(async () => {
  await Promise.all([a.destroy(), b.destroy(), c.destroy()]);
});

describe('npm run demo:history', () => {
  it('fills a year of history beside the demo data, the same for the same seed, and does not run twice', async () => {
    const demoBefore = await a.knex('customers').whereNot('customer_no', 'like', 'H%').orderBy('id').select('*');
    const first = await seedHistory(a.knex, { scale: 0.1, seed: 7, now: NOW });
    expect(first).toMatchObject({ skipped: false, customers: 200, conversations: 1000 });
    expect(first.transcriptLines).toBeGreaterThan(9000);
    expect(first.transcriptLines).toBeLessThan(11000);
    for (const k of ['complaints', 'handoffs', 'surveys', 'offerPresentations', 'usageMonths'] as const) expect(first[k]).toBeGreaterThan(0);
    // The demo customers are exactly as they were.
    expect(await a.knex('customers').whereNot('customer_no', 'like', 'H%').orderBy('id').select('*')).toEqual(demoBefore);

    // The same seed on two databases in the same state: the same rows, to the figure.
    await seedHistory(b.knex, { scale: 0.1, seed: 7, now: NOW });
    await seedHistory(c.knex, { scale: 0.1, seed: 7, now: NOW });
    const [db, dc] = await Promise.all([createReviewRepository(b.knex).dashboard(YEAR, NOW), createReviewRepository(c.knex).dashboard(YEAR, NOW)]);
    expect(db).toEqual(dc);
    expect(db.surveys.csat.answered).toBeGreaterThan(100);
    const lines = async (d: TestDatabase) =>
      await d.knex('transcript_activities').orderBy('id').limit(50).select('conversation_id', 'sender', 'text', 'created_at');
    expect(await lines(b)).toEqual(await lines(c));

    expect(await seedHistory(a.knex, { scale: 0.1, seed: 7, now: NOW })).toMatchObject({ skipped: true, customers: 200 });
    const again = await seedHistory(a.knex, { scale: 0.05, seed: 8, now: NOW, replace: true });
    expect(again).toMatchObject({ skipped: false, customers: 100, conversations: 500 });
    const [{ n }] = await a.knex('customers').where('customer_no', 'like', 'H%').count({ n: '*' });
    expect(Number(n)).toBe(100);
  });

  it('gives figures in realistic ranges', async () => {
    const review = createReviewRepository(b.knex);
    const d = await review.dashboard(YEAR, NOW);
    expect(d.surveys.csat.average).toBeGreaterThan(3.3);
    expect(d.surveys.csat.average).toBeLessThan(4.6);
    expect(d.surveys.response.rate).toBeGreaterThan(0.4);
    expect(d.complaints.breaches.any / d.complaints.total).toBeLessThan(0.4);
    expect(d.handoffs.waitMs.median! / 60_000).toBeGreaterThan(0.5);
    expect(d.handoffs.waitMs.p90!).toBeGreaterThan(d.handoffs.waitMs.median!);
    expect(d.offers.takeUp).toBeGreaterThan(0.1);
    expect(d.retention.rate).toBeGreaterThan(0.8);
    expect(d.retention.rate).toBeLessThan(1);
  });
});
