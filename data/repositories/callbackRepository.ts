import type { Knex } from 'knex';
import { insertOnce } from './idempotent';
import { toNumOrNull } from '../rows';
import { systemClock } from '../../retention/clock';

/** A promised call back to a customer. */
export interface CallbackRecord {
  id: number;
  customerId: number | null;
  conversationId: number | null;
  handoffId: number | null;
  complaintId: number | null;
  phone: string | null;
  reason: string;
  status: 'open' | 'done' | 'cancelled';
  dueAt: number;
  promisedBy: number | null;
  attempts: number;
  note: string | null;
  createdAt: number;
  doneAt: number | null;
  breachedAt: number | null;
}

/** Callbacks the bot or an agent promised, and whether they were kept in time. */
export interface CallbackRepository {
  /** Books a call back; a second booking with the same idempotency key returns the first. */
  create(
    c: Pick<CallbackRecord, 'customerId' | 'conversationId' | 'handoffId' | 'complaintId' | 'phone' | 'reason' | 'dueAt' | 'promisedBy' | 'note'> & {
      idempotencyKey?: string;
    },
  ): Promise<CallbackRecord>;
  findById(id: number): Promise<CallbackRecord | undefined>;
  listOpen(limit?: number): Promise<CallbackRecord[]>;
  listForCustomer(customerId: number): Promise<CallbackRecord[]>;
  complete(id: number, at: number): Promise<boolean>;
  /** Open call backs past their due time, most overdue first. */
  listBreached(limit?: number): Promise<CallbackRecord[]>;
  /** Open call backs promised by a staff member. */
  listPromisedBy(staffId: number): Promise<CallbackRecord[]>;
  /** Marks open callbacks past their due time (once each); returns those newly marked. */
  flagBreaches(now: number): Promise<CallbackRecord[]>;
}

/** Creates the callback repository. */
export function createCallbackRepository(knex: Knex, now: () => number = systemClock): CallbackRepository {
  const byId = async (id: number) => {
    const row = await knex('callbacks').where({ id }).first();
    return row ? toCallback(row) : undefined;
  };
  return {
    async create(c) {
      const { id } = await insertOnce(
        knex,
        'callbacks',
        {
          customer_id: c.customerId,
          conversation_id: c.conversationId,
          handoff_id: c.handoffId,
          complaint_id: c.complaintId,
          phone: c.phone,
          reason: c.reason,
          status: 'open',
          due_at: c.dueAt,
          promised_by: c.promisedBy,
          note: c.note,
          created_at: now(),
        },
        c.idempotencyKey,
      );
      return (await byId(id))!;
    },
    findById: byId,
    async listOpen(limit = 200) {
      return (await knex('callbacks').where({ status: 'open' }).orderBy('due_at').limit(limit)).map(toCallback);
    },
    async listForCustomer(customerId) {
      return (await knex('callbacks').where({ customer_id: customerId }).orderBy('id', 'desc')).map(toCallback);
    },
    async listBreached(limit = 100) {
      return (await knex('callbacks').where({ status: 'open' }).whereNotNull('breached_at').orderBy('due_at').limit(Math.min(limit, 500))).map(toCallback);
    },
    async listPromisedBy(staffId) {
      return (await knex('callbacks').where({ status: 'open', promised_by: staffId }).orderBy('due_at')).map(toCallback);
    },
    async complete(id, at) {
      return (await knex('callbacks').where({ id, status: 'open' }).update({ status: 'done', done_at: at })) === 1;
    },
    async flagBreaches(t) {
      // One conditional statement: with several instances, each breach is flagged by exactly one.
      const rows = await knex('callbacks')
        .where({ status: 'open' })
        .whereNull('breached_at')
        .andWhere('due_at', '<', t)
        .update({ breached_at: t })
        .returning('*');
      return rows.map(toCallback).sort((a, b) => a.id - b.id);
    },
  };
}

/** A row as the database returns it (`toCallback` maps it to the domain object). */
interface CallbackRow {
  id: number | string;
  customer_id: number | string | null;
  conversation_id: number | string | null;
  handoff_id: number | string | null;
  complaint_id: number | string | null;
  phone: CallbackRecord['phone'] | null | undefined;
  reason: CallbackRecord['reason'];
  status: CallbackRecord['status'];
  due_at: number | string;
  promised_by: number | string | null;
  attempts: number | string;
  note: CallbackRecord['note'] | null | undefined;
  created_at: number | string;
  done_at: number | string | null;
  breached_at: number | string | null;
}

function toCallback(r: CallbackRow): CallbackRecord {
  return {
    id: Number(r.id),
    customerId: toNumOrNull(r.customer_id),
    conversationId: toNumOrNull(r.conversation_id),
    handoffId: toNumOrNull(r.handoff_id),
    complaintId: toNumOrNull(r.complaint_id),
    phone: r.phone ?? null,
    reason: r.reason,
    status: r.status,
    dueAt: Number(r.due_at),
    promisedBy: toNumOrNull(r.promised_by),
    attempts: Number(r.attempts),
    note: r.note ?? null,
    createdAt: Number(r.created_at),
    doneAt: toNumOrNull(r.done_at),
    breachedAt: toNumOrNull(r.breached_at),
  };
}
