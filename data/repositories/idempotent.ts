import type { Knex } from 'knex';

/**
 * Inserts a row that belongs to one customer action, once: with an `idempotency_key`, a second insert for the same
 * action (a turn run again after a crash, a double click, a retry on another instance) finds the first row and returns
 * its id instead. The unique index on the key settles a race between instances; the loser reads the winner's row.
 * Without a key it is a plain insert. Returns the row's id and whether this call created it.
 */
export async function insertOnce(
  db: Knex | Knex.Transaction,
  table: string,
  row: Record<string, unknown>,
  key: string | null | undefined,
): Promise<{ id: number; created: boolean }> {
  if (key) {
    const existing = await existingId(db, table, key);
    if (existing !== undefined) return { id: existing, created: false };
  }
  const insert = async () => {
    const [inserted] = await db(table)
      .insert({ ...row, ...(key ? { idempotency_key: key } : {}) })
      .returning('id');
    return Number(typeof inserted === 'object' ? inserted.id : inserted);
  };
  if (!key) return { id: await insert(), created: true };
  if (db.isTransaction) {
    // Inside a transaction a failed statement poisons it on PostgreSQL: a savepoint keeps the rest usable.
    try {
      return { id: await (db as Knex.Transaction).transaction(async (sp) => insertWith(sp, table, row, key)), created: true };
    } catch (err) {
      const found = isUniqueViolation(err) ? await existingId(db, table, key) : undefined;
      if (found === undefined) throw err;
      return { id: found, created: false };
    }
  }
  try {
    return { id: await insert(), created: true };
  } catch (err) {
    const found = isUniqueViolation(err) ? await existingId(db, table, key) : undefined;
    if (found === undefined) throw err;
    return { id: found, created: false };
  }
}

async function insertWith(db: Knex.Transaction, table: string, row: Record<string, unknown>, key: string): Promise<number> {
  const [inserted] = await db(table)
    .insert({ ...row, idempotency_key: key })
    .returning('id');
  return Number(typeof inserted === 'object' ? inserted.id : inserted);
}

async function existingId(db: Knex | Knex.Transaction, table: string, key: string): Promise<number | undefined> {
  const found = await db(table).where({ idempotency_key: key }).first('id');
  return found ? Number(found.id) : undefined;
}

/** A unique constraint refused the row (PostgreSQL 23505, SQLite's SQLITE_CONSTRAINT_UNIQUE). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e?.message ?? '');
}
