import { DEFAULT_TIME_ZONE } from '../../retention/lifecycle';
import { isoDate as zonedIsoDate, wallClock } from '../../retention/zonedTime';
import type { Knex } from 'knex';
import type { AccountKind, BalanceUnit, Industry, LifecycleStage, StaffRole, Tier } from '../../retention/types';
import { loadOfferCatalog } from '../offerCatalog';
import { hashPassword } from '../passwords';

/**
 * Demo data for trying the assistant and for tests: staff of every role, customers of every tier across the three
 * industry profiles (bank first), their accounts and products, an offers catalog, and some complaint and survey
 * history. Idempotent: every row has a natural key and existing rows are left as they are. The README lists it all.
 *
 * The mobile numbers are in the 1380000xxxx block; the card numbers pass the Luhn check (so the transcript masking
 * treats them as the real thing) but belong to no one.
 */

/** The password of every demo staff account (demo data is never seeded in production). */
export const DEMO_STAFF_PASSWORD = 'demo-pass-2026';

const DAY = 86_400_000;

interface DemoStaff {
  username: string;
  displayName: string;
  role: StaffRole;
  locale: 'zh-CN' | 'en-US';
  team: string;
}

/** Demo staff accounts, one or more per role. */
export const DEMO_STAFF: readonly DemoStaff[] = [
  { username: 'agent.zhang', displayName: '张敏', role: 'agent', locale: 'zh-CN', team: 'care' },
  { username: 'agent.li', displayName: 'Li Lei', role: 'agent', locale: 'en-US', team: 'care' },
  { username: 'rm.chen', displayName: '陈静（客户经理）', role: 'agent', locale: 'zh-CN', team: 'wealth' },
  { username: 'supervisor.liu', displayName: '刘强', role: 'supervisor', locale: 'zh-CN', team: 'care' },
  { username: 'manager.zhao', displayName: '赵云', role: 'manager', locale: 'zh-CN', team: 'quality' },
  { username: 'admin', displayName: 'Administrator', role: 'admin', locale: 'en-US', team: 'ops' },
];

interface DemoAccount {
  kind: AccountKind;
  number: string;
  unit: BalanceUnit;
  balance: number;
  maturesInDays?: number;
  /** Earlier balances, to give the outflow and decline signals something to see. */
  history?: Array<{ daysAgo: number; balance: number }>;
}

interface DemoCustomer {
  customerNo: string;
  name: string;
  mobile: string;
  idLast4: string;
  birthday: string;
  locale: 'zh-CN' | 'en-US';
  industry: Industry;
  tier: Tier;
  stage: LifecycleStage;
  valueMinor: number;
  joinedDaysAgo: number;
  consent: boolean;
  rm?: string;
  accounts: DemoAccount[];
  products: Array<{ code: string; openedDaysAgo: number; maturesInDays?: number }>;
  /** Telecom: ARPU (fen) and minutes of use of the last complete months, oldest first. */
  usage?: Array<{ arpuMinor: number; mou: number }>;
}

/** Demo customers: every tier, every industry profile, both languages. */
export const DEMO_CUSTOMERS: readonly DemoCustomer[] = [
  {
    customerNo: 'B0001',
    name: '王建国',
    mobile: '13800000001',
    idLast4: '3215',
    birthday: '1968-03-15',
    locale: 'zh-CN',
    industry: 'bank',
    tier: 'vip',
    stage: 'maturity',
    valueMinor: 235_000_000,
    joinedDaysAgo: 3650,
    consent: true,
    rm: 'rm.chen',
    accounts: [
      { kind: 'current', number: '6222020200311238', unit: 'CNY', balance: 12_560_050 },
      { kind: 'time_deposit', number: '6222020200314471', unit: 'CNY', balance: 100_000_000, maturesInDays: 20 },
      { kind: 'wealth', number: 'WM2023000188', unit: 'CNY', balance: 122_939_950 },
    ],
    products: [
      { code: 'BANK_CURRENT', openedDaysAgo: 3650 },
      { code: 'BANK_TIME_1Y', openedDaysAgo: 345, maturesInDays: 20 },
      { code: 'BANK_WEALTH_STABLE', openedDaysAgo: 700 },
      { code: 'BANK_CARD_PLATINUM', openedDaysAgo: 1200 },
    ],
  },
  {
    customerNo: 'B0002',
    name: '李娜',
    mobile: '13800000002',
    idLast4: '0428',
    birthday: '1985-04-28',
    locale: 'zh-CN',
    industry: 'bank',
    tier: 'gold',
    stage: 'maturity',
    valueMinor: 38_000_000,
    joinedDaysAgo: 2200,
    consent: true,
    rm: 'rm.chen',
    accounts: [
      { kind: 'current', number: '6222020200926688', unit: 'CNY', balance: 1_234_560 },
      { kind: 'savings', number: '6222020200921234', unit: 'CNY', balance: 36_800_000 },
    ],
    products: [
      { code: 'BANK_CURRENT', openedDaysAgo: 2200 },
      { code: 'BANK_SAVINGS', openedDaysAgo: 2000 },
    ],
  },
  {
    customerNo: 'B0003',
    name: 'Emily Chen',
    mobile: '13800000003',
    idLast4: '201X',
    birthday: '1992-11-20',
    locale: 'en-US',
    industry: 'bank',
    tier: 'silver',
    stage: 'growth',
    valueMinor: 8_600_000,
    joinedDaysAgo: 400,
    consent: true,
    accounts: [
      { kind: 'current', number: '6222020200135520', unit: 'CNY', balance: 2_150_000 },
      { kind: 'savings', number: '6222020200137781', unit: 'CNY', balance: 6_450_000 },
    ],
    products: [
      { code: 'BANK_CURRENT', openedDaysAgo: 400 },
      { code: 'BANK_SAVINGS', openedDaysAgo: 380 },
    ],
  },
  {
    customerNo: 'B0004',
    name: '张伟',
    mobile: '13800000004',
    idLast4: '0712',
    birthday: '1999-07-12',
    locale: 'zh-CN',
    industry: 'bank',
    tier: 'regular',
    stage: 'acquisition',
    valueMinor: 1_200_000,
    joinedDaysAgo: 30,
    consent: false,
    accounts: [{ kind: 'current', number: '6222020200049903', unit: 'CNY', balance: 1_200_000 }],
    products: [{ code: 'BANK_CURRENT', openedDaysAgo: 30 }],
  },
  {
    customerNo: 'B0005',
    name: '周芳',
    mobile: '13800000005',
    idLast4: '1109',
    birthday: '1976-09-11',
    locale: 'zh-CN',
    industry: 'bank',
    tier: 'gold',
    stage: 'decline',
    valueMinor: 26_000_000,
    joinedDaysAgo: 2900,
    consent: true,
    rm: 'rm.chen',
    accounts: [
      // Deposits 600k → 400k → 400k → 150k over 90 days: money leaving, and a sustained decline.
      {
        kind: 'current',
        number: '6222020200052246',
        unit: 'CNY',
        balance: 5_000_000,
        history: [
          { daysAgo: 90, balance: 50_000_000 },
          { daysAgo: 60, balance: 30_000_000 },
          { daysAgo: 30, balance: 30_000_000 },
        ],
      },
      { kind: 'savings', number: '6222020200658810', unit: 'CNY', balance: 10_000_000 },
    ],
    products: [
      { code: 'BANK_CURRENT', openedDaysAgo: 2900 },
      { code: 'BANK_SAVINGS', openedDaysAgo: 2500 },
    ],
  },
  {
    customerNo: 'T0001',
    name: '刘洋',
    mobile: '13800000011',
    idLast4: '5531',
    birthday: '1980-01-05',
    locale: 'zh-CN',
    industry: 'telecom',
    tier: 'vip',
    stage: 'maturity',
    valueMinor: 38_800,
    joinedDaysAgo: 4000,
    consent: true,
    accounts: [
      { kind: 'phone_credit', number: '13800000011', unit: 'CNY', balance: 8_650 },
      { kind: 'data', number: '13800000011', unit: 'MB', balance: 15_360 },
      { kind: 'points', number: '13800000011', unit: 'points', balance: 12_800 },
    ],
    products: [
      { code: 'TEL_5G_399', openedDaysAgo: 600 },
      { code: 'TEL_BROADBAND_1000', openedDaysAgo: 900 },
    ],
    usage: [
      { arpuMinor: 39_900, mou: 820 },
      { arpuMinor: 38_200, mou: 760 },
      { arpuMinor: 38_800, mou: 790 },
      { arpuMinor: 38_800, mou: 805 },
    ],
  },
  {
    customerNo: 'T0002',
    name: 'Michael Wong',
    mobile: '13800000012',
    idLast4: '8820',
    birthday: '1995-06-30',
    locale: 'en-US',
    industry: 'telecom',
    tier: 'regular',
    stage: 'decline',
    valueMinor: 4_500,
    joinedDaysAgo: 1500,
    consent: true,
    accounts: [
      { kind: 'phone_credit', number: '13800000012', unit: 'CNY', balance: 320 },
      { kind: 'data', number: '13800000012', unit: 'MB', balance: 512 },
      { kind: 'points', number: '13800000012', unit: 'points', balance: 640 },
    ],
    products: [{ code: 'TEL_4G_39', openedDaysAgo: 1500 }],
    // ARPU ¥130 → ¥80 → ¥60 → ¥45: each month far below where it stood; minutes falling under 100.
    usage: [
      { arpuMinor: 13_000, mou: 420 },
      { arpuMinor: 8_000, mou: 150 },
      { arpuMinor: 6_000, mou: 90 },
      { arpuMinor: 4_500, mou: 60 },
    ],
  },
  {
    customerNo: 'T0003',
    name: '孙丽',
    mobile: '13800000013',
    idLast4: '4467',
    birthday: '1988-12-24',
    locale: 'zh-CN',
    industry: 'telecom',
    tier: 'gold',
    stage: 'growth',
    valueMinor: 15_800,
    joinedDaysAgo: 500,
    consent: true,
    accounts: [
      { kind: 'phone_credit', number: '13800000013', unit: 'CNY', balance: 4_210 },
      { kind: 'data', number: '13800000013', unit: 'MB', balance: 8_192 },
      { kind: 'points', number: '13800000013', unit: 'points', balance: 3_300 },
    ],
    products: [{ code: 'TEL_5G_129', openedDaysAgo: 500 }],
    usage: [
      { arpuMinor: 15_800, mou: 510 },
      { arpuMinor: 15_800, mou: 480 },
      { arpuMinor: 16_300, mou: 530 },
      { arpuMinor: 15_800, mou: 495 },
    ],
  },
  {
    customerNo: 'I0001',
    name: '黄海',
    mobile: '13800000021',
    idLast4: '0916',
    birthday: '1972-09-16',
    locale: 'zh-CN',
    industry: 'insurance',
    tier: 'silver',
    stage: 'maturity',
    valueMinor: 1_800_000,
    joinedDaysAgo: 2600,
    consent: true,
    accounts: [
      { kind: 'cash_value', number: 'P440100200917', unit: 'CNY', balance: 8_635_000 },
      { kind: 'points', number: 'P440100200917', unit: 'points', balance: 5_200 },
    ],
    products: [{ code: 'INS_LIFE_WHOLE', openedDaysAgo: 2600 }],
  },
  {
    customerNo: 'I0002',
    name: 'Sarah Liu',
    mobile: '13800000022',
    idLast4: '7703',
    birthday: '1983-03-07',
    locale: 'en-US',
    industry: 'insurance',
    tier: 'vip',
    stage: 'maturity',
    valueMinor: 12_000_000,
    joinedDaysAgo: 3100,
    consent: true,
    rm: 'rm.chen',
    accounts: [
      { kind: 'cash_value', number: 'P310100188120', unit: 'CNY', balance: 45_210_000 },
      { kind: 'cash_value', number: 'P310100190554', unit: 'CNY', balance: 8_800_000 },
      { kind: 'points', number: 'P310100188120', unit: 'points', balance: 28_000 },
    ],
    products: [
      { code: 'INS_LIFE_WHOLE', openedDaysAgo: 3100 },
      { code: 'INS_CRITICAL_ILLNESS', openedDaysAgo: 1400, maturesInDays: 25 },
    ],
  },
];

/** Products that customers hold and offers refer to. */
export const DEMO_PRODUCTS = [
  { code: 'BANK_CURRENT', industry: 'bank', category: 'deposit', name_zh: '活期账户', name_en: 'Current account' },
  { code: 'BANK_SAVINGS', industry: 'bank', category: 'deposit', name_zh: '储蓄账户', name_en: 'Savings account' },
  { code: 'BANK_TIME_1Y', industry: 'bank', category: 'deposit', name_zh: '一年期定期存款', name_en: '1-year time deposit' },
  { code: 'BANK_WEALTH_STABLE', industry: 'bank', category: 'wealth', name_zh: '稳健型理财', name_en: 'Steady wealth plan' },
  { code: 'BANK_CARD_PLATINUM', industry: 'bank', category: 'card', name_zh: '白金信用卡', name_en: 'Platinum credit card' },
  { code: 'TEL_4G_39', industry: 'telecom', category: 'plan', name_zh: '4G 39元套餐', name_en: '4G ¥39 plan' },
  { code: 'TEL_5G_129', industry: 'telecom', category: 'plan', name_zh: '5G 129元套餐', name_en: '5G ¥129 plan' },
  { code: 'TEL_5G_399', industry: 'telecom', category: 'plan', name_zh: '5G 399元尊享套餐', name_en: '5G ¥399 premium plan' },
  { code: 'TEL_BROADBAND_1000', industry: 'telecom', category: 'broadband', name_zh: '千兆宽带', name_en: 'Gigabit broadband' },
  { code: 'INS_LIFE_WHOLE', industry: 'insurance', category: 'life', name_zh: '终身寿险', name_en: 'Whole life insurance' },
  { code: 'INS_CRITICAL_ILLNESS', industry: 'insurance', category: 'health', name_zh: '重大疾病保险', name_en: 'Critical illness cover' },
] as const;

interface DemoOffer {
  code: string;
  industry: Industry;
  productCode: string | null;
  kind: 'upsell' | 'retention' | 'recovery';
  title: { 'zh-CN': string; 'en-US': string };
  description: { 'zh-CN': string; 'en-US': string };
  priceMinor: number | null;
  newCustomerPriceMinor: number | null;
  validDays: number;
  stock: number | null;
  eligibility: Record<string, unknown>;
}

/** The demo offers catalog. */
export const DEMO_OFFERS: readonly DemoOffer[] = [
  {
    code: 'BANK_TD_BONUS_RATE',
    industry: 'bank',
    productCode: 'BANK_TIME_1Y',
    kind: 'retention',
    title: { 'zh-CN': '定期存款续存加息 0.3%', 'en-US': 'Renew your time deposit at +0.30%' },
    description: {
      'zh-CN': '到期续存一年期定期，年利率在挂牌利率基础上上浮 0.3 个百分点。',
      'en-US': 'Renew for one year and earn 0.30 percentage points above the board rate.',
    },
    priceMinor: null,
    newCustomerPriceMinor: null,
    validDays: 90,
    stock: 500,
    eligibility: { tiers: ['vip', 'gold', 'silver'], stages: ['maturity', 'decline'], requiresProducts: ['BANK_TIME_1Y'] },
  },
  {
    code: 'BANK_WEALTH_NEW_FUND',
    industry: 'bank',
    productCode: 'BANK_WEALTH_STABLE',
    kind: 'upsell',
    title: { 'zh-CN': '稳健型理财新客同享', 'en-US': 'Steady wealth plan, new-customer terms for you' },
    description: {
      'zh-CN': '起购 1 万元，认购费全免，与新客户同等优惠。',
      'en-US': 'From ¥10,000 with no subscription fee: the same terms new customers get.',
    },
    priceMinor: 0,
    newCustomerPriceMinor: 0,
    validDays: 60,
    stock: 200,
    eligibility: { tiers: ['vip', 'gold', 'silver'], stages: ['growth', 'maturity'], excludesProducts: ['BANK_WEALTH_STABLE'], requiresConsent: true },
  },
  {
    code: 'BANK_PLATINUM_FEE_WAIVER',
    industry: 'bank',
    productCode: 'BANK_CARD_PLATINUM',
    kind: 'upsell',
    title: { 'zh-CN': '白金信用卡首年免年费', 'en-US': 'Platinum card: first year free' },
    description: { 'zh-CN': '首年免年费，含机场贵宾厅服务。', 'en-US': 'No annual fee for the first year, airport lounge access included.' },
    priceMinor: 0,
    newCustomerPriceMinor: 0,
    validDays: 120,
    stock: 100,
    eligibility: { tiers: ['vip', 'gold'], stages: ['maturity'], excludesProducts: ['BANK_CARD_PLATINUM'], requiresConsent: true },
  },
  {
    code: 'BANK_SERVICE_RECOVERY_FEE_REFUND',
    industry: 'bank',
    productCode: null,
    kind: 'recovery',
    title: { 'zh-CN': '服务补救：免除三个月账户管理费', 'en-US': 'Our apology: three months without account fees' },
    description: {
      'zh-CN': '为给您带来的不便致歉，免除接下来三个月的账户管理费。',
      'en-US': 'We are sorry for the trouble: no account management fees for the next three months.',
    },
    priceMinor: 0,
    newCustomerPriceMinor: null,
    validDays: 365,
    stock: null,
    eligibility: { tiers: ['vip', 'gold', 'silver', 'regular'], stages: ['growth', 'maturity', 'decline'] },
  },
  {
    code: 'TEL_5G_UPGRADE_199',
    industry: 'telecom',
    productCode: 'TEL_5G_129',
    kind: 'upsell',
    title: { 'zh-CN': '5G 套餐升级立减 30 元/月', 'en-US': '5G plan upgrade: ¥30 off a month' },
    description: {
      'zh-CN': '升级 5G 129 元套餐，前 12 个月每月 99 元，老客户不低于新客户优惠。',
      'en-US': 'Upgrade to the 5G ¥129 plan for ¥99 a month for 12 months: never worse than the new-customer price.',
    },
    priceMinor: 9_900,
    newCustomerPriceMinor: 9_900,
    validDays: 90,
    stock: 1000,
    eligibility: {
      tiers: ['gold', 'silver', 'regular'],
      stages: ['growth', 'maturity', 'decline'],
      excludesProducts: ['TEL_5G_129', 'TEL_5G_399'],
      requiresConsent: true,
    },
  },
  {
    code: 'TEL_LOYALTY_DATA_20G',
    industry: 'telecom',
    productCode: null,
    kind: 'retention',
    title: { 'zh-CN': '老用户回馈：每月加赠 20GB 流量', 'en-US': 'Loyalty gift: 20 GB extra data a month' },
    description: {
      'zh-CN': '在网满 3 年的用户，连续 6 个月每月加赠 20GB 国内流量。',
      'en-US': 'For customers with us three years or more: 20 GB extra domestic data a month for six months.',
    },
    priceMinor: 0,
    newCustomerPriceMinor: null,
    validDays: 180,
    stock: 300,
    eligibility: { tiers: ['vip', 'gold', 'silver', 'regular'], stages: ['maturity', 'decline'], minTenureDays: 1095 },
  },
  {
    code: 'TEL_BROADBAND_BUNDLE',
    industry: 'telecom',
    productCode: 'TEL_BROADBAND_1000',
    kind: 'upsell',
    title: { 'zh-CN': '千兆宽带融合优惠', 'en-US': 'Gigabit broadband bundle' },
    description: { 'zh-CN': '手机套餐加装千兆宽带，每月仅需 50 元。', 'en-US': 'Add gigabit broadband to your mobile plan for ¥50 a month.' },
    priceMinor: 5_000,
    newCustomerPriceMinor: 6_000,
    validDays: 60,
    stock: 0,
    eligibility: { tiers: ['vip', 'gold', 'silver'], stages: ['growth', 'maturity'], excludesProducts: ['TEL_BROADBAND_1000'], requiresConsent: true },
  },
  {
    code: 'INS_RENEWAL_DISCOUNT',
    industry: 'insurance',
    productCode: 'INS_CRITICAL_ILLNESS',
    kind: 'retention',
    title: { 'zh-CN': '续保享 95 折', 'en-US': '5% off when you renew' },
    description: { 'zh-CN': '到期前续保重疾险，保费享 95 折。', 'en-US': 'Renew your critical illness cover before it lapses and pay 5% less.' },
    priceMinor: null,
    newCustomerPriceMinor: null,
    validDays: 90,
    stock: null,
    eligibility: { tiers: ['vip', 'gold', 'silver'], stages: ['maturity', 'decline'], requiresProducts: ['INS_CRITICAL_ILLNESS'] },
  },
];

/**
 * Fills the database with the demo data; rows already there are kept. Returns the number of customers added. Dates
 * (maturities, complaint days, usage months) are counted from `now` in `timeZone`, so the demo reads the same whenever
 * it is seeded, and a test's clock seeds the demo of its own day.
 */
export async function seedDemo(knex: Knex, now: number, timeZone: string = DEFAULT_TIME_ZONE): Promise<number> {
  const existingStaff = new Set((await knex('staff').select('username')).map((r) => r.username as string));
  const missingStaff = DEMO_STAFF.filter((s) => !existingStaff.has(s.username));
  // Hash outside the transaction: scrypt is slow on purpose, and SQLite has one connection.
  const hashes = await Promise.all(missingStaff.map(() => hashPassword(DEMO_STAFF_PASSWORD)));

  return knex.transaction(async (trx) => {
    for (const [i, s] of missingStaff.entries()) {
      await trx('staff')
        .insert({
          username: s.username,
          display_name: s.displayName,
          role: s.role,
          password_hash: hashes[i],
          locale: s.locale,
          team: s.team,
          active: true,
          created_at: now,
          updated_at: now,
        })
        .onConflict('username')
        .ignore();
    }
    const staffIds = new Map((await trx('staff').select('id', 'username')).map((r) => [r.username as string, Number(r.id)]));

    await trx('products')
      .insert(DEMO_PRODUCTS.map((p) => ({ ...p })))
      .onConflict('code')
      .ignore();

    let added = 0;
    for (const c of DEMO_CUSTOMERS) {
      const inserted = await trx('customers')
        .insert({
          customer_no: c.customerNo,
          name: c.name,
          mobile: c.mobile,
          id_last4: c.idLast4,
          birthday: c.birthday,
          locale: c.locale,
          timezone: 'Asia/Shanghai',
          industry: c.industry,
          tier: c.tier,
          lifecycle_stage: c.stage,
          value_minor: c.valueMinor,
          relationship_manager_id: c.rm ? (staffIds.get(c.rm) ?? null) : null,
          marketing_consent: c.consent,
          joined_at: now - c.joinedDaysAgo * DAY,
          created_at: now,
          updated_at: now,
        })
        .onConflict('customer_no')
        .ignore()
        .returning('id');
      if (inserted.length === 0) continue;
      added++;
      const customerId = Number(typeof inserted[0] === 'object' ? inserted[0].id : inserted[0]);
      for (const a of c.accounts) {
        const [acc] = await trx('accounts')
          .insert({
            customer_id: customerId,
            kind: a.kind,
            number: a.number,
            unit: a.unit,
            balance: a.balance,
            as_of: now,
            matures_on: a.maturesInDays ? isoDate(now + a.maturesInDays * DAY, timeZone) : null,
            status: 'active',
            created_at: now,
          })
          .returning('id');
        const accountId = Number(typeof acc === 'object' ? acc.id : acc);
        const history = (a.history ?? []).map((h) => ({ balance: h.balance, at: now - h.daysAgo * DAY }));
        for (const h of [...history, { balance: a.balance, at: now }]) {
          await trx('balance_history').insert({ account_id: accountId, balance: h.balance, as_of: h.at });
        }
      }
      for (const [i, u] of (c.usage ?? []).entries()) {
        await trx('usage_months').insert({
          customer_id: customerId,
          month: monthBefore(now, c.usage!.length - i, timeZone),
          arpu_minor: u.arpuMinor,
          mou: u.mou,
        });
      }
      for (const p of c.products) {
        await trx('customer_products').insert({
          customer_id: customerId,
          product_code: p.code,
          opened_at: now - p.openedDaysAgo * DAY,
          matures_on: p.maturesInDays ? isoDate(now + p.maturesInDays * DAY, timeZone) : null,
          status: 'active',
        });
      }
    }

    const existingOffers = new Set((await trx('offers').select('code')).map((r) => r.code as string));
    const catalog = DEMO_OFFERS.filter((o) => !existingOffers.has(o.code)).map((o) => ({
      code: o.code,
      industry: o.industry,
      productCode: o.productCode,
      kind: o.kind,
      title: o.title,
      description: o.description,
      priceMinor: o.priceMinor,
      newCustomerPriceMinor: o.newCustomerPriceMinor,
      validFrom: now - DAY,
      validTo: now + o.validDays * DAY,
      stock: o.stock,
      eligibility: o.eligibility,
    }));
    // Through the same checks as any catalog file: a demo entry that broke a rule would be a bug in this file.
    const report = await loadOfferCatalog(trx, catalog, now);
    if (report.refused.length > 0) throw new Error(`demo offers refused: ${JSON.stringify(report.refused)}`);

    await seedHistory(trx, now, staffIds, timeZone);
    return added;
  });
}

/** A little complaint and survey history, so the console and the rules have something to show. */
async function seedHistory(trx: Knex.Transaction, now: number, staffIds: Map<string, number>, timeZone: string): Promise<void> {
  const customerId = async (no: string) => Number((await trx('customers').where({ customer_no: no }).first('id')).id);
  const complaints = [
    {
      reference: 'C' + compactDate(now - 60 * DAY, timeZone) + '-0001',
      customer: 'B0002',
      category: 'billing',
      severity: 'medium',
      status: 'resolved',
      description: '短信提醒服务被重复收费两个月。',
      createdAgo: 60,
      resolvedAgo: 57,
      resolution: '已退还重复收取的短信服务费 4 元，并关闭重复订阅。',
    },
    {
      reference: 'C' + compactDate(now - 2 * DAY, timeZone) + '-0001',
      customer: 'B0005',
      category: 'service',
      severity: 'high',
      status: 'open',
      description: '网点排队两个小时，大堂经理态度很差。',
      createdAgo: 2,
      resolvedAgo: null,
      resolution: null,
    },
    {
      reference: 'C' + compactDate(now - 20 * DAY, timeZone) + '-0001',
      customer: 'T0002',
      category: 'product',
      severity: 'medium',
      status: 'resolved',
      description: 'Signal keeps dropping at home in the evenings.',
      createdAgo: 20,
      resolvedAgo: 15,
      resolution: 'Cell site capacity upgraded; the customer confirmed the signal is stable.',
    },
  ];
  for (const c of complaints) {
    const created = now - c.createdAgo * DAY;
    await trx('complaints')
      .insert({
        reference: c.reference,
        customer_id: await customerId(c.customer),
        channel: 'webchat',
        category: c.category,
        severity: c.severity,
        status: c.status,
        description: c.description,
        contact: null,
        first_contact_due_at: created + 2 * 3_600_000,
        resolution_due_at: created + 7 * DAY,
        first_contacted_at: created + 3_600_000,
        resolved_at: c.resolvedAgo === null ? null : now - c.resolvedAgo * DAY,
        resolution: c.resolution,
        escalated: c.severity === 'high',
        created_at: created,
        updated_at: created,
      })
      .onConflict('reference')
      .ignore();
  }

  const surveys = [
    { customer: 'B0002', kind: 'csat', score: 5, comment: '处理很快，谢谢。', ago: 56, agent: 'agent.zhang' },
    { customer: 'B0001', kind: 'nps', score: 9, comment: null, ago: 120, agent: null },
    { customer: 'T0002', kind: 'csat', score: 2, comment: 'Took too long to fix.', ago: 14, agent: 'agent.li' },
  ];
  for (const s of surveys) {
    const id = await customerId(s.customer);
    const exists = await trx('surveys').where({ customer_id: id, kind: s.kind }).first('id');
    if (exists) continue;
    const at = now - s.ago * DAY;
    await trx('surveys').insert({
      customer_id: id,
      kind: s.kind,
      trigger: s.kind === 'nps' ? 'relationship' : 'complaint_closed',
      agent_id: s.agent ? (staffIds.get(s.agent) ?? null) : null,
      status: 'answered',
      score: s.score,
      comment: s.comment,
      sent_at: at,
      answered_at: at + 600_000,
      created_at: at,
    });
  }
}

function isoDate(ms: number, timeZone: string): string {
  return zonedIsoDate(ms, timeZone);
}

/** 'YYYY-MM' of the month `back` months before the one `ms` falls in (in `timeZone`). */
function monthBefore(ms: number, back: number, timeZone: string): string {
  const d = wallClock(ms, timeZone);
  return new Date(Date.UTC(d.year, d.month - 1 - back, 1)).toISOString().slice(0, 7);
}

function compactDate(ms: number, timeZone: string): string {
  return isoDate(ms, timeZone).replace(/-/g, '');
}
