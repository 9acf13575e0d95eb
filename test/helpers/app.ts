import { Writable } from 'node:stream';
import pino from 'pino';
import { type App, type AppOverrides, createApp } from '../../bot';
import { loadConfig } from '../../bot/config';
import { createTestDatabase, type TestDatabase } from './database';

/** A running service on a loopback port, on a database of its own, with its log lines captured. */
export interface TestApp {
  app: App;
  db: TestDatabase;
  url: string;
  /** Every log line written so far, parsed. */
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Starts the whole service as `npm start` would, on port 0, with a fresh seeded database. */
export async function startTestApp(
  env: Record<string, string> = {},
  overrides: Omit<AppOverrides, 'knex' | 'logger'> = {},
  /** `prepare` writes rows the service must find when it starts (it runs on the migrated database, before the service). */
  options: { prepare?: (db: TestDatabase) => Promise<void> } = {},
): Promise<TestApp> {
  const db = await createTestDatabase();
  await options.prepare?.(db);
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      cb();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'true', SHUTDOWN_GRACE_MS: '5000', ...env });
  const app = await createApp(config, { ...overrides, knex: db.knex, logger });
  const address = await app.listen();
  let closed = false;
  return {
    app,
    db,
    url: `http://127.0.0.1:${address.port}`,
    logs,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await db.destroy();
    },
  };
}
