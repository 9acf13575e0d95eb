import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import { afterFailure, DEFAULT_VERIFICATION_POLICY, type VerificationPolicy } from '../../retention/verification';
import { toNumOrNull } from '../rows';

/** Where a code was asked for: it works only there. */
export interface CodeScope {
  channel: string;
  channelUserId: string;
  conversationKey: string;
}

/** A code to store (the code itself is only hashed). */
export interface NewCode extends CodeScope {
  mobile: string;
  /** Null for a decoy: a number no customer has. */
  customerId: number | null;
  code: string;
}

/** What checking a typed code found. */
export type CodeCheck =
  | { outcome: 'ok'; customerId: number }
  /** A code exists for this scope and the typed one is not it. */
  | { outcome: 'wrong' }
  /** The scope's code has expired or was used (or the typed one is an earlier, used-up code); a new one is needed. */
  | { outcome: 'expired' }
  /** No code was asked for in this scope. */
  | { outcome: 'none' };

/** A subject's failures and lock. */
export interface LockState {
  failures: number;
  lockedUntil: number | null;
}

/** One-time codes, failure counters and locks. */
export interface VerificationRepository {
  /** When codes were sent to this mobile number in the last hour (registered or not). */
  recentSends(mobile: string): Promise<number[]>;
  /** Stores a new code for the scope; earlier unused codes of the scope stop working. */
  issueCode(code: NewCode): Promise<void>;
  /** Checks a typed code against the scope's latest code, using it up when right. */
  checkCode(scope: CodeScope, typed: string): Promise<CodeCheck>;
  /** The strictest lock among the subjects (the furthest lock still running, the most failures). */
  lockState(subjects: string[]): Promise<LockState>;
  /** Counts a failure against every subject; returns the resulting lock and the attempts left. */
  recordFailure(subjects: string[]): Promise<{ lockedUntil: number | null; attemptsLeft: number }>;
  /** Forgets the subjects' failures after a success. */
  clearFailures(subjects: string[]): Promise<void>;
}

/** Lock subjects: a customer, and a channel user (who may not be bound yet). */
export const lockSubject = {
  customer: (customerId: number) => `customer:${customerId}`,
  user: (channel: string, channelUserId: string) => `user:${channel}:${channelUserId}`,
};

/**
 * Creates the verification repository. Codes and mobile numbers are stored as HMAC-SHA256 under `secret` (kept out
 * of the database): six digits hashed without a key would fall to a million guesses.
 */
export function createVerificationRepository(
  knex: Knex,
  options: { secret: string; now?: () => number; policy?: VerificationPolicy },
): VerificationRepository {
  const now = options.now ?? Date.now;
  const policy = options.policy ?? DEFAULT_VERIFICATION_POLICY;
  const mac = (...parts: string[]) => createHmac('sha256', options.secret).update(parts.join('\u0000')).digest('hex');
  const scopeWhere = (s: CodeScope) => ({ channel: s.channel, channel_user_id: s.channelUserId, conversation_key: s.conversationKey });

  const readLocks = async (db: Knex | Knex.Transaction, subjects: string[]) =>
    (await db('verification_locks').whereIn('subject', subjects)) as Array<{ subject: string; failures: number; locked_until: unknown }>;

  return {
    async recentSends(mobile) {
      const rows = await knex('otp_codes')
        .where('mobile_hash', mac('mobile', mobile))
        .andWhere('created_at', '>', now() - 3_600_000)
        .select('created_at');
      return rows.map((r) => Number(r.created_at));
    },

    async issueCode(code) {
      const t = now();
      const salt = randomBytes(16).toString('hex');
      await knex.transaction(async (trx) => {
        await trx('otp_codes').where(scopeWhere(code)).whereNull('used_at').update({ used_at: t });
        await trx('otp_codes').insert({
          customer_id: code.customerId,
          mobile_hash: mac('mobile', code.mobile),
          ...scopeWhere(code),
          salt,
          code_hash: mac('code', salt, code.code),
          created_at: t,
          expires_at: t + policy.codeTtlMs,
        });
      });
    },

    async checkCode(scope, typed) {
      const t = now();
      // The latest code decides; earlier ones of the scope (within the hour) only tell an old text message from a
      // wrong guess, so that a customer typing yesterday's code is told it ran out rather than charged a failure.
      const rows = await knex('otp_codes').where(scopeWhere(scope)).andWhere('created_at', '>', t - 3_600_000).orderBy('id', 'desc').limit(10);
      if (rows.length === 0) return { outcome: 'none' };
      const matches = (row: { salt: string; code_hash: string }) => timingSafeEqual(Buffer.from(row.code_hash, 'hex'), Buffer.from(mac('code', row.salt, typed), 'hex'));
      const [latest, ...earlier] = rows;
      const live = latest.used_at === null && Number(latest.expires_at) > t;
      if (!live) return { outcome: 'expired' };
      if (!matches(latest) || latest.customer_id === null) return earlier.some(matches) ? { outcome: 'expired' } : { outcome: 'wrong' };
      // Single use, also when two turns race: only the update that finds it unused wins.
      const used = await knex('otp_codes').where({ id: latest.id }).whereNull('used_at').update({ used_at: t });
      return used === 1 ? { outcome: 'ok', customerId: Number(latest.customer_id) } : { outcome: 'expired' };
    },

    async lockState(subjects) {
      const t = now();
      const rows = await readLocks(knex, subjects);
      const running = rows.map((r) => toNumOrNull(r.locked_until)).filter((u): u is number => u !== null && u > t);
      return { failures: Math.max(0, ...rows.map((r) => Number(r.failures))), lockedUntil: running.length ? Math.max(...running) : null };
    },

    async recordFailure(subjects) {
      const t = now();
      return knex.transaction(async (trx) => {
        const rows = new Map((await readLocks(trx, subjects)).map((r) => [r.subject, r]));
        let lockedUntil: number | null = null;
        let attemptsLeft = policy.maxFailures;
        for (const subject of subjects) {
          const row = rows.get(subject);
          // A lock that has run out starts the count afresh.
          const expired = row && toNumOrNull(row.locked_until) !== null && Number(row.locked_until) <= t;
          const before = row && !expired ? Number(row.failures) : 0;
          const next = afterFailure(before, t, policy);
          const values = { failures: next.failures, locked_until: next.lockedUntil ?? (expired ? null : toNumOrNull(row?.locked_until)), updated_at: t };
          await trx('verification_locks').insert({ subject, ...values }).onConflict('subject').merge(values);
          if (next.lockedUntil !== null) lockedUntil = Math.max(lockedUntil ?? 0, next.lockedUntil);
          attemptsLeft = Math.min(attemptsLeft, next.attemptsLeft);
        }
        return { lockedUntil, attemptsLeft: lockedUntil === null ? attemptsLeft : 0 };
      });
    },

    async clearFailures(subjects) {
      await knex('verification_locks').whereIn('subject', subjects).update({ failures: 0, updated_at: now() });
    },
  };
}
