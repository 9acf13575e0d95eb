import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { toNumOrNull } from '../rows';
import { countFailure } from './failureCount';

/** A staff member's console session. */
export interface StaffSession {
  staffId: number;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

/** How long sessions last. */
export interface SessionPolicy {
  /** A session unused this long ends. */
  idleMs: number;
  /** No session lasts longer than this. */
  maxMs: number;
  /** Login failures in a row that lock a user name, and for how long. */
  maxFailures: number;
  lockMs: number;
}

/** Console sessions and login throttling. */
export interface SessionRepository {
  /** Starts a session; returns the cookie value (only its hash is stored) and the CSRF token. */
  create(staffId: number, at: number): Promise<{ cookie: string; csrfToken: string }>;
  /** The session for a cookie value while it is alive; touches its idle clock unless `touch` is false. */
  find(cookie: string, at: number, touch?: boolean): Promise<StaffSession | undefined>;
  end(cookie: string): Promise<void>;
  /** Ends every session of a staff member (deactivation, password change). */
  endAll(staffId: number): Promise<void>;
  /**
   * Counts a login attempt before its password is checked, so that a burst of guesses sent at once is held to the
   * allowed number as surely as guesses sent one after another. Returns when the name may be tried again if this
   * attempt is refused: the name is locked, or the allowed attempts are taken (some may still be being checked).
   */
  beginAttempt(username: string, at: number): Promise<number | null>;
  /** Settles an attempt (counted by `beginAttempt`) that failed; returns the lock's end when it completes the allowed number. */
  recordFailure(username: string, at: number): Promise<number | null>;
  clearFailures(username: string): Promise<void>;
}

const hash = (cookie: string) => createHash('sha256').update(cookie).digest('hex');

/** Creates the session repository. */
export function createSessionRepository(knex: Knex, policy: SessionPolicy): SessionRepository {
  return {
    async create(staffId, at) {
      const cookie = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      await knex('staff_sessions').insert({
        id_hash: hash(cookie),
        staff_id: staffId,
        csrf_token: csrfToken,
        created_at: at,
        last_seen_at: at,
        expires_at: at + policy.maxMs,
      });
      return { cookie, csrfToken };
    },
    async find(cookie, at, touch = true) {
      if (!cookie || cookie.length > 100) return undefined;
      const row = await knex('staff_sessions')
        .where({ id_hash: hash(cookie) })
        .first();
      if (!row) return undefined;
      if (Number(row.expires_at) <= at || at - Number(row.last_seen_at) >= policy.idleMs) {
        await knex('staff_sessions').where({ id_hash: row.id_hash }).delete();
        return undefined;
      }
      // Touch at most once a minute: every page and API call would otherwise write.
      if (touch && at - Number(row.last_seen_at) > 60_000) await knex('staff_sessions').where({ id_hash: row.id_hash }).update({ last_seen_at: at });
      return { staffId: Number(row.staff_id), csrfToken: row.csrf_token, createdAt: Number(row.created_at), lastSeenAt: at, expiresAt: Number(row.expires_at) };
    },
    async end(cookie) {
      await knex('staff_sessions')
        .where({ id_hash: hash(cookie) })
        .delete();
    },
    async endAll(staffId) {
      await knex('staff_sessions').where({ staff_id: staffId }).delete();
    },
    async beginAttempt(username, at) {
      const { failures, lockedUntil } = await countFailure(knex, 'staff_login_failures', 'username', username, at);
      if (lockedUntil !== null && lockedUntil > at) return lockedUntil;
      return failures > policy.maxFailures ? at + policy.lockMs : null;
    },
    async recordFailure(username, at) {
      const row = await knex('staff_login_failures').where({ username }).first();
      if (!row) return null;
      const until = toNumOrNull(row.locked_until);
      if (until !== null && until > at) return until;
      if (Number(row.failures) < policy.maxFailures) return null;
      const lockedUntil = at + policy.lockMs;
      await knex('staff_login_failures').where({ username }).update({ failures: 0, locked_until: lockedUntil, updated_at: at });
      return lockedUntil;
    },
    async clearFailures(username) {
      await knex('staff_login_failures').where({ username }).delete();
    },
  };
}
