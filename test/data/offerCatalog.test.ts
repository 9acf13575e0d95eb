import { loadOfferCatalog, parseCatalogEntry } from '../../data/offerCatalog';
import { createOfferRepository } from '../../data/repositories/offerRepository';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ seed: true });
});
afterAll(() => db.destroy());

const good = {
  code: 'TEL_NIGHT_DATA',
  industry: 'telecom',
  productCode: 'TEL_5G_129',
  kind: 'upsell',
  title: { 'zh-CN': '夜间流量包', 'en-US': 'Night data pack' },
  description: { 'zh-CN': '每晚 23 点到 7 点不限量。', 'en-US': 'Unlimited data from 23:00 to 07:00.' },
  priceMinor: 1_000,
  newCustomerPriceMinor: 1_500,
  validFrom: '2026-11-01',
  validTo: '2027-02-01',
  stock: 50,
  eligibility: { tiers: ['gold', 'silver'], stages: ['growth', 'maturity'], requiresConsent: true },
};

describe('loading an offer catalog', () => {
  it('loads good entries, with dates read in China time', async () => {
    const report = await loadOfferCatalog(db.knex, [good], Date.now());
    expect(report).toEqual({ loaded: ['TEL_NIGHT_DATA'], refused: [] });
    const stored = await createOfferRepository(db.knex).findByCode('TEL_NIGHT_DATA');
    expect(stored).toMatchObject({ priceMinor: 1_000, stock: 50, validFrom: Date.UTC(2026, 9, 31, 16, 0), title: { 'en-US': 'Night data pack' } });
  });

  it('refuses an entry whose existing-customer price is worse than the new-customer price, and says why', async () => {
    const report = await loadOfferCatalog(
      db.knex,
      [
        { ...good, code: 'TEL_WORSE', priceMinor: 2_000 },
        { ...good, code: 'TEL_FINE' },
      ],
      Date.now(),
    );
    expect(report.loaded).toEqual(['TEL_FINE']);
    expect(report.refused).toHaveLength(1);
    expect(report.refused[0]).toMatchObject({ index: 1, code: 'TEL_WORSE' });
    expect(report.refused[0].problems.join(' ')).toMatch(/new-customer/i);
    expect(await createOfferRepository(db.knex).findByCode('TEL_WORSE')).toBeUndefined();
  });

  it.each([
    ['a broken rule', { eligibility: { tiers: ['platinum'] } }, /tiers/],
    ['an unknown rule key', { eligibility: { ageOver: 60 } }, /ageOver|unknown/i],
    ['dates the wrong way round', { validFrom: '2027-02-01', validTo: '2026-11-01' }, /validTo/],
    ['a malformed date', { validTo: 'next spring' }, /validTo: must be a date/],
    ['negative stock', { stock: -1 }, /stock/],
    ['a missing English title', { title: { 'zh-CN': '夜间流量包' } }, /title: needs a text for en-US/],
    ['an unknown product', { productCode: 'TEL_NOTHING' }, /no product "TEL_NOTHING"/],
  ])('refuses %s', async (_name, change, message) => {
    const report = await loadOfferCatalog(db.knex, [{ ...good, code: 'TEL_BROKEN', ...change }], Date.now());
    expect(report.loaded).toEqual([]);
    expect(report.refused[0].problems.join(' ')).toMatch(message);
  });

  it('refuses a code given twice in one file, and anything that is not an object', () => {
    expect(parseCatalogEntry('nope').problems).toEqual(['an entry must be a JSON object']);
    return loadOfferCatalog(db.knex, [good, good], Date.now()).then((r) =>
      expect(r.refused[0].problems).toEqual(['code: "TEL_NIGHT_DATA" appears twice in the file']),
    );
  });
});
