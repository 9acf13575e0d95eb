import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import { DEFAULT_VERIFICATION_POLICY, type VerificationPolicy } from '../../retention/verification';
import { toNumOrNull } from '../rows';
import { countFailure } from './failureCount';
import { systemClock } from '../../retention/clock';

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
  /** Counts a failure against every subject; returns the resulting lock and the attempts left (overall and each). */
  recordFailure(
    subjects: string[],
  ): Promise<{ lockedUntil: number | null; attemptsLeft: number; bySubject: Record<string, { lockedUntil: number | null; attemptsLeft: number }> }>;
  /** Forgets the subjects' failures after a success. */
  clearFailures(subjects: string[]): Promise<void>;
  /** Whether the customer's knowledge answers may still be judged today (see `knowledgeFailuresPerDay`). */
  knowledgeAllowed(customerId: number): Promise<boolean>;
  /** Counts a wrong knowledge answer against the customer's day; the day restarts 24 hours after the last one. */
  recordKnowledgeFailure(customerId: number): Promise<void>;
}

const DAY_MS = 86_400_000;

/** Lock subjects: a customer, and a channel user (who may not be bound yet); and a customer's day of knowledge answers. */
export const lockSubject = {
  customer: (customerId: number) => `customer:${customerId}`,
  knowledge: (customerId: number) => `knowledge:${customerId}`,
  user: (channel: string, channelUserId: string) => `user:${channel}:${channelUserId}`,
};

/**
 * Creates the verification repository. Codes and mobile numbers are stored as HMAC-SHA256 under `secret` (kept out
 * of the database): six digits hashed without a key would fall to a million guesses.
 */
export function createVerificationRepository(knex: Knex, options: { secret: string; now?: () => number; policy?: VerificationPolicy }): VerificationRepository {
  const now = options.now ?? systemClock;
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
      const rows = await knex('otp_codes')
        .where(scopeWhere(scope))
        .andWhere('created_at', '>', t - 3_600_000)
        .orderBy('id', 'desc')
        .limit(10);
      if (rows.length === 0) return { outcome: 'none' };
      const matches = (row: { salt: string; code_hash: string }) =>
        timingSafeEqual(Buffer.from(row.code_hash, 'hex'), Buffer.from(mac('code', row.salt, typed), 'hex'));
      const [latest, ...earlier] = rows;
      if (latest.used_at !== null || Number(latest.expires_at) <= t) return { outcome: 'expired' };
      // Every guess is counted on the code before it is judged, in one statement: however many answers arrive at
      // once, a code is judged at most `maxFailures` times.
      const counted = await knex('otp_codes')
        .where({ id: latest.id })
        .whereNull('used_at')
        .andWhere('attempts', '<', policy.maxFailures)
        .increment('attempts', 1);
      if (counted !== 1) return { outcome: 'expired' };
      if (!matches(latest) || latest.customer_id === null) return earlier.some(matches) ? { outcome: 'expired' } : { outcome: 'wrong' };
      // Single use, also when two turns race: only the update that finds it unused wins.
      const used = await knex('otp_codes').where({ id: latest.id }).whereNull('used_at').update({ used_at: t });
      return used === 1 ? { outcome: 'ok', customerId: Number(latest.customer_id) } : { outcome: 'expired' };
    },

    async lockState(subjects) {
      const t = now();
      const rows = await readLocks(knex, subjects);
      const running = rows.map((r) => toNumOrNull(r.locked_until)).filter((u): u is number => u !== null && u > t);
      const lockedUntil = running.length ? Math.max(...running) : null;
      // A running lock is the full count of failures (the counter restarts when a lock is set).
      const failures = lockedUntil !== null ? policy.maxFailures : Math.max(0, ...rows.map((r) => Number(r.failures)));
      return { failures, lockedUntil };
    },

    async recordFailure(subjects) {
      const t = now();
      const outcomes = new Map<string, { lockedUntil: number | null; attemptsLeft: number }>();
      for (const subject of subjects) {
        const counted = await countFailure(knex, 'verification_locks', 'subject', subject, t);
        const failures = counted.failures;
        let lockedUntil = counted.lockedUntil;
        if (lockedUntil === null && failures >= policy.maxFailures) {
          lockedUntil = t + policy.lockMs;
          await knex('verification_locks').where({ subject }).whereNull('locked_until').update({ failures: 0, locked_until: lockedUntil, updated_at: t });
        }
        outcomes.set(subject, { lockedUntil, attemptsLeft: lockedUntil !== null ? 0 : Math.max(0, policy.maxFailures - failures) });
      }
      const all = [...outcomes.values()];
      const locked = all.map((o) => o.lockedUntil).filter((u): u is number => u !== null);
      return {
        lockedUntil: locked.length ? Math.max(...locked) : null,
        attemptsLeft: Math.min(...all.map((o) => o.attemptsLeft)),
        bySubject: Object.fromEntries(outcomes),
      };
    },

    async clearFailures(subjects) {
      await knex('verification_locks').whereIn('subject', subjects).update({ failures: 0, updated_at: now() });
    },

    async knowledgeAllowed(customerId) {
      const row = await knex('verification_locks')
        .where({ subject: lockSubject.knowledge(customerId) })
        .first('failures', 'updated_at');
      return !row || Number(row.failures) < policy.knowledgeFailuresPerDay || now() - Number(row.updated_at) >= DAY_MS;
    },

    async recordKnowledgeFailure(customerId) {
      const t = now();
      await knex('verification_locks')
        .insert({ subject: lockSubject.knowledge(customerId), failures: 1, locked_until: null, updated_at: t })
        .onConflict('subject')
        .merge({
          failures: knex.raw('case when ?? <= ? then 1 else ?? + 1 end', ['verification_locks.updated_at', t - DAY_MS, 'verification_locks.failures']),
          updated_at: t,
        });
    },
  };
}
