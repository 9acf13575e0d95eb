import type { Knex } from 'knex';
import { systemClock } from '../../retention/clock';

/** A text message kept by the development outbox instead of being sent. */
export interface OutboxMessage {
  to: string;
  text: string;
  createdAt: number;
}

/** The development SMS outbox: where messages go when no gateway is configured (never in production). */
export interface DevSmsOutboxRepository {
  append(to: string, text: string): Promise<void>;
  /** The latest messages to a number, newest first. */
  latest(to: string, limit?: number): Promise<OutboxMessage[]>;
}

/** Creates the development outbox over the `dev_sms_outbox` table. */
export function createDevSmsOutboxRepository(knex: Knex, now: () => number = systemClock): DevSmsOutboxRepository {
  return {
    async append(to, text) {
      await knex('dev_sms_outbox').insert({ to_mobile: to, text, created_at: now() });
    },
    async latest(to, limit = 10) {
      const rows = await knex('dev_sms_outbox').where({ to_mobile: to }).orderBy('id', 'desc').limit(Math.min(limit, 100));
      return rows.map((r) => ({ to: r.to_mobile, text: r.text, createdAt: Number(r.created_at) }));
    },
  };
}
