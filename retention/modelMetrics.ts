/**
 * How well a churn ranking works, in the figures a manager reads: the area under the ROC curve (the chance that a
 * churner is ranked above a stayer), what a band catches (recall), how many of those it flags really left
 * (precision) and what share of customers it flags (the call centre's load), the score that catches a target share
 * of churners, and the population stability index that says a feature's distribution has moved since training.
 */

/**
 * The area under the ROC curve by the rank-sum (Mann–Whitney) statistic, ties counted half. Undefined without at
 * least one positive and one negative label.
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | undefined {
  if (scores.length !== labels.length) throw new RangeError(`auc: ${scores.length} scores but ${labels.length} labels`);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    // Ranks i+1 … j+1 share their average.
    const rank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] === 1) {
        positives++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const negatives = scores.length - positives;
  if (positives === 0 || negatives === 0) return undefined;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** What the customers at or above a score are: how many churners they catch and how many customers they are. */
export interface BandFigures {
  /** The lowest score in the band. */
  threshold: number;
  /** Churners in the band ÷ all churners. */
  recall: number;
  /** Churners in the band ÷ customers in the band (0 when the band is empty). */
  precision: number;
  /** Customers in the band ÷ all customers. */
  flagged: number;
  customers: number;
  churners: number;
}

/** The figures of the band "score ≥ threshold". */
export function bandFigures(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): BandFigures {
  let customers = 0;
  let churners = 0;
  let allChurners = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] === 1) allChurners++;
    if (scores[i] >= threshold) {
      customers++;
      if (labels[i] === 1) churners++;
    }
  }
  return {
    threshold,
    recall: allChurners ? churners / allChurners : 0,
    precision: customers ? churners / customers : 0,
    flagged: scores.length ? customers / scores.length : 0,
    customers,
    churners,
  };
}

/**
 * The highest whole-number score t such that "score ≥ t" catches at least `targetRecall` of the churners (the
 * smallest band that does), with its figures. Scores are whole numbers from 0 to 100. Undefined without churners.
 */
export function thresholdForRecall(scores: ArrayLike<number>, labels: ArrayLike<number>, targetRecall: number): BandFigures | undefined {
  if (!(targetRecall > 0 && targetRecall <= 1)) throw new RangeError(`thresholdForRecall: target ${targetRecall} outside (0, 1]`);
  const churnersAt = new Array<number>(102).fill(0);
  let churners = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    churnersAt[clampScore(scores[i])]++;
    churners++;
  }
  if (churners === 0) return undefined;
  // Walk down from 100, adding churners, until the target is met; a tiny slack keeps 0.7 × 10 from missing 7 by rounding.
  let caught = 0;
  for (let t = 100; t >= 0; t--) {
    caught += churnersAt[t];
    if (caught >= targetRecall * churners - 1e-9) return bandFigures(scores, labels, t);
  }
  return bandFigures(scores, labels, 0);
}

function clampScore(s: number): number {
  return Math.max(0, Math.min(100, Math.round(s)));
}

/**
 * The population stability index between two distributions over the same bins (counts or shares; each is
 * normalised): Σ (a − e) · ln(a / e). Empty bins get a small floor share so one empty bin does not make it infinite.
 * Read it as: below 0.1 stable, 0.1–0.25 moved, above 0.25 moved a lot.
 */
export function psi(expected: readonly number[], actual: readonly number[], floor = 1e-4): number {
  if (expected.length !== actual.length) throw new RangeError(`psi: ${expected.length} expected bins but ${actual.length} actual`);
  const e = normalise(expected);
  const a = normalise(actual);
  let sum = 0;
  for (let i = 0; i < e.length; i++) {
    const ei = Math.max(e[i], floor);
    const ai = Math.max(a[i], floor);
    sum += (ai - ei) * Math.log(ai / ei);
  }
  return sum;
}

function normalise(values: readonly number[]): number[] {
  const total = values.reduce((s, v) => s + v, 0);
  return total > 0 ? values.map((v) => v / total) : values.map(() => 0);
}

/** How far a feature moved, in three words (thresholds as commonly used for the index). */
export function driftLevel(index: number): 'stable' | 'moved' | 'shifted' {
  if (index >= 0.25) return 'shifted';
  if (index >= 0.1) return 'moved';
  return 'stable';
}
