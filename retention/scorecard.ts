/**
 * A points scorecard for churn: every feature is cut into bins (ranges of a number, values of a category, and
 * "missing"), each bin gets a learned weight (logistic regression with an L2 penalty, neighbouring ranges of a number
 * pulled together), and a customer's score is the sum of the weights of their bins, scaled to 0–100. Because the
 * score is a sum, it explains itself: each feature's points say how much it raises (or lowers) this customer's score
 * compared with a typical customer of the training data ("Contract month-to-month +18").
 *
 * The scale: 0 is the safest bin of every feature, 100 the riskiest of every feature; the score is linear in the
 * log-odds of churning, so equal steps of score are equal factors of odds.
 */
import { fitLogistic, linearPredictor, type SparseRow } from './logistic';

/** A feature's value for one customer: a number, a category, or missing. */
export type FeatureValue = number | string | null;
/** A customer's features by name. */
export type FeatureRow = Readonly<Record<string, FeatureValue | undefined>>;
/** Numbers are cut into ranges; anything else is a category. */
export type FeatureKind = 'number' | 'category';
/** Where a feature comes from: a column of the operator's export, or what the service itself knows. */
export type FeatureSource = 'column' | 'service';

/** A feature to bin. */
export interface FeatureSpec {
  name: string;
  kind: FeatureKind;
  source: FeatureSource;
}

/** The key of the bin for customers without a value. */
export const MISSING_KEY = '(missing)';
/** The key of the bin for category values too rare to have a bin of their own (or unseen in training). */
export const OTHER_KEY = '(other)';

/** One bin of a feature. */
export interface ScorecardBin {
  /** What the bin holds, as shown: '<6', '[6,12)', '≥72', '3' (a number bin of one value), a category, or the two keys above. */
  key: string;
  /** Learned log-odds weight. */
  weight: number;
  /** Training rows in the bin, and the share of them that churned (null when empty). */
  rows: number;
  churnRate: number | null;
}

/** A binned feature with its weights. */
export interface ScorecardFeature {
  name: string;
  /** 'pair': the cells of two features' coarse bins, for what the two do together beyond each alone. */
  kind: FeatureKind | 'pair';
  source: FeatureSource;
  /** Pairs: the two features, coarsely binned; cell (i, j) is bin i × (bins of the second) + j. */
  pair?: [ScorecardFeature, ScorecardFeature];
  /** Numbers: bin k holds [edges[k − 1], edges[k]) (open at both ends); the missing bin comes last. */
  edges?: number[];
  /** Categories: the values with a bin of their own, in bin order; then (other), then (missing). */
  levels?: string[];
  bins: ScorecardBin[];
  /** The training rows' mean weight: a typical customer's contribution. */
  average: number;
}

/** The whole scorecard. */
export interface Scorecard {
  intercept: number;
  features: ScorecardFeature[];
  /** The log-odds that score 0 and score 100 stand for. */
  scale: { min: number; max: number };
}

/** How to bin and fit. */
export interface ScorecardOptions {
  /** Ridge strength (see logistic.ts). */
  l2: number;
  /** Strength of the pull between neighbouring ranges of a number. */
  smooth: number;
  /** Ranges per number at most (default 10). */
  maxBins?: number;
  /** A bin holds at least this share of the rows (default 0.03) and at least `minBinRows` (default 20). */
  minBinShare?: number;
  minBinRows?: number;
  /** A number with at most this many distinct values gets a bin per value (default 12). */
  maxDistinct?: number;
  /** Categories with a bin of their own at most (default 30). */
  maxLevels?: number;
}

/** A feature's share of one customer's score. */
export interface Contribution {
  feature: string;
  source: FeatureSource;
  key: string;
  /** Score points compared with a typical customer (not rounded). */
  points: number;
}

/** One customer scored. */
export interface ScoredRow {
  /** 0–100, whole. */
  score: number;
  logOdds: number;
  contributions: Contribution[];
}

/** Cuts a feature into bins from its training values (weights still 0). */
export function binFeature(spec: FeatureSpec, values: readonly (FeatureValue | undefined)[], options: Partial<ScorecardOptions> = {}): ScorecardFeature {
  const minRows = Math.max(options.minBinRows ?? 20, Math.ceil((options.minBinShare ?? 0.03) * values.length));
  const missing: ScorecardBin = { key: MISSING_KEY, weight: 0, rows: 0, churnRate: null };
  if (spec.kind === 'number') {
    const numbers = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
    const edges = numberEdges(numbers, options.maxBins ?? 10, options.maxDistinct ?? 12, minRows);
    const bins = rangeKeys(edges, numbers).map((key) => ({ key, weight: 0, rows: 0, churnRate: null }));
    return { ...spec, edges, bins: [...bins, missing], average: 0 };
  }
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null && v !== undefined && v !== '') counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  const levels = [...counts.entries()]
    .filter(([, n]) => n >= minRows)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, options.maxLevels ?? 30)
    .map(([v]) => v);
  const bins = levels.map((key) => ({ key, weight: 0, rows: 0, churnRate: null }));
  return { ...spec, levels, bins: [...bins, { key: OTHER_KEY, weight: 0, rows: 0, churnRate: null }, missing], average: 0 };
}

/** Extra ridge on a pair's cells, in multiples of the features' ridge. */
const PAIR_RIDGE = 3;

/** The key joining the two parts of a pair's cell. */
export const PAIR_JOIN = '&';
/** The mark between the names of a pair's two features. */
export const PAIR_MARK = '×';

/**
 * A pair feature over two fitted features, each cut coarsely: a number's ranges merged into at most four runs of
 * similar weight (so the cut falls where the risk changes, not at arbitrary quantiles), a category's commonest values,
 * and missing. Its cells start at weight 0; fitted alongside the features themselves, they learn only what the two do
 * together.
 */
export function pairFeature(a: ScorecardFeature, b: ScorecardFeature, rows: readonly FeatureRow[], options: Partial<ScorecardOptions> = {}): ScorecardFeature {
  const pa = coarsen(a, rows, options);
  const pb = coarsen(b, rows, options);
  const bins: ScorecardBin[] = [];
  for (const x of pa.bins) for (const y of pb.bins) bins.push({ key: `${x.key}${PAIR_JOIN}${y.key}`, weight: 0, rows: 0, churnRate: null });
  return {
    name: `${a.name}${PAIR_MARK}${b.name}`,
    kind: 'pair',
    source: a.source === 'service' || b.source === 'service' ? 'service' : 'column',
    pair: [pa, pb],
    bins,
    average: 0,
  };
}

/** A feature cut into at most `groups` bins (and missing) for a pair; see pairFeature. */
function coarsen(feature: ScorecardFeature, rows: readonly FeatureRow[], options: Partial<ScorecardOptions>, groups = 4): ScorecardFeature {
  const spec: FeatureSpec = { name: feature.name, kind: feature.kind === 'number' ? 'number' : 'category', source: feature.source };
  const values = rows.map((r) => r[feature.name]);
  if (feature.kind !== 'number') return binFeature(spec, values, { maxLevels: groups, minBinShare: 0.05, minBinRows: options.minBinRows });
  const fine = feature.edges ?? [];
  const ranges = feature.bins.slice(0, fine.length + 1);
  if (ranges.length <= groups)
    return {
      ...binFeature(spec, [], {}),
      edges: [...fine],
      bins: [...ranges.map((b) => ({ ...b, weight: 0 })), { key: MISSING_KEY, weight: 0, rows: 0, churnRate: null }],
    };
  // Split the ranges into contiguous runs minimising the row-weighted spread of weights (dynamic programming).
  const n = ranges.length;
  const cost = (i: number, j: number) => {
    let w = 0;
    let sum = 0;
    for (let k = i; k <= j; k++) {
      w += ranges[k].rows;
      sum += ranges[k].rows * ranges[k].weight;
    }
    const mean = w ? sum / w : 0;
    let c = 0;
    for (let k = i; k <= j; k++) c += ranges[k].rows * (ranges[k].weight - mean) ** 2;
    return c;
  };
  const best: number[][] = Array.from({ length: groups + 1 }, () => new Array<number>(n + 1).fill(Infinity));
  const cut: number[][] = Array.from({ length: groups + 1 }, () => new Array<number>(n + 1).fill(0));
  best[0][0] = 0;
  for (let g = 1; g <= groups; g++) {
    for (let j = 1; j <= n; j++) {
      for (let i = g - 1; i < j; i++) {
        const c = best[g - 1][i] + cost(i, j - 1);
        if (c < best[g][j]) {
          best[g][j] = c;
          cut[g][j] = i;
        }
      }
    }
  }
  const starts: number[] = [];
  for (let g = groups, j = n; g > 0; g--) {
    const i = cut[g][j];
    starts.unshift(i);
    j = i;
  }
  const edges = starts.slice(1).map((i) => fine[i - 1]);
  const numbers = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).sort((x, y) => x - y);
  const bins = rangeKeys(edges, numbers).map((key) => ({ key, weight: 0, rows: 0, churnRate: null }));
  return { ...spec, edges, bins: [...bins, { key: MISSING_KEY, weight: 0, rows: 0, churnRate: null }], average: 0 };
}

/** The bin (or, for a pair, the cell) a customer falls in. */
export function binIndexOf(feature: ScorecardFeature, row: FeatureRow): number {
  if (feature.kind === 'pair' && feature.pair) {
    const [a, b] = feature.pair;
    return binIndex(a, row[a.name]) * b.bins.length + binIndex(b, row[b.name]);
  }
  return binIndex(feature, row[feature.name]);
}

/** The bin a value falls in. */
export function binIndex(feature: ScorecardFeature, value: FeatureValue | undefined): number {
  const last = feature.bins.length - 1;
  if (value === null || value === undefined || value === '') return last;
  if (feature.kind === 'number') {
    const x = typeof value === 'number' ? value : parseNumber(value);
    if (x === undefined) return last;
    const edges = feature.edges ?? [];
    let k = 0;
    while (k < edges.length && x >= edges[k]) k++;
    return k;
  }
  const at = (feature.levels ?? []).indexOf(String(value));
  return at >= 0 ? at : last - 1;
}

/** A number written in a category-free way ("12", "-3.5", "1e3"); undefined otherwise. */
export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  const x = Number(t);
  return Number.isFinite(x) ? x : undefined;
}

/**
 * Bins the features, fits the weights and sets the 0–100 scale. Bins no training row falls in (an unseen "missing",
 * an empty "other") get the feature's average weight, so they neither raise nor lower a score.
 */
export function fitScorecard(rows: readonly FeatureRow[], labels: readonly number[], specs: readonly FeatureSpec[], options: ScorecardOptions): Scorecard {
  const features = specs.map((spec) =>
    binFeature(
      spec,
      rows.map((r) => r[spec.name]),
      options,
    ),
  );
  return fitBinnedScorecard(features, rows, labels, options);
}

/**
 * Fits the weights of features already binned (so several penalties can be tried on the same bins). `start`, a
 * scorecard over some of the same features, is where the fit begins: its weights for the features it has, 0 for the
 * others (a pair added to a fitted scorecard then takes a few steps, not a whole fit).
 */
export function fitBinnedScorecard(
  binned: readonly ScorecardFeature[],
  rows: readonly FeatureRow[],
  labels: readonly number[],
  options: Pick<ScorecardOptions, 'l2' | 'smooth'> & { start?: Scorecard },
): Scorecard {
  const offsets: number[] = [];
  let columns = 0;
  for (const f of binned) {
    offsets.push(columns);
    columns += f.bins.length;
  }
  const design: SparseRow[] = rows.map((row) => ({ idx: binned.map((f, i) => offsets[i] + binIndexOf(f, row)) }));
  const fused: Array<[number, number, number]> = [];
  if (options.smooth > 0) {
    binned.forEach((f, i) => {
      if (f.kind !== 'number') return;
      for (let k = 0; k + 1 < (f.edges?.length ?? 0) + 1; k++) fused.push([offsets[i] + k, offsets[i] + k + 1, options.smooth]);
    });
  }
  // The cells of a pair hold fewer customers than a feature's bins: they are held closer to 0 (the features alone).
  const columnL2 = binned.flatMap((f) => f.bins.map(() => (f.kind === 'pair' ? PAIR_RIDGE * Math.max(1, options.l2) : 0)));
  let initial: { intercept: number; weights: number[] } | undefined;
  if (options.start) {
    const known = new Map(options.start.features.map((f) => [f.name, f]));
    initial = {
      intercept: options.start.intercept,
      weights: binned.flatMap((f) => f.bins.map((b, k) => (known.get(f.name)?.bins[k]?.key === b.key ? known.get(f.name)!.bins[k].weight : 0))),
    };
  }
  const fit = fitLogistic(design, labels, columns, { l2: options.l2, fused, columnL2, initial });

  const features: ScorecardFeature[] = binned.map((f, i) => {
    const rowsIn = new Array<number>(f.bins.length).fill(0);
    const churnersIn = new Array<number>(f.bins.length).fill(0);
    design.forEach((d, r) => {
      const k = d.idx[i] - offsets[i];
      rowsIn[k]++;
      churnersIn[k] += labels[r];
    });
    const bins = f.bins.map((b, k) => ({
      key: b.key,
      weight: fit.weights[offsets[i] + k],
      rows: rowsIn[k],
      churnRate: rowsIn[k] ? churnersIn[k] / rowsIn[k] : null,
    }));
    const average = rows.length ? bins.reduce((s, b) => s + b.weight * b.rows, 0) / rows.length : 0;
    return { ...f, bins: bins.map((b) => (b.rows === 0 ? { ...b, weight: average } : b)), average };
  });
  let min = fit.intercept;
  let max = fit.intercept;
  for (const f of features) {
    const weights = f.bins.map((b) => b.weight);
    min += Math.min(...weights);
    max += Math.max(...weights);
  }
  // A model that learned nothing (every weight equal) still needs a scale; a unit of log-odds around it will do.
  if (max - min < 1e-9) {
    min -= 0.5;
    max += 0.5;
  }
  return { intercept: fit.intercept, features, scale: { min, max } };
}

/** Scores one customer: the score, its log-odds, and every feature's points compared with a typical customer. */
export function scoreRow(card: Scorecard, row: FeatureRow): ScoredRow {
  const range = card.scale.max - card.scale.min;
  let logOdds = card.intercept;
  const contributions: Contribution[] = [];
  for (const f of card.features) {
    const bin = f.bins[binIndexOf(f, row)];
    logOdds += bin.weight;
    contributions.push({ feature: f.name, source: f.source, key: bin.key, points: (100 * (bin.weight - f.average)) / range });
  }
  const score = Math.max(0, Math.min(100, Math.round((100 * (logOdds - card.scale.min)) / range)));
  return { score, logOdds, contributions };
}

/** The log-odds of a design row under the scorecard's weights (for tests and checks). */
export function scorecardLogOdds(card: Scorecard, row: FeatureRow): number {
  const offsets: number[] = [];
  const weights: number[] = [];
  for (const f of card.features) {
    offsets.push(weights.length);
    weights.push(...f.bins.map((b) => b.weight));
  }
  return linearPredictor({ idx: card.features.map((f, i) => offsets[i] + binIndexOf(f, row)) }, card.intercept, weights);
}

/** The features that raise this customer's score most, strongest first: at least one point each, `top` at most. */
export function topContributions(scored: ScoredRow, top = 5): Contribution[] {
  return scored.contributions
    .filter((c) => Math.round(c.points) >= 1)
    .sort((a, b) => b.points - a.points || (a.feature < b.feature ? -1 : 1))
    .slice(0, top);
}

/** How much a feature can move a score: the points between its safest and riskiest bin (its importance). */
export function featureRange(card: Scorecard, feature: ScorecardFeature): number {
  const weights = feature.bins.filter((b) => b.rows > 0).map((b) => b.weight);
  if (weights.length === 0) return 0;
  return (100 * (Math.max(...weights) - Math.min(...weights))) / (card.scale.max - card.scale.min);
}

/** Edges of the ranges of a number: a bin per value when there are few, else about equal-count ranges. */
function numberEdges(sorted: readonly number[], maxBins: number, maxDistinct: number, minRows: number): number[] {
  if (sorted.length === 0) return [];
  const distinct: number[] = [];
  for (const v of sorted) if (distinct.length === 0 || distinct[distinct.length - 1] !== v) distinct.push(v);
  let edges: number[];
  if (distinct.length <= maxDistinct) {
    edges = distinct.slice(1);
  } else {
    const integers = sorted.every((v) => Number.isInteger(v));
    const candidates: number[] = [];
    for (let k = 1; k < maxBins; k++) {
      const q = sorted[Math.floor((k * sorted.length) / maxBins)];
      candidates.push(niceEdge(q, integers));
    }
    edges = [...new Set(candidates)].filter((e) => e > sorted[0] && e <= sorted[sorted.length - 1]).sort((a, b) => a - b);
  }
  // Merge ranges that hold too few rows into the smaller of their neighbours, smallest first.
  for (;;) {
    const counts = rangeCounts(edges, sorted);
    let smallest = -1;
    for (let k = 0; k < counts.length; k++) if (counts[k] < minRows && (smallest < 0 || counts[k] < counts[smallest])) smallest = k;
    if (smallest < 0 || edges.length === 0) return edges;
    // Bin k is bounded by edges k − 1 (below) and k (above): drop the edge towards the smaller neighbour.
    const below = smallest > 0 ? counts[smallest - 1] : Infinity;
    const above = smallest < counts.length - 1 ? counts[smallest + 1] : Infinity;
    edges.splice(below <= above ? smallest - 1 : smallest, 1);
  }
}

function rangeCounts(edges: readonly number[], sorted: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  let k = 0;
  for (const v of sorted) {
    while (k < edges.length && v >= edges[k]) k++;
    counts[k]++;
  }
  return counts;
}

/** Rounds an edge to three significant figures (whole numbers for whole-number data) so bins read well. */
function niceEdge(x: number, integers: boolean): number {
  const r = Number(x.toPrecision(3));
  return integers ? Math.round(r) : r;
}

/** The shown keys of the ranges: a single value when the bin holds one in training, else '<a', '[a,b)', '≥b'. */
function rangeKeys(edges: readonly number[], sorted: readonly number[]): string[] {
  const keys: string[] = [];
  for (let k = 0; k <= edges.length; k++) {
    const lo = k > 0 ? edges[k - 1] : -Infinity;
    const hi = k < edges.length ? edges[k] : Infinity;
    const inBin = sorted.filter((v) => v >= lo && v < hi);
    if (inBin.length > 0 && inBin[0] === inBin[inBin.length - 1]) keys.push(formatNumber(inBin[0]));
    else if (k === 0) keys.push(`<${formatNumber(hi)}`);
    else if (k === edges.length) keys.push(`≥${formatNumber(lo)}`);
    else keys.push(`[${formatNumber(lo)},${formatNumber(hi)})`);
  }
  return keys;
}

/** A number as written in a key: no exponent, no thousands separators, at most six decimals. */
export function formatNumber(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toFixed(6)));
}
