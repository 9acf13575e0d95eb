import type { Knex } from 'knex';
import { toNumOrNull } from '../rows';

/**
 * Counts one more failure of `key` in a lock table (the key column, `failures`, `locked_until`, `updated_at`), in one
 * statement, so that failures arriving at once are all counted; a lock that has run out by `at` starts the count
 * afresh. Returns the count and the lock (possibly one that has run out) after it. Staff sign-ins and customer
 * verification keep their locks this way.
 */
export async function countFailure(
  knex: Knex,
  table: string,
  keyColumn: string,
  key: string,
  at: number,
): Promise<{ failures: number; lockedUntil: number | null }> {
  const [row] = (await knex(table)
    .insert({ [keyColumn]: key, failures: 1, locked_until: null, updated_at: at })
    .onConflict(keyColumn)
    .merge({
      failures: knex.raw('case when ?? is not null and ?? <= ? then 1 else ?? + 1 end', [
        `${table}.locked_until`,
        `${table}.locked_until`,
        at,
        `${table}.failures`,
      ]),
      locked_until: knex.raw('case when ?? <= ? then null else ?? end', [`${table}.locked_until`, at, `${table}.locked_until`]),
      updated_at: at,
    })
    .returning(['failures', 'locked_until'])) as Array<{ failures: unknown; locked_until: unknown }>;
  return { failures: Number(row.failures), lockedUntil: toNumOrNull(row.locked_until) };
}
