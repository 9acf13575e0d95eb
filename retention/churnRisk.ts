/**
 * Churn early warning (流失预警): the signals the documents name, each a rule with a configurable weight and
 * threshold, summed into a 0–100 score and a band.
 *
 * The documents give the thresholds (30% outflow in 30 days, ARPU < ¥50 or MOU < 100 for 3 months, 40% month-on-month
 * drop, ≥ 2 complaints in 90 days, CSAT ≤ 2, NPS ≤ 6); the weights, the windows they do not give and the ¥50,000
 * "large" maturity are the project's defaults. The weights are set so that one strong sign (money leaving, churn
 * words) lands in `medium` and two signs of different kinds reach `high`: the documents' standard is warning 70% of
 * churners in advance, which one signal alone rarely does.
 */
import { DAY_MS, DEFAULT_TIME_ZONE, daysUntil, withinLastDays } from './lifecycle';
import { isHighValueTier } from './tiers';
import type { RiskBand, Tier } from './types';

/** Stable codes of the churn signals; stored with the score and shown to agents. */
export const CHURN_SIGNAL_CODES = [
  'funds_outflow',
  'large_maturity',
  'low_usage',
  'usage_drop',
  'repeat_complaints',
  'overdue_complaint',
  'low_satisfaction',
  'churn_intent',
  'late_payment',
  'rm_changed',
] as const;
export type ChurnSignalCode = (typeof CHURN_SIGNAL_CODES)[number];

/** Points each signal adds to the score (whole numbers 0–100; 0 turns a signal off). */
export type ChurnWeights = Readonly<Record<ChurnSignalCode, number>>;

/** Default weights (project defaults; see the file header for the reasoning). */
export const DEFAULT_CHURN_WEIGHTS: ChurnWeights = Object.freeze({
  funds_outflow: 40,
  large_maturity: 20,
  low_usage: 30,
  usage_drop: 25,
  repeat_complaints: 20,
  overdue_complaint: 25,
  low_satisfaction: 20,
  churn_intent: 45,
  late_payment: 15,
  rm_changed: 10,
});

/** The lowest score of the medium and high bands; below `medium` is low. */
export interface RiskBands {
  medium: number;
  high: number;
}

/** Default bands: low < 40 ≤ medium < 70 ≤ high. */
export const DEFAULT_RISK_BANDS: Readonly<RiskBands> = Object.freeze({ medium: 40, high: 70 });

/** The thresholds and windows of the signal rules. Percentages are whole numbers; amounts are minor units. */
export interface ChurnThresholds {
  /** funds_outflow: the value figure fell by more than this percent ... */
  outflowPct: number;
  /** ... within this many days ... */
  outflowWindowDays: number;
  /** ... and by at least this amount (0: any amount), to keep pocket money from raising alarms if wanted. */
  outflowMinAmountMinor: number;
  /** large_maturity: something matures within this many days (today counts as day 0) ... */
  maturityWindowDays: number;
  /** ... worth at least this much (an unknown amount, e.g. a policy renewal, always counts). */
  largeMaturityMinMinor: number;
  /** low_usage: ARPU below this ... */
  lowArpuMinor: number;
  /** ... or minutes of use below this ... */
  lowMouMinutes: number;
  /** ... in each of the latest this many months. */
  lowUsageMonths: number;
  /** usage_drop: ARPU or MOU fell by more than this percent from the month before. */
  usageDropPct: number;
  /** repeat_complaints: at least this many complaints ... */
  repeatComplaintCount: number;
  /** ... made within this many days. */
  complaintWindowDays: number;
  /** low_satisfaction: a CSAT at or below this ... */
  lowCsatMax: number;
  /** ... or an NPS answer at or below this ... */
  lowNpsMax: number;
  /** ... answered within this many days. */
  satisfactionWindowDays: number;
  /** churn_intent: words heard within this many days count; older ones have expired. */
  churnIntentWindowDays: number;
  /** late_payment: a late payment within this many days. */
  latePaymentWindowDays: number;
  /** rm_changed: the relationship manager changed within this many days. */
  rmChangeWindowDays: number;
}

/** Default thresholds: the documents' figures where they give them, project defaults for the windows they do not. */
export const DEFAULT_CHURN_THRESHOLDS: Readonly<ChurnThresholds> = Object.freeze({
  outflowPct: 30,
  outflowWindowDays: 30,
  outflowMinAmountMinor: 0,
  maturityWindowDays: 30,
  largeMaturityMinMinor: 5_000_000,
  lowArpuMinor: 5_000,
  lowMouMinutes: 100,
  lowUsageMonths: 3,
  usageDropPct: 40,
  repeatComplaintCount: 2,
  complaintWindowDays: 90,
  lowCsatMax: 2,
  lowNpsMax: 6,
  satisfactionWindowDays: 90,
  churnIntentWindowDays: 30,
  latePaymentWindowDays: 90,
  rmChangeWindowDays: 90,
});

/** One figure of one account's balance history. */
export interface BalancePoint {
  /** Epoch ms of the figure. */
  at: number;
  balanceMinor: number;
}

/** Something the customer holds that matures (a deposit, a wealth product, a policy up for renewal). */
export interface Maturing {
  /** 'YYYY-MM-DD' in the customer's time zone. */
  maturesOn: string;
  /** What matures, when known. */
  amountMinor?: number | null;
}

/** One complete month of telecom usage. */
export interface UsageMonth {
  arpuMinor: number;
  /** Minutes of use, when known. */
  mou?: number | null;
}

/** The parts of a complaint the signals need. */
export interface ComplaintFacts {
  createdAt: number;
  resolutionDueAt: number;
  /** Null while the complaint is open. */
  resolvedAt: number | null;
}

/** An answered survey. */
export interface SurveyFacts {
  kind: 'csat' | 'nps';
  score: number;
  answeredAt: number;
}

/** What is known about a customer; every part is optional, and a missing part raises no signal. */
export interface ChurnRiskInput {
  /** Epoch ms of the assessment. */
  now: number;
  /** Time zone for maturity dates (default Asia/Shanghai). */
  timeZone?: string;
  /** The value figure now and at the start of the outflow window (30 days ago by default). */
  assets?: { currentMinor: number; previousMinor: number };
  /**
   * Balance history, one series per account. Takes precedence over `assets` when it has points. The total at a time
   * is the sum of each account's latest figure at or before it; an account with no figure yet counts 0, so money
   * moved into a newly opened account of ours is not mistaken for money leaving.
   */
  balanceHistory?: readonly (readonly BalancePoint[])[];
  maturities?: readonly Maturing[];
  /** Complete months of usage, oldest first (telecom). */
  usage?: readonly UsageMonth[];
  complaints?: readonly ComplaintFacts[];
  surveys?: readonly SurveyFacts[];
  /** When the customer last said they want to close, cancel, switch provider or move money out. */
  churnIntentAt?: number | null;
  lastLatePaymentAt?: number | null;
  relationshipManagerChangedAt?: number | null;
}

/** A signal found, with the points it adds and the figures behind it (never personal data). */
export interface ChurnSignal {
  code: ChurnSignalCode;
  weight: number;
  detail?: Readonly<Record<string, number | string>>;
}

/** The assessment: score 0–100, its band, and the signals behind it, heaviest first. */
export interface ChurnRisk {
  score: number;
  band: RiskBand;
  signals: ChurnSignal[];
}

type Detail = Record<string, number | string>;
type Rule = (input: ChurnRiskInput, t: Readonly<ChurnThresholds>) => Detail | undefined;

const RULES: Readonly<Record<ChurnSignalCode, Rule>> = {
  funds_outflow: fundsOutflow,
  large_maturity: largeMaturity,
  low_usage: lowUsage,
  usage_drop: usageDrop,
  repeat_complaints: (input, t) => {
    const count = (input.complaints ?? []).filter((c) => withinLastDays(c.createdAt, input.now, t.complaintWindowDays)).length;
    return count >= t.repeatComplaintCount ? { count } : undefined;
  },
  overdue_complaint: (input) => {
    const overdue = (input.complaints ?? []).filter((c) => c.resolvedAt === null && input.now > c.resolutionDueAt);
    return overdue.length > 0 ? { count: overdue.length } : undefined;
  },
  low_satisfaction: (input, t) => {
    const low = (input.surveys ?? []).find(
      (s) => withinLastDays(s.answeredAt, input.now, t.satisfactionWindowDays) && s.score <= (s.kind === 'csat' ? t.lowCsatMax : t.lowNpsMax),
    );
    return low ? { kind: low.kind, score: low.score } : undefined;
  },
  churn_intent: (input, t) => (withinLastDays(input.churnIntentAt, input.now, t.churnIntentWindowDays) ? {} : undefined),
  late_payment: (input, t) => (withinLastDays(input.lastLatePaymentAt, input.now, t.latePaymentWindowDays) ? {} : undefined),
  rm_changed: (input, t) => (withinLastDays(input.relationshipManagerChangedAt, input.now, t.rmChangeWindowDays) ? {} : undefined),
};

/** Scores churn risk: the sum of the weights of the signals present, capped at 100, with its band. */
export function scoreChurnRisk(
  input: ChurnRiskInput,
  weights: ChurnWeights = DEFAULT_CHURN_WEIGHTS,
  bands: Readonly<RiskBands> = DEFAULT_RISK_BANDS,
  thresholds: Readonly<ChurnThresholds> = DEFAULT_CHURN_THRESHOLDS,
): ChurnRisk {
  validateChurnWeights(weights);
  validateRiskBands(bands);
  const signals: ChurnSignal[] = [];
  for (const code of CHURN_SIGNAL_CODES) {
    const weight = weights[code];
    if (weight === 0) continue;
    const detail = RULES[code](input, thresholds);
    if (detail) signals.push(Object.keys(detail).length > 0 ? { code, weight, detail } : { code, weight });
  }
  signals.sort((a, b) => b.weight - a.weight || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const score = Math.min(
    100,
    signals.reduce((sum, s) => sum + s.weight, 0),
  );
  return { score, band: riskBandFor(score, bands), signals };
}

/** The band of a score: low below `medium`, high from `high` up, medium between. */
export function riskBandFor(score: number, bands: Readonly<RiskBands> = DEFAULT_RISK_BANDS): RiskBand {
  if (score >= bands.high) return 'high';
  if (score >= bands.medium) return 'medium';
  return 'low';
}

/** Throws a clear error unless 0 < medium < high ≤ 100, both whole numbers; returns the bands. */
export function validateRiskBands(bands: Readonly<RiskBands>): Readonly<RiskBands> {
  for (const k of ['medium', 'high'] as const) {
    const v = bands?.[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > 100) {
      throw new RangeError(`Risk bands: ${k} must be a whole number from 1 to 100 (got ${String(v)})`);
    }
  }
  if (bands.medium >= bands.high) throw new RangeError(`Risk bands: medium (${bands.medium}) must be lower than high (${bands.high})`);
  return bands;
}

/** Throws a clear error unless every signal has a whole-number weight from 0 to 100; returns the weights. */
export function validateChurnWeights(weights: ChurnWeights): ChurnWeights {
  for (const code of CHURN_SIGNAL_CODES) {
    const v = weights?.[code];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 100) {
      throw new RangeError(`Churn weights: ${code} must be a whole number from 0 to 100 (got ${String(v)})`);
    }
  }
  const unknown = Object.keys(weights).filter((k) => !(CHURN_SIGNAL_CODES as readonly string[]).includes(k));
  if (unknown.length > 0) throw new RangeError(`Churn weights: unknown signal ${unknown.join(', ')}`);
  return weights;
}

/** True when a person should call: high churn risk and a high-value (vip or gold) customer. */
export function needsHumanCall(who: { band: RiskBand; tier: Tier }): boolean {
  return who.band === 'high' && isHighValueTier(who.tier);
}

/**
 * Who a person tries to keep, when a customer says they are leaving (the save flow): a high-value customer (vip, gold)
 * or anyone at high churn risk goes to a person at once; everyone else is offered the best retention offer first.
 */
export function saveFlowNeedsPerson(who: { band: RiskBand | undefined; tier: Tier }): boolean {
  return isHighValueTier(who.tier) || who.band === 'high';
}

function fundsOutflow(input: ChurnRiskInput, t: Readonly<ChurnThresholds>): Detail | undefined {
  const windowStart = input.now - t.outflowWindowDays * DAY_MS;
  let from: number;
  let to: number;
  const series = (input.balanceHistory ?? []).filter((s) => s.length > 0);
  if (series.length > 0) {
    from = totalAt(series, windowStart);
    to = totalAt(series, input.now);
  } else if (input.assets) {
    from = input.assets.previousMinor;
    to = input.assets.currentMinor;
  } else {
    return undefined;
  }
  const drop = from - to;
  if (from <= 0 || drop <= 0 || drop < t.outflowMinAmountMinor) return undefined;
  // "down > 30%" compared in integers: drop / from > pct / 100.
  if (drop * 100 <= from * t.outflowPct) return undefined;
  return { fromMinor: from, toMinor: to, dropPct: Math.floor((drop * 100) / from) };
}

function totalAt(series: readonly (readonly BalancePoint[])[], at: number): number {
  let total = 0;
  for (const points of series) {
    let latest: BalancePoint | undefined;
    for (const p of points) if (p.at <= at && (!latest || p.at >= latest.at)) latest = p;
    total += latest?.balanceMinor ?? 0;
  }
  return total;
}

function largeMaturity(input: ChurnRiskInput, t: Readonly<ChurnThresholds>): Detail | undefined {
  let soonest: { maturesOn: string; daysLeft: number } | undefined;
  for (const m of input.maturities ?? []) {
    // A malformed date is not evidence of anything; the data layer validates dates on the way in.
    const days = daysUntil(m.maturesOn, input.now, input.timeZone ?? DEFAULT_TIME_ZONE);
    if (days === undefined || days < 0 || days > t.maturityWindowDays) continue;
    if (m.amountMinor != null && m.amountMinor < t.largeMaturityMinMinor) continue;
    if (!soonest || days < soonest.daysLeft) soonest = { maturesOn: m.maturesOn, daysLeft: days };
  }
  return soonest;
}

function lowUsage(input: ChurnRiskInput, t: Readonly<ChurnThresholds>): Detail | undefined {
  const months = input.usage ?? [];
  if (t.lowUsageMonths < 1 || months.length < t.lowUsageMonths) return undefined;
  const latest = months.slice(-t.lowUsageMonths);
  const low = latest.every((m) => m.arpuMinor < t.lowArpuMinor || (m.mou != null && m.mou < t.lowMouMinutes));
  return low ? { months: t.lowUsageMonths } : undefined;
}

function usageDrop(input: ChurnRiskInput, t: Readonly<ChurnThresholds>): Detail | undefined {
  const months = input.usage ?? [];
  if (months.length < 2) return undefined;
  const [prev, last] = months.slice(-2);
  const dropped = (before: number | null | undefined, after: number | null | undefined) =>
    before != null && after != null && before > 0 && (before - after) * 100 > before * t.usageDropPct;
  if (dropped(prev.arpuMinor, last.arpuMinor)) return { metric: 'arpu', dropPct: Math.floor(((prev.arpuMinor - last.arpuMinor) * 100) / prev.arpuMinor) };
  if (dropped(prev.mou, last.mou)) {
    const [b, a] = [prev.mou as number, last.mou as number];
    return { metric: 'mou', dropPct: Math.floor(((b - a) * 100) / b) };
  }
  return undefined;
}
