import type { Knex } from 'knex';
import { parseJson } from '../rows';

/** An offer shown to a customer and what became of it. */
export interface OfferPresentation {
  id: number;
  offerCode: string;
  /** Per-locale titles. */
  title: Record<string, string>;
  outcome: string;
  channel: string;
  shownAt: number;
  outcomeAt: number | null;
}

/** Offers shown to customers and their outcomes. */
export interface OfferRepository {
  /** The customer's latest presentations, newest first. */
  listPresentations(customerId: number, limit?: number): Promise<OfferPresentation[]>;
}

/** Creates the offer repository. */
export function createOfferRepository(knex: Knex): OfferRepository {
  return {
    async listPresentations(customerId, limit = 20) {
      const rows = await knex('offer_presentations as op')
        .join('offers as o', 'o.id', 'op.offer_id')
        .where('op.customer_id', customerId)
        .orderBy([{ column: 'op.shown_at', order: 'desc' }, { column: 'op.id', order: 'desc' }])
        .limit(Math.min(limit, 200))
        .select('op.id', 'o.code', 'o.title', 'op.outcome', 'op.channel', 'op.shown_at', 'op.outcome_at');
      return rows.map((r) => ({
        id: Number(r.id),
        offerCode: r.code,
        title: parseJson<Record<string, string>>(r.title, {}),
        outcome: r.outcome,
        channel: r.channel,
        shownAt: Number(r.shown_at),
        outcomeAt: r.outcome_at === null || r.outcome_at === undefined ? null : Number(r.outcome_at),
      }));
    },
  };
}
