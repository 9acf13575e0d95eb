import type { Knex } from 'knex';

/** What a claim found: the key is new, was seen with the same fingerprint, or was seen with another one. */
export type ReplayVerdict = 'first' | 'same' | 'different';

/** Keys that may be used once, kept (by every instance, in the database) until they expire. */
export interface ReplayGuardRepository {
  /**
   * Remembers `key` until `expiresAt` with the fingerprint of what came with it, unless it is remembered already; says
   * which. Keys that have expired by `at` are forgotten first.
   */
  claim(key: string, fingerprint: string, expiresAt: number, at: number): Promise<ReplayVerdict>;
}

export function createReplayGuardRepository(knex: Knex): ReplayGuardRepository {
  return {
    async claim(key, fingerprint, expiresAt, at) {
      // The index on expires_at makes this a short range scan; rows leave as soon as they cannot matter.
      await knex('replay_guards').where('expires_at', '<=', at).delete();
      const inserted = await knex('replay_guards').insert({ guard_key: key, fingerprint, expires_at: expiresAt }).onConflict('guard_key').ignore().returning('guard_key');
      if (inserted.length > 0) return 'first';
      const row = await knex('replay_guards').where({ guard_key: key }).first('fingerprint');
      // Gone between the two statements: another instance found it expired. Whoever claims it next is first.
      if (!row) return 'different';
      return row.fingerprint === fingerprint ? 'same' : 'different';
    },
  };
}
