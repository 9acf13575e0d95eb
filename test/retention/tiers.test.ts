import { DEMO_CUSTOMERS } from '../../data/seeds/demo';
import {
  DEFAULT_TIER_THRESHOLDS,
  isHighValueTier,
  tierEntitlements,
  tierFor,
  validateTierThresholds,
  type TierThresholdsByIndustry,
} from '../../retention/tiers';
import type { Industry, Tier } from '../../retention/types';

const YUAN = 100;

describe('tierFor', () => {
  describe('at the exact boundaries of the default thresholds', () => {
    it.each<[Industry, number, Tier]>([
      ['bank', 1_000_000 * YUAN, 'vip'],
      ['bank', 1_000_000 * YUAN - 1, 'gold'],
      ['bank', 200_000 * YUAN, 'gold'],
      ['bank', 200_000 * YUAN - 1, 'silver'],
      ['bank', 50_000 * YUAN, 'silver'],
      ['bank', 50_000 * YUAN - 1, 'regular'],
      ['telecom', 300 * YUAN, 'vip'],
      ['telecom', 300 * YUAN - 1, 'gold'],
      ['telecom', 120 * YUAN, 'gold'],
      ['telecom', 120 * YUAN - 1, 'silver'],
      ['telecom', 50 * YUAN, 'silver'],
      ['telecom', 50 * YUAN - 1, 'regular'],
      ['insurance', 100_000 * YUAN, 'vip'],
      ['insurance', 100_000 * YUAN - 1, 'gold'],
      ['insurance', 30_000 * YUAN, 'gold'],
      ['insurance', 30_000 * YUAN - 1, 'silver'],
      ['insurance', 10_000 * YUAN, 'silver'],
      ['insurance', 10_000 * YUAN - 1, 'regular'],
    ])('a %s customer with value %i fen is %s', (industry, value, tier) => {
      expect(tierFor(industry, value)).toBe(tier);
    });
  });

  it.each<[string, number]>([
    ['nothing', 0],
    ['an overdrawn balance', -5_000],
  ])('a customer with %s is regular', (_name, value) => {
    expect(tierFor('bank', value)).toBe('regular');
  });

  it('uses thresholds passed in instead of the defaults', () => {
    const custom: TierThresholdsByIndustry = { ...DEFAULT_TIER_THRESHOLDS, telecom: { vip: 50_000, gold: 20_000, silver: 10_000 } };
    expect(tierFor('telecom', 30_000, custom)).toBe('gold');
    expect(tierFor('telecom', 30_000)).toBe('vip');
  });

  it('rejects a value that is not a number', () => {
    expect(() => tierFor('bank', Number.NaN)).toThrow(/finite/);
  });

  it('agrees with the tier of every demo customer', () => {
    for (const c of DEMO_CUSTOMERS) expect([c.customerNo, tierFor(c.industry, c.valueMinor)]).toEqual([c.customerNo, c.tier]);
  });
});

describe('validateTierThresholds', () => {
  it('accepts the defaults and returns them', () => {
    expect(validateTierThresholds(DEFAULT_TIER_THRESHOLDS)).toBe(DEFAULT_TIER_THRESHOLDS);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['gold equal to vip', { vip: 100, gold: 100, silver: 50 }, /bank: gold \(100\) must be lower than vip \(100\)/],
    ['gold above vip', { vip: 100, gold: 200, silver: 50 }, /gold \(200\) must be lower than vip \(100\)/],
    ['silver above gold', { vip: 300, gold: 200, silver: 250 }, /silver \(250\) must be lower than gold \(200\)/],
    ['a zero threshold', { vip: 300, gold: 200, silver: 0 }, /silver must be a positive whole number/],
    ['a negative threshold', { vip: -1, gold: 200, silver: 100 }, /vip must be a positive whole number/],
    ['a fractional threshold', { vip: 300.5, gold: 200, silver: 100 }, /vip must be a positive whole number/],
    ['a missing threshold', { vip: 300, gold: 200 }, /silver must be a positive whole number of minor units \(got undefined\)/],
  ])('rejects %s with a clear message', (_name, bank, message) => {
    const thresholds = { ...DEFAULT_TIER_THRESHOLDS, bank } as unknown as TierThresholdsByIndustry;
    expect(() => validateTierThresholds(thresholds)).toThrow(message);
  });

  it('rejects thresholds that leave an industry out', () => {
    const { insurance: _left, ...partial } = DEFAULT_TIER_THRESHOLDS;
    expect(() => validateTierThresholds(partial as unknown as TierThresholdsByIndustry)).toThrow(/missing thresholds for industry "insurance"/);
  });

  it('is also applied by tierFor, so a bad configuration cannot assign tiers silently', () => {
    const bad = { ...DEFAULT_TIER_THRESHOLDS, bank: { vip: 100, gold: 200, silver: 50 } };
    expect(() => tierFor('bank', 150, bad)).toThrow(/must be lower than vip/);
  });
});

describe('tierEntitlements', () => {
  it.each<[Tier, boolean, boolean, boolean]>([
    ['vip', true, true, true],
    ['gold', false, true, true],
    ['silver', false, false, false],
    ['regular', false, false, false],
  ])('%s: dedicated manager %s, priority channel %s, tailored products %s', (tier, dedicatedManager, priorityChannel, tailoredProducts) => {
    expect(tierEntitlements(tier)).toEqual({ dedicatedManager, priorityChannel, tailoredProducts });
  });

  it.each<[Tier, boolean]>([
    ['vip', true],
    ['gold', true],
    ['silver', false],
    ['regular', false],
  ])('%s is high value: %s', (tier, expected) => {
    expect(isHighValueTier(tier)).toBe(expected);
  });
});
