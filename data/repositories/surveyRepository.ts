import type { Knex } from 'knex';
import type { SurveyKind, SurveyTrigger } from '../../retention/surveyPolicy';
import { toNumOrNull } from '../rows';

/** Where a survey stands: waiting to be sent, asked, answered, declined, expired unanswered, or dropped by policy. */
export type SurveyStatus = 'pending' | 'sent' | 'answered' | 'declined' | 'expired' | 'dropped';

/** A survey as stored. */
export interface SurveyRecord {
  id: number;
  customerId: number | null;
  conversationId: number | null;
  handoffId: number | null;
  complaintId: number | null;
  kind: SurveyKind;
  trigger: SurveyTrigger;
  /** The agent whose conversation it follows, when one did. */
  agentId: number | null;
  status: SurveyStatus;
  score: number | null;
  comment: string | null;
  channel: string | null;
  locale: string | null;
  sentAt: number | null;
  answeredAt: number | null;
  expiresAt: number | null;
  dropReason: string | null;
  createdAt: number;
}

/** Surveys and their answers. */
export interface SurveyRepository {
  create(
    s: Pick<SurveyRecord, 'customerId' | 'conversationId' | 'handoffId' | 'complaintId' | 'kind' | 'trigger' | 'agentId' | 'channel' | 'locale'> & {
      status: 'pending' | 'sent';
      at: number;
      expiresAt: number | null;
    },
  ): Promise<SurveyRecord>;
  findById(id: number): Promise<SurveyRecord | undefined>;
  /** Marks a pending survey as asked now, until `expiresAt`. */
  markSent(id: number, at: number, expiresAt: number): Promise<boolean>;
  /** Records the answer of a survey still open (sent); false when it was answered, declined or expired meanwhile. */
  answer(id: number, score: number, at: number): Promise<boolean>;
  /** Adds the optional comment to an answered survey (masked by the caller). */
  comment(id: number, comment: string): Promise<void>;
  setStatus(id: number, status: 'declined' | 'expired' | 'dropped', reason?: string): Promise<boolean>;
  /** Whether the conversation already had a survey (asked or waiting to be). */
  existsForConversation(conversationId: number): Promise<boolean>;
  /** When the customer was last asked the relationship question (NPS), or null. */
  lastNpsAskedAt(customerId: number): Promise<number | null>;
  /** Marks surveys asked before `sentBefore` and never answered as expired; returns how many. */
  expireUnanswered(now: number): Promise<number>;
  listForCustomer(customerId: number): Promise<SurveyRecord[]>;
}

/** Creates the survey repository. */
export function createSurveyRepository(knex: Knex): SurveyRepository {
  const byId = async (id: number) => {
    const row = await knex('surveys').where({ id }).first();
    return row ? toSurvey(row) : undefined;
  };
  return {
    async create(s) {
      const [row] = await knex('surveys')
        .insert({
          customer_id: s.customerId,
          conversation_id: s.conversationId,
          handoff_id: s.handoffId,
          complaint_id: s.complaintId,
          kind: s.kind,
          trigger: s.trigger,
          agent_id: s.agentId,
          status: s.status,
          channel: s.channel,
          locale: s.locale,
          sent_at: s.status === 'sent' ? s.at : null,
          expires_at: s.expiresAt,
          created_at: s.at,
        })
        .returning('id');
      return (await byId(Number(typeof row === 'object' ? row.id : row)))!;
    },
    findById: byId,
    async markSent(id, at, expiresAt) {
      return (await knex('surveys').where({ id, status: 'pending' }).update({ status: 'sent', sent_at: at, expires_at: expiresAt })) === 1;
    },
    async answer(id, score, at) {
      return (await knex('surveys').where({ id, status: 'sent' }).update({ status: 'answered', score, answered_at: at })) === 1;
    },
    async comment(id, comment) {
      await knex('surveys').where({ id, status: 'answered' }).update({ comment });
    },
    async setStatus(id, status, reason) {
      const from = status === 'dropped' ? ['pending'] : ['pending', 'sent'];
      return (
        (await knex('surveys')
          .where({ id })
          .whereIn('status', from)
          .update({ status, drop_reason: reason ?? null })) === 1
      );
    },
    async existsForConversation(conversationId) {
      return (await knex('surveys').where({ conversation_id: conversationId }).whereNot({ status: 'dropped' }).first('id')) !== undefined;
    },
    async lastNpsAskedAt(customerId) {
      const row = await knex('surveys').where({ customer_id: customerId, kind: 'nps' }).whereNotNull('sent_at').max({ at: 'sent_at' }).first();
      return toNumOrNull(row?.at);
    },
    async expireUnanswered(now) {
      return knex('surveys').where({ status: 'sent' }).andWhere('expires_at', '<=', now).update({ status: 'expired' });
    },
    async listForCustomer(customerId) {
      return (await knex('surveys').where({ customer_id: customerId }).orderBy('id', 'desc')).map(toSurvey);
    },
  };
}

/** A row as the database returns it (`toSurvey` maps it to the domain object). */
interface SurveyRow {
  id: number | string;
  customer_id: number | string | null;
  conversation_id: number | string | null;
  handoff_id: number | string | null;
  complaint_id: number | string | null;
  kind: SurveyRecord['kind'];
  trigger: SurveyRecord['trigger'];
  agent_id: number | string | null;
  status: SurveyRecord['status'];
  score: number | string | null;
  comment: SurveyRecord['comment'] | null | undefined;
  channel: SurveyRecord['channel'] | null | undefined;
  locale: SurveyRecord['locale'] | null | undefined;
  sent_at: number | string | null;
  answered_at: number | string | null;
  expires_at: number | string | null;
  drop_reason: SurveyRecord['dropReason'] | null | undefined;
  created_at: number | string;
}

function toSurvey(r: SurveyRow): SurveyRecord {
  return {
    id: Number(r.id),
    customerId: toNumOrNull(r.customer_id),
    conversationId: toNumOrNull(r.conversation_id),
    handoffId: toNumOrNull(r.handoff_id),
    complaintId: toNumOrNull(r.complaint_id),
    kind: r.kind,
    trigger: r.trigger,
    agentId: toNumOrNull(r.agent_id),
    status: r.status,
    score: toNumOrNull(r.score),
    comment: r.comment ?? null,
    channel: r.channel ?? null,
    locale: r.locale ?? null,
    sentAt: toNumOrNull(r.sent_at),
    answeredAt: toNumOrNull(r.answered_at),
    expiresAt: toNumOrNull(r.expires_at),
    dropReason: r.drop_reason ?? null,
    createdAt: Number(r.created_at),
  };
}
