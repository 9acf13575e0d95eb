import type { Knex } from 'knex';
import { createChurnModelRepository } from '../../data/repositories/churnModelRepository';
import { createSnapshotRepository } from '../../data/repositories/snapshotRepository';
import { formatDate, formatDateTime } from '../../prompts/format';
import { INDUSTRIES } from '../../retention/types';
import { type ModelStatus, modelStatus } from '../../services/churnModelReview';
import type { ConsoleContext } from '..';
import { featureNameLabel } from '../riskSignals';
import type { SignedIn } from '../session';

/** What the page needs from the configuration. */
export interface ModelReviewSettings {
  minChurners: number;
  timeZone: string;
}

/**
 * The manager's view of the churn model at /console/review/model: per industry, which score serves (the active model,
 * or the rule score and why), the validation figures and what the high band costs in calls, the strongest features,
 * the real recall of the high band once customers it scored have left, and feature drift since training with a
 * warning. Needs `review.view`, like the rest of the review.
 */
export function registerModelReview(knex: Knex, settings: ModelReviewSettings): (ctx: ConsoleContext) => void {
  const repos = { churnModels: createChurnModelRepository(knex), snapshots: createSnapshotRepository(knex) };
  return (ctx) => {
    ctx.server.get(
      '/console/review/model',
      ctx.guard('review.view', async (_req, res, who) => {
        const now = ctx.deps.now();
        const statuses = await Promise.all(INDUSTRIES.map((industry) => modelStatus(repos, industry, now, settings)));
        const t = (key: string, args?: Record<string, unknown>) => ctx.deps.texts.t(who.staff.locale, key, args);
        ctx.page(res, who, 'reviewModel', {
          heading: t('review:model.heading'),
          intro: t('review:model.intro'),
          industries: statuses.map((s) => section(ctx, who, s)),
        });
      }),
    );
  };
}

/** One industry's card, every text already in the manager's language (the view only lays it out, escaped). */
function section(ctx: ConsoleContext, who: SignedIn, s: ModelStatus): Record<string, unknown> {
  const locale = who.staff.locale;
  const t = (key: string, args?: Record<string, unknown>) => ctx.deps.texts.t(locale, key, args);
  const pct = (v: number) => t('review:units.percent', { n: (v * 100).toFixed(1) });
  const date = (ms: number) => formatDate(ms, locale);
  const serving =
    s.serving.by === 'model'
      ? t('review:model.serving.model', { version: s.serving.version, date: date(s.serving.since) })
      : t(`review:model.serving.${s.serving.why}`, {
          version: s.serving.version,
          churners: s.serving.churners,
          needed: s.serving.needed,
          date: s.serving.retiredAt ? date(s.serving.retiredAt) : '',
        });
  const model = s.shown?.model;
  const v = model?.validation;
  const shifted = s.drift?.features.filter((f) => f.level === 'shifted') ?? [];
  const featureName = (name: string) => featureNameLabel(ctx.deps.texts, locale, name);
  return {
    id: `model-${s.industry}`,
    heading: t(`review:labels.industries.${s.industry}`),
    serving,
    byModel: s.serving.by === 'model',
    snapshots: s.snapshots.rows
      ? t('review:model.snapshots', {
          rows: s.snapshots.rows,
          customers: s.snapshots.customers,
          first: s.snapshots.firstDate,
          last: s.snapshots.lastDate,
          imports: s.snapshots.imports,
        })
      : t('review:model.noSnapshots', { industry: s.industry }),
    validation:
      model && v
        ? {
            heading: t('review:model.validationOf', { version: s.shown!.version, date: date(s.shown!.trainedAt) }),
            method: t(`review:model.method.${v.method}`, { from: v.from, rows: v.rows, churners: v.churners }),
            auc: v.auc === null ? t('review:none') : v.auc.toFixed(3),
            headers: ['band', 'threshold', 'recall', 'precision', 'flagged'].map((k) => t(`review:model.${k}`)),
            rows: [
              [t('review:model.high'), `≥ ${model.bands.high}`, pct(v.high.recall), pct(v.high.precision), pct(v.high.flagged)],
              [t('review:model.medium'), `≥ ${model.bands.medium}`, pct(v.medium.recall), pct(v.medium.precision), pct(v.medium.flagged)],
            ],
            capacity: t('review:model.capacity', {
              target: pct(model.bands.targetRecall),
              flagged: pct(v.high.flagged),
              high: s.now.high,
              customers: s.now.customers,
            }),
            strongest: s.strongest.map((f) => ({ name: featureName(f.name), points: String(f.points) })),
            excluded: model.training.excluded.map((e) => `${e.name} (${t(`review:model.reasons.${e.reason}`)})`).join(', '),
          }
        : undefined,
    realRecall: s.realRecall
      ? {
          text: s.realRecall.churners
            ? t('review:model.realRecallValue', { warned: s.realRecall.warned, churners: s.realRecall.churners, recall: pct(s.realRecall.recall!) })
            : t('review:model.noOutcomes'),
          warning:
            s.realRecall.recall !== null && model && s.realRecall.recall < model.bands.targetRecall
              ? t('review:model.recallLow', { target: pct(model.bands.targetRecall) })
              : undefined,
        }
      : undefined,
    drift:
      s.serving.by === 'model'
        ? s.drift
          ? {
              note: t('review:model.driftAt', { date: formatDateTime(s.drift.checkedAt, locale), customers: s.drift.customers }),
              warning: shifted.length ? t('review:model.driftWarning', { features: shifted.map((f) => featureName(f.feature)).join(', ') }) : undefined,
              headers: ['feature', 'psi', 'level'].map((k) => t(`review:model.${k}`)),
              rows: s.drift.features.map((f) => ({
                cells: [featureName(f.feature), f.psi.toFixed(3), t(`review:model.levels.${f.level}`)],
                shifted: f.level === 'shifted',
              })),
            }
          : { note: t('review:model.noDrift') }
        : undefined,
  };
}
