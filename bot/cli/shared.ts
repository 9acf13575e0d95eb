import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { migrateLatest, openDatabase } from '../../data/db';
import { type Config, ConfigError, loadConfig } from '../config';
import { createLogger } from '../logger';

/** Reads a file named on the command line, relative to where `npm run` was called from. */
export function readArgumentFile(usage: string): { file: string; text: string } {
  const arg = process.argv[2];
  if (!arg) fail(`usage: ${usage}`, 2);
  const file = path.resolve(process.env.INIT_CWD ?? process.cwd(), arg);
  if (!fs.existsSync(file)) fail(`no such file: ${file}`, 2);
  return { file, text: fs.readFileSync(file, 'utf8') };
}

/** The configuration, the database (migrated) and a logger, as the service would have them; closes the database after. */
export async function withDatabase<T>(work: (ctx: { config: Config; knex: Knex; logger: ReturnType<typeof createLogger> }) => Promise<T>): Promise<T> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(`Configuration error: ${err.message}`, 1);
    throw err;
  }
  const knex = openDatabase(config.database);
  try {
    await migrateLatest(knex);
    return await work({ config, knex, logger: createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel) });
  } finally {
    await knex.destroy();
  }
}

/** Prints the message on stderr and exits with the code. */
export function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}
