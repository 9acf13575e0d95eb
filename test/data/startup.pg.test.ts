import pino from 'pino';
import { type App, createApp } from '../../bot';
import { loadConfig } from '../../bot/config';
import { openDatabase } from '../../data/db';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

// Only PostgreSQL has several instances on one database (jest.config.js runs `*.pg.test.ts` with DATABASE_URL).
let db: TestDatabase;
const apps: App[] = [];
beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await db.destroy();
});

describe('instances started together on an empty PostgreSQL database', () => {
  it('all start: one migrates and seeds, the others wait for it and find the schema ready', async () => {
    const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'true', DEADLINE_CHECK_INTERVAL_S: '0' });
    const started = await Promise.allSettled(
      [1, 2, 3].map(() => createApp(config, { knex: openDatabase(db.options), logger: pino({ level: 'silent' }), now: () => Date.UTC(2026, 10, 23, 2, 0) })),
    );
    for (const s of started) if (s.status === 'fulfilled') apps.push(s.value);
    expect(started.map((s) => (s.status === 'rejected' ? String(s.reason) : 'started'))).toEqual(['started', 'started', 'started']);
    expect(await db.knex('customers').where({ customer_no: 'B0001' }).count({ n: '*' })).toEqual([{ n: 1 }]);
  });
});
