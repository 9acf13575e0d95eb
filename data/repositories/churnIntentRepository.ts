import type { Knex } from 'knex';
import { toNumOrNull } from '../rows';

/** Why a customer said they want to leave. */
export const CHURN_REASONS = ['price', 'service', 'competitor', 'no_need', 'moving', 'other', 'unknown'] as const;
export type ChurnReason = (typeof CHURN_REASONS)[number];

/** A churn intent heard in a conversation. */
export interface ChurnIntent {
  id: number;
  customerId: number | null;
  conversationId: number | null;
  channel: string;
  reason: ChurnReason;
  /** The customer's own words, masked. */
  reasonText: string | null;
  createdAt: number;
}

/** Churn intents (销户、转走、携号转网…) and the reasons given. */
export interface ChurnIntentRepository {
  record(intent: Omit<ChurnIntent, 'id'>): Promise<ChurnIntent>;
  /** When the customer last said they want to leave. */
  latestAt(customerId: number): Promise<number | null>;
  listForCustomer(customerId: number): Promise<ChurnIntent[]>;
}

/** Creates the churn-intent repository. */
export function createChurnIntentRepository(knex: Knex): ChurnIntentRepository {
  return {
    async record(i) {
      const [row] = await knex('churn_intents')
        .insert({
          customer_id: i.customerId,
          conversation_id: i.conversationId,
          channel: i.channel,
          reason: i.reason,
          reason_text: i.reasonText,
          created_at: i.createdAt,
        })
        .returning('id');
      return { ...i, id: Number(typeof row === 'object' ? row.id : row) };
    },
    async latestAt(customerId) {
      const row = await knex('churn_intents').where({ customer_id: customerId }).max({ at: 'created_at' }).first();
      return toNumOrNull(row?.at);
    },
    async listForCustomer(customerId) {
      const rows = await knex('churn_intents').where({ customer_id: customerId }).orderBy('id', 'desc');
      return rows.map((r) => ({
        id: Number(r.id),
        customerId: toNumOrNull(r.customer_id),
        conversationId: toNumOrNull(r.conversation_id),
        channel: r.channel,
        reason: r.reason,
        reasonText: r.reason_text ?? null,
        createdAt: Number(r.created_at),
      }));
    },
  };
}
