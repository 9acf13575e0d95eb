import { generateSnapshots, snapshotDates, STRUCTURES, warehouseCustomers } from '../../data/seeds/churnSnapshots';
import {
  addDays,
  emptyCounts,
  featureDrift,
  labelSnapshots,
  modelSignalCode,
  normaliseColumnName,
  parseModelSignalCode,
  scoreWithModel,
  selectFeatures,
  type Snapshot,
  stratifiedHoldout,
  tally,
  trainChurnModel,
  TrainingError,
  validateChurnModel,
  validationSplit,
  withOverrides,
} from '../../retention/churnModel';
import { sigmoid } from '../../retention/logistic';
import { auc } from '../../retention/modelMetrics';
import { type FeatureSource, scoreRow } from '../../retention/scorecard';

const snap = (over: Partial<Snapshot>): Snapshot => ({
  customerNo: 'C1',
  snapshotDate: '2026-01-31',
  churned: null,
  closedOn: null,
  tracksClosing: true,
  features: {},
  ...over,
});

describe('labels from snapshots', () => {
  it('takes churned as given, and else "closed within 90 days after the snapshot"', () => {
    const { labelled, skipped } = labelSnapshots(
      [
        snap({ customerNo: 'given', churned: 1, tracksClosing: false }),
        snap({ customerNo: 'within', closedOn: '2026-05-01' }), // day 90 after 2026-01-31
        snap({ customerNo: 'later', closedOn: '2026-05-02' }), // day 91: stayed through the horizon
        snap({ customerNo: 'stayed' }),
        snap({ customerNo: 'recent', snapshotDate: '2026-10-31' }),
        snap({ customerNo: 'gone', closedOn: '2026-01-15' }),
        snap({ customerNo: 'unknown', tracksClosing: false }),
      ],
      90,
      '2026-11-20',
    );
    expect(labelled.map((l) => [l.snapshot.customerNo, l.y])).toEqual([
      ['given', 1],
      ['within', 1],
      ['later', 0],
      ['stayed', 0],
    ]);
    expect(skipped).toEqual({ leftBefore: 1, tooRecent: 1, unknown: 1 });
  });

  it('reads a closing date from any of the customer’s snapshots', () => {
    const { labelled } = labelSnapshots(
      [
        snap({ customerNo: 'A', snapshotDate: '2026-01-31', tracksClosing: true }),
        snap({ customerNo: 'A', snapshotDate: '2026-04-30', closedOn: '2026-03-10' }),
      ],
      90,
      '2026-11-20',
    );
    // The later snapshot is after the closing and is left out; the earlier one learns that A left.
    expect(labelled.map((l) => [l.snapshot.snapshotDate, l.y])).toEqual([['2026-01-31', 1]]);
    expect(addDays('2026-01-31', 90)).toBe('2026-05-01');
  });
});

describe('validation split', () => {
  it('holds out the latest snapshot dates when there are several', () => {
    const rows = ['2026-01-31', '2026-04-30', '2026-07-31', '2026-10-31'].flatMap((date) =>
      Array.from({ length: 100 }, (_, i) => ({ date, y: i % 5 === 0 ? 1 : 0 })),
    );
    const split = validationSplit(rows, 0.2, 1);
    expect(split.method).toBe('time');
    expect(split.from).toBe('2026-10-31');
    expect(split.held.filter(Boolean).length).toBe(100);
    expect(rows.filter((_, i) => split.held[i]).every((r) => r.date === '2026-10-31')).toBe(true);
  });

  it('with one snapshot date, holds out the same share of churners and of stayers (seeded)', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ date: '2024-01-31', y: i < 200 ? 1 : 0 }));
    const split = validationSplit(rows, 0.2, 7);
    expect(split.method).toBe('stratified');
    expect(rows.filter((r, i) => split.held[i] && r.y === 1).length).toBe(40);
    expect(rows.filter((r, i) => split.held[i] && r.y === 0).length).toBe(160);
    expect(
      stratifiedHoldout(
        rows.map((r) => r.y),
        0.2,
        7,
      ),
    ).toEqual(split.held);
  });
});

describe('feature selection', () => {
  const rows = Array.from({ length: 200 }, (_, i) => ({
    Gender: i % 2 ? 'F' : 'M',
    性别: '女',
    plan: i % 3 ? 'a' : 'b',
    id: `X${i}`,
    account: 1000 + i,
    always: 'same',
    usage: i % 7,
  }));
  const sources = new Map<string, FeatureSource>(Object.keys(rows[0]).map((k) => [k, 'column']));

  it('excludes sensitive columns by name without case or punctuation, identifiers and constants', () => {
    const { specs, excluded } = selectFeatures(rows, sources, ['gender', '性别']);
    expect(specs).toEqual([
      { name: 'plan', kind: 'category', source: 'column' },
      { name: 'usage', kind: 'number', source: 'column' },
    ]);
    expect(excluded).toEqual([
      { name: 'Gender', reason: 'sensitive' },
      { name: '性别', reason: 'sensitive' },
      { name: 'id', reason: 'identifier' },
      { name: 'account', reason: 'identifier' },
      { name: 'always', reason: 'constant' },
    ]);
    expect(normaliseColumnName('Age_Band ')).toBe('ageband');
  });
});

describe('a model trained on snapshots with a known structure', () => {
  const now = Date.parse('2026-11-22T04:00:00Z');
  const dates = snapshotDates(now, 5);
  const records = generateSnapshots({ industry: 'telecom', customers: warehouseCustomers('W', 2000, now, 11), dates, seed: 5 });
  const snapshots: Snapshot[] = records.map((r) => ({ ...r, churned: null, tracksClosing: true }));
  const sources = new Map<string, FeatureSource>(Object.keys(records[0].features).map((k) => [k, 'column']));
  const model = trainChurnModel(snapshots, sources, 'telecom', now, { excluded: ['gender'] });
  const feature = (name: string) => model.scorecard.features.find((f) => f.name === name)!;
  const weight = (name: string, key: string) => feature(name).bins.find((b) => b.key === key)!.weight;

  it('validates on the latest labelled snapshot date, well above chance', () => {
    expect(model.validation.method).toBe('time');
    expect(model.validation.from).toBe(dates[3]);
    expect(model.validation.auc).toBeGreaterThan(0.75);
    expect(model.training.excluded).toContainEqual({ name: 'gender', reason: 'sensitive' });
    expect(model.scorecard.features.map((f) => f.name)).not.toContain('gender');
  });

  it('recovers the structure: contract, tenure, falling usage and complaints raise churn', () => {
    expect(weight('contract', 'month-to-month')).toBeGreaterThan(weight('contract', 'one-year'));
    expect(weight('contract', 'one-year')).toBeGreaterThan(weight('contract', 'two-year'));
    const tenure = feature('tenure_months');
    expect(tenure.bins[0].weight).toBeGreaterThan(tenure.bins[tenure.bins.length - 2].weight);
    const usage = feature('usage_change_pct');
    expect(usage.bins[0].weight).toBeGreaterThan(usage.bins[usage.bins.length - 2].weight);
    const complaints = feature('complaints_90d');
    expect(complaints.bins[complaints.bins.length - 2].weight).toBeGreaterThan(complaints.bins[0].weight);
  });

  it('ranks the held-out customers nearly as well as the true structure does', () => {
    const held = snapshots.filter((s) => s.snapshotDate === dates[3]);
    const labels = held.map((s) => (s.closedOn !== null && s.closedOn <= addDays(s.snapshotDate, 90) ? 1 : 0));
    const truth = auc(
      held.map((s) => sigmoid(STRUCTURES.telecom.logOdds(s.features))),
      labels,
    )!;
    expect(model.validation.auc!).toBeGreaterThan(truth - 0.04);
  });

  it('sets the high band to catch 70% of churners on validation, and says what share it flags', () => {
    const { high, medium } = model.validation;
    expect(high.recall).toBeGreaterThanOrEqual(0.7);
    expect(high.flagged).toBeLessThan(0.5);
    expect(medium.recall).toBeGreaterThanOrEqual(0.9);
    expect(model.bands.high).toBe(high.threshold);
    expect(model.bands.medium).toBe(medium.threshold);
    expect(model.bands.medium).toBeLessThan(model.bands.high);
  });

  it('scores a customer with their top signals in the shape agents see, strongest first', () => {
    const risky = { contract: 'month-to-month', tenure_months: 3, usage_change_pct: -50, complaints_90d: 3, monthly_fee: 150, payment: 'app', region: 'north' };
    const risk = scoreWithModel(model, risky);
    expect(risk.band).toBe('high');
    expect(risk.signals.length).toBeGreaterThan(0);
    expect(risk.signals.length).toBeLessThanOrEqual(5);
    expect(risk.signals.map((s) => s.code)).toContain('model:contract=month-to-month');
    for (const s of risk.signals) {
      expect(s.weight).toBeGreaterThanOrEqual(1);
      expect(s.detail.points).toBe(s.weight);
      expect(parseModelSignalCode(s.code)).toEqual({ feature: s.detail.feature, value: s.detail.value });
    }
    expect([...risk.signals].sort((a, b) => b.weight - a.weight)).toEqual(risk.signals);
    const safe = scoreWithModel(model, {
      contract: 'two-year',
      tenure_months: 70,
      usage_change_pct: 5,
      complaints_90d: 0,
      monthly_fee: 40,
      payment: 'auto-debit',
      region: 'south',
    });
    expect(safe.band).toBe('low');
    expect(safe.score).toBeLessThan(risk.score);
    expect(scoreRow(model.scorecard, risky).score).toBe(risk.score);
  });

  it('survives a round trip through JSON and checks what it reads', () => {
    const copy = validateChurnModel(JSON.parse(JSON.stringify(model)));
    expect(scoreWithModel(copy, { contract: 'month-to-month', tenure_months: 5 })).toEqual(
      scoreWithModel(model, { contract: 'month-to-month', tenure_months: 5 }),
    );
    expect(() => validateChurnModel({ format: 'other' })).toThrow(/not a churn model/);
    expect(() => validateChurnModel({ ...JSON.parse(JSON.stringify(model)), bands: { medium: 50, high: 40 } })).toThrow(/bands/);
  });
});

describe('training refuses what it cannot learn from', () => {
  const sources = new Map<string, FeatureSource>([['x', 'column']]);
  it('says why', () => {
    expect(() => trainChurnModel([], sources, 'bank', 0)).toThrow(TrainingError);
    const stayers = Array.from({ length: 100 }, (_, i) => snap({ customerNo: `S${i}`, churned: 0, features: { x: i } }));
    expect(() => trainChurnModel(stayers, sources, 'bank', 0)).toThrow(/both customers who left and customers who stayed/);
    const few = Array.from({ length: 20 }, (_, i) => snap({ customerNo: `F${i}`, churned: i % 2 ? 1 : 0, features: { x: i } }));
    expect(() => trainChurnModel(few, sources, 'bank', 0)).toThrow(/too few/);
  });

  it('names a model signal by its feature and bin', () => {
    expect(modelSignalCode('Contract', 'Month-to-month')).toBe('model:Contract=Month-to-month');
    expect(parseModelSignalCode('model:tenure=<6')).toEqual({ feature: 'tenure', value: '<6' });
    expect(parseModelSignalCode('churn_intent')).toBeUndefined();
  });
});

describe('overrides and drift', () => {
  const model = {
    score: 20,
    band: 'low' as const,
    signals: [{ code: 'model:plan=a', weight: 4, detail: { feature: 'plan', value: 'a', source: 'column' as const, points: 4 } }],
  };

  it('makes money leaving or churn words "call now" whatever the model says', () => {
    const outflow = { code: 'funds_outflow' as const, weight: 40, detail: { dropPct: 60 } };
    expect(withOverrides(model, { signals: [outflow, { code: 'rm_changed', weight: 10 }] }, { high: 55 })).toEqual({
      score: 55,
      band: 'high',
      signals: [outflow, ...model.signals],
      overridden: true,
    });
    expect(withOverrides(model, { signals: [{ code: 'churn_intent', weight: 45 }] }, { high: 55 }).band).toBe('high');
    // Other rule signals are the model's business: it learned from complaints and surveys itself.
    expect(withOverrides(model, { signals: [{ code: 'overdue_complaint', weight: 25 }] }, { high: 55 })).toEqual({ ...model, overridden: false });
  });

  it('measures each feature’s drift from its training distribution per bin', () => {
    const trained = {
      scorecard: {
        intercept: 0,
        scale: { min: -1, max: 1 },
        features: [
          {
            name: 'plan',
            kind: 'category',
            source: 'column',
            levels: ['a'],
            average: 0,
            bins: [
              { key: 'a', weight: 0, rows: 50, churnRate: 0 },
              { key: '(other)', weight: 0, rows: 50, churnRate: 0 },
              { key: '(missing)', weight: 0, rows: 0, churnRate: null },
            ],
          },
          {
            name: 'fee',
            kind: 'number',
            source: 'column',
            edges: [10],
            average: 0,
            bins: [
              { key: '<10', weight: 0, rows: 50, churnRate: 0 },
              { key: '≥10', weight: 0, rows: 50, churnRate: 0 },
              { key: '(missing)', weight: 0, rows: 0, churnRate: null },
            ],
          },
        ],
      },
    } as unknown as Parameters<typeof featureDrift>[0];
    const counts = emptyCounts(trained);
    for (let i = 0; i < 10; i++) tally(trained, counts, { plan: i < 6 ? 'a' : 'b', fee: 5 });
    expect(counts).toEqual({ plan: [6, 4, 0], fee: [10, 0, 0] });
    const drift = featureDrift(trained, counts);
    expect(drift.map((d) => [d.feature, d.level])).toEqual([
      ['fee', 'shifted'],
      ['plan', 'stable'],
    ]);
    expect(drift[1].psi).toBeCloseTo(0.0405, 3);
  });
});
