/**
 * Synthetic customer snapshots with a known churn structure, as an operator's warehouse would export them: quarterly
 * snapshot dates, a few columns per industry, and closing dates. Who leaves is drawn from a logistic model written out
 * below, so a model trained on these snapshots can be checked against it (the signs of its weights, its ranking).
 *
 * The structure (log-odds of leaving within 90 days of a snapshot), per industry:
 * - telecom: month-to-month contract +1.6, one-year +0.6; tenure under 12 months +1.2, 12–24 +0.5; usage falling
 *   (each percent of fall over the last three months +0.03); each complaint in 90 days +0.5; fee above ¥100 +0.004/¥.
 * - bank: one product +1.0, three or more −0.3; no digital activity in 90 days +0.9; balance falling (each percent
 *   +0.025); tenure under 12 months +1.0, 12–36 +0.4; each complaint in 90 days +0.5.
 * - insurance: one policy +0.8, two +0.2; paying monthly +0.7; a claim rejected in 12 months +1.2; premium rising
 *   (each percent +0.02); tenure under 12 months +1.0; each complaint in 90 days +0.5.
 * Gender, region and age (bank) carry no effect: a model should find nothing in them (and gender is excluded anyway).
 *
 * Pure and deterministic: the same seed and inputs give the same rows.
 */
import { DEFAULT_TIME_ZONE } from '../../retention/lifecycle';
import { isoDate, wallClock } from '../../retention/zonedTime';
import { addDays } from '../../retention/churnModel';
import { sigmoid } from '../../retention/logistic';
import type { Industry } from '../../retention/types';

const DAY = 86_400_000;

/** A customer to make snapshots for. */
export interface SnapshotCustomer {
  customerNo: string;
  /** Epoch ms. */
  joinedAt: number;
  /**
   * Customers of the service have a history already: when they closed (epoch ms) or null if they have not. Their
   * snapshots are drawn to agree with it. Undefined: whether and when they leave is drawn from the structure.
   */
  closedAt?: number | null;
}

/** One snapshot as the import stores it. */
export interface SnapshotRecord {
  customerNo: string;
  snapshotDate: string;
  closedOn: string | null;
  features: Record<string, number | string | null>;
}

/** What to generate. */
export interface SnapshotOptions {
  industry: Industry;
  customers: readonly SnapshotCustomer[];
  /** Snapshot dates, 'YYYY-MM-DD', oldest first. */
  dates: readonly string[];
  /** Closings after this date are not known yet (the export's date; default: the last snapshot date). */
  knownUntil?: string;
  seed: number;
}

type Rng = () => number;
type Row = Record<string, number | string | null>;

interface Structure {
  /** What stays with a customer: contract, products, gender… */
  person(r: Rng): Row;
  /** What changes from one snapshot to the next. */
  moment(r: Rng, person: Row, tenureMonths: number): Row;
  logOdds(features: Readonly<Record<string, number | string | null | undefined>>): number;
}

const pick = <T>(r: Rng, table: ReadonlyArray<readonly [T, number]>): T => {
  const total = table.reduce((a, [, w]) => a + w, 0);
  let x = r() * total;
  for (const [v, w] of table) if ((x -= w) < 0) return v;
  return table[table.length - 1][0];
};
const normal = (r: Rng, mean: number, sd: number) => mean + sd * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
const poisson = (r: Rng, lambda: number) => {
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = r();
  while (p > limit) {
    k++;
    p *= r();
  }
  return k;
};
const tenureLift = (months: number, under12: number, upTo: number, lift: number) => (months < 12 ? under12 : months < upTo ? lift : 0);

/** The known structure of each industry (see the file header). */
export const STRUCTURES: Readonly<Record<Industry, Structure>> = {
  telecom: {
    person: (r) => ({
      contract: pick(r, [
        ['month-to-month', 50],
        ['one-year', 25],
        ['two-year', 25],
      ] as const),
      gender: pick(r, [
        ['F', 1],
        ['M', 1],
      ] as const),
      region: pick(r, [
        ['north', 3],
        ['south', 3],
        ['east', 2],
        ['west', 2],
      ] as const),
      payment: pick(r, [
        ['auto-debit', 5],
        ['app', 3],
        ['counter', 2],
      ] as const),
      monthly_fee: Math.round(30 + r() * 170),
      decliner: r() < 0.2 ? 1 : 0,
      complainer: r() < 0.2 ? 1 : 0,
    }),
    moment: (r, p, tenure) => ({
      tenure_months: tenure,
      usage_change_pct: Math.round(p.decliner ? normal(r, -35, 15) : normal(r, 2, 10)),
      complaints_90d: poisson(r, p.complainer ? 0.8 : 0.15),
    }),
    logOdds: (f) =>
      -5 +
      (f.contract === 'month-to-month' ? 2.2 : f.contract === 'one-year' ? 0.9 : 0) +
      tenureLift(Number(f.tenure_months), 1.5, 24, 0.7) +
      0.05 * Math.max(0, -Number(f.usage_change_pct)) +
      0.7 * Math.min(4, Number(f.complaints_90d)) +
      0.004 * (Number(f.monthly_fee) - 100),
  },
  bank: {
    person: (r) => ({
      products_held: pick(r, [
        [1, 35],
        [2, 40],
        [3, 18],
        [4, 7],
      ] as const),
      gender: pick(r, [
        ['F', 1],
        ['M', 1],
      ] as const),
      region: pick(r, [
        ['north', 3],
        ['south', 3],
        ['east', 2],
        ['west', 2],
      ] as const),
      age: Math.round(22 + r() * 50),
      decliner: r() < 0.2 ? 1 : 0,
      complainer: r() < 0.2 ? 1 : 0,
      digital: r() < 0.75 ? 1 : 0,
    }),
    moment: (r, p, tenure) => ({
      tenure_months: tenure,
      digital_active: (p.digital ? r() < 0.9 : r() < 0.2) ? 'yes' : 'no',
      balance_change_pct: Math.round(p.decliner ? normal(r, -40, 20) : normal(r, 3, 12)),
      complaints_90d: poisson(r, p.complainer ? 0.8 : 0.15),
    }),
    logOdds: (f) =>
      -4.4 +
      (f.products_held === 1 ? 1.5 : Number(f.products_held) >= 3 ? -0.5 : 0) +
      (f.digital_active === 'no' ? 1.4 : 0) +
      0.04 * Math.max(0, -Number(f.balance_change_pct)) +
      tenureLift(Number(f.tenure_months), 1.4, 36, 0.6) +
      0.7 * Math.min(4, Number(f.complaints_90d)),
  },
  insurance: {
    person: (r) => ({
      policies_held: pick(r, [
        [1, 45],
        [2, 35],
        [3, 20],
      ] as const),
      payment_frequency: pick(r, [
        ['monthly', 45],
        ['annual', 55],
      ] as const),
      gender: pick(r, [
        ['F', 1],
        ['M', 1],
      ] as const),
      region: pick(r, [
        ['north', 3],
        ['south', 3],
        ['east', 2],
        ['west', 2],
      ] as const),
      riser: r() < 0.25 ? 1 : 0,
      complainer: r() < 0.2 ? 1 : 0,
    }),
    moment: (r, p, tenure) => ({
      tenure_months: tenure,
      claim_rejected_12m: r() < (p.complainer ? 0.25 : 0.05) ? 1 : 0,
      premium_change_pct: Math.round(p.riser ? normal(r, 25, 10) : normal(r, 2, 4)),
      complaints_90d: poisson(r, p.complainer ? 0.7 : 0.12),
    }),
    logOdds: (f) =>
      -4.6 +
      (f.policies_held === 1 ? 1.3 : f.policies_held === 2 ? 0.4 : 0) +
      (f.payment_frequency === 'monthly' ? 1.1 : 0) +
      1.8 * Number(f.claim_rejected_12m) +
      0.05 * Math.max(0, Number(f.premium_change_pct)) +
      tenureLift(Number(f.tenure_months), 1.4, 24, 0) +
      0.7 * Math.min(4, Number(f.complaints_90d)),
  },
};

/** Columns that are the generator's own latent traits, never exported. */
const HIDDEN = new Set(['decliner', 'complainer', 'digital', 'riser']);

/**
 * Makes the snapshots: for each date, every customer who had joined and not yet left; a customer whose outcome is
 * drawn leaves within 90 days with the structure's probability. A customer of the service (closedAt given) has
 * features drawn until they agree with the outcome known for them (at most 200 draws; after that the last draw is
 * kept), so their rows follow the same structure.
 */
export function generateSnapshots(options: SnapshotOptions): SnapshotRecord[] {
  const structure = STRUCTURES[options.industry];
  const dates = [...options.dates].sort();
  const knownUntil = options.knownUntil ?? dates[dates.length - 1];
  const r = mulberry32(options.seed);
  const dateMs = dates.map((d) => Date.parse(`${d}T16:00:00Z`)); // 24:00 China time of each date
  const records: SnapshotRecord[] = [];
  for (const customer of options.customers) {
    const present = dates.map((_, k) => customer.joinedAt <= dateMs[k]);
    // Only dates whose 90 days have passed get an outcome; the last dates are for scoring.
    const decided = dates.map((d) => addDays(d, 90) <= knownUntil);
    let person: Row = {};
    let moments: Row[] = [];
    let closedOn: string | null = null;
    let leftAt = dates.length;
    for (let attempt = 0; attempt < 200; attempt++) {
      person = structure.person(r);
      moments = [];
      closedOn = null;
      leftAt = dates.length;
      for (let k = 0; k < dates.length; k++) {
        if (!present[k]) {
          moments.push({});
          continue;
        }
        const tenure = Math.floor((dateMs[k] - customer.joinedAt) / (30.44 * DAY));
        const moment = structure.moment(r, person, tenure);
        moments.push(moment);
        if (closedOn === null && decided[k] && r() < sigmoid(structure.logOdds({ ...person, ...moment }))) {
          closedOn = addDays(dates[k], 1 + Math.floor(r() * 90));
          leftAt = k + 1;
          break;
        }
      }
      if (customer.closedAt === undefined || agrees(customer.closedAt, closedOn, dates, decided, present)) break;
    }
    if (customer.closedAt !== undefined) {
      closedOn = customer.closedAt === null ? null : isoDay(customer.closedAt);
      leftAt = closedOn === null ? dates.length : dates.filter((d) => d < closedOn!).length;
    }
    for (let k = 0; k < Math.min(leftAt, dates.length); k++) {
      if (!present[k]) continue;
      if (!moments[k] || Object.keys(moments[k]).length === 0) {
        const tenure = Math.floor((dateMs[k] - customer.joinedAt) / (30.44 * DAY));
        moments[k] = structure.moment(r, person, tenure);
      }
      const features: Row = {};
      for (const [name, value] of Object.entries({ ...person, ...moments[k] })) if (!HIDDEN.has(name)) features[name] = value;
      records.push({
        customerNo: customer.customerNo,
        snapshotDate: dates[k],
        closedOn: closedOn !== null && closedOn <= knownUntil ? closedOn : null,
        features,
      });
    }
  }
  return records;
}

/** Whether a drawn outcome matches the known one, date by date (left within 90 days of it, or not). */
function agrees(closedAt: number | null, drawn: string | null, dates: readonly string[], decided: readonly boolean[], present: readonly boolean[]): boolean {
  const known = closedAt === null ? null : isoDay(closedAt);
  for (let k = 0; k < dates.length; k++) {
    if (!present[k] || !decided[k]) continue;
    if (known !== null && known <= dates[k]) break;
    const within = (c: string | null) => c !== null && c > dates[k] && c <= addDays(dates[k], 90);
    if (within(known) !== within(drawn)) return false;
    if (within(known)) break;
  }
  return true;
}

/** The calendar date of an instant in the demo's time zone. */
function isoDay(ms: number): string {
  return isoDate(ms, DEFAULT_TIME_ZONE);
}

/** Quarter-end-like snapshot dates: the last day of the month, every `stepMonths` months, `count` of them, ending with the month before `now`. */
export function snapshotDates(now: number, count: number, stepMonths = 3): string[] {
  const d = wallClock(now, DEFAULT_TIME_ZONE);
  const dates: string[] = [];
  for (let k = count - 1; k >= 0; k--) {
    // Day 0 of a month is the last day of the month before.
    const last = new Date(Date.UTC(d.year, d.month - 1 - k * stepMonths, 0));
    dates.push(last.toISOString().slice(0, 10));
  }
  return dates;
}

/** Warehouse customers (not customers of the service): numbered with a prefix, joined up to eight years back. */
export function warehouseCustomers(prefix: string, count: number, now: number, seed: number): SnapshotCustomer[] {
  const r = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => ({
    customerNo: `${prefix}${String(i + 1).padStart(5, '0')}`,
    // About one in six joined in the last year, so short tenures are there to learn from.
    joinedAt: now - Math.floor((r() < 0.17 ? r() * 365 : 365 + r() * 7 * 365) * DAY),
  }));
}

function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
