/** One training example: its feature names and its class. */
export interface TrainingExample {
  features: string[];
  label: number;
}

/** How the model is fitted. */
export interface TrainingOptions {
  /** Passes over the examples. */
  epochs: number;
  /** Step size of the first pass; later passes take smaller steps. */
  learningRate: number;
  /** L2 penalty per step on the weights an example touches. */
  l2: number;
  /** Seed of the shuffle, so that a model trains the same every time. */
  seed: number;
}

export const DEFAULT_TRAINING: TrainingOptions = { epochs: 12, learningRate: 0.5, l2: 2e-5, seed: 7 };

/**
 * Multinomial logistic regression over sparse binary features: a weight per feature and class. Each message's active
 * features share a total weight of 1 (each counts 1/√n, n of them known to the model), so a long message does not
 * shout and unknown words do not dilute the known ones: a message is judged on the words the model knows.
 */
export class LinearModel {
  private constructor(
    private readonly index: Map<string, number>,
    private readonly weights: Float64Array,
    private readonly bias: Float64Array,
    readonly classes: number,
    /** Per feature, how far apart its class weights are: how much the feature says. */
    private readonly spread: Float64Array,
  ) {}

  /** Fits the model (stochastic gradient descent with AdaGrad steps; deterministic for a seed). */
  static train(examples: TrainingExample[], classes: number, options: TrainingOptions = DEFAULT_TRAINING): LinearModel {
    const index = new Map<string, number>();
    const encoded = examples.map((e) => {
      const ids = e.features.map((f) => {
        let id = index.get(f);
        if (id === undefined) {
          id = index.size;
          index.set(f, id);
        }
        return id;
      });
      return { ids: Int32Array.from(ids), label: e.label };
    });
    const k = classes;
    const weights = new Float64Array(index.size * k);
    const g2 = new Float64Array(index.size * k).fill(1e-8);
    const bias = new Float64Array(k);
    const biasG2 = new Float64Array(k).fill(1e-8);
    const order = encoded.map((_, i) => i);
    const random = mulberry32(options.seed);
    const probs = new Float64Array(k);
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      const rate = options.learningRate / Math.sqrt(1 + epoch / 4);
      for (const n of order) {
        const { ids, label } = encoded[n];
        if (ids.length === 0) continue;
        const value = 1 / Math.sqrt(ids.length);
        scores(ids, value, weights, bias, k, probs);
        softmaxInPlace(probs);
        for (let c = 0; c < k; c++) {
          const grad = probs[c] - (c === label ? 1 : 0);
          biasG2[c] += grad * grad;
          bias[c] -= (rate * grad) / Math.sqrt(biasG2[c]);
          for (let f = 0; f < ids.length; f++) {
            const at = ids[f] * k + c;
            const g = grad * value + options.l2 * weights[at];
            g2[at] += g * g;
            weights[at] -= (rate * g) / Math.sqrt(g2[at]);
          }
        }
      }
    }
    const spread = new Float64Array(index.size);
    for (let f = 0; f < index.size; f++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let c = 0; c < k; c++) {
        const w = weights[f * k + c];
        if (w < lo) lo = w;
        if (w > hi) hi = w;
      }
      spread[f] = hi - lo;
    }
    return new LinearModel(index, weights, bias, k, spread);
  }

  /** Class probabilities for a message's features; features the model never saw are left out. */
  predict(features: string[]): Float64Array {
    const ids: number[] = [];
    for (const f of features) {
      const id = this.index.get(f);
      if (id !== undefined) ids.push(id);
    }
    const probs = new Float64Array(this.classes);
    scores(ids, ids.length > 0 ? 1 / Math.sqrt(ids.length) : 0, this.weights, this.bias, this.classes, probs);
    softmaxInPlace(probs);
    return probs;
  }

  /** How much the given features say, summed (0 for features the model never saw). */
  informativeness(features: string[]): number {
    let sum = 0;
    for (const f of features) {
      const id = this.index.get(f);
      if (id !== undefined) sum += this.spread[id];
    }
    return sum;
  }
}

function scores(ids: ArrayLike<number>, value: number, weights: Float64Array, bias: Float64Array, k: number, out: Float64Array): void {
  for (let c = 0; c < k; c++) out[c] = bias[c];
  for (let f = 0; f < ids.length; f++) {
    const base = ids[f] * k;
    for (let c = 0; c < k; c++) out[c] += weights[base + c] * value;
  }
}

function softmaxInPlace(v: Float64Array): void {
  let max = -Infinity;
  for (const x of v) if (x > max) max = x;
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    v[i] = Math.exp(v[i] - max);
    sum += v[i];
  }
  for (let i = 0; i < v.length; i++) v[i] /= sum;
}

/** A small seeded random number generator (uniform in [0, 1)). */
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
