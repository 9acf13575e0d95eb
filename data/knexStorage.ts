import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { Batcher } from './batching';
import { dialect } from './db';
import { systemClock } from '../retention/clock';

/** What the Bot Framework `Storage` interface reads and writes (declared here so `data/` stays free of botbuilder). */
export type StoreItems = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Thrown when a write carries an eTag that is no longer the stored one: someone else wrote first. */
export class ETagConflictError extends Error {
  constructor(readonly key: string) {
    super(`Storage: error writing "${key}" due to eTag conflict.`);
    this.name = 'ETagConflictError';
  }
}

/**
 * Bot state (conversation and user state, dialog stacks) in the `bot_state` table, with the semantics of the SDK's
 * `MemoryStorage`: an item written without an eTag or with `*` overwrites; an item carrying an eTag is written only
 * when that eTag is still current, else the whole write fails and nothing of it is kept. Each write gives the item
 * a new eTag, returned by the next read.
 */
export class KnexStorage {
  private readonly reads: Batcher<string[], StoreItems>;
  /** Unconditional writes (no eTag, or `*`, which is how BotState saves) of concurrent turns, as one upsert. */
  private readonly upserts: Batcher<StateRow[], unknown>;

  constructor(
    private readonly knex: Knex,
    private readonly table = 'bot_state',
    private readonly now: () => number = systemClock,
  ) {
    // Reads of concurrent turns share one query (see Batcher); SQLite has one connection, PostgreSQL a pool.
    const maxInFlight = dialect(knex) === 'sqlite' ? 1 : 4;
    this.reads = new Batcher((requests) => this.readMany(requests), { maxInFlight, maxBatch: 100 });
    this.upserts = new Batcher((requests) => this.upsertMany(requests), { maxInFlight, maxBatch: 100 });
  }

  /** Reads the items that exist; unknown keys are simply absent from the result. */
  async read(keys: string[]): Promise<StoreItems> {
    if (!Array.isArray(keys)) throw new TypeError('Keys are required when reading');
    if (keys.length === 0) return {};
    return this.reads.submit(keys);
  }

  private async readMany(requests: string[][]): Promise<StoreItems[]> {
    const keys = [...new Set(requests.flat())];
    const found = new Map<string, { data: string; etag: string }>();
    for (let i = 0; i < keys.length; i += 500) {
      const rows: Array<{ key: string; data: string; etag: string }> = await this.knex(this.table)
        .select('key', 'data', 'etag')
        .whereIn('key', keys.slice(i, i + 500));
      for (const row of rows) found.set(row.key, row);
    }
    // Each caller gets objects of its own, parsed afresh: callers mutate what they read.
    return requests.map((request) => {
      const out: StoreItems = {};
      for (const key of request) {
        const row = found.get(key);
        if (row) out[key] = { ...JSON.parse(row.data), eTag: row.etag };
      }
      return out;
    });
  }

  /** Writes all changes or none. */
  async write(changes: StoreItems): Promise<void> {
    if (!changes || typeof changes !== 'object') throw new TypeError('Changes are required when writing');
    const entries = Object.entries(changes);
    if (entries.length === 0) return;
    if (entries.every(([, item]) => isUnconditional(item))) {
      const error = await this.upserts.submit(entries.map(([key, item]) => this.toRow(key, item)));
      if (error) throw error;
      return;
    }
    if (entries.length === 1) {
      await this.writeOne(this.knex, entries[0][0], entries[0][1]);
      return;
    }
    await this.knex.transaction(async (trx) => {
      for (const [key, item] of entries) await this.writeOne(trx, key, item);
    });
  }

  /** Deletes the keys; unknown ones are ignored. */
  async delete(keys: string[]): Promise<void> {
    if (!Array.isArray(keys)) throw new TypeError('Keys are required when deleting');
    if (keys.length === 0) return;
    await this.knex(this.table).whereIn('key', keys).delete();
  }

  /** One statement for many callers' unconditional writes; a caller whose rows fail alone gets its own error. */
  private async upsertMany(requests: StateRow[][]): Promise<unknown[]> {
    const upsert = (rows: StateRow[]) => {
      // One statement may not touch a row twice (PostgreSQL): the later write to a key wins, as it would in sequence.
      const last = new Map(rows.map((r) => [r.key, r]));
      return this.knex(this.table)
        .insert([...last.values()])
        .onConflict('key')
        .merge(['data', 'etag', 'updated_at']);
    };
    try {
      await upsert(requests.flat());
      return requests.map(() => undefined);
    } catch (err) {
      if (requests.length === 1) return [err];
      const results = [];
      for (const rows of requests)
        results.push(
          await upsert(rows).then(
            () => undefined,
            (e: unknown) => e,
          ),
        );
      return results;
    }
  }

  private toRow(key: string, item: StoreItems[string]): StateRow {
    const { eTag: _eTag, ...rest } = (item ?? {}) as { eTag?: string };
    return { key, data: JSON.stringify(rest), etag: randomUUID(), updated_at: this.now() };
  }

  private async writeOne(db: Knex | Knex.Transaction, key: string, item: StoreItems[string]): Promise<void> {
    const { eTag } = (item ?? {}) as { eTag?: string };
    const row = this.toRow(key, item);
    if (isUnconditional(item)) {
      await db(this.table).insert(row).onConflict('key').merge(['data', 'etag', 'updated_at']);
      return;
    }
    const updated = await db(this.table).where({ key, etag: eTag }).update({ data: row.data, etag: row.etag, updated_at: row.updated_at });
    if (updated === 1) return;
    // The stored eTag differs, or the item is gone. A missing item is created (as MemoryStorage does); if another
    // writer creates it first, the insert finds it and this write has lost the race.
    const inserted = (await db(this.table).insert(row).onConflict('key').ignore().returning('key')) as unknown[];
    if (inserted.length !== 1) throw new ETagConflictError(key);
  }
}

interface StateRow {
  key: string;
  data: string;
  etag: string;
  updated_at: number;
}

function isUnconditional(item: StoreItems[string]): boolean {
  const eTag = (item ?? {}).eTag as string | undefined;
  return !eTag || eTag === '*';
}
