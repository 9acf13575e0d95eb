import type { Knex } from 'knex';
import { insertOnce } from './idempotent';
import { toNumOrNull } from '../rows';
import { systemClock } from '../../retention/clock';

/** What a follow-up is for. */
export type FollowUpKind = 'offer_accepted' | 'offer_later' | 'save_attempt';

/** A task for a relationship manager (or, without one, the supervisors' queue). */
export interface FollowUp {
  id: number;
  customerId: number;
  assigneeId: number | null;
  kind: FollowUpKind;
  offerPresentationId: number | null;
  conversationId: number | null;
  status: 'open' | 'done' | 'cancelled';
  dueAt: number;
  note: string | null;
  createdAt: number;
  doneAt: number | null;
}

/** Follow-up tasks. */
export interface FollowUpRepository {
  /** Creates the task; a second one with the same idempotency key returns the first. */
  create(
    task: Pick<FollowUp, 'customerId' | 'assigneeId' | 'kind' | 'offerPresentationId' | 'conversationId' | 'dueAt' | 'note'> & { idempotencyKey?: string },
  ): Promise<FollowUp>;
  /** Open tasks of one assignee (null: the unassigned ones), soonest due first. */
  listOpen(assigneeId: number | null, limit?: number): Promise<FollowUp[]>;
  listForCustomer(customerId: number): Promise<FollowUp[]>;
  complete(id: number, at: number): Promise<boolean>;
}

/** Creates the follow-up repository. */
export function createFollowUpRepository(knex: Knex, now: () => number = systemClock): FollowUpRepository {
  const byId = async (id: number) => {
    const row = await knex('follow_ups').where({ id }).first();
    return row ? toFollowUp(row) : undefined;
  };
  return {
    async create(task) {
      const { id } = await insertOnce(
        knex,
        'follow_ups',
        {
          customer_id: task.customerId,
          assignee_id: task.assigneeId,
          kind: task.kind,
          offer_presentation_id: task.offerPresentationId,
          conversation_id: task.conversationId,
          status: 'open',
          due_at: task.dueAt,
          note: task.note,
          created_at: now(),
        },
        task.idempotencyKey,
      );
      return (await byId(id))!;
    },
    async listOpen(assigneeId, limit = 100) {
      const q = knex('follow_ups').where({ status: 'open' }).orderBy('due_at').limit(Math.min(limit, 500));
      if (assigneeId === null) q.whereNull('assignee_id');
      else q.andWhere({ assignee_id: assigneeId });
      return (await q).map(toFollowUp);
    },
    async listForCustomer(customerId) {
      return (await knex('follow_ups').where({ customer_id: customerId }).orderBy('id', 'desc')).map(toFollowUp);
    },
    async complete(id, at) {
      return (await knex('follow_ups').where({ id, status: 'open' }).update({ status: 'done', done_at: at })) === 1;
    },
  };
}

/** A row as the database returns it (`toFollowUp` maps it to the domain object). */
interface FollowUpRow {
  id: number | string;
  customer_id: number | string;
  assignee_id: number | string | null;
  kind: FollowUp['kind'];
  offer_presentation_id: number | string | null;
  conversation_id: number | string | null;
  status: FollowUp['status'];
  due_at: number | string;
  note: FollowUp['note'] | null | undefined;
  created_at: number | string;
  done_at: number | string | null;
}

function toFollowUp(r: FollowUpRow): FollowUp {
  return {
    id: Number(r.id),
    customerId: Number(r.customer_id),
    assigneeId: toNumOrNull(r.assignee_id),
    kind: r.kind,
    offerPresentationId: toNumOrNull(r.offer_presentation_id),
    conversationId: toNumOrNull(r.conversation_id),
    status: r.status,
    dueAt: Number(r.due_at),
    note: r.note ?? null,
    createdAt: Number(r.created_at),
    doneAt: toNumOrNull(r.done_at),
  };
}
