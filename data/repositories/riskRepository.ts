import type { Knex } from 'knex';
import type { ChurnRiskInput, ChurnSignal } from '../../retention/churnRisk';
import type { LifecycleStage, RiskBand, Tier } from '../../retention/types';
import { toNumOrNull } from '../rows';

const DAY = 86_400_000;

/** What the churn-risk score of a customer is computed from, read in one place. */
export type RiskFacts = Omit<ChurnRiskInput, 'now' | 'timeZone'>;

/** The facts behind churn risk, and the stored result. */
export interface RiskRepository {
  /** Everything the score reads for one customer, over the windows the rules look at (up to 180 days back). */
  facts(customerId: number, now: number): Promise<RiskFacts>;
  /** Stores the score, band and signals (and the tier and stage computed with them). */
  save(
    customerId: number,
    result: {
      score: number;
      band: RiskBand;
      signals: ReadonlyArray<ChurnSignal | { code: string; weight: number }>;
      tier: Tier;
      stage: LifecycleStage;
      at: number;
    },
  ): Promise<void>;
  /** Ids of active customers after `afterId`, in order, a page at a time (for recomputing all). */
  pageOfCustomerIds(afterId: number, limit: number): Promise<number[]>;
}

/** Creates the risk repository. */
export function createRiskRepository(knex: Knex): RiskRepository {
  return {
    async facts(customerId, now) {
      const since = now - 180 * DAY;
      const [history, products, usage, complaints, surveys, intent, customer] = await Promise.all([
        knex('balance_history as h')
          .join('accounts as a', 'a.id', 'h.account_id')
          .where({ 'a.customer_id': customerId, 'a.unit': 'CNY' })
          .andWhere('h.as_of', '>=', since)
          .orderBy(['h.account_id', 'h.as_of'])
          .select('h.account_id', 'h.balance', 'h.as_of'),
        knex('customer_products').where({ customer_id: customerId, status: 'active' }).whereNotNull('matures_on').select('matures_on'),
        knex('usage_months').where({ customer_id: customerId }).orderBy('month', 'desc').limit(6).select('arpu_minor', 'mou'),
        knex('complaints').where({ customer_id: customerId }).andWhere('created_at', '>=', since).select('created_at', 'resolution_due_at', 'resolved_at'),
        knex('surveys').where({ customer_id: customerId, status: 'answered' }).andWhere('answered_at', '>=', since).select('kind', 'score', 'answered_at'),
        knex('churn_intents').where({ customer_id: customerId }).max({ at: 'created_at' }).first(),
        knex('customers').where({ id: customerId }).first('last_late_payment_at', 'rm_changed_at'),
      ]);
      const series = new Map<number, Array<{ at: number; balanceMinor: number }>>();
      for (const h of history) {
        const list = series.get(Number(h.account_id)) ?? [];
        list.push({ at: Number(h.as_of), balanceMinor: Number(h.balance) });
        series.set(Number(h.account_id), list);
      }
      // Time-deposit amounts mature with the product; the maturing account's balance is the amount at stake.
      const maturingAccounts = await knex('accounts')
        .where({ customer_id: customerId, status: 'active' })
        .whereNotNull('matures_on')
        .select('matures_on', 'balance', 'unit');
      return {
        balanceHistory: [...series.values()],
        maturities: [
          ...maturingAccounts.map((a) => ({ maturesOn: a.matures_on as string, amountMinor: a.unit === 'CNY' ? Number(a.balance) : null })),
          ...products
            .filter((p) => !maturingAccounts.some((a) => a.matures_on === p.matures_on))
            .map((p) => ({ maturesOn: p.matures_on as string, amountMinor: null })),
        ],
        usage: usage.reverse().map((u) => ({ arpuMinor: Number(u.arpu_minor), mou: toNumOrNull(u.mou) ?? undefined })),
        complaints: complaints.map((c) => ({
          createdAt: Number(c.created_at),
          resolutionDueAt: Number(c.resolution_due_at),
          resolvedAt: toNumOrNull(c.resolved_at),
        })),
        surveys: surveys.map((s) => ({ kind: s.kind, score: Number(s.score), answeredAt: Number(s.answered_at) })),
        churnIntentAt: toNumOrNull(intent?.at),
        lastLatePaymentAt: toNumOrNull(customer?.last_late_payment_at),
        relationshipManagerChangedAt: toNumOrNull(customer?.rm_changed_at),
      };
    },
    async save(customerId, r) {
      await knex('customers')
        .where({ id: customerId })
        .update({
          churn_risk_score: r.score,
          churn_risk_band: r.band,
          churn_signals: JSON.stringify(r.signals),
          tier: r.tier,
          lifecycle_stage: r.stage,
          risk_computed_at: r.at,
          updated_at: r.at,
        });
    },
    async pageOfCustomerIds(afterId, limit) {
      const rows = await knex('customers').where('id', '>', afterId).andWhere({ status: 'active' }).orderBy('id').limit(limit).select('id');
      return rows.map((r) => Number(r.id));
    },
  };
}
