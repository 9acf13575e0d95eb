import type { ChurnModelRepository } from '../data/repositories/churnModelRepository';
import type { SnapshotRepository } from '../data/repositories/snapshotRepository';
import { type ChurnModel, type FeatureDrift, featureDrift } from '../retention/churnModel';
import { featureRange } from '../retention/scorecard';
import { eligibilityOf } from './churnModels';

/** What the manager's review shows of one industry's churn model. */
export interface ModelStatus {
  industry: string;
  /** Which score serves customers now, and why the rule score when it does. */
  serving:
    | { by: 'model'; version: number; since: number }
    | {
        by: 'rules';
        why: 'no_model' | 'too_few_churners' | 'not_activated' | 'retired';
        version?: number;
        churners?: number;
        needed?: number;
        retiredAt?: number;
      };
  /** The model whose figures are shown: the active one, else the latest trained. */
  shown?: { version: number; trainedAt: number; model: ChurnModel };
  /** The features that move a score most, in points from their safest to their riskiest bin. */
  strongest: Array<{ name: string; source: string; points: number }>;
  /** Customers of the industry now, and in the high band. */
  now: { customers: number; high: number };
  /** Once customers the active model scored have left: how many it had in its high band in the 90 days before. */
  realRecall?: { churners: number; warned: number; recall: number | null };
  /** The latest rescoring's feature distributions against training. */
  drift?: { checkedAt: number; customers: number; features: FeatureDrift[] };
  snapshots: { rows: number; customers: number; firstDate: string | null; lastDate: string | null; imports: number };
}

/** Reads an industry's churn model status for the review: what serves, validation figures, real recall, drift. */
export async function modelStatus(
  repos: { churnModels: ChurnModelRepository; snapshots: SnapshotRepository },
  industry: string,
  now: number,
  settings: { minChurners: number; timeZone: string },
): Promise<ModelStatus> {
  const [active, latest, snapshots, customers] = await Promise.all([
    repos.churnModels.active(industry),
    repos.churnModels.list(industry, 1).then((l) => l[0]),
    repos.snapshots.summary(industry),
    repos.churnModels.highBandNow(industry),
  ]);
  const shownModel = active ?? latest;
  const strongest = shownModel
    ? shownModel.model.scorecard.features
        .map((f) => ({ name: f.name, source: f.source, points: Math.round(featureRange(shownModel.model.scorecard, f)) }))
        .sort((a, b) => b.points - a.points)
        .slice(0, 8)
    : [];
  const base = {
    industry,
    strongest,
    now: customers,
    snapshots,
    ...(shownModel ? { shown: { version: shownModel.version, trainedAt: shownModel.trainedAt, model: shownModel.model } } : {}),
  };
  if (!active) {
    if (!latest) return { ...base, serving: { by: 'rules', why: 'no_model' } };
    const e = eligibilityOf(latest.model, settings.minChurners);
    if (!e.eligible) return { ...base, serving: { by: 'rules', why: 'too_few_churners', version: latest.version, churners: e.churners, needed: e.needed } };
    if (latest.status === 'retired')
      return { ...base, serving: { by: 'rules', why: 'retired', version: latest.version, retiredAt: latest.retiredAt ?? undefined } };
    return { ...base, serving: { by: 'rules', why: 'not_activated', version: latest.version } };
  }
  const [outcomes, check] = await Promise.all([
    repos.churnModels.outcomes(active.id, industry, active.activatedAt ?? active.trainedAt, now, settings.timeZone),
    repos.churnModels.latestCheck(active.id),
  ]);
  return {
    ...base,
    serving: { by: 'model', version: active.version, since: active.activatedAt ?? active.trainedAt },
    realRecall: { ...outcomes, recall: outcomes.churners ? outcomes.warned / outcomes.churners : null },
    ...(check ? { drift: { checkedAt: check.checkedAt, customers: check.customers, features: featureDrift(active.model, check.counts) } } : {}),
  };
}
