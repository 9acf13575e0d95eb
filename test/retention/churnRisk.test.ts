import {
  CHURN_SIGNAL_CODES,
  DEFAULT_CHURN_THRESHOLDS,
  DEFAULT_CHURN_WEIGHTS,
  DEFAULT_RISK_BANDS,
  needsHumanCall,
  riskBandFor,
  scoreChurnRisk,
  validateChurnWeights,
  validateRiskBands,
  type ChurnRiskInput,
  type ChurnSignalCode,
  type ChurnWeights,
} from '../../retention/churnRisk';
import { DAY_MS } from '../../retention/lifecycle';
import type { RiskBand, Tier } from '../../retention/types';

const NOW = Date.UTC(2026, 10, 22, 4, 0, 0); // 2026-11-22 12:00 in Shanghai
const ago = (days: number, ms = 0) => NOW - days * DAY_MS - ms;
const YUAN = 100;

/** The signals an input raises, by code. */
const codesOf = (input: Omit<ChurnRiskInput, 'now'>) => scoreChurnRisk({ now: NOW, ...input }).signals.map((s) => s.code);

describe('scoreChurnRisk: each signal alone, and just short of it', () => {
  it.each<[string, Omit<ChurnRiskInput, 'now'>, ChurnSignalCode | null]>([
    // money leaving (资金流出): > 30% in 30 days
    ['assets down 30.001% in 30 days', { assets: { previousMinor: 100_000, currentMinor: 69_999 } }, 'funds_outflow'],
    ['assets down exactly 30%', { assets: { previousMinor: 100_000, currentMinor: 70_000 } }, null],
    ['assets up', { assets: { previousMinor: 100_000, currentMinor: 150_000 } }, null],
    ['nothing 30 days ago to compare with', { assets: { previousMinor: 0, currentMinor: 0 } }, null],
    [
      'balance history: one account emptied, another steady',
      {
        balanceHistory: [
          [
            { at: ago(30), balanceMinor: 320_000 },
            { at: NOW, balanceMinor: 50_000 },
          ],
          [{ at: ago(400), balanceMinor: 100_000 }],
        ],
      },
      'funds_outflow',
    ],
    [
      'balance history: money moved into a newly opened account of ours',
      {
        balanceHistory: [
          [
            { at: ago(40), balanceMinor: 100_000 },
            { at: ago(1), balanceMinor: 0 },
          ],
          [{ at: ago(1), balanceMinor: 100_000 }],
        ],
      },
      null,
    ],
    [
      'balance history: the drop happened more than 30 days ago',
      {
        balanceHistory: [
          [
            { at: ago(60), balanceMinor: 100_000 },
            { at: ago(31), balanceMinor: 10_000 },
            { at: NOW, balanceMinor: 10_000 },
          ],
        ],
      },
      null,
    ],
    // large maturity (大额到期) within 30 days
    ['¥50,000 deposit maturing in 30 days', { maturities: [{ maturesOn: '2026-12-22', amountMinor: 50_000 * YUAN }] }, 'large_maturity'],
    ['¥50,000 deposit maturing today', { maturities: [{ maturesOn: '2026-11-22', amountMinor: 50_000 * YUAN }] }, 'large_maturity'],
    ['a renewal of unknown amount in 25 days', { maturities: [{ maturesOn: '2026-12-17' }] }, 'large_maturity'],
    ['¥50,000 deposit maturing in 31 days', { maturities: [{ maturesOn: '2026-12-23', amountMinor: 50_000 * YUAN }] }, null],
    ['a small deposit maturing in 10 days', { maturities: [{ maturesOn: '2026-12-02', amountMinor: 50_000 * YUAN - 1 }] }, null],
    ['a deposit that matured yesterday', { maturities: [{ maturesOn: '2026-11-21', amountMinor: 900_000 * YUAN }] }, null],
    ['a malformed maturity date', { maturities: [{ maturesOn: '2026-13-01', amountMinor: 900_000 * YUAN }] }, null],
    // usage falling (telecom)
    [
      'ARPU below ¥50 three months running',
      {
        usage: [
          { arpuMinor: 4_999, mou: 300 },
          { arpuMinor: 4_900, mou: 300 },
          { arpuMinor: 4_800, mou: 300 },
        ],
      },
      'low_usage',
    ],
    [
      'MOU below 100 three months running',
      {
        usage: [
          { arpuMinor: 8_000, mou: 99 },
          { arpuMinor: 8_000, mou: 90 },
          { arpuMinor: 8_000, mou: 80 },
        ],
      },
      'low_usage',
    ],
    ['ARPU exactly ¥50 three months running', { usage: [{ arpuMinor: 5_000 }, { arpuMinor: 5_000 }, { arpuMinor: 5_000 }] }, null],
    ['low usage for only two months', { usage: [{ arpuMinor: 4_000 }, { arpuMinor: 4_000 }] }, null],
    [
      'ARPU down 41% month on month',
      {
        usage: [
          { arpuMinor: 20_000, mou: 500 },
          { arpuMinor: 11_800, mou: 500 },
        ],
      },
      'usage_drop',
    ],
    [
      'MOU down 41% month on month',
      {
        usage: [
          { arpuMinor: 20_000, mou: 1_000 },
          { arpuMinor: 20_000, mou: 590 },
        ],
      },
      'usage_drop',
    ],
    [
      'ARPU down exactly 40%',
      {
        usage: [
          { arpuMinor: 20_000, mou: 500 },
          { arpuMinor: 12_000, mou: 500 },
        ],
      },
      null,
    ],
    // friction
    ['two complaints in 90 days', { complaints: [resolved(ago(10)), resolved(ago(89))] }, 'repeat_complaints'],
    ['two complaints, one of them 90 days ago', { complaints: [resolved(ago(10)), resolved(ago(90))] }, null],
    ['an open complaint past its deadline', { complaints: [{ createdAt: ago(8), resolutionDueAt: NOW - 1, resolvedAt: null }] }, 'overdue_complaint'],
    ['an open complaint due right now', { complaints: [{ createdAt: ago(7), resolutionDueAt: NOW, resolvedAt: null }] }, null],
    ['a complaint resolved late', { complaints: [{ createdAt: ago(200), resolutionDueAt: ago(193), resolvedAt: ago(150) }] }, null],
    ['a CSAT of 2 last week', { surveys: [{ kind: 'csat', score: 2, answeredAt: ago(7) }] }, 'low_satisfaction'],
    ['an NPS of 6 last week', { surveys: [{ kind: 'nps', score: 6, answeredAt: ago(7) }] }, 'low_satisfaction'],
    ['a CSAT of 3', { surveys: [{ kind: 'csat', score: 3, answeredAt: ago(7) }] }, null],
    ['an NPS of 7', { surveys: [{ kind: 'nps', score: 7, answeredAt: ago(7) }] }, null],
    ['a CSAT of 1 answered 90 days ago', { surveys: [{ kind: 'csat', score: 1, answeredAt: ago(90) }] }, null],
    // words: churn intent expires after 30 days
    ['churn intent heard today', { churnIntentAt: NOW }, 'churn_intent'],
    ['churn intent heard 30 days less 1 ms ago', { churnIntentAt: ago(30) + 1 }, 'churn_intent'],
    ['churn intent heard 30 days ago', { churnIntentAt: ago(30) }, null],
    ['no churn intent', { churnIntentAt: null }, null],
    // payment and relationship
    ['a late payment last month', { lastLatePaymentAt: ago(31) }, 'late_payment'],
    ['a late payment 90 days ago', { lastLatePaymentAt: ago(90) }, null],
    ['a new relationship manager last week', { relationshipManagerChangedAt: ago(7) }, 'rm_changed'],
    ['a new relationship manager 90 days ago', { relationshipManagerChangedAt: ago(90) }, null],
  ])('%s → %s', (_name, input, expected) => {
    expect(codesOf(input)).toEqual(expected ? [expected] : []);
  });

  it('raises nothing, scores 0 and is low when nothing is known', () => {
    expect(scoreChurnRisk({ now: NOW })).toEqual({ score: 0, band: 'low', signals: [] });
  });
});

describe('scoreChurnRisk: score and bands', () => {
  it('scores a signal at its weight and keeps the figures behind it', () => {
    expect(scoreChurnRisk({ now: NOW, assets: { previousMinor: 320_000, currentMinor: 50_000 } })).toEqual({
      score: DEFAULT_CHURN_WEIGHTS.funds_outflow,
      band: 'medium',
      signals: [{ code: 'funds_outflow', weight: 40, detail: { fromMinor: 320_000, toMinor: 50_000, dropPct: 84 } }],
    });
  });

  it('sums the signals, heaviest first, and two signs of different kinds reach high', () => {
    const risk = scoreChurnRisk({ now: NOW, churnIntentAt: ago(1), assets: { previousMinor: 100, currentMinor: 10 } });
    expect(risk.signals.map((s) => s.code)).toEqual(['churn_intent', 'funds_outflow']);
    expect(risk.score).toBe(85);
    expect(risk.band).toBe('high');
  });

  it('caps the score at 100 when every signal is present', () => {
    const risk = scoreChurnRisk({
      now: NOW,
      assets: { previousMinor: 100, currentMinor: 0 },
      maturities: [{ maturesOn: '2026-11-30' }],
      usage: [{ arpuMinor: 9_000 }, { arpuMinor: 4_000 }, { arpuMinor: 3_000 }, { arpuMinor: 1_000 }],
      complaints: [resolved(ago(5)), { createdAt: ago(20), resolutionDueAt: ago(13), resolvedAt: null }],
      surveys: [{ kind: 'csat', score: 1, answeredAt: ago(2) }],
      churnIntentAt: ago(1),
      lastLatePaymentAt: ago(3),
      relationshipManagerChangedAt: ago(4),
    });
    expect(risk.signals.map((s) => s.code).sort()).toEqual([...CHURN_SIGNAL_CODES].sort());
    expect(risk.score).toBe(100);
    expect(risk.band).toBe('high');
  });

  it.each<[number, RiskBand]>([
    [0, 'low'],
    [39, 'low'],
    [40, 'medium'],
    [69, 'medium'],
    [70, 'high'],
    [100, 'high'],
  ])('a score of %i is %s', (score, band) => {
    expect(riskBandFor(score)).toBe(band);
    // The same boundary through the scorer, with one signal weighing exactly the score.
    const weights: ChurnWeights = { ...zeroWeights(), churn_intent: score };
    expect(scoreChurnRisk({ now: NOW, churnIntentAt: NOW }, weights)).toMatchObject({ score, band });
  });

  it('uses bands passed in', () => {
    expect(scoreChurnRisk({ now: NOW, churnIntentAt: NOW }, DEFAULT_CHURN_WEIGHTS, { medium: 20, high: 45 }).band).toBe('high');
  });

  it('leaves out a signal whose weight is 0', () => {
    expect(scoreChurnRisk({ now: NOW, churnIntentAt: NOW }, { ...DEFAULT_CHURN_WEIGHTS, churn_intent: 0 }).signals).toEqual([]);
  });

  it('uses thresholds passed in', () => {
    const input = { now: NOW, assets: { previousMinor: 100_000, currentMinor: 80_000 } };
    expect(scoreChurnRisk(input).signals).toEqual([]);
    const lower = { ...DEFAULT_CHURN_THRESHOLDS, outflowPct: 10 };
    expect(scoreChurnRisk(input, DEFAULT_CHURN_WEIGHTS, DEFAULT_RISK_BANDS, lower).signals.map((s) => s.code)).toEqual(['funds_outflow']);
  });
});

describe('validation of weights and bands', () => {
  it('accepts the defaults', () => {
    expect(validateRiskBands(DEFAULT_RISK_BANDS)).toBe(DEFAULT_RISK_BANDS);
    expect(validateChurnWeights(DEFAULT_CHURN_WEIGHTS)).toBe(DEFAULT_CHURN_WEIGHTS);
  });

  it.each<[string, { medium: number; high: number }, RegExp]>([
    ['medium equal to high', { medium: 70, high: 70 }, /medium \(70\) must be lower than high \(70\)/],
    ['medium above high', { medium: 80, high: 70 }, /medium \(80\) must be lower than high/],
    ['a zero band', { medium: 0, high: 70 }, /medium must be a whole number from 1 to 100/],
    ['a band above 100', { medium: 40, high: 101 }, /high must be a whole number from 1 to 100/],
    ['a fractional band', { medium: 40.5, high: 70 }, /medium must be a whole number/],
  ])('rejects bands with %s', (_name, bands, message) => {
    expect(() => validateRiskBands(bands)).toThrow(message);
    expect(() => scoreChurnRisk({ now: NOW }, DEFAULT_CHURN_WEIGHTS, bands)).toThrow(message);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a negative weight', { ...DEFAULT_CHURN_WEIGHTS, late_payment: -5 }, /late_payment must be a whole number from 0 to 100/],
    ['a missing weight', { ...DEFAULT_CHURN_WEIGHTS, rm_changed: undefined }, /rm_changed must be a whole number/],
    ['an unknown signal', { ...DEFAULT_CHURN_WEIGHTS, horoscope: 10 }, /unknown signal horoscope/],
  ])('rejects weights with %s', (_name, weights, message) => {
    expect(() => validateChurnWeights(weights as unknown as ChurnWeights)).toThrow(message);
  });
});

describe('needsHumanCall', () => {
  it.each<[RiskBand, Tier, boolean]>([
    ['high', 'vip', true],
    ['high', 'gold', true],
    ['high', 'silver', false],
    ['high', 'regular', false],
    ['medium', 'vip', false],
    ['low', 'gold', false],
  ])('%s risk, %s customer → %s', (band, tier, expected) => {
    expect(needsHumanCall({ band, tier })).toBe(expected);
  });
});

function resolved(createdAt: number) {
  return { createdAt, resolutionDueAt: createdAt + 7 * DAY_MS, resolvedAt: createdAt + DAY_MS };
}

function zeroWeights(): Record<ChurnSignalCode, number> {
  return Object.fromEntries(CHURN_SIGNAL_CODES.map((c) => [c, 0])) as Record<ChurnSignalCode, number>;
}
