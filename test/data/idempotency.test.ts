import { createRepositories, type Repositories } from '../../data/repositories';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

// What a customer action creates is created once: the same action repeated (a turn run again after a crash, a double
// click, a retry on another instance, several at once) finds what the first made. Runs on SQLite and PostgreSQL.
const AT = Date.UTC(2026, 10, 23, 2, 0);
let db: TestDatabase;
let repos: Repositories;
let customerId: number;
beforeAll(async () => {
  db = await createTestDatabase({ seed: true, now: AT });
  repos = createRepositories(db.knex, { now: () => AT, otpSecret: 'test-secret' });
  customerId = (await repos.customers.findByCustomerNo('B0002'))!.id;
});
afterAll(() => db.destroy());

const complaint = (key?: string) =>
  repos.complaints.create({
    idempotencyKey: key,
    customerId,
    conversationId: null,
    channel: 'test',
    channelUserId: 'u1',
    category: 'billing',
    severity: 'medium',
    description: '年费扣了两次',
    contact: null,
    locale: 'zh-CN',
    route: 'back_office',
    escalated: false,
    firstContactDueAt: AT + 3_600_000,
    resolutionDueAt: AT + 7 * 86_400_000,
  });

describe('complaints', () => {
  it('filed five times at once with one key are one complaint with one reference number', async () => {
    const filed = await Promise.all([1, 2, 3, 4, 5].map(() => complaint('complaint:draft-a')));
    expect(new Set(filed.map((c) => c.id)).size).toBe(1);
    expect(new Set(filed.map((c) => c.reference)).size).toBe(1);
    expect(await db.knex('complaints').where({ idempotency_key: 'complaint:draft-a' })).toHaveLength(1);
  });

  it('without a key, or with different keys, are separate complaints', async () => {
    const [a, b, c] = [await complaint(), await complaint(), await complaint('complaint:draft-b')];
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
  });
});

describe('call backs, recovery cases and follow-ups', () => {
  it('a call back booked twice with one key is one call back', async () => {
    const book = () =>
      repos.callbacks.create({
        idempotencyKey: 'callback:k1',
        customerId,
        conversationId: null,
        handoffId: null,
        complaintId: null,
        phone: '13800000002',
        reason: 'explicit_request',
        dueAt: AT + 3_600_000,
        promisedBy: null,
        note: null,
      });
    const [a, b] = await Promise.all([book(), book()]);
    expect(a.id).toBe(b.id);
    expect(await db.knex('callbacks').where({ idempotency_key: 'callback:k1' })).toHaveLength(1);
  });

  it('a survey’s recovery case is opened once, however often it is asked', async () => {
    const survey = await repos.surveys.create({
      customerId,
      conversationId: null,
      handoffId: null,
      complaintId: null,
      kind: 'csat',
      trigger: 'customer_started',
      agentId: null,
      status: 'sent',
      channel: 'test',
      locale: 'zh-CN',
      at: AT,
      expiresAt: AT + 86_400_000,
    });
    const open = () =>
      repos.recovery.create({ customerId, surveyId: survey.id, ownerKind: 'supervisor', ownerId: null, dueAt: AT + 86_400_000, comment: null }, AT);
    const [a, b] = await Promise.all([open(), open()]);
    expect(a.id).toBe(b.id);
    expect(await db.knex('recovery_cases').where({ survey_id: survey.id })).toHaveLength(1);
  });

  it('a follow-up with one key is one task', async () => {
    const task = () =>
      repos.followUps.create({
        idempotencyKey: 'offer:1:offer_accepted',
        customerId,
        assigneeId: null,
        kind: 'offer_accepted',
        offerPresentationId: null,
        conversationId: null,
        dueAt: AT + 86_400_000,
        note: null,
      });
    const [a, b] = await Promise.all([task(), task()]);
    expect(a.id).toBe(b.id);
  });
});

describe('accepting an offer', () => {
  it('twice at once takes one unit of stock and says the second was already accepted', async () => {
    const [offer] = (await repos.offers.listCatalog('bank')).filter((o) => o.stock === null || (o.stock ?? 0) > 1);
    await db
      .knex('offers')
      .where({ id: offer.id })
      .update({ stock: 10, valid_from: AT - 1000, valid_to: AT + 86_400_000, active: true });
    const [presentation] = await repos.offers.present([{ offerId: offer.id, relevance: null }], {
      customerId,
      conversationId: null,
      channel: 'test',
      locale: 'zh-CN',
      at: AT,
    });
    const results = await Promise.all([repos.offers.accept(presentation.id, offer.id, AT), repos.offers.accept(presentation.id, offer.id, AT)]);
    expect(results.sort()).toEqual(['accepted', 'already']);
    expect((await db.knex('offers').where({ id: offer.id }).first()).stock).toBe(9);
  });

  it('that has run out is not recorded as accepted', async () => {
    const [offer] = await repos.offers.listCatalog('bank');
    await db
      .knex('offers')
      .where({ id: offer.id })
      .update({ stock: 0, valid_from: AT - 1000, valid_to: AT + 86_400_000, active: true });
    const [presentation] = await repos.offers.present([{ offerId: offer.id, relevance: null }], {
      customerId,
      conversationId: null,
      channel: 'test',
      locale: 'zh-CN',
      at: AT,
    });
    expect(await repos.offers.accept(presentation.id, offer.id, AT)).toBe('unavailable');
    expect((await repos.offers.findPresentation(presentation.id))!.outcome).toBe('shown');
  });
});
