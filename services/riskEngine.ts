import type { Logger } from 'pino';
import type { Repositories } from '../data/repositories';
import type { StoredChurnModel } from '../data/repositories/churnModelRepository';
import type { RiskFacts } from '../data/repositories/riskRepository';
import { type RiskSignal, scoreWithModel, withOverrides } from '../retention/churnModel';
import { type ChurnRisk, type ChurnWeights, DEFAULT_CHURN_WEIGHTS, DEFAULT_RISK_BANDS, type RiskBands, scoreChurnRisk } from '../retention/churnRisk';
import { lifecycleStageFor, localDate } from '../retention/lifecycle';
import { maskPii } from '../retention/pii';
import type { FeatureRow } from '../retention/scorecard';
import { serviceFeaturesAt } from '../retention/serviceFeatures';
import { DEFAULT_TIER_THRESHOLDS, type TierThresholdsByIndustry, tierFor } from '../retention/tiers';
import type { Customer, LifecycleStage, RiskBand, Tier } from '../retention/types';

const DAY = 86_400_000;

/** The settings of the retention engine. */
export interface RiskSettings {
  tierThresholds?: TierThresholdsByIndustry;
  weights?: ChurnWeights;
  bands?: RiskBands;
  /** The service's time zone: months of the score log (default Asia/Shanghai). */
  timeZone?: string;
}

/** One customer's assessment: the score, band and signals, where they came from, and the tier and stage. */
export interface RiskAssessment {
  score: number;
  band: RiskBand;
  signals: RiskSignal[];
  tier: Tier;
  stage: LifecycleStage;
  /** 'model': the industry's active model scored the customer (with the rule overrides); 'rules': the rule score. */
  source: 'model' | 'rules';
  /** The version of the model, when one scored. */
  modelVersion?: number;
}

/** The parts of an active model the engine keeps between customers. */
interface ActiveModel {
  stored: StoredChurnModel;
}

/**
 * Keeps each customer's churn risk, tier and lifecycle stage current. The score is the industry's active churn model
 * (learned from the operator's snapshots, see services/churnModels.ts) when there is one and the customer has a
 * snapshot; otherwise the rule score of retention/churnRisk.ts. The rules stay as overrides either way: churn words
 * or money leaving make a customer high risk whatever the model says. Called when something that moves the score
 * happens, for everyone nightly and by `npm run risk:recompute`.
 */
export class RiskEngine {
  /** Active models by industry, as last read; checked against the database's active id on each use. */
  private readonly models = new Map<string, ActiveModel | null>();

  constructor(
    private readonly repos: Repositories,
    private readonly now: () => number,
    private readonly logger: Logger,
    private readonly settings: RiskSettings = {},
  ) {}

  /** Recomputes one customer; undefined when there is no such customer. */
  async recompute(customerId: number, why = 'requested'): Promise<RiskAssessment | undefined> {
    return this.assess(customerId, why);
  }

  /** Recomputes every active customer (of one industry when given), a page at a time; a customer that fails is logged and skipped. */
  async recomputeAll(options: { industry?: string } = {}): Promise<{ customers: number; failed: number; bands: Record<string, number>; byModel: number }> {
    let after = 0;
    let customers = 0;
    let failed = 0;
    let byModel = 0;
    const bands: Record<string, number> = { low: 0, medium: 0, high: 0 };
    for (;;) {
      const ids = await this.repos.risk.pageOfCustomerIds(after, 200);
      if (ids.length === 0) break;
      for (const id of ids) {
        try {
          const r = await this.assess(id, 'recompute_all', options.industry);
          if (r) {
            customers++;
            bands[r.band]++;
            if (r.source === 'model') byModel++;
          }
        } catch (err) {
          failed++;
          this.logger.error({ event: 'risk.recompute_failed', customerId: id, err: errorSummary(err) });
        }
      }
      after = ids[ids.length - 1];
    }
    return { customers, failed, bands, byModel };
  }

  /** Forgets the models read so far (after one is activated or retired elsewhere). */
  forgetModels(): void {
    this.models.clear();
  }

  private async assess(customerId: number, why: string, industry?: string): Promise<RiskAssessment | undefined> {
    const customer = await this.repos.customers.findById(customerId);
    if (!customer || (industry && customer.industry !== industry)) return undefined;
    const t = this.now();
    const facts = await this.repos.risk.facts(customerId, t);
    const rules = scoreChurnRisk(
      { now: t, timeZone: customer.timezone, ...facts },
      this.settings.weights ?? DEFAULT_CHURN_WEIGHTS,
      this.settings.bands ?? DEFAULT_RISK_BANDS,
    );
    const scored = await this.modelScore(customer, rules, t);
    const risk: { score: number; band: RiskBand; signals: RiskSignal[] } = scored ?? rules;
    const tier = tierFor(customer.industry, customer.valueMinor, this.settings.tierThresholds ?? DEFAULT_TIER_THRESHOLDS);
    const stage = lifecycleStageFor({ joinedAt: customer.joinedAt, now: t, status: 'active', riskBand: risk.band, valueTrend: valueTrend(customer, facts, t) });
    await this.repos.risk.save(customerId, { ...risk, tier, stage, at: t });
    if (scored) {
      // The model's own band (before overrides) is what its real recall is measured on.
      await this.repos.churnModels.recordScore(scored.model.id, customerId, {
        score: scored.modelScore,
        band: scored.modelBand,
        month: localDate(t, this.settings.timeZone ?? 'Asia/Shanghai').slice(0, 7),
        at: t,
      });
    }
    const source = scored ? 'model' : 'rules';
    if (risk.band !== customer.churnRiskBand || tier !== customer.tier || stage !== customer.lifecycleStage) {
      this.logger.info({
        event: 'risk.changed',
        customerId,
        why,
        score: risk.score,
        band: risk.band,
        was: customer.churnRiskBand,
        tier,
        stage,
        source,
        signals: risk.signals.map((s) => s.code),
      });
    }
    return { score: risk.score, band: risk.band, signals: risk.signals, tier, stage, source, ...(scored ? { modelVersion: scored.model.version } : {}) };
  }

  /** The active model's score of a customer with the rule overrides, or undefined (no model, or no snapshot of them). */
  private async modelScore(customer: Customer, rules: ChurnRisk, t: number) {
    const active = await this.activeModel(customer.industry);
    if (!active) return undefined;
    const snapshot = await this.repos.snapshots.latest(customer.industry, customer.customerNo);
    if (!snapshot) return undefined;
    const events = (await this.repos.serviceEvents.events([customer.id], t - 365 * DAY, t)).get(customer.id);
    const features: FeatureRow = { ...snapshot.features, ...serviceFeaturesAt(events, t) };
    const model = scoreWithModel(active.stored.model, features);
    const combined = withOverrides(model, rules, active.stored.model.bands);
    return { ...combined, model: active.stored, modelScore: model.score, modelBand: model.band };
  }

  private async activeModel(industry: string): Promise<ActiveModel | undefined> {
    const id = await this.repos.churnModels.activeId(industry);
    const cached = this.models.get(industry);
    if (id === undefined) {
      this.models.set(industry, null);
      return undefined;
    }
    if (cached && cached.stored.id === id) return cached;
    const stored = await this.repos.churnModels.active(industry);
    const fresh = stored ? { stored } : null;
    this.models.set(industry, fresh);
    return fresh ?? undefined;
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

/** An error for the log: its name and message, personal data masked. */
export function errorSummary(err: unknown): Record<string, unknown> {
  if (err instanceof Error)
    return { name: err.name, message: maskPii(err.message), stack: err.stack ? maskPii(err.stack.split('\n').slice(0, 6).join('\n')) : undefined };
  return { message: maskPii(String(err)) };
}
