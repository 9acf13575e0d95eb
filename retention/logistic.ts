/**
 * Logistic regression with an L2 penalty, fitted by Newton's method (iteratively reweighted least squares).
 *
 * The churn scorecard feeds it one-hot rows (each customer falls in one bin of each feature), so rows are sparse: the
 * columns that are set, with their values (1 when omitted). A second, optional penalty pulls chosen pairs of weights
 * towards each other; the scorecard uses it between neighbouring bins of a number, so that a bin with few customers
 * borrows strength from its neighbours instead of swinging on noise. With both penalties the problem is strictly
 * convex, so Newton's method converges in a handful of steps, each a Cholesky solve of a matrix as wide as the number
 * of bins (a few hundred at most).
 */

/** One row of the design: the columns that are set, and their values (all 1 when `val` is omitted). */
export interface SparseRow {
  idx: readonly number[];
  val?: readonly number[];
}

/** How to fit. */
export interface LogisticOptions {
  /** Ridge strength: adds l2/2 · Σ w² over every weight (never the intercept). 0 only when the data identify the weights. */
  l2: number;
  /** Extra ridge per column, on top of `l2` (e.g. stronger for sparse cells). */
  columnL2?: readonly number[];
  /** Pairs of columns pulled together: adds λ/2 · (w_i − w_j)² for each [i, j, λ]. */
  fused?: ReadonlyArray<readonly [number, number, number]>;
  /** Where to start (a nearby solution makes the fit take fewer steps); default: the base rate, weights 0. */
  initial?: { intercept: number; weights: ArrayLike<number> };
  /** Newton steps at most (default 100). */
  maxIterations?: number;
  /** Stop when no parameter moves by more than this (default 1e-9). */
  tolerance?: number;
}

/** A fitted model: log-odds = intercept + Σ weights[j] · x_j. */
export interface LogisticFit {
  intercept: number;
  weights: number[];
  /** The penalized negative log-likelihood at the solution. */
  loss: number;
  iterations: number;
  converged: boolean;
}

/** The logistic function, without overflow for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + e^x), without overflow. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** The log-odds of one row under a fit (or under raw parameters). */
export function linearPredictor(row: SparseRow, intercept: number, weights: ArrayLike<number>): number {
  let eta = intercept;
  for (let k = 0; k < row.idx.length; k++) eta += weights[row.idx[k]] * (row.val ? row.val[k] : 1);
  return eta;
}

/**
 * Fits P(y = 1 | x) = σ(b + w·x) to rows with labels 0/1 over `columns` weights, minimizing the negative
 * log-likelihood plus the penalties. Throws on a shape error; a fit that did not converge says so (`converged`).
 */
export function fitLogistic(rows: readonly SparseRow[], y: ArrayLike<number>, columns: number, options: LogisticOptions): LogisticFit {
  if (rows.length !== y.length) throw new RangeError(`fitLogistic: ${rows.length} rows but ${y.length} labels`);
  if (!(options.l2 >= 0)) throw new RangeError('fitLogistic: l2 must be 0 or more');
  for (const row of rows) {
    for (const j of row.idx) if (!Number.isInteger(j) || j < 0 || j >= columns) throw new RangeError(`fitLogistic: column ${j} outside 0..${columns - 1}`);
    if (row.val && row.val.length !== row.idx.length) throw new RangeError('fitLogistic: idx and val differ in length');
  }
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-9;
  const fused = options.fused ?? [];
  const ridge = (column: number) => options.l2 + (options.columnL2?.[column] ?? 0);
  const p = columns + 1; // parameter 0 is the intercept, parameter j + 1 is weight j
  const theta = new Float64Array(p);
  // Start at the base rate: the intercept alone is then already the best constant model.
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i];
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, (positives + 0.5) / (rows.length + 1)));
  theta[0] = Math.log(rate / (1 - rate));
  if (options.initial) {
    if (options.initial.weights.length !== columns)
      throw new RangeError(`fitLogistic: ${options.initial.weights.length} initial weights for ${columns} columns`);
    theta[0] = options.initial.intercept;
    for (let j = 0; j < columns; j++) theta[j + 1] = options.initial.weights[j];
  }

  const objective = (t: Float64Array): number => {
    let loss = 0;
    for (let i = 0; i < rows.length; i++) {
      const eta = linearPredictor(rows[i], t[0], t.subarray(1));
      loss += softplus(eta) - y[i] * eta;
    }
    for (let j = 1; j < p; j++) loss += 0.5 * ridge(j - 1) * t[j] * t[j];
    for (const [a, b, lambda] of fused) loss += 0.5 * lambda * (t[a + 1] - t[b + 1]) ** 2;
    return loss;
  };

  let loss = objective(theta);
  let iterations = 0;
  let converged = false;
  const gradient = new Float64Array(p);
  const hessian = new Float64Array(p * p);
  while (iterations < maxIterations) {
    iterations++;
    gradient.fill(0);
    hessian.fill(0);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const mu = sigmoid(linearPredictor(row, theta[0], theta.subarray(1)));
      const r = mu - y[i];
      const s = Math.max(mu * (1 - mu), 1e-12);
      gradient[0] += r;
      hessian[0] += s;
      for (let k = 0; k < row.idx.length; k++) {
        const a = row.idx[k] + 1;
        const va = row.val ? row.val[k] : 1;
        gradient[a] += r * va;
        hessian[a] += s * va; // row 0, column a (mirrored below)
        for (let m = 0; m < row.idx.length; m++) {
          const b = row.idx[m] + 1;
          hessian[a * p + b] += s * va * (row.val ? row.val[m] : 1);
        }
      }
    }
    for (let a = 1; a < p; a++) hessian[a * p] = hessian[a];
    for (let j = 1; j < p; j++) {
      gradient[j] += ridge(j - 1) * theta[j];
      hessian[j * p + j] += ridge(j - 1);
    }
    for (const [i0, j0, lambda] of fused) {
      const a = i0 + 1;
      const b = j0 + 1;
      const d = lambda * (theta[a] - theta[b]);
      gradient[a] += d;
      gradient[b] -= d;
      hessian[a * p + a] += lambda;
      hessian[b * p + b] += lambda;
      hessian[a * p + b] -= lambda;
      hessian[b * p + a] -= lambda;
    }
    const step = solveSymmetric(hessian, gradient, p);
    // Newton's step, halved while it makes the objective worse (it rarely needs to be).
    let factor = 1;
    const next = new Float64Array(p);
    let nextLoss = Infinity;
    for (let tries = 0; tries < 30; tries++) {
      for (let j = 0; j < p; j++) next[j] = theta[j] - factor * step[j];
      nextLoss = objective(next);
      if (nextLoss <= loss + 1e-12 * Math.max(1, Math.abs(loss))) break;
      factor /= 2;
    }
    let moved = 0;
    for (let j = 0; j < p; j++) moved = Math.max(moved, Math.abs(next[j] - theta[j]));
    if (nextLoss > loss) {
      // No step improves the objective: we are at the optimum up to rounding.
      converged = true;
      break;
    }
    theta.set(next);
    loss = nextLoss;
    if (moved < tolerance) {
      converged = true;
      break;
    }
  }
  return { intercept: theta[0], weights: Array.from(theta.subarray(1)), loss, iterations, converged };
}

/**
 * Solves H x = g for a symmetric positive-definite H (row-major, n × n) by Cholesky decomposition. A matrix that is
 * only semi-definite (a column never set and no ridge) gets a tiny jitter on its diagonal rather than failing.
 */
export function solveSymmetric(h: ArrayLike<number>, g: ArrayLike<number>, n: number): Float64Array {
  const l = new Float64Array(n * n);
  let jitter = 0;
  for (let attempt = 0; attempt < 8; attempt++) {
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let sum = h[i * n + j] + (i === j ? jitter : 0);
        for (let k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
        if (i === j) {
          if (!(sum > 0)) {
            ok = false;
            break;
          }
          l[i * n + i] = Math.sqrt(sum);
        } else {
          l[i * n + j] = sum / l[j * n + j];
        }
      }
    }
    if (ok) {
      const z = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let sum = g[i];
        for (let k = 0; k < i; k++) sum -= l[i * n + k] * z[k];
        z[i] = sum / l[i * n + i];
      }
      const x = new Float64Array(n);
      for (let i = n - 1; i >= 0; i--) {
        let sum = z[i];
        for (let k = i + 1; k < n; k++) sum -= l[k * n + i] * x[k];
        x[i] = sum / l[i * n + i];
      }
      return x;
    }
    let trace = 0;
    for (let i = 0; i < n; i++) trace += Math.abs(h[i * n + i]);
    jitter = jitter === 0 ? Math.max(1e-10, (trace / n) * 1e-10) : jitter * 100;
    l.fill(0);
  }
  throw new RangeError('solveSymmetric: the matrix is not positive definite');
}
