import type { Knex } from 'knex';

/** What a claim found: the key is new, was seen with the same fingerprint, or was seen with another one. */
export type ReplayVerdict = 'first' | 'same' | 'different';

/** Keys that may be used once, kept (by every instance, in the database) until they expire. */
export interface ReplayGuardRepository {
  /**
   * Remembers `key` until `expiresAt` with the fingerprint of what came with it, unless it is remembered already; says
   * which. (A key is only claimed for something still valid, which an expired key's token or callback is not.)
   */
  claim(key: string, fingerprint: string, expiresAt: number): Promise<ReplayVerdict>;
  /** Forgets the keys that expired by `at` (housekeeping); returns how many. */
  forgetExpired(at: number): Promise<number>;
}

export function createReplayGuardRepository(knex: Knex): ReplayGuardRepository {
  return {
    async claim(key, fingerprint, expiresAt) {
      const inserted = await knex('replay_guards')
        .insert({ guard_key: key, fingerprint, expires_at: expiresAt })
        .onConflict('guard_key')
        .ignore()
        .returning('guard_key');
      if (inserted.length > 0) return 'first';
      const row = await knex('replay_guards').where({ guard_key: key }).first('fingerprint');
      // Gone between the two statements (forgotten as expired): it was not valid any more.
      if (!row) return 'different';
      return row.fingerprint === fingerprint ? 'same' : 'different';
    },
    async forgetExpired(at) {
      return knex('replay_guards').where('expires_at', '<=', at).delete();
    },
  };
}
