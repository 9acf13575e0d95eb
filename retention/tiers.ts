/**
 * Customer tiers (客户分层) from the industry profile's value figure, and what each tier is entitled to.
 *
 * The value figure is in minor units (fen): bank average daily assets (日均资产), telecom ARPU per month, insurance
 * annual premium. A threshold is the lowest value of its tier (inclusive).
 */
import { INDUSTRIES, type Industry, type Tier } from './types';

/** The lowest value figure (minor units, inclusive) of each tier above `regular`, for one industry. */
export interface TierThresholds {
  vip: number;
  gold: number;
  silver: number;
}

/** Tier thresholds for every industry profile. */
export type TierThresholdsByIndustry = Readonly<Record<Industry, Readonly<TierThresholds>>>;

/**
 * Default thresholds. Bank and telecom are the documents' figures (telecom's high-end line is ARPU ≥ ¥120, gold);
 * the documents give none for insurance, so vip ≥ ¥100,000, gold ≥ ¥30,000, silver ≥ ¥10,000 of annual premium are
 * the project's defaults.
 */
export const DEFAULT_TIER_THRESHOLDS: TierThresholdsByIndustry = Object.freeze({
  bank: Object.freeze({ vip: 100_000_000, gold: 20_000_000, silver: 5_000_000 }),
  telecom: Object.freeze({ vip: 30_000, gold: 12_000, silver: 5_000 }),
  insurance: Object.freeze({ vip: 10_000_000, gold: 3_000_000, silver: 1_000_000 }),
});

/** The tier a value figure earns under an industry's thresholds; anything below silver (or negative) is regular. */
export function tierFor(industry: Industry, valueMinor: number, thresholds: TierThresholdsByIndustry = DEFAULT_TIER_THRESHOLDS): Tier {
  if (!Number.isFinite(valueMinor)) throw new RangeError(`tierFor: value must be a finite number of minor units (got ${valueMinor})`);
  const t = thresholds[industry];
  if (!t) throw new RangeError(`tierFor: no tier thresholds for industry "${industry}"`);
  checkIndustryThresholds(industry, t);
  if (valueMinor >= t.vip) return 'vip';
  if (valueMinor >= t.gold) return 'gold';
  if (valueMinor >= t.silver) return 'silver';
  return 'regular';
}

/** Throws a clear error unless every industry has positive whole-number thresholds with vip > gold > silver; returns them. */
export function validateTierThresholds(thresholds: TierThresholdsByIndustry): TierThresholdsByIndustry {
  if (!thresholds || typeof thresholds !== 'object') throw new TypeError('Tier thresholds must be an object keyed by industry');
  for (const industry of INDUSTRIES) {
    const t = thresholds[industry];
    if (!t || typeof t !== 'object') throw new TypeError(`Tier thresholds: missing thresholds for industry "${industry}"`);
    checkIndustryThresholds(industry, t);
  }
  return thresholds;
}

function checkIndustryThresholds(industry: string, t: Readonly<TierThresholds>): void {
  for (const tier of ['vip', 'gold', 'silver'] as const) {
    const v = t[tier];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
      throw new RangeError(`Tier thresholds for ${industry}: ${tier} must be a positive whole number of minor units (got ${String(v)})`);
    }
  }
  // Equal thresholds would make a tier unreachable: nobody could ever be gold if gold = vip.
  if (t.gold >= t.vip) throw new RangeError(`Tier thresholds for ${industry}: gold (${t.gold}) must be lower than vip (${t.vip})`);
  if (t.silver >= t.gold) throw new RangeError(`Tier thresholds for ${industry}: silver (${t.silver}) must be lower than gold (${t.gold})`);
}

/** The service a tier is entitled to beyond the care and events every tier gets. */
export interface TierEntitlements {
  /** A dedicated relationship manager (专属客户经理/管家). */
  dedicatedManager: boolean;
  /** The priority channel (专属服务通道): jumps the agent queue. */
  priorityChannel: boolean;
  /** Products tailored to the customer rather than the general catalog only. */
  tailoredProducts: boolean;
}

const ENTITLEMENTS: Readonly<Record<Tier, Readonly<TierEntitlements>>> = Object.freeze({
  vip: Object.freeze({ dedicatedManager: true, priorityChannel: true, tailoredProducts: true }),
  gold: Object.freeze({ dedicatedManager: false, priorityChannel: true, tailoredProducts: true }),
  silver: Object.freeze({ dedicatedManager: false, priorityChannel: false, tailoredProducts: false }),
  regular: Object.freeze({ dedicatedManager: false, priorityChannel: false, tailoredProducts: false }),
});

/** What a tier is entitled to: vip a dedicated manager; vip and gold the priority channel and tailored products. */
export function tierEntitlements(tier: Tier): Readonly<TierEntitlements> {
  return ENTITLEMENTS[tier];
}

/** The high-value tiers: the ones a human calls when they are at high churn risk. */
export const HIGH_VALUE_TIERS: readonly Tier[] = Object.freeze(['vip', 'gold'] as Tier[]);

/** True for vip and gold customers. */
export function isHighValueTier(tier: Tier): boolean {
  return HIGH_VALUE_TIERS.includes(tier);
}
