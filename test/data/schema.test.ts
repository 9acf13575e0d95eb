import { migrationSource } from '../../data/migrations';
import { migrateLatest } from '../../data/db';
import { DEMO_CUSTOMERS, DEMO_STAFF, DEMO_STAFF_PASSWORD, seedDemo } from '../../data/seeds/demo';
import { verifyPassword } from '../../data/passwords';
import { TIERS, INDUSTRIES, STAFF_ROLES } from '../../retention/types';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(() => db.destroy());

  it('create every table, roll back to nothing, and apply again', async () => {
    const applied = await migrateLatest(db.knex);
    expect(applied).toEqual(await migrationSource.getMigrations([]));
    for (const table of [
      'customers',
      'channel_identities',
      'accounts',
      'balance_history',
      'products',
      'customer_products',
      'complaints',
      'handoffs',
      'offers',
      'offer_presentations',
      'surveys',
      'conversations',
      'transcript_activities',
      'staff',
      'audit_log',
      'bot_state',
    ]) {
      expect(await db.knex.schema.hasTable(table)).toBe(true);
    }
    await db.knex.migrate.rollback({ migrationSource }, true);
    expect(await db.knex.schema.hasTable('customers')).toBe(false);
    expect(await migrateLatest(db.knex)).toHaveLength(applied.length);
    expect(await migrateLatest(db.knex)).toEqual([]);
  });
});

const NOW = Date.UTC(2026, 10, 23, 2, 0);

describe('demo seed', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.destroy());

  it('fills an empty database and adds nothing the second time', async () => {
    expect(await seedDemo(db.knex, NOW)).toBe(DEMO_CUSTOMERS.length);
    const counts = async () => {
      const out: Record<string, number> = {};
      for (const t of ['customers', 'accounts', 'customer_products', 'staff', 'offers', 'complaints', 'surveys', 'balance_history', 'products']) {
        out[t] = Number((await db.knex(t).count({ n: '*' }))[0].n);
      }
      return out;
    };
    const first = await counts();
    expect(await seedDemo(db.knex, NOW)).toBe(0);
    expect(await counts()).toEqual(first);
    expect(first.customers).toBeGreaterThanOrEqual(8);
    expect(first.complaints).toBeGreaterThan(0);
    expect(first.surveys).toBeGreaterThan(0);
  });

  it('has customers of every tier and industry, and staff of every role', async () => {
    const customers = await db.knex('customers').select('tier', 'industry');
    expect(new Set(customers.map((c) => c.tier))).toEqual(new Set(TIERS));
    expect(new Set(customers.map((c) => c.industry))).toEqual(new Set(INDUSTRIES));
    const roles = await db.knex('staff').select('role');
    expect(new Set(roles.map((r) => r.role))).toEqual(new Set(STAFF_ROLES));
  });

  it('gives every customer at least one account, with balances as integers', async () => {
    const rows = await db.knex('accounts').select('customer_id', 'balance', 'unit');
    expect(new Set(rows.map((r) => r.customer_id)).size).toBe(DEMO_CUSTOMERS.length);
    for (const r of rows) expect(Number.isInteger(r.balance)).toBe(true);
  });

  it('stores staff passwords as scrypt hashes that verify', async () => {
    const row = await db.knex('staff').where({ username: DEMO_STAFF[0].username }).first();
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(await verifyPassword(DEMO_STAFF_PASSWORD, row.password_hash)).toBe(true);
    expect(await verifyPassword('wrong', row.password_hash)).toBe(false);
  });
});

describe('the connection', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(() => db.destroy());

  it('answers a repeated query correctly after its table is dropped and recreated with other columns', async () => {
    await db.knex.schema.createTable('reused', (t) => {
      t.integer('a');
    });
    await db.knex('reused').insert({ a: 1 });
    expect(await db.knex('reused').select('*')).toEqual([{ a: 1 }]);
    await db.knex.schema.dropTable('reused');
    await db.knex.schema.createTable('reused', (t) => {
      t.string('b');
      t.integer('a');
    });
    await db.knex('reused').insert({ a: 2, b: 'x' });
    expect(await db.knex('reused').select('*')).toEqual([{ b: 'x', a: 2 }]);
  });
});
