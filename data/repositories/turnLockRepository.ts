import type { Knex } from 'knex';

/** What an attempt to take a conversation's lease found. */
export type LeaseAttempt = { taken: true } | { taken: false; holderFingerprint: string | null };

/**
 * Leases on conversations, so that turns of one conversation run one at a time across instances (PostgreSQL). Times
 * are the database server's own clock: instances whose clocks disagree still agree on when a lease lapsed.
 */
export interface TurnLockRepository {
  /** Takes the lease for `leaseMs` unless another owner holds one that has not lapsed. */
  tryTake(key: string, owner: string, fingerprint: string | null, leaseMs: number): Promise<LeaseAttempt>;
  /** Extends a lease still held by `owner`; false when it was lost (lapsed and taken over). */
  renew(key: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Gives a lease back. */
  release(key: string, owner: string): Promise<void>;
  /** Forgets leases that lapsed (housekeeping); returns how many. */
  forgetLapsed(): Promise<number>;
}

const DB_NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

/** Creates the lease repository (PostgreSQL: SQLite is one process and needs none). */
export function createTurnLockRepository(knex: Knex): TurnLockRepository {
  return {
    async tryTake(key, owner, fingerprint, leaseMs) {
      const taken = await knex.raw(
        `insert into conversation_locks (lock_key, owner, fingerprint, expires_at) values (?, ?, ?, ${DB_NOW_MS} + ?)
         on conflict (lock_key) do update set owner = excluded.owner, fingerprint = excluded.fingerprint, expires_at = excluded.expires_at
         where conversation_locks.expires_at < ${DB_NOW_MS}
         returning owner`,
        [key, owner, fingerprint, leaseMs],
      );
      if ((taken.rows as unknown[]).length > 0) return { taken: true };
      const holder = await knex('conversation_locks').where({ lock_key: key }).first('fingerprint');
      return { taken: false, holderFingerprint: holder?.fingerprint ?? null };
    },
    async renew(key, owner, leaseMs) {
      const n = await knex('conversation_locks')
        .where({ lock_key: key, owner })
        .update({ expires_at: knex.raw(`${DB_NOW_MS} + ?`, [leaseMs]) });
      return n === 1;
    },
    async release(key, owner) {
      await knex('conversation_locks').where({ lock_key: key, owner }).delete();
    },
    async forgetLapsed() {
      return knex('conversation_locks').where('expires_at', '<', knex.raw(DB_NOW_MS)).delete();
    },
  };
}
