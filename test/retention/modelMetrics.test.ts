import { auc, bandFigures, driftLevel, psi, thresholdForRecall } from '../../retention/modelMetrics';

describe('auc', () => {
  it('is the share of churner–stayer pairs ranked the right way round', () => {
    // Pairs (churner, stayer): (0.35, 0.1) ✓, (0.35, 0.4) ✗, (0.8, 0.1) ✓, (0.8, 0.4) ✓ → 3 of 4.
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
  });

  it('is 1 for a perfect ranking, 0 for a reversed one, ½ when everyone ties', () => {
    expect(auc([1, 2, 3, 4], [0, 0, 1, 1])).toBe(1);
    expect(auc([4, 3, 2, 1], [0, 0, 1, 1])).toBe(0);
    expect(auc([5, 5, 5, 5], [0, 1, 0, 1])).toBe(0.5);
  });

  it('counts a tie between a churner and a stayer as half', () => {
    // Pairs: (2 vs 1) ✓, (2 vs 2) ½ → 0.75
    expect(auc([1, 2, 2], [0, 0, 1])).toBeCloseTo(0.75, 12);
  });

  it('is undefined without both classes', () => {
    expect(auc([1, 2], [1, 1])).toBeUndefined();
    expect(auc([], [])).toBeUndefined();
  });
});

describe('bands by target recall', () => {
  // Ten customers, four churners (at 90, 80, 60 and 40).
  const scores = [90, 80, 70, 60, 50, 40, 30, 20, 10, 0];
  const labels = [1, 1, 0, 1, 0, 1, 0, 0, 0, 0];

  it('finds the smallest band that catches the target share of churners, with what it costs', () => {
    // 70% of 4 churners is 2.8, so three are needed: the band starts at 60 and flags four customers.
    expect(thresholdForRecall(scores, labels, 0.7)).toEqual({ threshold: 60, recall: 0.75, precision: 0.75, flagged: 0.4, customers: 4, churners: 3 });
    expect(thresholdForRecall(scores, labels, 0.5)).toMatchObject({ threshold: 80, recall: 0.5, precision: 1, flagged: 0.2 });
    expect(thresholdForRecall(scores, labels, 1)).toMatchObject({ threshold: 40, recall: 1, flagged: 0.6 });
  });

  it('reads any band', () => {
    expect(bandFigures(scores, labels, 100)).toEqual({ threshold: 100, recall: 0, precision: 0, flagged: 0, customers: 0, churners: 0 });
    expect(bandFigures(scores, labels, 0)).toMatchObject({ recall: 1, precision: 0.4, flagged: 1 });
  });

  it('has no band without churners and refuses a target outside (0, 1]', () => {
    expect(thresholdForRecall([1, 2], [0, 0], 0.7)).toBeUndefined();
    expect(() => thresholdForRecall(scores, labels, 0)).toThrow(RangeError);
    expect(() => thresholdForRecall(scores, labels, 1.2)).toThrow(RangeError);
  });
});

describe('psi', () => {
  it('is Σ (a − e) ln(a / e): 50/50 moving to 60/40 gives 0.0405', () => {
    const expected = 0.1 * Math.log(0.6 / 0.5) + -0.1 * Math.log(0.4 / 0.5);
    expect(psi([0.5, 0.5], [0.6, 0.4])).toBeCloseTo(expected, 12);
    expect(expected).toBeCloseTo(0.04055, 5);
    // Counts are normalised first.
    expect(psi([50, 50], [600, 400])).toBeCloseTo(expected, 12);
  });

  it('is 0 for the same distribution, and finite when a bin empties', () => {
    expect(psi([0.2, 0.3, 0.5], [2, 3, 5])).toBeCloseTo(0, 12);
    const emptied = psi([0.5, 0.5], [1, 0]);
    expect(Number.isFinite(emptied)).toBe(true);
    expect(driftLevel(emptied)).toBe('shifted');
  });

  it('names the usual levels', () => {
    expect(driftLevel(0.05)).toBe('stable');
    expect(driftLevel(0.1)).toBe('moved');
    expect(driftLevel(0.25)).toBe('shifted');
  });
});
