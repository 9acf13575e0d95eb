import { fitLogistic, linearPredictor, sigmoid, solveSymmetric, type SparseRow } from '../../retention/logistic';

describe('fitLogistic', () => {
  it('recovers the log-odds of two groups exactly when unpenalized (2 of 10 churn vs 6 of 10)', () => {
    // Column 0 marks the second group; the intercept is the first group's log-odds.
    const rows: SparseRow[] = [...Array.from({ length: 10 }, () => ({ idx: [] })), ...Array.from({ length: 10 }, () => ({ idx: [0] }))];
    const y = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0];
    const fit = fitLogistic(rows, y, 1, { l2: 0 });
    expect(fit.converged).toBe(true);
    expect(fit.intercept).toBeCloseTo(Math.log(2 / 8), 8);
    expect(fit.weights[0]).toBeCloseTo(Math.log(6 / 4) - Math.log(2 / 8), 8); // ln 6
  });

  it('matches the textbook fit of passing an exam on hours studied (intercept −4.0777, slope 1.5046)', () => {
    const hours = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 1.75, 2, 2.25, 2.5, 2.75, 3, 3.25, 3.5, 4, 4.25, 4.5, 4.75, 5, 5.5];
    const passed = [0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1];
    const fit = fitLogistic(
      hours.map((h) => ({ idx: [0], val: [h] })),
      passed,
      1,
      { l2: 0 },
    );
    expect(fit.intercept).toBeCloseTo(-4.0777, 3);
    expect(fit.weights[0]).toBeCloseTo(1.5046, 3);
  });

  it('with a ridge, stops where the penalized gradient is zero and shrinks the weight towards 0', () => {
    const rows: SparseRow[] = [...Array.from({ length: 10 }, () => ({ idx: [] })), ...Array.from({ length: 10 }, () => ({ idx: [0] }))];
    const y = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0];
    const l2 = 4;
    const fit = fitLogistic(rows, y, 1, { l2 });
    let gIntercept = 0;
    let gWeight = l2 * fit.weights[0];
    rows.forEach((r, i) => {
      const r0 = sigmoid(linearPredictor(r, fit.intercept, fit.weights)) - y[i];
      gIntercept += r0;
      if (r.idx.length) gWeight += r0;
    });
    expect(Math.abs(gIntercept)).toBeLessThan(1e-9);
    expect(Math.abs(gWeight)).toBeLessThan(1e-9);
    expect(fit.weights[0]).toBeGreaterThan(0);
    expect(fit.weights[0]).toBeLessThan(Math.log(6));
  });

  it('pulls fused weights together: a strong pull makes two bins of the same number equal', () => {
    const rows: SparseRow[] = [...Array.from({ length: 40 }, () => ({ idx: [0] })), ...Array.from({ length: 40 }, () => ({ idx: [1] }))];
    const y = [...Array.from({ length: 40 }, (_, i) => (i < 8 ? 1 : 0)), ...Array.from({ length: 40 }, (_, i) => (i < 24 ? 1 : 0))];
    const loose = fitLogistic(rows, y, 2, { l2: 0.01 });
    const tight = fitLogistic(rows, y, 2, { l2: 0.01, fused: [[0, 1, 1e6]] });
    expect(loose.weights[1] - loose.weights[0]).toBeCloseTo(Math.log(6), 1);
    expect(Math.abs(tight.weights[1] - tight.weights[0])).toBeLessThan(1e-3);
  });

  it('refuses rows that point outside the columns', () => {
    expect(() => fitLogistic([{ idx: [3] }], [1], 2, { l2: 1 })).toThrow(/outside/);
    expect(() => fitLogistic([{ idx: [0] }], [1, 0], 1, { l2: 1 })).toThrow(/labels/);
  });
});

describe('solveSymmetric and sigmoid', () => {
  it('solves a 2 × 2 system', () => {
    // [4 2; 2 3] x = [2; 1] → x = [0.5, 0]
    const x = solveSymmetric([4, 2, 2, 3], [2, 1], 2);
    expect(x[0]).toBeCloseTo(0.5, 12);
    expect(x[1]).toBeCloseTo(0, 12);
  });

  it('is symmetric and does not overflow', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(2) + sigmoid(-2)).toBeCloseTo(1, 15);
    expect(sigmoid(1000)).toBe(1);
    expect(sigmoid(-1000)).toBe(0);
  });
});
