import { DEMO_CUSTOMERS, DEMO_OFFERS } from '../../data/seeds/demo';
import { DAY_MS, localDate } from '../../retention/lifecycle';
import {
  DEFAULT_OFFER_POLICY,
  bestRetentionOffer,
  checkLoyaltyParity,
  eligibleOffers,
  offerConversationAllowed,
  validateOfferCatalogEntry,
  type CatalogOffer,
  type ExclusionReason,
  type OfferCustomerContext,
  type OfferHistoryEntry,
  type OfferProblemCode,
} from '../../retention/offers';
import type { RiskBand } from '../../retention/types';

const NOW = Date.UTC(2026, 10, 22, 4, 0, 0); // 2026-11-22 12:00 in Shanghai
const ago = (days: number, ms = 0) => NOW - days * DAY_MS - ms;
const inDays = (days: number) => localDate(NOW + days * DAY_MS);

/** A customer who is eligible for `offer` below; each test changes one thing. */
const customer: OfferCustomerContext = {
  industry: 'bank',
  tier: 'gold',
  stage: 'maturity',
  joinedAt: ago(1000),
  marketingConsent: true,
  products: [{ code: 'BANK_CURRENT' }],
  riskBand: 'low',
  openComplaint: false,
};

/** An upsell with every eligibility condition set, which `customer` meets. */
const offer: CatalogOffer = {
  code: 'BANK_WEALTH_OFFER',
  industry: 'bank',
  productCode: 'BANK_WEALTH_STABLE',
  kind: 'upsell',
  priceMinor: 0,
  newCustomerPriceMinor: 0,
  validFrom: ago(1),
  validTo: NOW + 30 * DAY_MS,
  stock: 10,
  eligibility: {
    tiers: ['vip', 'gold'],
    stages: ['growth', 'maturity', 'decline'],
    requiresProducts: ['BANK_CURRENT'],
    excludesProducts: ['BANK_WEALTH_STABLE'],
    requiresConsent: true,
    minTenureDays: 365,
  },
};

const retention: CatalogOffer = { ...offer, code: 'BANK_STAY_OFFER', kind: 'retention', eligibility: { ...offer.eligibility, requiresConsent: undefined } };
const recovery: CatalogOffer = { ...offer, code: 'BANK_SORRY_OFFER', kind: 'recovery', productCode: null, eligibility: {} };

/** The reason `entry` is excluded for this customer and history, or null when it is offered. */
function verdict(entry: CatalogOffer, who: OfferCustomerContext, history: OfferHistoryEntry[] = []): ExclusionReason | null {
  const { offers, excluded } = eligibleOffers(who, [entry], history, NOW);
  if (offers.length === 1) return null;
  return excluded[0].reason;
}

describe('eligibleOffers: every eligibility condition, on and off', () => {
  it.each<[string, Partial<CatalogOffer>, Partial<OfferCustomerContext>, OfferHistoryEntry[], ExclusionReason | null]>([
    ['the base case is offered', {}, {}, [], null],
    ['a withdrawn offer', { active: false }, {}, [], 'inactive'],
    ['an offer marked active', { active: true }, {}, [], null],
    ['a rule with an unknown key fails closed', { eligibility: { ...offer.eligibility, minAge: 18 } as never }, {}, [], 'invalid_rule'],
    ['an offer of another industry', { industry: 'telecom' }, {}, [], 'wrong_industry'],
    ['an offer not valid yet (from now + 1 ms)', { validFrom: NOW + 1 }, {}, [], 'not_valid_now'],
    ['an offer valid from exactly now', { validFrom: NOW }, {}, [], null],
    ['an offer that ended exactly now', { validTo: NOW }, {}, [], 'not_valid_now'],
    ['an offer that ends 1 ms from now', { validTo: NOW + 1 }, {}, [], null],
    ['a sold-out offer', { stock: 0 }, {}, [], 'out_of_stock'],
    ['the last unit', { stock: 1 }, {}, [], null],
    ['unlimited stock', { stock: null }, {}, [], null],
    ['existing customers would pay more than new ones', { priceMinor: 10_001, newCustomerPriceMinor: 10_000 }, {}, [], 'loyalty_parity'],
    ['existing customers pay what new ones pay', { priceMinor: 10_000, newCustomerPriceMinor: 10_000 }, {}, [], null],
    [
      'an upsell in acquisition, even if the rule lists the stage',
      { eligibility: { ...offer.eligibility, stages: undefined, minTenureDays: undefined } },
      { stage: 'acquisition', joinedAt: ago(10) },
      [],
      'acquisition_no_upsell',
    ],
    [
      'a retention offer in acquisition when its rule allows it',
      { kind: 'retention', eligibility: { ...retention.eligibility, stages: undefined, minTenureDays: undefined } },
      { stage: 'acquisition', joinedAt: ago(10) },
      [],
      null,
    ],
    ['an upsell in growth the customer did not ask for', {}, { stage: 'growth' }, [], 'upsell_not_requested'],
    ['an upsell in growth the customer asked for', {}, { stage: 'growth', askedForProducts: true }, [], null],
    ['an upsell in decline the customer did not ask for', {}, { stage: 'decline' }, [], 'upsell_not_requested'],
    ['an upsell in decline the customer asked for', {}, { stage: 'decline', askedForProducts: true }, [], null],
    [
      'an upsell to a churned customer',
      { eligibility: { ...offer.eligibility, stages: undefined } },
      { stage: 'churned', askedForProducts: true },
      [],
      'stage',
    ],
    ['a tier the rule leaves out', {}, { tier: 'silver' }, [], 'tier'],
    ['any tier when the rule names none', { eligibility: { ...offer.eligibility, tiers: undefined } }, { tier: 'silver' }, [], null],
    ['a stage the rule leaves out', { eligibility: { ...offer.eligibility, stages: ['growth'] } }, {}, [], 'stage'],
    ['365 days less 1 ms with us', {}, { joinedAt: ago(365) + 1 }, [], 'tenure'],
    ['exactly 365 days with us', {}, { joinedAt: ago(365) }, [], null],
    ['a required product not held', {}, { products: [] }, [], 'missing_product'],
    ['an excluded product held', {}, { products: [{ code: 'BANK_CURRENT' }, { code: 'BANK_WEALTH_STABLE' }] }, [], 'holds_product'],
    ['no marketing consent when the rule asks for it', {}, { marketingConsent: false }, [], 'no_consent'],
    [
      'no marketing consent for an upsell whose rule forgot to ask',
      { eligibility: { ...offer.eligibility, requiresConsent: undefined } },
      { marketingConsent: false },
      [],
      'no_consent',
    ],
    [
      'no marketing consent for a retention offer that does not ask',
      { kind: 'retention', eligibility: retention.eligibility },
      { marketingConsent: false },
      [],
      null,
    ],
    ['no marketing consent for a retention offer that asks', { kind: 'retention' }, { marketingConsent: false }, [], 'no_consent'],
    ['an open complaint blocks an upsell', {}, { openComplaint: true }, [], 'open_complaint'],
    ['an open complaint blocks a retention offer', { kind: 'retention', eligibility: retention.eligibility }, { openComplaint: true }, [], 'open_complaint'],
    ['an open complaint allows a recovery gesture', { kind: 'recovery', eligibility: {} }, { openComplaint: true }, [], null],
    ['a recovery gesture to a customer we never failed', { kind: 'recovery', eligibility: {} }, {}, [], 'no_recovery_need'],
    [
      'a recovery gesture 30 days less 1 ms after a resolved complaint',
      { kind: 'recovery', eligibility: {} },
      { lastComplaintResolvedAt: ago(30) + 1 },
      [],
      null,
    ],
    [
      'a recovery gesture 30 days after a resolved complaint',
      { kind: 'recovery', eligibility: {} },
      { lastComplaintResolvedAt: ago(30) },
      [],
      'no_recovery_need',
    ],
    ['a recovery gesture after a low survey score', { kind: 'recovery', eligibility: {} }, { lastLowSatisfactionAt: ago(3) }, [], null],
    ['declined 90 days less 1 ms ago', {}, {}, [{ offerCode: offer.code, outcome: 'declined', at: ago(90) + 1 }], 'recently_declined'],
    ['declined 90 days ago', {}, {}, [{ offerCode: offer.code, outcome: 'declined', at: ago(90) }], null],
    ['another offer declined yesterday', {}, {}, [{ offerCode: 'OTHER', outcome: 'declined', at: ago(1) }], null],
    ['"call me later" yesterday', {}, {}, [{ offerCode: offer.code, outcome: 'later', at: ago(1) }], null],
    ['shown and expired last week', {}, {}, [{ offerCode: offer.code, outcome: 'expired', at: ago(7) }], null],
    ['accepted 365 days less 1 ms ago', {}, {}, [{ offerCode: offer.code, outcome: 'accepted', at: ago(365) + 1 }], 'already_accepted'],
    ['accepted 365 days ago', {}, {}, [{ offerCode: offer.code, outcome: 'accepted', at: ago(365) }], null],
  ])('%s → %s', (_name, offerChange, customerChange, history, expected) => {
    expect(verdict({ ...offer, ...offerChange }, { ...customer, ...customerChange }, history)).toBe(expected);
  });
});

describe('eligibleOffers: ranking', () => {
  const upsellA: CatalogOffer = { ...offer, code: 'A_UPSELL' };
  const upsellB: CatalogOffer = { ...offer, code: 'B_UPSELL' };

  it('shows at most 3 offers and reports the rest as lower ranked', () => {
    const catalog = ['E', 'D', 'C', 'B', 'A'].map((c) => ({ ...offer, code: `${c}_UPSELL` }));
    const { offers, excluded } = eligibleOffers(customer, catalog, [], NOW);
    expect(offers.map((o) => o.offer.code)).toEqual(['A_UPSELL', 'B_UPSELL', 'C_UPSELL']);
    expect(excluded).toEqual([
      { code: 'D_UPSELL', reason: 'lower_ranked' },
      { code: 'E_UPSELL', reason: 'lower_ranked' },
    ]);
  });

  it('accounts for every catalog entry exactly once', () => {
    const catalog = [offer, { ...offer, code: 'SOLD_OUT', stock: 0 }, retention, recovery];
    const { offers, excluded } = eligibleOffers(customer, catalog, [], NOW);
    expect([...offers.map((o) => o.offer.code), ...excluded.map((e) => e.code)].sort()).toEqual(catalog.map((o) => o.code).sort());
  });

  it.each<[string, Partial<OfferCustomerContext>]>([
    ['in decline, asking about products', { stage: 'decline', askedForProducts: true }],
    ['at high risk', { riskBand: 'high' as RiskBand }],
  ])('puts retention offers before upsells for a customer %s', (_name, change) => {
    const { offers } = eligibleOffers({ ...customer, ...change }, [upsellA, retention], [], NOW);
    expect(offers.map((o) => [o.offer.code, o.relevance])).toEqual([
      ['BANK_STAY_OFFER', ['save_attempt']],
      ['A_UPSELL', []],
    ]);
  });

  it('ranks an unremarkable retention offer by value and code only, for a content customer', () => {
    const { offers } = eligibleOffers(customer, [retention, upsellA], [], NOW);
    expect(offers.map((o) => o.offer.code)).toEqual(['A_UPSELL', 'BANK_STAY_OFFER']);
  });

  it('puts the recovery gesture first after a recently resolved complaint, even at high risk', () => {
    const who = { ...customer, riskBand: 'high' as RiskBand, lastComplaintResolvedAt: ago(5) };
    const { offers } = eligibleOffers(who, [upsellA, retention, recovery], [], NOW);
    expect(offers.map((o) => [o.offer.code, o.relevance])).toEqual([
      ['BANK_SORRY_OFFER', ['service_recovery']],
      ['BANK_STAY_OFFER', ['save_attempt']],
      ['A_UPSELL', []],
    ]);
  });

  it.each<[string, string | null, boolean]>([
    ['in 30 days', inDays(30), true],
    ['today', inDays(0), true],
    ['in 31 days', inDays(31), false],
    ['not at all', null, false],
  ])('puts the offer for a held product maturing %s first: %s', (_name, maturesOn, first) => {
    const renewal: CatalogOffer = { ...retention, code: 'Z_RENEWAL', productCode: 'BANK_TIME_1Y', eligibility: { requiresProducts: ['BANK_TIME_1Y'] } };
    const who = { ...customer, products: [{ code: 'BANK_CURRENT' }, { code: 'BANK_TIME_1Y', maturesOn }] };
    const { offers } = eligibleOffers(who, [upsellA, renewal], [], NOW);
    expect(offers[0].offer.code).toBe(first ? 'Z_RENEWAL' : 'A_UPSELL');
    if (first) expect(offers[0].relevance).toEqual(['maturing_product']);
  });

  it('then prefers the offer worth more to the customer against the new-customer price', () => {
    const small = { ...upsellA, priceMinor: 9_000, newCustomerPriceMinor: 10_000 };
    const big = { ...upsellB, priceMinor: 8_000, newCustomerPriceMinor: 10_000 };
    const { offers } = eligibleOffers(customer, [small, big], [], NOW);
    expect(offers.map((o) => [o.offer.code, o.customerValueMinor])).toEqual([
      ['B_UPSELL', 2_000],
      ['A_UPSELL', 1_000],
    ]);
  });

  it('breaks ties by code, whatever the catalog order', () => {
    expect(eligibleOffers(customer, [upsellB, upsellA], [], NOW).offers.map((o) => o.offer.code)).toEqual(['A_UPSELL', 'B_UPSELL']);
    expect(eligibleOffers(customer, [upsellA, upsellB], [], NOW).offers.map((o) => o.offer.code)).toEqual(['A_UPSELL', 'B_UPSELL']);
  });

  it('honours a policy limit passed in', () => {
    const { offers } = eligibleOffers(customer, [upsellA, upsellB], [], NOW, { ...DEFAULT_OFFER_POLICY, maxOffers: 1 });
    expect(offers.map((o) => o.offer.code)).toEqual(['A_UPSELL']);
  });
});

describe('bestRetentionOffer (the save flow)', () => {
  it('offers the retention offer, never an upsell, even when the upsell is worth more', () => {
    const rich = { ...offer, priceMinor: 0, newCustomerPriceMinor: 99_999 };
    expect(bestRetentionOffer(customer, [rich, retention], [], NOW)?.offer.code).toBe('BANK_STAY_OFFER');
    expect(bestRetentionOffer(customer, [rich, retention], [], NOW)?.relevance).toEqual(['save_attempt']);
  });

  it('offers the apology first when a complaint is open (retention offers wait until it is resolved)', () => {
    expect(bestRetentionOffer({ ...customer, openComplaint: true }, [retention, recovery], [], NOW)?.offer.code).toBe('BANK_SORRY_OFFER');
  });

  it('returns null when only upsells are eligible', () => {
    expect(bestRetentionOffer(customer, [offer], [], NOW)).toBeNull();
  });

  it('does not offer what the customer declined last month', () => {
    expect(bestRetentionOffer(customer, [retention], [{ offerCode: retention.code, outcome: 'declined', at: ago(30) }], NOW)).toBeNull();
  });
});

describe('offerConversationAllowed (at most one offer conversation per 7 days)', () => {
  it.each<[string, number | null, { saveFlow?: boolean }, boolean]>([
    ['never had one', null, {}, true],
    ['had one 7 days less 1 ms ago', ago(7) + 1, {}, false],
    ['had one exactly 7 days ago', ago(7), {}, true],
    ['had one a month ago', ago(30), {}, true],
    ['had one a minute ago', NOW - 60_000, {}, false],
    ['has one recorded in the future (clock skew)', NOW + 1_000, {}, false],
    ['had one yesterday, but the save flow is running', ago(1), { saveFlow: true }, true],
  ])('a customer who %s → %s', (_name, last, options, expected) => {
    expect(offerConversationAllowed(last, NOW, DEFAULT_OFFER_POLICY, options)).toBe(expected);
  });

  it('keeps the interval for the save flow when the policy forbids the bypass', () => {
    expect(offerConversationAllowed(ago(1), NOW, { ...DEFAULT_OFFER_POLICY, saveFlowBypassesFatigue: false }, { saveFlow: true })).toBe(false);
  });
});

describe('checkLoyaltyParity', () => {
  it.each<[string, number | null, number | null, boolean]>([
    ['existing customers pay more', 10_001, 10_000, true],
    ['existing customers pay the same', 10_000, 10_000, false],
    ['existing customers pay less', 5_000, 6_000, false],
    ['no new-customer reference price', 10_000, null, false],
    ['no price at all', null, 10_000, false],
  ])('%s → breach: %s', (_name, priceMinor, newCustomerPriceMinor, breach) => {
    const found = checkLoyaltyParity({ priceMinor, newCustomerPriceMinor });
    if (breach) expect(found).toMatchObject({ code: 'loyalty_parity', field: 'priceMinor' });
    else expect(found).toBeNull();
  });
});

describe('validateOfferCatalogEntry', () => {
  it('finds nothing wrong with a sound entry', () => {
    expect(validateOfferCatalogEntry(offer)).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, OfferProblemCode, string]>([
    ['an unknown key in the rule', { eligibility: { tiers: ['vip'], minAge: 18 } }, 'unknown_key', 'eligibility.minAge'],
    ['tiers that are not a list', { eligibility: { tiers: 'vip' } }, 'bad_type', 'eligibility.tiers'],
    ['an unknown tier', { eligibility: { tiers: ['vip', 'platinum'] } }, 'bad_value', 'eligibility.tiers'],
    ['an empty tier list', { eligibility: { tiers: [] } }, 'bad_value', 'eligibility.tiers'],
    ['an unknown stage', { eligibility: { stages: ['teenage'] } }, 'bad_value', 'eligibility.stages'],
    ['a product list with a number in it', { eligibility: { requiresProducts: ['BANK_CURRENT', 7] } }, 'bad_type', 'eligibility.requiresProducts'],
    ['consent as a string', { eligibility: { requiresConsent: 'yes' } }, 'bad_type', 'eligibility.requiresConsent'],
    ['a negative tenure', { eligibility: { minTenureDays: -1 } }, 'bad_type', 'eligibility.minTenureDays'],
    ['a fractional tenure', { eligibility: { minTenureDays: 1.5 } }, 'bad_type', 'eligibility.minTenureDays'],
    ['a product both required and excluded', { eligibility: { requiresProducts: ['X'], excludesProducts: ['X'] } }, 'conflict', 'eligibility.excludesProducts'],
    ['a rule that is not an object', { eligibility: ['vip'] }, 'bad_type', 'eligibility'],
    ['an end before the start', { validFrom: NOW, validTo: NOW - 1 }, 'invalid_dates', 'validTo'],
    ['an end equal to the start', { validFrom: NOW, validTo: NOW }, 'invalid_dates', 'validTo'],
    ['a start that is not a time', { validFrom: '2026-11-22' }, 'invalid_dates', 'validFrom'],
    ['an end that is not a number', { validTo: Number.NaN }, 'invalid_dates', 'validTo'],
    ['negative stock', { stock: -1 }, 'negative_stock', 'stock'],
    ['fractional stock', { stock: 1.5 }, 'bad_type', 'stock'],
    ['a negative price', { priceMinor: -100, newCustomerPriceMinor: null }, 'bad_value', 'priceMinor'],
    ['a price in yuan with decimals', { priceMinor: 99.5 }, 'bad_type', 'priceMinor'],
    ['a loyalty parity breach', { priceMinor: 6_000, newCustomerPriceMinor: 5_000 }, 'loyalty_parity', 'priceMinor'],
    ['an unknown kind', { kind: 'bribe' }, 'bad_value', 'kind'],
    ['an unknown industry', { industry: 'airline' }, 'bad_value', 'industry'],
    ['a lower-case code', { code: 'bank_offer' }, 'bad_value', 'code'],
    ['an empty product code', { productCode: '' }, 'bad_type', 'productCode'],
  ])('reports %s', (_name, change, code, field) => {
    const problems = validateOfferCatalogEntry({ ...offer, ...change });
    expect(problems.map((p) => [p.code, p.field])).toEqual([[code, field]]);
    expect(problems[0].message).toContain(field);
  });

  it('reports that an entry is not an object', () => {
    expect(validateOfferCatalogEntry('BANK_OFFER').map((p) => p.code)).toEqual(['bad_type']);
  });

  it('finds nothing wrong with the demo catalog', () => {
    for (const o of demoCatalog()) expect([o.code, validateOfferCatalogEntry(o)]).toEqual([o.code, []]);
  });
});

describe('eligibleOffers over the demo catalog and customers', () => {
  const catalog = demoCatalog();
  const run = (customerNo: string, change: Partial<OfferCustomerContext> = {}) => eligibleOffers({ ...demoContext(customerNo), ...change }, catalog, [], NOW);
  const reasonFor = (result: ReturnType<typeof run>, code: string) => result.excluded.find((e) => e.code === code)?.reason;

  it('B0004, in acquisition, sees no upsell (and nothing else fits a new regular customer)', () => {
    const result = run('B0004');
    expect(result.offers).toEqual([]);
    expect(reasonFor(result, 'BANK_WEALTH_NEW_FUND')).toBe('acquisition_no_upsell');
    expect(reasonFor(result, 'BANK_PLATINUM_FEE_WAIVER')).toBe('acquisition_no_upsell');
  });

  it('B0001, a vip whose time deposit matures in 20 days, is offered the renewal bonus and not products he holds', () => {
    const result = run('B0001');
    expect(result.offers.map((o) => [o.offer.code, o.relevance])).toEqual([['BANK_TD_BONUS_RATE', ['maturing_product']]]);
    expect(reasonFor(result, 'BANK_WEALTH_NEW_FUND')).toBe('holds_product');
    expect(reasonFor(result, 'BANK_PLATINUM_FEE_WAIVER')).toBe('holds_product');
    expect(reasonFor(result, 'BANK_SERVICE_RECOVERY_FEE_REFUND')).toBe('no_recovery_need');
    expect(reasonFor(result, 'TEL_BROADBAND_BUNDLE')).toBe('wrong_industry');
  });

  it('B0005, in decline with an open complaint, is offered only the apology, also in the save flow', () => {
    const result = run('B0005');
    expect(result.offers.map((o) => o.offer.code)).toEqual(['BANK_SERVICE_RECOVERY_FEE_REFUND']);
    expect(reasonFor(result, 'BANK_WEALTH_NEW_FUND')).toBe('upsell_not_requested');
    expect(bestRetentionOffer(demoContext('B0005'), catalog, [], NOW)?.offer.code).toBe('BANK_SERVICE_RECOVERY_FEE_REFUND');
  });

  it('T0002, a long-standing telecom customer in decline, is offered the loyalty data gift as a save attempt', () => {
    const result = run('T0002');
    expect(result.offers.map((o) => [o.offer.code, o.relevance])).toEqual([['TEL_LOYALTY_DATA_20G', ['save_attempt']]]);
    expect(reasonFor(result, 'TEL_5G_UPGRADE_199')).toBe('upsell_not_requested');
    const asked = run('T0002', { askedForProducts: true });
    expect(asked.offers.map((o) => o.offer.code)).toEqual(['TEL_LOYALTY_DATA_20G', 'TEL_5G_UPGRADE_199']);
  });

  it('I0002, whose critical illness cover is up for renewal in 25 days, is offered the renewal discount', () => {
    expect(run('I0002').offers.map((o) => [o.offer.code, o.relevance])).toEqual([['INS_RENEWAL_DISCOUNT', ['maturing_product']]]);
  });

  it.each(DEMO_CUSTOMERS.map((c) => [c.customerNo]))('%s is never offered the sold-out broadband bundle, nor more than 3 offers', (no) => {
    for (const askedForProducts of [false, true]) {
      const result = run(no, { askedForProducts });
      expect(result.offers.map((o) => o.offer.code)).not.toContain('TEL_BROADBAND_BUNDLE');
      expect(result.offers.length).toBeLessThanOrEqual(3);
      if (demoContext(no).industry === 'telecom') expect(reasonFor(result, 'TEL_BROADBAND_BUNDLE')).toBe('out_of_stock');
    }
  });
});

/** The demo catalog as the seed writes it: valid from a day before `now` for `validDays` days. */
function demoCatalog(): CatalogOffer[] {
  return DEMO_OFFERS.map((o) => ({
    code: o.code,
    industry: o.industry,
    productCode: o.productCode,
    kind: o.kind,
    priceMinor: o.priceMinor,
    newCustomerPriceMinor: o.newCustomerPriceMinor,
    validFrom: NOW - DAY_MS,
    validTo: NOW + o.validDays * DAY_MS,
    stock: o.stock,
    eligibility: o.eligibility as CatalogOffer['eligibility'],
  }));
}

// What the seed's complaint and survey history says about each customer (data/seeds/demo.ts, seedHistory).
const DEMO_HISTORY: Record<string, Partial<OfferCustomerContext>> = {
  B0002: { lastComplaintResolvedAt: ago(57) },
  B0005: { openComplaint: true },
  T0002: { lastComplaintResolvedAt: ago(15), lastLowSatisfactionAt: ago(14) },
};

/** A demo customer as the offer rules see them; the seeds carry no risk score, so decline stands for high risk. */
function demoContext(customerNo: string): OfferCustomerContext {
  const c = DEMO_CUSTOMERS.find((d) => d.customerNo === customerNo);
  if (!c) throw new Error(`no demo customer ${customerNo}`);
  return {
    industry: c.industry,
    tier: c.tier,
    stage: c.stage,
    joinedAt: ago(c.joinedDaysAgo),
    marketingConsent: c.consent,
    products: c.products.map((p) => ({ code: p.code, maturesOn: p.maturesInDays ? inDays(p.maturesInDays) : null })),
    riskBand: c.stage === 'decline' ? 'high' : 'low',
    openComplaint: false,
    ...DEMO_HISTORY[customerNo],
  };
}
