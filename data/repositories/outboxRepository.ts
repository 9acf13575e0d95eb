import type { Knex } from 'knex';
import { dialect } from '../db';
import { toNumOrNull } from '../rows';

/** A proactive message waiting to be sent. */
export interface OutboxItem {
  id: number;
  kind: 'survey';
  refId: number;
  conversationId: number;
  customerId: number | null;
  purpose: 'survey' | 'care' | 'marketing' | 'callback';
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'dropped';
  notBefore: number;
  expiresAt: number | null;
  attempts: number;
  lastError: string | null;
  createdAt: number;
  sentAt: number | null;
}

/** The durable outbox of proactive messages. */
export interface OutboxRepository {
  enqueue(item: Pick<OutboxItem, 'kind' | 'refId' | 'conversationId' | 'customerId' | 'purpose' | 'notBefore' | 'expiresAt'>, at: number): Promise<OutboxItem>;
  /**
   * Claims up to `limit` items due by `now` for this worker, marking them `sending` in the same statement: with
   * several instances each item goes to exactly one (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so workers do not wait
   * on each other; SQLite: one writer). An item is claimed once, ever: a message is sent at most once.
   */
  claimDue(now: number, worker: string, limit?: number): Promise<OutboxItem[]>;
  /** Puts a claimed item back to wait until `notBefore` (the contact policy said not now). */
  postpone(id: number, notBefore: number, reason: string): Promise<void>;
  finish(id: number, status: 'sent' | 'failed' | 'dropped', at: number, error?: string): Promise<void>;
  /** When proactive messages of capped purposes were sent to the customer since a time. */
  sentSince(customerId: number, since: number): Promise<Array<{ at: number; purpose: OutboxItem['purpose'] }>>;
  findById(id: number): Promise<OutboxItem | undefined>;
}

/** Creates the outbox repository. */
export function createOutboxRepository(knex: Knex): OutboxRepository {
  const pg = dialect(knex) === 'pg';
  const byId = async (id: number) => {
    const row = await knex('proactive_outbox').where({ id }).first();
    return row ? toItem(row) : undefined;
  };
  return {
    async enqueue(item, at) {
      const [row] = await knex('proactive_outbox')
        .insert({
          kind: item.kind,
          ref_id: item.refId,
          conversation_id: item.conversationId,
          customer_id: item.customerId,
          purpose: item.purpose,
          status: 'pending',
          not_before: item.notBefore,
          expires_at: item.expiresAt,
          created_at: at,
        })
        .returning('id');
      return (await byId(Number(typeof row === 'object' ? row.id : row)))!;
    },
    async claimDue(now, worker, limit = 20) {
      const due = knex('proactive_outbox').select('id').where({ status: 'pending' }).andWhere('not_before', '<=', now).orderBy('id').limit(limit);
      if (pg) due.forUpdate().skipLocked();
      const rows = await knex('proactive_outbox')
        .whereIn('id', due)
        .andWhere({ status: 'pending' })
        .update({ status: 'sending', claimed_by: worker.slice(0, 64), claimed_at: now, attempts: knex.raw('attempts + 1') })
        .returning('*');
      return rows.map(toItem).sort((a, b) => a.id - b.id);
    },
    async postpone(id, notBefore, reason) {
      await knex('proactive_outbox')
        .where({ id, status: 'sending' })
        .update({ status: 'pending', not_before: notBefore, last_error: reason.slice(0, 200) });
    },
    async finish(id, status, at, error) {
      await knex('proactive_outbox')
        .where({ id })
        .update({ status, sent_at: status === 'sent' ? at : null, last_error: error ? error.slice(0, 200) : null });
    },
    async sentSince(customerId, since) {
      const rows = await knex('proactive_outbox')
        .where({ customer_id: customerId, status: 'sent' })
        .andWhere('sent_at', '>=', since)
        .select('sent_at', 'purpose');
      return rows.map((r) => ({ at: Number(r.sent_at), purpose: r.purpose }));
    },
    findById: byId,
  };
}

/** A row as the database returns it (`toItem` maps it to the domain object). */
interface OutboxItemRow {
  id: number | string;
  kind: OutboxItem['kind'];
  ref_id: number | string;
  conversation_id: number | string;
  customer_id: number | string | null;
  purpose: OutboxItem['purpose'];
  status: OutboxItem['status'];
  not_before: number | string;
  expires_at: number | string | null;
  attempts: number | string;
  last_error: OutboxItem['lastError'] | null | undefined;
  created_at: number | string;
  sent_at: number | string | null;
}

function toItem(r: OutboxItemRow): OutboxItem {
  return {
    id: Number(r.id),
    kind: r.kind,
    refId: Number(r.ref_id),
    conversationId: Number(r.conversation_id),
    customerId: toNumOrNull(r.customer_id),
    purpose: r.purpose,
    status: r.status,
    notBefore: Number(r.not_before),
    expiresAt: toNumOrNull(r.expires_at),
    attempts: Number(r.attempts),
    lastError: r.last_error ?? null,
    createdAt: Number(r.created_at),
    sentAt: toNumOrNull(r.sent_at),
  };
}
