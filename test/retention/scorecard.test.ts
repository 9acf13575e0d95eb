import { sigmoid } from '../../retention/logistic';
import {
  binFeature,
  binIndex,
  featureRange,
  fitBinnedScorecard,
  fitScorecard,
  formatNumber,
  MISSING_KEY,
  OTHER_KEY,
  pairFeature,
  parseNumber,
  scorecardLogOdds,
  scoreRow,
  topContributions,
} from '../../retention/scorecard';

describe('binning', () => {
  it('cuts a number into about equal-count ranges, with a bin for missing', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    const f = binFeature({ name: 'tenure', kind: 'number', source: 'column' }, values, { maxBins: 4, minBinShare: 0.01 });
    expect(f.edges).toEqual([26, 51, 76]);
    expect(f.bins.map((b) => b.key)).toEqual(['<26', '[26,51)', '[51,76)', '≥76', MISSING_KEY]);
    expect([binIndex(f, 1), binIndex(f, 25), binIndex(f, 26), binIndex(f, 75.9), binIndex(f, 76), binIndex(f, 1e9), binIndex(f, null)]).toEqual([
      0, 0, 1, 2, 3, 3, 4,
    ]);
  });

  it('gives a number with few values a bin per value, and merges a value too rare to stand alone', () => {
    const products = [...Array(50).fill(1), ...Array(45).fill(2), ...Array(4).fill(3), 4];
    const f = binFeature({ name: 'products', kind: 'number', source: 'column' }, products, { minBinShare: 0.1 });
    // 3 and 4 hold 5 rows of 100, under the 10 needed: they join 2.
    expect(f.bins.map((b) => b.key)).toEqual(['1', '≥2', MISSING_KEY]);
    expect(binFeature({ name: 'active', kind: 'number', source: 'column' }, [...Array(30).fill(0), ...Array(30).fill(1)]).bins.map((b) => b.key)).toEqual([
      '0',
      '1',
      MISSING_KEY,
    ]);
  });

  it('keeps common categories, puts rare and unseen ones in (other), empty in (missing)', () => {
    const values = [...Array(60).fill('Month-to-month'), ...Array(35).fill('Two year'), ...Array(5).fill('Weekly')];
    const f = binFeature({ name: 'Contract', kind: 'category', source: 'column' }, values, { minBinShare: 0.1 });
    expect(f.bins.map((b) => b.key)).toEqual(['Month-to-month', 'Two year', OTHER_KEY, MISSING_KEY]);
    expect([binIndex(f, 'Two year'), binIndex(f, 'Weekly'), binIndex(f, 'Never seen'), binIndex(f, ''), binIndex(f, null)]).toEqual([1, 2, 2, 3, 3]);
  });

  it('reads numbers written as text, and writes keys without exponents', () => {
    expect([parseNumber('12'), parseNumber(' -3.5 '), parseNumber('1e3'), parseNumber('.5')]).toEqual([12, -3.5, 1000, 0.5]);
    expect([parseNumber('12a'), parseNumber(''), parseNumber('1,000')]).toEqual([undefined, undefined, undefined]);
    expect([formatNumber(97200), formatNumber(0.1 + 0.2), formatNumber(-40)]).toEqual(['97200', '0.3', '-40']);
  });
});

describe('a fitted scorecard', () => {
  // 200 customers: month-to-month contracts churn 60%, two-year ones 20%.
  const rows = [...Array.from({ length: 100 }, () => ({ Contract: 'Month-to-month' })), ...Array.from({ length: 100 }, () => ({ Contract: 'Two year' }))];
  const labels = [...Array.from({ length: 100 }, (_, i) => (i < 60 ? 1 : 0)), ...Array.from({ length: 100 }, (_, i) => (i < 20 ? 1 : 0))];
  const card = fitScorecard(rows, labels, [{ name: 'Contract', kind: 'category', source: 'column' }], { l2: 1e-6, smooth: 0 });

  it('learns each bin’s churn odds (a one-feature scorecard is the bins’ churn rates)', () => {
    expect(sigmoid(scorecardLogOdds(card, { Contract: 'Month-to-month' }))).toBeCloseTo(0.6, 4);
    expect(sigmoid(scorecardLogOdds(card, { Contract: 'Two year' }))).toBeCloseTo(0.2, 4);
    expect(card.features[0].bins.map((b) => [b.key, b.rows, b.churnRate])).toEqual([
      ['Month-to-month', 100, 0.6],
      ['Two year', 100, 0.2],
      [OTHER_KEY, 0, null],
      [MISSING_KEY, 0, null],
    ]);
  });

  it('scores from 0 (safest bin) to 100 (riskiest), and an unseen value as a typical customer', () => {
    expect(scoreRow(card, { Contract: 'Two year' }).score).toBe(0);
    expect(scoreRow(card, { Contract: 'Month-to-month' }).score).toBe(100);
    const unseen = scoreRow(card, { Contract: 'Weekly' });
    expect(unseen.score).toBe(50);
    expect(unseen.contributions[0].points).toBeCloseTo(0, 9);
  });

  it('explains a score by points against a typical customer that add up to it', () => {
    const scored = scoreRow(card, { Contract: 'Month-to-month' });
    expect(scored.contributions).toEqual([{ feature: 'Contract', source: 'column', key: 'Month-to-month', points: expect.closeTo(50, 6) }]);
    expect(topContributions(scoreRow(card, { Contract: 'Two year' }))).toEqual([]);
    expect(featureRange(card, card.features[0])).toBeCloseTo(100, 6);
  });

  it('adds points exactly on several features', () => {
    const many = Array.from({ length: 400 }, (_, i) => ({ a: i % 4, b: i % 3 === 0 ? 'x' : 'y', c: i % 7 }));
    const y = many.map((r, i) => (r.a * 0.4 + (r.b === 'x' ? 1 : 0) + ((i * 7919) % 13) / 13 > 1.4 ? 1 : 0));
    const fitted = fitScorecard(
      many,
      y,
      [
        { name: 'a', kind: 'number', source: 'column' },
        { name: 'b', kind: 'category', source: 'column' },
        { name: 'c', kind: 'number', source: 'service' },
      ],
      { l2: 1, smooth: 1 },
    );
    const typical = fitted.intercept + fitted.features.reduce((s, f) => s + f.average, 0);
    for (const row of many.slice(0, 20)) {
      const scored = scoreRow(fitted, row);
      const unrounded = (100 * (scored.logOdds - fitted.scale.min)) / (fitted.scale.max - fitted.scale.min);
      const fromTypical = (100 * (typical - fitted.scale.min)) / (fitted.scale.max - fitted.scale.min);
      expect(fromTypical + scored.contributions.reduce((s, c) => s + c.points, 0)).toBeCloseTo(unrounded, 9);
      expect(Math.abs(scored.score - unrounded)).toBeLessThanOrEqual(0.5);
    }
  });

  it('learns what two features do together in a pair cell', () => {
    // Churn only when both are risky: neither feature alone says it all.
    const both: Array<{ x: number; z: number }> = [];
    const y: number[] = [];
    for (const [x, z] of [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]) {
      for (let i = 0; i < 200; i++) {
        both.push({ x, z });
        y.push(i < (x === 1 && z === 1 ? 160 : 20) ? 1 : 0);
      }
    }
    const specs = [
      { name: 'x', kind: 'number' as const, source: 'column' as const },
      { name: 'z', kind: 'number' as const, source: 'column' as const },
    ];
    const mains = fitScorecard(both, y, specs, { l2: 0.1, smooth: 0 });
    const pair = pairFeature(mains.features[0], mains.features[1], both);
    expect(pair.name).toBe('x×z');
    const withPair = fitScorecard(both, y, specs, { l2: 0.1, smooth: 0 });
    const joint = fitBinnedScorecard([...withPair.features, pair], both, y, { l2: 0.1, smooth: 0 });
    expect(sigmoid(scoreRow(joint, { x: 1, z: 1 }).logOdds)).toBeCloseTo(0.8, 1);
    expect(sigmoid(scoreRow(joint, { x: 1, z: 0 }).logOdds)).toBeCloseTo(0.1, 1);
    const top = topContributions(scoreRow(joint, { x: 1, z: 1 }));
    expect(top.map((c) => c.feature)).toContain('x×z');
    expect(top.find((c) => c.feature === 'x×z')!.key).toBe('1&1');
  });
});
