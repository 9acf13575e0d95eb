import { createRepositories } from '../../data/repositories';
import { openDatabase } from '../../data/db';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ seed: true, now });
});
afterAll(() => db.destroy());

const now = Date.UTC(2026, 10, 23, 2, 0);

describe(`the proactive outbox on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('gives each due item to exactly one of several workers claiming at once, and never claims it again', async () => {
    const repos = createRepositories(db.knex, { now: () => now, otpSecret: 'x'.repeat(32) });
    const conversationId = await repos.conversations.ensure({ channelId: 'test', conversationKey: 'outbox-1', reference: {} });
    for (let i = 0; i < 30; i++) {
      await repos.outbox.enqueue(
        { kind: 'survey', refId: i + 1, conversationId, customerId: null, purpose: 'survey', notBefore: now - 1, expiresAt: null },
        now,
      );
    }
    await repos.outbox.enqueue(
      { kind: 'survey', refId: 99, conversationId, customerId: null, purpose: 'survey', notBefore: now + 60_000, expiresAt: null },
      now,
    );
    // Separate connections (pools) on PostgreSQL, as separate instances would have.
    const workers = db.engine === 'pg' ? [db.knex, openDatabase(db.options), openDatabase(db.options)] : [db.knex, db.knex, db.knex];
    try {
      const claims = await Promise.all(
        workers.map(async (knex, w) => {
          const r = createRepositories(knex, { now: () => now, otpSecret: 'x'.repeat(32) });
          const mine: number[] = [];
          for (let round = 0; round < 5; round++) mine.push(...(await r.outbox.claimDue(now, `worker-${w}`, 4)).map((i) => i.refId));
          return mine;
        }),
      );
      const all = claims.flat().sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(await repos.outbox.claimDue(now, 'late', 50)).toEqual([]);
      // The one not yet due stays pending.
      expect((await repos.outbox.claimDue(now + 60_000, 'later', 50)).map((i) => i.refId)).toEqual([99]);
    } finally {
      for (const k of workers.slice(1)) if (k !== db.knex) await k.destroy();
    }
  });

  it('puts back an item the contact policy says to hold, due again at its time', async () => {
    const repos = createRepositories(db.knex, { now: () => now, otpSecret: 'x'.repeat(32) });
    const conversationId = await repos.conversations.ensure({ channelId: 'test', conversationKey: 'outbox-2', reference: {} });
    const item = await repos.outbox.enqueue(
      { kind: 'survey', refId: 500, conversationId, customerId: null, purpose: 'survey', notBefore: now, expiresAt: null },
      now,
    );
    const [claimed] = (await repos.outbox.claimDue(now, 'w', 100)).filter((i) => i.id === item.id);
    expect(claimed.status).toBe('sending');
    await repos.outbox.postpone(item.id, now + 3_600_000, 'quiet_hours');
    expect((await repos.outbox.claimDue(now, 'w', 100)).some((i) => i.id === item.id)).toBe(false);
    expect((await repos.outbox.claimDue(now + 3_600_000, 'w', 100)).some((i) => i.id === item.id)).toBe(true);
  });
});
