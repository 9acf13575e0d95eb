import type { Logger } from 'pino';
import type { Repositories } from '../data/repositories';
import type { RiskFacts } from '../data/repositories/riskRepository';
import type { RiskService } from '../dialogs/services';
import { type ChurnRisk, type ChurnWeights, DEFAULT_CHURN_WEIGHTS, DEFAULT_RISK_BANDS, type RiskBands, scoreChurnRisk } from '../retention/churnRisk';
import { lifecycleStageFor } from '../retention/lifecycle';
import { DEFAULT_TIER_THRESHOLDS, type TierThresholdsByIndustry, tierFor } from '../retention/tiers';
import type { Customer, LifecycleStage, Tier } from '../retention/types';
import { errorSummary } from './middleware/transcriptMiddleware';

const DAY = 86_400_000;

/** The settings of the retention engine. */
export interface RiskSettings {
  tierThresholds?: TierThresholdsByIndustry;
  weights?: ChurnWeights;
  bands?: RiskBands;
}

/**
 * Keeps each customer's churn risk, tier and lifecycle stage current: reads the facts (balances, usage, complaints,
 * surveys, churn intents, payments), applies the pure rules of `retention/`, and stores the score with the signals
 * behind it. Called when something that moves the score happens, and for everyone by `npm run risk:recompute`.
 */
export class RiskEngine implements RiskService {
  constructor(
    private readonly repos: Repositories,
    private readonly now: () => number,
    private readonly logger: Logger,
    private readonly settings: RiskSettings = {},
  ) {}

  /** Recomputes one customer; undefined when there is no such customer. */
  async recompute(customerId: number, why = 'requested'): Promise<(ChurnRisk & { tier: Tier; stage: LifecycleStage }) | undefined> {
    const customer = await this.repos.customers.findById(customerId);
    if (!customer) return undefined;
    const t = this.now();
    const facts = await this.repos.risk.facts(customerId, t);
    const risk = scoreChurnRisk({ now: t, timeZone: customer.timezone, ...facts }, this.settings.weights ?? DEFAULT_CHURN_WEIGHTS, this.settings.bands ?? DEFAULT_RISK_BANDS);
    const tier = tierFor(customer.industry, customer.valueMinor, this.settings.tierThresholds ?? DEFAULT_TIER_THRESHOLDS);
    const stage = lifecycleStageFor({ joinedAt: customer.joinedAt, now: t, status: 'active', riskBand: risk.band, valueTrend: valueTrend(customer, facts, t) });
    await this.repos.risk.save(customerId, { ...risk, tier, stage, at: t });
    if (risk.band !== customer.churnRiskBand || tier !== customer.tier || stage !== customer.lifecycleStage) {
      this.logger.info({ event: 'risk.changed', customerId, why, score: risk.score, band: risk.band, was: customer.churnRiskBand, tier, stage, signals: risk.signals.map((s) => s.code) });
    }
    return { ...risk, tier, stage };
  }

  /** Recomputes every active customer, a page at a time; a customer that fails is logged and skipped. */
  async recomputeAll(): Promise<{ customers: number; failed: number; bands: Record<string, number> }> {
    let after = 0;
    let customers = 0;
    let failed = 0;
    const bands: Record<string, number> = { low: 0, medium: 0, high: 0 };
    for (;;) {
      const ids = await this.repos.risk.pageOfCustomerIds(after, 200);
      if (ids.length === 0) break;
      for (const id of ids) {
        try {
          const r = await this.recompute(id, 'recompute_all');
          if (r) {
            customers++;
            bands[r.band]++;
          }
        } catch (err) {
          failed++;
          this.logger.error({ event: 'risk.recompute_failed', customerId: id, err: errorSummary(err) });
        }
      }
      after = ids[ids.length - 1];
    }
    return { customers, failed, bands };
  }
}

/**
 * The value figure over the last periods, oldest first, for the sustained-decline rule: month-end ARPU for telecom,
 * deposits 90, 60 and 30 days ago and now for a bank; none for insurance (premiums move once a year).
 */
function valueTrend(customer: Customer, facts: RiskFacts, now: number): number[] | undefined {
  if (customer.industry === 'telecom') return facts.usage?.map((u) => u.arpuMinor);
  if (customer.industry !== 'bank' || !facts.balanceHistory?.length) return undefined;
  return [90, 60, 30, 0].map((days) => {
    const at = now - days * DAY;
    return facts.balanceHistory!.reduce((sum, points) => {
      const latest = points.filter((p) => p.at <= at).at(-1);
      return sum + (latest?.balanceMinor ?? 0);
    }, 0);
  });
}
