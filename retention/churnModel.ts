/**
 * The churn model learned from an operator's own history: labels from the snapshots (who left within 90 days of a
 * snapshot), a validation held out by time, a points scorecard (scorecard.ts) fitted on the rest, and bands sized by
 * capacity — the high band is the smallest that catches the target share of churners on validation (the documents'
 * standard: 70%), and the share of customers it flags is what the call centre must call.
 *
 * Pure: the snapshots come in, a model and its figures come out; storage and the clock are the caller's.
 */
import { type ChurnSignal, riskBandFor } from './churnRisk';
import { DAY_MS, parseIsoDate } from './lifecycle';
import { auc, type BandFigures, bandFigures, driftLevel, psi, thresholdForRecall } from './modelMetrics';
import { sigmoid } from './logistic';
import {
  binFeature,
  binIndexOf,
  type FeatureRow,
  type FeatureSource,
  type FeatureSpec,
  type FeatureValue,
  featureRange,
  fitBinnedScorecard,
  pairFeature,
  type Scorecard,
  type ScorecardFeature,
  scoreRow,
  topContributions,
} from './scorecard';
import type { RiskBand } from './types';

/** The model file's format tag; a file without it is not ours. */
export const CHURN_MODEL_FORMAT = 'churn-scorecard/1';

/** One customer at one snapshot date, with what is known of their outcome. */
export interface Snapshot {
  customerNo: string;
  /** 'YYYY-MM-DD'. */
  snapshotDate: string;
  /** The file said whether they left within the horizon (0/1), or left it empty. */
  churned: 0 | 1 | null;
  /** When they closed ('YYYY-MM-DD'), when known. */
  closedOn: string | null;
  /** The file had a closed_on column: an empty one then means "had not closed when the file was made". */
  tracksClosing: boolean;
  features: FeatureRow;
}

/** How to train. */
export interface TrainingSettings {
  /** A snapshot is labelled a churner when the customer closed within this many days after it (default 90). */
  horizonDays?: number;
  /** Outcomes are known up to this date ('YYYY-MM-DD'; default: the latest snapshot or closing date seen). */
  outcomesUntil?: string;
  /** The high band catches this share of churners on validation (default 0.7). */
  targetRecall?: number;
  /** The medium band (with the high one) catches this share (default 0.9). */
  mediumRecall?: number;
  /** The share of rows held out for validation (default 0.2). */
  validationShare?: number;
  /** Seed of the random splits (default 1). */
  seed?: number;
  /** Column names never used (sensitive attributes); compared without case, spaces or punctuation. */
  excluded?: readonly string[];
  /** Penalties tried; the one with the best held-out log-loss inside the training part is kept. */
  grid?: ReadonlyArray<{ l2: number; smooth: number }>;
  /** Pairs of features whose joint effect is learned at most (default 8; 0: none). */
  maxPairs?: number;
}

/** Why a column is not in the model. */
export type ExclusionReason = 'sensitive' | 'constant' | 'identifier';

/** What validation showed. */
export interface ValidationFigures {
  /** 'time': the latest snapshot dates were held out; 'stratified': a random share of churners and stayers. */
  method: 'time' | 'stratified';
  /** With 'time', the first snapshot date held out. */
  from?: string;
  rows: number;
  churners: number;
  auc: number | null;
  high: BandFigures;
  medium: BandFigures;
}

/** What the model was trained on. */
export interface TrainingFigures {
  /** Labelled snapshots used (training + validation), churners among them, distinct customers who churned. */
  rows: number;
  churners: number;
  churnedCustomers: number;
  trainingRows: number;
  trainingChurners: number;
  firstSnapshot: string;
  lastSnapshot: string;
  outcomesUntil: string;
  horizonDays: number;
  l2: number;
  smooth: number;
  /** The pairs of features learned together ('Age×IsActiveMember'). */
  pairs: string[];
  excluded: Array<{ name: string; reason: ExclusionReason }>;
  /** Snapshots left out: the customer had left by then, too recent to know the outcome, or no outcome given. */
  skipped: { leftBefore: number; tooRecent: number; unknown: number };
}

/** A trained model, as stored and as written to a file. */
export interface ChurnModel {
  format: typeof CHURN_MODEL_FORMAT;
  industry: string;
  /** Epoch ms. */
  trainedAt: number;
  scorecard: Scorecard;
  /** Lowest scores of the bands, and the recall they were set for. */
  bands: { medium: number; high: number; targetRecall: number; mediumRecall: number };
  validation: ValidationFigures;
  training: TrainingFigures;
}

/** A model's signal, in the shape agents see for the rule signals: code, points (`weight`) and what is behind it. */
export interface ModelSignal {
  /** 'model:<feature>=<bin>', e.g. 'model:Contract=Month-to-month', 'model:tenure=<6'. */
  code: string;
  weight: number;
  detail: { feature: string; value: string; source: FeatureSource; points: number };
}

/** A customer scored by a model. */
export interface ModelRisk {
  score: number;
  band: RiskBand;
  signals: ModelSignal[];
}

/** Training refused, with why (too little data to learn or to validate). */
export class TrainingError extends Error {
  constructor(
    readonly code: 'no_labels' | 'one_class' | 'no_features' | 'too_few_rows',
    message: string,
  ) {
    super(message);
    this.name = 'TrainingError';
  }
}

/** Default penalties tried: weak to strong ridge, light to firm smoothing of number ranges. */
export const DEFAULT_GRID: ReadonlyArray<{ l2: number; smooth: number }> = Object.freeze(
  [0.3, 1, 3, 10].flatMap((l2) => [3, 30].map((smooth) => ({ l2, smooth }))),
);

/** The code of a model signal for a feature's bin. */
export function modelSignalCode(feature: string, key: string): string {
  return `model:${feature}=${key}`;
}

/** Reads a model signal code back into its feature and bin; undefined for other codes. */
export function parseModelSignalCode(code: string): { feature: string; value: string } | undefined {
  if (!code.startsWith('model:')) return undefined;
  const rest = code.slice('model:'.length);
  const at = rest.indexOf('=');
  return at > 0 ? { feature: rest.slice(0, at), value: rest.slice(at + 1) } : undefined;
}

/** Lowercase letters and digits only: how column names are compared with the excluded list. */
export function normaliseColumnName(name: string): string {
  return name.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/** The 'YYYY-MM-DD' date `days` after another. */
export function addDays(date: string, days: number): string {
  const ms = parseIsoDate(date);
  if (ms === undefined) throw new RangeError(`not a date: ${date}`);
  return new Date(ms + days * DAY_MS).toISOString().slice(0, 10);
}

/** A labelled snapshot. */
export interface Labelled {
  snapshot: Snapshot;
  y: 0 | 1;
}

/**
 * Labels the snapshots: `churned` when the file gave it; else churned when the customer closed within the horizon
 * after the snapshot (a closing date from any of the customer's snapshots counts), stayed when the horizon has passed
 * by `outcomesUntil` without a closing, unknown otherwise. A snapshot dated after the customer had closed is left out.
 */
export function labelSnapshots(
  snapshots: readonly Snapshot[],
  horizonDays: number,
  outcomesUntil: string,
): { labelled: Labelled[]; skipped: TrainingFigures['skipped'] } {
  const closing = new Map<string, string>();
  for (const s of snapshots) {
    if (!s.closedOn) continue;
    const known = closing.get(s.customerNo);
    if (!known || s.closedOn < known) closing.set(s.customerNo, s.closedOn);
  }
  const skipped = { leftBefore: 0, tooRecent: 0, unknown: 0 };
  const labelled: Labelled[] = [];
  for (const s of snapshots) {
    const closedOn = closing.get(s.customerNo) ?? null;
    if (closedOn !== null && closedOn <= s.snapshotDate) {
      skipped.leftBefore++;
      continue;
    }
    if (s.churned !== null) {
      labelled.push({ snapshot: s, y: s.churned });
      continue;
    }
    if (!s.tracksClosing && closedOn === null) {
      skipped.unknown++;
      continue;
    }
    const horizonEnd = addDays(s.snapshotDate, horizonDays);
    if (closedOn !== null && closedOn <= horizonEnd) labelled.push({ snapshot: s, y: 1 });
    else if (horizonEnd <= outcomesUntil) labelled.push({ snapshot: s, y: 0 });
    else skipped.tooRecent++;
  }
  return { labelled, skipped };
}

/**
 * Which rows are held out: the latest snapshot dates, about `share` of the rows, when the data has several dates and
 * both parts then hold churners and stayers; otherwise a stratified random share (seeded).
 */
export function validationSplit(
  rows: ReadonlyArray<{ date: string; y: number }>,
  share: number,
  seed: number,
): { held: boolean[]; method: 'time' | 'stratified'; from?: string } {
  const dates = [...new Set(rows.map((r) => r.date))].sort().reverse();
  if (dates.length >= 2) {
    const perDate = new Map<string, number>();
    for (const r of rows) perDate.set(r.date, (perDate.get(r.date) ?? 0) + 1);
    let count = 0;
    let from = dates[0];
    for (const d of dates) {
      if (count >= share * rows.length) break;
      count += perDate.get(d)!;
      from = d;
    }
    const held = rows.map((r) => r.date >= from);
    const part = (h: boolean) => rows.filter((_, i) => held[i] === h);
    const bothClasses = (list: ReadonlyArray<{ y: number }>) => list.some((r) => r.y === 1) && list.some((r) => r.y === 0);
    const heldShare = count / rows.length;
    if (heldShare >= 0.1 && heldShare <= 0.5 && bothClasses(part(true)) && bothClasses(part(false))) return { held, method: 'time', from };
  }
  return {
    held: stratifiedHoldout(
      rows.map((r) => r.y),
      share,
      seed,
    ),
    method: 'stratified',
  };
}

/** A seeded stratified random hold-out: `share` of each class. */
export function stratifiedHoldout(labels: readonly number[], share: number, seed: number): boolean[] {
  const random = mulberry32(seed);
  const held = new Array<boolean>(labels.length).fill(false);
  for (const cls of [0, 1]) {
    const members = labels.map((y, i) => (y === cls ? i : -1)).filter((i) => i >= 0);
    shuffle(members, random);
    const take = Math.round(members.length * share);
    for (let k = 0; k < take; k++) held[members[k]] = true;
  }
  return held;
}

/** The columns the model may use, and those it may not, with why. */
export function selectFeatures(
  rows: readonly FeatureRow[],
  sources: ReadonlyMap<string, FeatureSource>,
  excluded: readonly string[],
): { specs: FeatureSpec[]; excluded: TrainingFigures['excluded'] } {
  const banned = new Set(excluded.map(normaliseColumnName));
  const names = [...sources.keys()];
  const specs: FeatureSpec[] = [];
  const out: TrainingFigures['excluded'] = [];
  for (const name of names) {
    if (banned.has(normaliseColumnName(name))) {
      out.push({ name, reason: 'sensitive' });
      continue;
    }
    const values = rows.map((r) => r[name]).filter((v): v is Exclude<FeatureValue, null> => v !== null && v !== undefined && v !== '');
    const distinct = new Set(values.map(String));
    if (distinct.size <= 1) {
      // A service feature with no data at all is simply not there; an operator's column is reported.
      if (sources.get(name) === 'column') out.push({ name, reason: 'constant' });
      continue;
    }
    const kind = values.every((v) => typeof v === 'number') ? 'number' : 'category';
    const identifier =
      values.length >= 100 &&
      (kind === 'category' ? distinct.size > 0.5 * values.length : distinct.size === values.length && values.every((v) => Number.isInteger(v)));
    if (identifier) {
      out.push({ name, reason: 'identifier' });
      continue;
    }
    specs.push({ name, kind, source: sources.get(name)! });
  }
  return { specs, excluded: out };
}

/**
 * Trains a model on snapshots (features already joined: the operator's columns and the service's own, whose names
 * and sources `sources` lists). Throws TrainingError when there is nothing to learn from.
 */
export function trainChurnModel(
  snapshots: readonly Snapshot[],
  sources: ReadonlyMap<string, FeatureSource>,
  industry: string,
  now: number,
  settings: TrainingSettings = {},
): ChurnModel {
  const horizonDays = settings.horizonDays ?? 90;
  const targetRecall = settings.targetRecall ?? 0.7;
  const mediumRecall = Math.max(targetRecall, settings.mediumRecall ?? 0.9);
  const share = settings.validationShare ?? 0.2;
  const seed = settings.seed ?? 1;
  if (snapshots.length === 0) throw new TrainingError('no_labels', 'no snapshots to learn from');
  const latest = snapshots.reduce((m, s) => [m, s.snapshotDate, s.closedOn ?? ''].reduce((a, b) => (b > a ? b : a)), '');
  const outcomesUntil = settings.outcomesUntil ?? latest;
  const { labelled, skipped } = labelSnapshots(snapshots, horizonDays, outcomesUntil);
  if (labelled.length === 0) throw new TrainingError('no_labels', 'no snapshot has a known outcome (churned, or closed_on with 90 days passed)');
  const churners = labelled.filter((l) => l.y === 1).length;
  if (churners === 0 || churners === labelled.length)
    throw new TrainingError('one_class', 'the snapshots need both customers who left and customers who stayed');
  if (labelled.length < 50) throw new TrainingError('too_few_rows', `${labelled.length} labelled snapshots are too few to learn from (50 at least)`);

  const split = validationSplit(
    labelled.map((l) => ({ date: l.snapshot.snapshotDate, y: l.y })),
    share,
    seed,
  );
  const train = labelled.filter((_, i) => !split.held[i]);
  const held = labelled.filter((_, i) => split.held[i]);
  const trainRows = train.map((l) => l.snapshot.features);
  const trainLabels = train.map((l) => l.y);
  const { specs, excluded } = selectFeatures(trainRows, sources, settings.excluded ?? []);
  if (specs.length === 0) throw new TrainingError('no_features', 'no column can be used as a feature');

  const binned = specs.map((spec) =>
    binFeature(
      spec,
      trainRows.map((r) => r[spec.name]),
    ),
  );
  const inner = innerSplit(trainRows, trainLabels, seed);
  const { l2, smooth } = choosePenalty(binned, inner, settings.grid ?? DEFAULT_GRID);
  const pairs = choosePairs(binned, specs, trainRows, inner, { l2, smooth }, settings.maxPairs ?? 8);
  const scorecard = fitBinnedScorecard([...binned, ...pairs], trainRows, trainLabels, { l2, smooth });

  const heldScores = held.map((l) => scoreRow(scorecard, l.snapshot.features).score);
  const heldLabels = held.map((l) => l.y);
  const high = thresholdForRecall(heldScores, heldLabels, targetRecall) ?? bandFigures(heldScores, heldLabels, 100);
  const mediumFigures = thresholdForRecall(heldScores, heldLabels, mediumRecall) ?? high;
  // The bands must be 1 ≤ medium < high ≤ 100 whatever the data did.
  const highAt = Math.max(2, Math.min(100, high.threshold));
  const mediumAt = Math.max(1, Math.min(highAt - 1, mediumFigures.threshold));
  const dates = labelled.map((l) => l.snapshot.snapshotDate).sort();
  return {
    format: CHURN_MODEL_FORMAT,
    industry,
    trainedAt: now,
    scorecard,
    bands: { medium: mediumAt, high: highAt, targetRecall, mediumRecall },
    validation: {
      method: split.method,
      ...(split.from ? { from: split.from } : {}),
      rows: held.length,
      churners: heldLabels.filter((y) => y === 1).length,
      auc: auc(heldScores, heldLabels) ?? null,
      high: bandFigures(heldScores, heldLabels, highAt),
      medium: bandFigures(heldScores, heldLabels, mediumAt),
    },
    training: {
      rows: labelled.length,
      churners,
      churnedCustomers: new Set(labelled.filter((l) => l.y === 1).map((l) => l.snapshot.customerNo)).size,
      trainingRows: train.length,
      trainingChurners: trainLabels.filter((y) => y === 1).length,
      firstSnapshot: dates[0],
      lastSnapshot: dates[dates.length - 1],
      outcomesUntil,
      horizonDays,
      l2,
      smooth,
      pairs: pairs.map((p) => p.name),
      excluded,
      skipped,
    },
  };
}

/** Scores a customer with a model: the score, its band, and the features that raise it most as signals. */
export function scoreWithModel(model: ChurnModel, features: FeatureRow, top = 5): ModelRisk {
  const scored = scoreRow(model.scorecard, features);
  const signals = topContributions(scored, top).map((c) => {
    const points = Math.round(c.points);
    return { code: modelSignalCode(c.feature, c.key), weight: points, detail: { feature: c.feature, value: c.key, source: c.source, points } };
  });
  return { score: scored.score, band: riskBandFor(scored.score, model.bands), signals };
}

/** Checks that a parsed file is a model of ours, with a clear message when not. */
export function validateChurnModel(value: unknown): ChurnModel {
  const m = value as Partial<ChurnModel> | null;
  if (!m || typeof m !== 'object' || m.format !== CHURN_MODEL_FORMAT) throw new RangeError(`not a churn model (format ${CHURN_MODEL_FORMAT} expected)`);
  const card = m.scorecard;
  if (!card || typeof card.intercept !== 'number' || !Array.isArray(card.features) || !card.scale)
    throw new RangeError('churn model: the scorecard is incomplete');
  for (const f of card.features) {
    if (
      typeof f?.name !== 'string' ||
      !Array.isArray(f.bins) ||
      f.bins.length === 0 ||
      f.bins.some((b) => typeof b?.weight !== 'number' || typeof b.key !== 'string')
    ) {
      throw new RangeError(`churn model: feature ${String(f?.name)} is incomplete`);
    }
  }
  const b = m.bands;
  if (!b || !Number.isInteger(b.medium) || !Number.isInteger(b.high) || b.medium < 1 || b.medium >= b.high || b.high > 100)
    throw new RangeError('churn model: the bands are not 1 ≤ medium < high ≤ 100');
  return m as ChurnModel;
}

/** A quarter of the training part held out (stratified, seeded) to choose penalties and pairs on. */
interface InnerSplit {
  fitRows: FeatureRow[];
  fitLabels: number[];
  testRows: FeatureRow[];
  testLabels: number[];
}

function innerSplit(rows: readonly FeatureRow[], labels: readonly number[], seed: number): InnerSplit {
  const held = stratifiedHoldout(labels, 0.25, seed + 1);
  return {
    fitRows: rows.filter((_, i) => !held[i]),
    fitLabels: labels.filter((_, i) => !held[i]),
    testRows: rows.filter((_, i) => held[i]),
    testLabels: labels.filter((_, i) => held[i]),
  };
}

/** The negative log-likelihood of labels under a scorecard. */
function logLoss(card: Scorecard, rows: readonly FeatureRow[], labels: readonly number[]): number {
  let loss = 0;
  rows.forEach((r, i) => {
    const p = Math.min(1 - 1e-12, Math.max(1e-12, sigmoid(scoreRow(card, r).logOdds)));
    loss -= labels[i] ? Math.log(p) : Math.log(1 - p);
  });
  return loss;
}

/** Picks the penalty with the best held-out log-loss. */
function choosePenalty(
  binned: readonly ScorecardFeature[],
  inner: InnerSplit,
  grid: ReadonlyArray<{ l2: number; smooth: number }>,
): { l2: number; smooth: number } {
  if (grid.length === 1) return grid[0];
  let best = grid[0];
  let bestLoss = Infinity;
  for (const penalty of grid) {
    const loss = logLoss(fitBinnedScorecard(binned, inner.fitRows, inner.fitLabels, penalty), inner.testRows, inner.testLabels);
    if (loss < bestLoss) {
      bestLoss = loss;
      best = penalty;
    }
  }
  return best;
}

/**
 * Pairs of features that together say more than each alone (age with activity, contract with tenure). Candidates
 * among the ten strongest features are ranked by how much a free weight per cell would improve the fit at once (the
 * gradient-over-curvature gain of one Newton step), then added one at a time while the held-out log-loss improves.
 */
function choosePairs(
  binned: readonly ScorecardFeature[],
  specs: readonly FeatureSpec[],
  rows: readonly FeatureRow[],
  inner: InnerSplit,
  penalty: { l2: number; smooth: number },
  maxPairs: number,
): ScorecardFeature[] {
  if (maxPairs <= 0 || specs.length < 2) return [];
  const base = fitBinnedScorecard(binned, inner.fitRows, inner.fitLabels, penalty);
  const strongest = base.features
    .map((feature) => ({ feature, range: featureRange(base, feature) }))
    .sort((a, b) => b.range - a.range)
    .slice(0, 10)
    .map((x) => x.feature);
  const p = inner.fitRows.map((r) => sigmoid(scoreRow(base, r).logOdds));
  const candidates: Array<{ feature: ScorecardFeature; gain: number }> = [];
  for (let i = 0; i < strongest.length; i++) {
    for (let j = i + 1; j < strongest.length; j++) {
      const feature = pairFeature(strongest[i], strongest[j], rows);
      const g = new Array<number>(feature.bins.length).fill(0);
      const h = new Array<number>(feature.bins.length).fill(0);
      inner.fitRows.forEach((r, k) => {
        const cell = binIndexOf(feature, r);
        g[cell] += inner.fitLabels[k] - p[k];
        h[cell] += p[k] * (1 - p[k]);
      });
      candidates.push({ feature, gain: g.reduce((sum, gc, c) => sum + (gc * gc) / (h[c] + penalty.l2 + 1), 0) });
    }
  }
  candidates.sort((a, b) => b.gain - a.gain);
  const chosen: ScorecardFeature[] = [];
  let current = base;
  let bestLoss = logLoss(base, inner.testRows, inner.testLabels);
  for (const { feature } of candidates.slice(0, 2 * maxPairs)) {
    const card = fitBinnedScorecard([...binned, ...chosen, feature], inner.fitRows, inner.fitLabels, { ...penalty, start: current });
    const loss = logLoss(card, inner.testRows, inner.testLabels);
    // A pair has to earn its place: 0.3% of the held-out log-loss at least (less lets pairs of noise in).
    if (loss < bestLoss * 0.997) {
      chosen.push(feature);
      current = card;
      bestLoss = loss;
      if (chosen.length >= maxPairs) break;
    }
  }
  return chosen;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}

/** Rule signals that mean "call now" whatever the model says: churn words, and money leaving. */
export const OVERRIDE_SIGNALS = ['churn_intent', 'funds_outflow'] as const;

/** A signal as stored with a score: a rule's or a model's. */
export type RiskSignal = ChurnSignal | ModelSignal;

/**
 * The model's assessment with the rule overrides applied: when the rules heard churn words or saw money leaving, the
 * customer is high risk (the score raised to the high band at least) and those signals come first.
 */
export function withOverrides(
  model: ModelRisk,
  rules: { signals: readonly ChurnSignal[] },
  bands: { high: number },
): { score: number; band: RiskBand; signals: RiskSignal[]; overridden: boolean } {
  const overrides = rules.signals.filter((s) => (OVERRIDE_SIGNALS as readonly string[]).includes(s.code));
  if (overrides.length === 0) return { score: model.score, band: model.band, signals: model.signals, overridden: false };
  return { score: Math.max(model.score, bands.high), band: 'high', signals: [...overrides, ...model.signals], overridden: true };
}

/** How far one feature's population moved since training. */
export interface FeatureDrift {
  feature: string;
  source: FeatureSource;
  psi: number;
  level: 'stable' | 'moved' | 'shifted';
}

/** Each feature's population stability index between training and a later count per bin, largest first. */
export function featureDrift(model: ChurnModel, counts: Readonly<Record<string, readonly number[]>>): FeatureDrift[] {
  const out: FeatureDrift[] = [];
  for (const f of model.scorecard.features) {
    const now = counts[f.name];
    if (f.kind === 'pair' || !now || now.length !== f.bins.length || now.every((n) => n === 0)) continue;
    const index = psi(
      f.bins.map((b) => b.rows),
      [...now],
    );
    out.push({ feature: f.name, source: f.source, psi: index, level: driftLevel(index) });
  }
  return out.sort((a, b) => b.psi - a.psi);
}

/** Empty per-bin counts for every feature of a model (to tally a population into). */
export function emptyCounts(model: ChurnModel): Record<string, number[]> {
  return Object.fromEntries(model.scorecard.features.filter((f) => f.kind !== 'pair').map((f) => [f.name, new Array<number>(f.bins.length).fill(0)]));
}

/** Adds one customer's features to per-bin counts. */
export function tally(model: ChurnModel, counts: Record<string, number[]>, features: FeatureRow): void {
  for (const f of model.scorecard.features) if (counts[f.name]) counts[f.name][binIndexOf(f, features)]++;
}
