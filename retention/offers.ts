/**
 * Offers (优惠/产品推荐): which catalog offers a customer may see, in what order, and how often.
 *
 * Decisions the documents leave open, taken here:
 *   - Marketing consent is required for `upsell` offers always (even if the catalog rule forgets to say so), and for
 *     other kinds only when their rule says `requiresConsent`. A loyalty gift or an apology offered in a conversation
 *     is service, not marketing; proactive outreach is gated by the contact policy elsewhere.
 *   - A `recovery` offer (服务补救) is only for a customer we have failed: a complaint open, or resolved, or a low
 *     survey score, within the last 30 days. An apology to someone who never complained is a generic message.
 *   - Offers the customer declined in the last 90 days, or accepted in the last 365, are not shown again.
 *   - A catalog entry whose rule has problems, or whose existing-customer price is worse than the new-customer price,
 *     is never shown: the rules fail closed.
 *   - Every catalog entry ends up either in `offers` or in `excluded` with one reason (the first that applies, in the
 *     order of `EXCLUSION_REASONS`), so a reviewer can see why a customer did not get something.
 */
import { DAY_MS, DEFAULT_TIME_ZONE, daysUntil, upsellPolicyFor, withinLastDays } from './lifecycle';
import { INDUSTRIES, LIFECYCLE_STAGES, TIERS, type Industry, type LifecycleStage, type RiskBand, type Tier } from './types';

/** Kinds of offer: selling more, a reason to stay, or a service-recovery gesture. */
export const OFFER_KINDS = ['upsell', 'retention', 'recovery'] as const;
export type OfferKind = (typeof OFFER_KINDS)[number];

/** The keys an eligibility rule may have. */
export const OFFER_RULE_KEYS = ['tiers', 'stages', 'requiresProducts', 'excludesProducts', 'requiresConsent', 'minTenureDays'] as const;

/** A catalog offer's eligibility rule (the `eligibility` JSON); a key left out does not restrict. */
export interface OfferRule {
  /** Tiers that may see it. */
  tiers?: readonly Tier[];
  /** Lifecycle stages in which it may be shown. */
  stages?: readonly LifecycleStage[];
  /** Product codes the customer must hold, all of them. */
  requiresProducts?: readonly string[];
  /** Product codes the customer must not hold, any of them. */
  excludesProducts?: readonly string[];
  /** Marketing consent required (always so for upsell offers). */
  requiresConsent?: boolean;
  /** Whole days with us required. */
  minTenureDays?: number;
}

/** An offer in the catalog, as the rules see it. */
export interface CatalogOffer {
  code: string;
  industry: Industry;
  productCode: string | null;
  kind: OfferKind;
  /** Price to the existing customer, minor units; null when the offer has no price (a rate bonus, a gift). */
  priceMinor: number | null;
  /** The public new-customer price of the same product, minor units; null when there is none to compare. */
  newCustomerPriceMinor: number | null;
  /** Epoch ms from which it may be shown (inclusive). */
  validFrom: number;
  /** Epoch ms until which it may be shown (exclusive). */
  validTo: number;
  /** Units left; null is unlimited. */
  stock: number | null;
  eligibility: OfferRule;
  /** False when withdrawn from the catalog; absent means active. */
  active?: boolean;
}

/** Stable codes of catalog-entry problems. */
export const OFFER_PROBLEM_CODES = ['unknown_key', 'bad_type', 'bad_value', 'conflict', 'invalid_dates', 'negative_stock', 'loyalty_parity'] as const;
export type OfferProblemCode = (typeof OFFER_PROBLEM_CODES)[number];

/** A problem with a catalog entry: a stable code, the field it is in, and a message for the console. */
export interface OfferProblem {
  code: OfferProblemCode;
  field: string;
  message: string;
}

/** Problems of an eligibility rule (unknown keys, wrong types, unknown tiers or stages, contradictions); empty if fine. */
export function validateOfferRule(rule: unknown, field = 'eligibility'): OfferProblem[] {
  if (!isPlainObject(rule)) return [problem('bad_type', field, 'must be an object')];
  const problems: OfferProblem[] = [];
  for (const key of Object.keys(rule)) {
    if (!(OFFER_RULE_KEYS as readonly string[]).includes(key)) problems.push(problem('unknown_key', `${field}.${key}`, `unknown key "${key}"`));
  }
  const list = (key: string, allowed?: readonly string[]) => {
    const v = rule[key];
    if (v === undefined) return;
    const f = `${field}.${key}`;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x.length > 0)) {
      problems.push(problem('bad_type', f, 'must be a list of non-empty strings'));
      return;
    }
    // An empty list would match nobody; leaving the key out is how a rule says "anyone".
    if (v.length === 0 && allowed) problems.push(problem('bad_value', f, 'must not be empty (leave it out to allow all)'));
    for (const x of v) if (allowed && !allowed.includes(x)) problems.push(problem('bad_value', f, `unknown value "${x}"`));
  };
  list('tiers', TIERS);
  list('stages', LIFECYCLE_STAGES);
  list('requiresProducts');
  list('excludesProducts');
  if (rule.requiresConsent !== undefined && typeof rule.requiresConsent !== 'boolean') {
    problems.push(problem('bad_type', `${field}.requiresConsent`, 'must be true or false'));
  }
  const tenure = rule.minTenureDays;
  if (tenure !== undefined && (typeof tenure !== 'number' || !Number.isSafeInteger(tenure) || tenure < 0)) {
    problems.push(problem('bad_type', `${field}.minTenureDays`, 'must be a whole number of days, 0 or more'));
  }
  const required = Array.isArray(rule.requiresProducts) ? rule.requiresProducts : [];
  const excluded = Array.isArray(rule.excludesProducts) ? rule.excludesProducts : [];
  for (const p of required) {
    if (excluded.includes(p)) problems.push(problem('conflict', `${field}.excludesProducts`, `"${p}" is both required and excluded`));
  }
  return problems;
}

/**
 * Problems of a catalog entry as it comes from an admin form or JSON: its rule, types, dates (epoch ms, `validTo`
 * after `validFrom`), stock (null or 0 and up), prices, and loyalty parity. Empty when the entry is fit to publish.
 */
export function validateOfferCatalogEntry(entry: unknown): OfferProblem[] {
  if (!isPlainObject(entry)) return [problem('bad_type', '', 'a catalog entry must be an object')];
  const problems: OfferProblem[] = [];
  if (typeof entry.code !== 'string' || !/^[A-Z0-9_]{1,40}$/.test(entry.code)) {
    problems.push(problem('bad_value', 'code', 'must be 1–40 upper-case letters, digits or underscores'));
  }
  if (!(INDUSTRIES as readonly unknown[]).includes(entry.industry)) problems.push(problem('bad_value', 'industry', `must be one of ${INDUSTRIES.join(', ')}`));
  if (!(OFFER_KINDS as readonly unknown[]).includes(entry.kind)) problems.push(problem('bad_value', 'kind', `must be one of ${OFFER_KINDS.join(', ')}`));
  if (entry.productCode !== null && (typeof entry.productCode !== 'string' || entry.productCode.length === 0)) {
    problems.push(problem('bad_type', 'productCode', 'must be a product code or null'));
  }
  for (const f of ['priceMinor', 'newCustomerPriceMinor'] as const) {
    const v = entry[f];
    if (v === null) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) problems.push(problem('bad_type', f, 'must be a whole number of minor units or null'));
    else if (v < 0) problems.push(problem('bad_value', f, 'must not be negative'));
  }
  const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (!isTime(entry.validFrom)) problems.push(problem('invalid_dates', 'validFrom', 'must be epoch milliseconds'));
  if (!isTime(entry.validTo)) problems.push(problem('invalid_dates', 'validTo', 'must be epoch milliseconds'));
  if (isTime(entry.validFrom) && isTime(entry.validTo) && entry.validTo <= entry.validFrom) {
    problems.push(problem('invalid_dates', 'validTo', 'must be after validFrom'));
  }
  if (entry.stock !== null) {
    if (typeof entry.stock !== 'number' || !Number.isSafeInteger(entry.stock))
      problems.push(problem('bad_type', 'stock', 'must be a whole number or null (unlimited)'));
    else if (entry.stock < 0) problems.push(problem('negative_stock', 'stock', 'must not be negative'));
  }
  if (entry.active !== undefined && typeof entry.active !== 'boolean') problems.push(problem('bad_type', 'active', 'must be true or false'));
  problems.push(...validateOfferRule(entry.eligibility));
  // Parity is only judged between valid prices; a malformed one is reported above already.
  const price = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null);
  const parity = checkLoyaltyParity({ priceMinor: price(entry.priceMinor), newCustomerPriceMinor: price(entry.newCustomerPriceMinor) });
  if (parity) problems.push(parity);
  return problems;
}

/**
 * Loyalty parity (老客户优惠不低于新客户): a problem when the existing-customer price is higher than the new-customer
 * price of the same product; null when it is not, or when either price is missing (nothing to compare).
 */
export function checkLoyaltyParity(entry: Pick<CatalogOffer, 'priceMinor' | 'newCustomerPriceMinor'>): OfferProblem | null {
  const { priceMinor, newCustomerPriceMinor } = entry;
  if (priceMinor == null || newCustomerPriceMinor == null || priceMinor <= newCustomerPriceMinor) return null;
  return problem('loyalty_parity', 'priceMinor', `existing customers would pay ${priceMinor}, more than the new-customer price ${newCustomerPriceMinor}`);
}

/** Why an offer was not shown, in the order the checks run: the offer itself, the stage, the rule, the situation, history. */
export const EXCLUSION_REASONS = [
  'inactive',
  'invalid_rule',
  'wrong_industry',
  'not_valid_now',
  'out_of_stock',
  'loyalty_parity',
  'acquisition_no_upsell',
  'upsell_not_requested',
  'tier',
  'stage',
  'tenure',
  'missing_product',
  'holds_product',
  'no_consent',
  'open_complaint',
  'no_recovery_need',
  'recently_declined',
  'already_accepted',
  'lower_ranked',
] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

/** Why an offer is relevant now; these order the eligible offers. */
export const RELEVANCE_REASONS = ['service_recovery', 'save_attempt', 'maturing_product'] as const;
export type RelevanceReason = (typeof RELEVANCE_REASONS)[number];

/** A product the customer holds. */
export interface HeldProduct {
  code: string;
  /** 'YYYY-MM-DD' when it matures, in the customer's time zone. */
  maturesOn?: string | null;
}

/** What the offer rules need to know about the customer and the moment. */
export interface OfferCustomerContext {
  industry: Industry;
  tier: Tier;
  stage: LifecycleStage;
  /** Epoch ms the customer joined. */
  joinedAt: number;
  marketingConsent: boolean;
  products: readonly HeldProduct[];
  riskBand: RiskBand;
  /** A complaint of theirs is open now. */
  openComplaint: boolean;
  /** When their latest complaint was resolved. */
  lastComplaintResolvedAt?: number | null;
  /** When they last gave a low survey score (CSAT ≤ 2, NPS ≤ 6). */
  lastLowSatisfactionAt?: number | null;
  /** The customer asked about products themselves (growth and decline stages allow upselling only then). */
  askedForProducts?: boolean;
  /** The save flow is running (churn intent heard or high risk): retention offers come first. */
  saveFlow?: boolean;
  /** For maturity dates; default Asia/Shanghai. */
  timeZone?: string;
}

/** Outcomes of a presentation, as recorded. */
export type OfferOutcome = 'shown' | 'accepted' | 'declined' | 'later' | 'expired';

/** One past presentation of an offer to this customer. */
export interface OfferHistoryEntry {
  offerCode: string;
  outcome: OfferOutcome;
  /** Epoch ms of the outcome. */
  at: number;
}

/** An eligible offer with why it is relevant and what it is worth to the customer. */
export interface RankedOffer {
  offer: CatalogOffer;
  relevance: RelevanceReason[];
  /** Saving against the new-customer price, minor units (0 when there is nothing to compare). */
  customerValueMinor: number;
}

/** An offer not shown and the first reason why. */
export interface ExcludedOffer {
  code: string;
  reason: ExclusionReason;
}

/** The result of `eligibleOffers`. */
export interface OfferSelection {
  offers: RankedOffer[];
  excluded: ExcludedOffer[];
}

/** The tunable parts of the offer rules. */
export interface OfferPolicy {
  /** At most this many offers at once (the documents' 3). */
  maxOffers: number;
  /** At most one offer conversation per customer per this many days (the documents' 7). */
  offerConversationIntervalDays: number;
  /** The save flow for churn intent may have an offer conversation inside the interval. */
  saveFlowBypassesFatigue: boolean;
  /** Kinds that always need marketing consent. */
  consentRequiredFor: readonly OfferKind[];
  /** A declined offer is not shown again for this many days. */
  declineCooldownDays: number;
  /** An accepted offer is not shown again for this many days. */
  acceptedCooldownDays: number;
  /** A complaint resolved or a low score within this many days makes recovery offers relevant. */
  recoveryWindowDays: number;
  /** A held product maturing within this many days makes its offers relevant. */
  maturityWindowDays: number;
}

/** Default offer policy: the documents' 3 offers and 7 days; the other windows are project defaults. */
export const DEFAULT_OFFER_POLICY: Readonly<OfferPolicy> = Object.freeze({
  maxOffers: 3,
  offerConversationIntervalDays: 7,
  saveFlowBypassesFatigue: true,
  consentRequiredFor: Object.freeze(['upsell'] as OfferKind[]),
  declineCooldownDays: 90,
  acceptedCooldownDays: 365,
  recoveryWindowDays: 30,
  maturityWindowDays: 30,
});

/**
 * True when an offer conversation may start: none yet, or the last was at least the interval ago (7 days − 1 ms is
 * too soon, 7 days is fine). The save flow passes `saveFlow` and, when the policy allows, skips the interval: a
 * customer about to leave is not spammed by one more offer.
 */
export function offerConversationAllowed(
  lastOfferConversationAt: number | null | undefined,
  now: number,
  policy: Readonly<OfferPolicy> = DEFAULT_OFFER_POLICY,
  options: { saveFlow?: boolean } = {},
): boolean {
  if (options.saveFlow && policy.saveFlowBypassesFatigue) return true;
  if (lastOfferConversationAt == null) return true;
  return !withinLastDays(lastOfferConversationAt, now, policy.offerConversationIntervalDays) && lastOfferConversationAt <= now;
}

/** The offers a customer may see now, most relevant first (at most `maxOffers`), and why each other one is not shown. */
export function eligibleOffers(
  customer: OfferCustomerContext,
  catalog: readonly CatalogOffer[],
  history: readonly OfferHistoryEntry[],
  now: number,
  policy: Readonly<OfferPolicy> = DEFAULT_OFFER_POLICY,
): OfferSelection {
  const { ranked, excluded } = evaluate(customer, catalog, history, now, policy);
  const max = Math.max(0, policy.maxOffers);
  for (const r of ranked.slice(max)) excluded.push({ code: r.offer.code, reason: 'lower_ranked' });
  return { offers: ranked.slice(0, max), excluded };
}

/**
 * The save flow's offer: the most relevant eligible retention offer, or a recovery gesture when we have failed the
 * customer (an apology comes before a bargain). Never an upsell. Null when there is none.
 */
export function bestRetentionOffer(
  customer: OfferCustomerContext,
  catalog: readonly CatalogOffer[],
  history: readonly OfferHistoryEntry[],
  now: number,
  policy: Readonly<OfferPolicy> = DEFAULT_OFFER_POLICY,
): RankedOffer | null {
  const { ranked } = evaluate({ ...customer, saveFlow: true }, catalog, history, now, policy);
  return ranked.find((r) => r.offer.kind !== 'upsell') ?? null;
}

// Recovery outranks a save attempt, which outranks a maturing product: fix what went wrong before bargaining.
const RELEVANCE_WEIGHT: Readonly<Record<RelevanceReason, number>> = { service_recovery: 4, save_attempt: 2, maturing_product: 1 };

function evaluate(
  customer: OfferCustomerContext,
  catalog: readonly CatalogOffer[],
  history: readonly OfferHistoryEntry[],
  now: number,
  policy: Readonly<OfferPolicy>,
): { ranked: RankedOffer[]; excluded: ExcludedOffer[] } {
  const ranked: Array<RankedOffer & { weight: number }> = [];
  const excluded: ExcludedOffer[] = [];
  for (const offer of catalog) {
    const reason = exclusionReason(customer, offer, history, now, policy);
    if (reason) {
      excluded.push({ code: offer.code, reason });
      continue;
    }
    const relevance = relevanceOf(customer, offer, now, policy);
    const weight = relevance.reduce((sum, r) => sum + RELEVANCE_WEIGHT[r], 0);
    ranked.push({ offer, relevance, customerValueMinor: customerValue(offer), weight });
  }
  ranked.sort((a, b) => b.weight - a.weight || b.customerValueMinor - a.customerValueMinor || compareCodes(a.offer.code, b.offer.code));
  return { ranked: ranked.map(({ weight: _weight, ...r }) => r), excluded };
}

function exclusionReason(
  c: OfferCustomerContext,
  offer: CatalogOffer,
  history: readonly OfferHistoryEntry[],
  now: number,
  policy: Readonly<OfferPolicy>,
): ExclusionReason | undefined {
  const rule = offer.eligibility;
  const held = new Set(c.products.map((p) => p.code));
  const upsell = offer.kind === 'upsell';
  const past = history.filter((h) => h.offerCode === offer.code);

  if (offer.active === false) return 'inactive';
  if (validateOfferRule(rule).length > 0) return 'invalid_rule';
  if (offer.industry !== c.industry) return 'wrong_industry';
  if (now < offer.validFrom || now >= offer.validTo) return 'not_valid_now';
  if (offer.stock !== null && offer.stock <= 0) return 'out_of_stock';
  if (checkLoyaltyParity(offer)) return 'loyalty_parity';
  if (upsell && c.stage === 'acquisition') return 'acquisition_no_upsell';
  if (upsell && upsellPolicyFor(c.stage) === 'never') return 'stage';
  if (upsell && upsellPolicyFor(c.stage) === 'on_request' && !c.askedForProducts) return 'upsell_not_requested';
  if (rule.tiers && !rule.tiers.includes(c.tier)) return 'tier';
  if (rule.stages && !rule.stages.includes(c.stage)) return 'stage';
  if (rule.minTenureDays !== undefined && now - c.joinedAt < rule.minTenureDays * DAY_MS) return 'tenure';
  if (rule.requiresProducts && !rule.requiresProducts.every((p) => held.has(p))) return 'missing_product';
  if (rule.excludesProducts && rule.excludesProducts.some((p) => held.has(p))) return 'holds_product';
  if ((rule.requiresConsent || policy.consentRequiredFor.includes(offer.kind)) && !c.marketingConsent) return 'no_consent';
  if (c.openComplaint && offer.kind !== 'recovery') return 'open_complaint';
  if (offer.kind === 'recovery' && !needsRecovery(c, now, policy)) return 'no_recovery_need';
  if (past.some((h) => h.outcome === 'declined' && withinLastDays(h.at, now, policy.declineCooldownDays))) return 'recently_declined';
  if (past.some((h) => h.outcome === 'accepted' && withinLastDays(h.at, now, policy.acceptedCooldownDays))) return 'already_accepted';
  return undefined;
}

function needsRecovery(c: OfferCustomerContext, now: number, policy: Readonly<OfferPolicy>): boolean {
  return (
    c.openComplaint ||
    withinLastDays(c.lastComplaintResolvedAt, now, policy.recoveryWindowDays) ||
    withinLastDays(c.lastLowSatisfactionAt, now, policy.recoveryWindowDays)
  );
}

function relevanceOf(c: OfferCustomerContext, offer: CatalogOffer, now: number, policy: Readonly<OfferPolicy>): RelevanceReason[] {
  const reasons: RelevanceReason[] = [];
  // Only eligible recovery offers reach here, and eligibility already asked for a recent failure.
  if (offer.kind === 'recovery') reasons.push('service_recovery');
  if (offer.kind === 'retention' && (c.saveFlow || c.stage === 'decline' || c.riskBand === 'high')) reasons.push('save_attempt');
  if (offer.productCode !== null) {
    const timeZone = c.timeZone ?? DEFAULT_TIME_ZONE;
    const maturing = c.products.some((p) => {
      if (p.code !== offer.productCode || !p.maturesOn) return false;
      const days = daysUntil(p.maturesOn, now, timeZone);
      return days !== undefined && days >= 0 && days <= policy.maturityWindowDays;
    });
    if (maturing) reasons.push('maturing_product');
  }
  return reasons;
}

function customerValue(offer: CatalogOffer): number {
  if (offer.priceMinor == null || offer.newCustomerPriceMinor == null) return 0;
  return Math.max(0, offer.newCustomerPriceMinor - offer.priceMinor);
}

// Code-point order, not locale order: the tie-break must not change with the server's locale.
function compareCodes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function problem(code: OfferProblemCode, field: string, message: string): OfferProblem {
  return { code, field, message: field ? `${field}: ${message}` : message };
}
