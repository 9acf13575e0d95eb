import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { migrationSource } from './migrations';

/** Where the data lives: an embedded SQLite file, or a PostgreSQL server shared by several instances. */
export type DatabaseOptions =
  | { readonly client: 'sqlite'; readonly filename: string }
  | { readonly client: 'pg'; readonly url: string; readonly poolMax?: number; readonly schema?: string };

// PostgreSQL sends bigint (ids, epoch-millisecond times, money in fen) and numeric (averages) as strings; every value
// this project stores fits a double exactly, so they are read as numbers, the same as SQLite returns them.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

/**
 * Opens the database: SQLite in WAL mode with foreign keys on, or a PostgreSQL pool.
 *
 * SQLite goes through better-sqlite3, whose statements run synchronously. With the asynchronous sqlite3 driver every
 * statement held the one connection until the busy event loop got round to its completion, and turns queued behind
 * it (see README, Performance). The chat path only runs small indexed statements (tenths of a millisecond), so
 * running them inline is the faster choice; long report queries must not run on the chat process's connection.
 */
export function openDatabase(options: DatabaseOptions): Knex {
  if (options.client === 'sqlite') {
    if (options.filename !== ':memory:') fs.mkdirSync(path.dirname(options.filename), { recursive: true });
    return knexFactory({
      client: 'better-sqlite3',
      connection: { filename: options.filename },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) {
          try {
            // WAL lets readers proceed during a write; NORMAL sync is what SQLite recommends with WAL (an application
            // crash loses nothing; only a power cut can drop the last commits).
            conn.pragma('journal_mode = WAL');
            conn.pragma('synchronous = NORMAL');
            conn.pragma('foreign_keys = ON');
            conn.pragma('busy_timeout = 5000');
            cacheStatements(conn, 500);
            done(null, conn);
          } catch (err) {
            done(err as Error, conn);
          }
        },
      },
    });
  }
  return knexFactory({
    client: 'pg',
    connection: options.url,
    searchPath: options.schema ? [options.schema] : undefined,
    pool: { min: 0, max: options.poolMax ?? 10 },
  });
}

interface SqliteConnection {
  pragma(source: string): unknown;
  prepare(sql: string): unknown;
}

/**
 * Keeps the connection's prepared statements by SQL text (least recently used dropped first). Knex prepares every
 * query afresh, which was a visible share of a turn's time on SQLite; a better-sqlite3 statement can run again with
 * new bindings, and SQLite re-prepares it by itself after a schema change.
 */
function cacheStatements(conn: SqliteConnection, max: number): void {
  const prepare = conn.prepare.bind(conn);
  const statements = new Map<string, unknown>();
  conn.prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (statement) {
      statements.delete(sql);
    } else {
      statement = prepare(sql);
      if (statements.size >= max) statements.delete(statements.keys().next().value as string);
    }
    statements.set(sql, statement);
    return statement;
  };
}

/** Brings the schema to the latest migration; returns the names it applied. */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

/**
 * Runs `work` (migrating, seeding) while holding the database's startup lock, so that instances started together on
 * an empty PostgreSQL database take turns: without it both created knex's own migration tables at once and one failed
 * most times. The lock is a session advisory lock on one pooled connection, per schema (test suites side by side on
 * one server do not wait for each other). SQLite is one process: nothing to wait for.
 */
export async function withStartupLock<T>(knex: Knex, work: () => Promise<T>): Promise<T> {
  if (dialect(knex) !== 'pg') return work();
  const client = knex.client as { acquireConnection(): Promise<PgConnection>; releaseConnection(c: PgConnection): Promise<void> };
  const conn = await client.acquireConnection();
  const key = "hashtext(current_schema() || ':retention.startup')";
  try {
    await conn.query(`select pg_advisory_lock(${key})`);
    try {
      return await work();
    } finally {
      await conn.query(`select pg_advisory_unlock(${key})`);
    }
  } finally {
    await client.releaseConnection(conn);
  }
}

interface PgConnection {
  query(sql: string): Promise<unknown>;
}

/** True when the database answers a trivial query within the time given. */
export async function databaseReachable(knex: Knex, timeoutMs = 1000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      knex.raw('select 1'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Which engine a Knex instance talks to. */
export function dialect(knex: Knex): 'sqlite' | 'pg' {
  return knex.client.config.client === 'pg' ? 'pg' : 'sqlite';
}
