import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { type DatabaseOptions, migrateLatest, openDatabase } from '../../data/db';
import { seedDemo } from '../../data/seeds/demo';

/** A migrated database of its own for one test suite, and how to throw it away. */
export interface TestDatabase {
  knex: Knex;
  options: DatabaseOptions;
  engine: 'sqlite' | 'pg';
  destroy(): Promise<void>;
}

/**
 * A real database for a test suite: a fresh SQLite file in a temporary folder, or, when DATABASE_URL is set, a fresh
 * schema on that PostgreSQL server (so suites running side by side never see each other's rows).
 */
export async function createTestDatabase(
  options: { seed?: boolean; migrate?: boolean; /** The test's clock, for the demo's dates (maturities, complaint days). */ now?: number } = {},
): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  let db: TestDatabase;
  if (url) {
    const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
    await admin.raw('create schema ??', [schema]);
    await admin.destroy();
    const dbOptions: DatabaseOptions = { client: 'pg', url, schema, poolMax: 5 };
    const knex = openDatabase(dbOptions);
    db = {
      knex,
      options: dbOptions,
      engine: 'pg',
      async destroy() {
        await knex.destroy();
        const cleaner = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
        await cleaner.raw('drop schema if exists ?? cascade', [schema]);
        await cleaner.destroy();
      },
    };
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retention-test-'));
    const dbOptions: DatabaseOptions = { client: 'sqlite', filename: path.join(dir, 'test.sqlite3') };
    const knex = openDatabase(dbOptions);
    db = {
      knex,
      options: dbOptions,
      engine: 'sqlite',
      async destroy() {
        await knex.destroy();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (options.migrate !== false) await migrateLatest(db.knex);
  if (options.seed) await seedDemo(db.knex, options.now ?? Date.now());
  return db;
}
