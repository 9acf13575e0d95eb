import type { Knex } from 'knex';
import type { EscalationDecision } from '../../retention/escalation';
import { parseJson, toBool, toNumOrNull } from '../rows';
import { systemClock } from '../../retention/clock';

/** What set off the decision. */
export type EscalationTrigger = 'explicit_request' | 'complaint' | 'misunderstood' | 'churn_intent' | 'verification';

/** A stored decision, with its reasons. */
export interface EscalationRecord extends EscalationDecision {
  id: number;
  conversationId: number | null;
  customerId: number | null;
  complaintId: number | null;
  trigger: EscalationTrigger;
  createdAt: number;
}

/** Every escalation decision, stored with its reasons (DOMAIN.md: decisions must be explainable afterwards). */
export interface EscalationRepository {
  record(entry: {
    conversationId: number | null;
    customerId: number | null;
    complaintId?: number | null;
    trigger: EscalationTrigger;
    decision: EscalationDecision;
  }): Promise<number>;
  listForConversation(conversationId: number): Promise<EscalationRecord[]>;
}

/** Creates the escalation repository. */
export function createEscalationRepository(knex: Knex, now: () => number = systemClock): EscalationRepository {
  return {
    async record(e) {
      const [row] = await knex('escalation_decisions')
        .insert({
          conversation_id: e.conversationId,
          customer_id: e.customerId,
          complaint_id: e.complaintId ?? null,
          trigger: e.trigger,
          route: e.decision.route,
          escalate: e.decision.escalate,
          priority: e.decision.priority,
          reasons: JSON.stringify(e.decision.reasons),
          created_at: now(),
        })
        .returning('id');
      return Number(typeof row === 'object' ? row.id : row);
    },
    async listForConversation(conversationId) {
      const rows = await knex('escalation_decisions').where({ conversation_id: conversationId }).orderBy('id');
      return rows.map((r) => ({
        id: Number(r.id),
        conversationId: toNumOrNull(r.conversation_id),
        customerId: toNumOrNull(r.customer_id),
        complaintId: toNumOrNull(r.complaint_id),
        trigger: r.trigger,
        route: r.route,
        escalate: toBool(r.escalate),
        priority: Number(r.priority),
        reasons: parseJson(r.reasons, []),
        createdAt: Number(r.created_at),
      }));
    },
  };
}
