import type { ChurnModelRepository, StoredChurnModel } from '../data/repositories/churnModelRepository';
import type { ServiceEventRepository } from '../data/repositories/serviceEventRepository';
import type { SnapshotImportResult, SnapshotRepository } from '../data/repositories/snapshotRepository';
import type { SnapshotFile } from '../data/snapshotImport';
import { type ChurnModel, emptyCounts, type Snapshot, tally, trainChurnModel, type TrainingSettings } from '../retention/churnModel';
import type { FeatureSource } from '../retention/scorecard';
import { endOfDay, SERVICE_FEATURES, serviceFeaturesAt } from '../retention/serviceFeatures';

const DAY = 86_400_000;

/** How models are trained and when one may serve. */
export interface ChurnModelSettings {
  /** A model is activated only with at least this many customers who left in its training data. */
  minChurners: number;
  highBandRecall: number;
  mediumBandRecall: number;
  /** Columns never used (sensitive attributes). */
  excludedColumns: readonly string[];
  /** The time zone snapshot dates are read in. */
  timeZone: string;
}

/** Whether a model may serve, and why not. */
export interface Eligibility {
  eligible: boolean;
  churners: number;
  needed: number;
}

/** What training in the service did. */
export interface TrainingOutcome {
  stored: StoredChurnModel;
  eligibility: Eligibility;
  activated: boolean;
}

/** The training settings from the service's settings, with a run's own overrides. */
export function trainingSettings(settings: ChurnModelSettings, overrides: TrainingSettings = {}): TrainingSettings {
  return { targetRecall: settings.highBandRecall, mediumRecall: settings.mediumBandRecall, excluded: settings.excludedColumns, ...overrides };
}

/** Whether a model has enough churners behind it to serve. */
export function eligibilityOf(model: ChurnModel, minChurners: number): Eligibility {
  return { eligible: model.training.churnedCustomers >= minChurners, churners: model.training.churnedCustomers, needed: minChurners };
}

/** The snapshots of a file as the model reads them. */
export function snapshotsOfFile(file: SnapshotFile): Snapshot[] {
  return file.rows.map((r) => ({
    customerNo: r.customerNo,
    snapshotDate: r.snapshotDate,
    churned: r.churned,
    closedOn: r.closedOn,
    tracksClosing: file.hasClosedOn,
    features: r.features,
  }));
}

/** Every feature name of a set of snapshots, as an operator's column. */
export function columnSources(snapshots: readonly Snapshot[]): Map<string, FeatureSource> {
  const sources = new Map<string, FeatureSource>();
  for (const s of snapshots)
    for (const name of Object.keys(s.features)) if (!sources.has(name)) sources.set(name, name.startsWith('svc.') ? 'service' : 'column');
  return sources;
}

/**
 * The churn model's flows: importing the operator's snapshots, training on the stored history together with what the
 * service itself knew of each customer at each snapshot date, storing the model as the industry's next version, and
 * activating it when its history is long enough (until then the rule score serves).
 */
export class ChurnModelService {
  constructor(
    private readonly deps: {
      snapshots: SnapshotRepository;
      churnModels: ChurnModelRepository;
      serviceEvents: ServiceEventRepository;
      now: () => number;
      settings: ChurnModelSettings;
    },
  ) {}

  /** Stores a checked snapshot file (all rows or none). */
  importSnapshots(industry: string, file: SnapshotFile, fileName: string): Promise<SnapshotImportResult> {
    return this.deps.snapshots.store(industry, file, { fileName, at: this.deps.now() });
  }

  /**
   * Adds the service's own features to snapshots: for customers it knows, what it had recorded by the end of each
   * snapshot's date (complaints, surveys, churn words, balances, offers declined).
   */
  async withServiceFeatures(snapshots: readonly Snapshot[]): Promise<{ snapshots: Snapshot[]; sources: Map<string, FeatureSource> }> {
    const ids = await this.deps.serviceEvents.customerIds(snapshots.map((s) => s.customerNo));
    const sources = columnSources(snapshots);
    if (ids.size === 0) return { snapshots: [...snapshots], sources };
    const instants = snapshots.map((s) => endOfDay(s.snapshotDate, this.deps.settings.timeZone));
    const first = instants.reduce((a, b) => Math.min(a, b), Infinity);
    const last = instants.reduce((a, b) => Math.max(a, b), -Infinity);
    const events = await this.deps.serviceEvents.events([...ids.values()], first - 365 * DAY, last);
    for (const name of SERVICE_FEATURES) sources.set(name, 'service');
    return {
      snapshots: snapshots.map((s, i) => {
        const id = ids.get(s.customerNo);
        return { ...s, features: { ...s.features, ...serviceFeaturesAt(id === undefined ? undefined : events.get(id), instants[i]) } };
      }),
      sources,
    };
  }

  /** Trains on snapshots (throws TrainingError when they cannot teach anything). */
  train(industry: string, snapshots: readonly Snapshot[], sources: ReadonlyMap<string, FeatureSource>, overrides: TrainingSettings = {}): ChurnModel {
    return trainChurnModel(snapshots, sources, industry, this.deps.now(), trainingSettings(this.deps.settings, overrides));
  }

  /** Trains on every stored snapshot of an industry, with the service's own features. */
  async trainOnHistory(industry: string, overrides: TrainingSettings = {}): Promise<ChurnModel> {
    const { snapshots, sources } = await this.withServiceFeatures(await this.deps.snapshots.all(industry));
    return this.train(industry, snapshots, sources, overrides);
  }

  /** Whether a model has enough churners behind it to serve. */
  eligibility(model: ChurnModel): Eligibility {
    return eligibilityOf(model, this.deps.settings.minChurners);
  }

  /** Stores a model as the next version and activates it when eligible (and wanted). */
  async store(model: ChurnModel, activate: boolean): Promise<TrainingOutcome> {
    const stored = await this.deps.churnModels.save(model);
    const eligibility = this.eligibility(model);
    if (!activate || !eligibility.eligible) return { stored, eligibility, activated: false };
    const active = await this.deps.churnModels.activate(stored.id, this.deps.now());
    return { stored: active ?? stored, eligibility, activated: true };
  }

  /** Activates a stored version; refused (with why) when its history is too short. */
  async activateVersion(
    industry: string,
    version: number,
  ): Promise<{ ok: true; stored: StoredChurnModel } | { ok: false; reason: 'not_found' | 'too_few_churners'; eligibility?: Eligibility }> {
    const stored = await this.deps.churnModels.findVersion(industry, version);
    if (!stored) return { ok: false, reason: 'not_found' };
    const eligibility = this.eligibility(stored.model);
    if (!eligibility.eligible) return { ok: false, reason: 'too_few_churners', eligibility };
    return { ok: true, stored: (await this.deps.churnModels.activate(stored.id, this.deps.now()))! };
  }

  /**
   * Compares the latest export with what the active model was trained on: each feature's customers per bin, read the
   * way training read them (the service's own features as of the end of that snapshot date), stored for the review's
   * drift figures. Undefined when no model is active or nothing is stored.
   */
  async checkDrift(industry: string): Promise<{ modelId: number; customers: number } | undefined> {
    const active = await this.deps.churnModels.active(industry);
    if (!active) return undefined;
    const latest = await this.deps.snapshots.latestExport(industry);
    if (latest.length === 0) return undefined;
    const { snapshots } = await this.withServiceFeatures(latest);
    const counts = emptyCounts(active.model);
    for (const s of snapshots) tally(active.model, counts, s.features);
    await this.deps.churnModels.saveCheck(active.id, { checkedAt: this.deps.now(), customers: snapshots.length, counts });
    return { modelId: active.id, customers: snapshots.length };
  }

  /** Retires the industry's active model: the rule score serves again. */
  retire(industry: string): Promise<boolean> {
    return this.deps.churnModels.retireActive(industry, this.deps.now());
  }
}
