import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { toNumOrNull } from '../rows';

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
  /** When a user name is locked out, until when. */
  lockedUntil(username: string, at: number): Promise<number | null>;
  /** Counts a failed login; returns the lock's end when this failure completes the allowed number. */
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
      await knex('staff_sessions').insert({ id_hash: hash(cookie), staff_id: staffId, csrf_token: csrfToken, created_at: at, last_seen_at: at, expires_at: at + policy.maxMs });
      return { cookie, csrfToken };
    },
    async find(cookie, at, touch = true) {
      if (!cookie || cookie.length > 100) return undefined;
      const row = await knex('staff_sessions').where({ id_hash: hash(cookie) }).first();
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
      await knex('staff_sessions').where({ id_hash: hash(cookie) }).delete();
    },
    async endAll(staffId) {
      await knex('staff_sessions').where({ staff_id: staffId }).delete();
    },
    async lockedUntil(username, at) {
      const row = await knex('staff_login_failures').where({ username }).first();
      const until = toNumOrNull(row?.locked_until);
      return until !== null && until > at ? until : null;
    },
    async recordFailure(username, at) {
      const [row] = (await knex('staff_login_failures')
        .insert({ username, failures: 1, locked_until: null, updated_at: at })
        .onConflict('username')
        .merge({
          failures: knex.raw('case when ?? is not null and ?? <= ? then 1 else ?? + 1 end', ['staff_login_failures.locked_until', 'staff_login_failures.locked_until', at, 'staff_login_failures.failures']),
          locked_until: knex.raw('case when ?? <= ? then null else ?? end', ['staff_login_failures.locked_until', at, 'staff_login_failures.locked_until']),
          updated_at: at,
        })
        .returning(['failures'])) as Array<{ failures: unknown }>;
      if (Number(row.failures) < policy.maxFailures) return null;
      const until = at + policy.lockMs;
      await knex('staff_login_failures').where({ username }).update({ failures: 0, locked_until: until });
      return until;
    },
    async clearFailures(username) {
      await knex('staff_login_failures').where({ username }).delete();
    },
  };
}
