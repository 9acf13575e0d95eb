/**
 * Lifecycle stages (客户生命周期) from the facts of a relationship, what each stage allows, and the calendar helpers
 * the retention rules share (tenure, days until a 'YYYY-MM-DD' date in the customer's time zone).
 *
 * Stage rules, first match wins:
 *   1. `churned`: the relationship is closed (the customer has left). Nothing else matters once they are gone.
 *   2. `decline`: churn risk band is high, or the value figure has dropped for a sustained period. This comes before
 *      acquisition on purpose: a new customer already on the way out needs the early warning and a save attempt more
 *      than a welcome, and the stage still bars upselling them (see `upsellPolicyFor`).
 *   3. `acquisition`: the first 90 days (the documents' figure).
 *   4. `maturity`: two years or more with us (project default). Two years is past the first renewal of a one-year
 *      product and the end of a usual 24-month telecom contract: the relationship has proven itself once. Value does
 *      not make a customer mature; it makes them a higher tier. The demo data follows this rule.
 *   5. `growth`: everyone else.
 *
 * A telecom customer who stays with ARPU < ¥50 counts as "lost" in the documents' retention figure, but is still
 * reachable; here they are `decline` through their risk band, so the save flow can still reach them.
 */
import type { LifecycleStage, RiskBand } from './types';
import { isoDate } from './zonedTime';

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

/** The time zone dates are read in when a customer's own is not known: China Standard Time. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** Whether the relationship is still open. */
export type RelationshipStatus = 'active' | 'closed';

/** The tunable parts of the stage rules. */
export interface LifecyclePolicy {
  /** Days from joining that are acquisition (the documents' 90). */
  acquisitionDays: number;
  /** Days from joining after which a customer is mature (project default 730). */
  maturityAfterDays: number;
  /** How many latest periods of `valueTrend` must all sit below the baseline for a sustained drop. */
  sustainedDropPeriods: number;
  /** How far below the baseline, in percent (strictly more than), each of those periods must be. */
  sustainedDropPct: number;
}

/** Default stage rules: acquisition 90 days, maturity after 730 days, sustained drop = 3 periods each > 30% down. */
export const DEFAULT_LIFECYCLE_POLICY: Readonly<LifecyclePolicy> = Object.freeze({
  acquisitionDays: 90,
  maturityAfterDays: 730,
  sustainedDropPeriods: 3,
  sustainedDropPct: 30,
});

/** The facts a lifecycle stage is decided from. */
export interface LifecycleInput {
  /** Epoch ms the customer joined. */
  joinedAt: number;
  /** Epoch ms of the decision. */
  now: number;
  status: RelationshipStatus;
  riskBand: RiskBand;
  /** The profile's value figure per period (e.g. month-end ARPU or average daily assets), oldest first. */
  valueTrend?: readonly number[];
}

/** The lifecycle stage of a customer (rules in this file's header). */
export function lifecycleStageFor(input: LifecycleInput, policy: Readonly<LifecyclePolicy> = DEFAULT_LIFECYCLE_POLICY): LifecycleStage {
  if (input.status === 'closed') return 'churned';
  if (input.riskBand === 'high' || hasSustainedDrop(input.valueTrend ?? [], policy)) return 'decline';
  const tenure = input.now - input.joinedAt;
  if (tenure < policy.acquisitionDays * DAY_MS) return 'acquisition';
  if (tenure >= policy.maturityAfterDays * DAY_MS) return 'maturity';
  return 'growth';
}

/**
 * True when each of the latest `sustainedDropPeriods` figures is more than `sustainedDropPct` below the figure just
 * before them. One bad month is a dip; the documents' "lost" test also asks for three months in a row.
 */
export function hasSustainedDrop(trend: readonly number[], policy: Readonly<LifecyclePolicy> = DEFAULT_LIFECYCLE_POLICY): boolean {
  const n = policy.sustainedDropPeriods;
  if (n < 1 || trend.length < n + 1) return false;
  const baseline = trend[trend.length - n - 1];
  if (!(baseline > 0)) return false;
  // Integer arithmetic: 30% of a fen amount must not depend on floating-point rounding.
  return trend.slice(-n).every((v) => v * 100 < baseline * (100 - policy.sustainedDropPct));
}

/** How a stage treats selling more: never, only when the customer asks, or welcome. */
export type UpsellPolicy = 'never' | 'on_request' | 'welcome';

const UPSELL: Readonly<Record<LifecycleStage, UpsellPolicy>> = Object.freeze({
  // The documents: no upselling in the first 90 days (welcome, usage guide, first-bill check only).
  acquisition: 'never',
  // The documents: high-value products only if the customer asks.
  growth: 'on_request',
  maturity: 'welcome',
  // A customer on the way out is given reasons to stay, not more to buy; if they ask, they get an answer.
  decline: 'on_request',
  // Win-back uses retention and recovery offers, not upselling.
  churned: 'never',
});

/** How a lifecycle stage treats upselling. */
export function upsellPolicyFor(stage: LifecycleStage): UpsellPolicy {
  return UPSELL[stage];
}

/** True when an upsell may be shown in this stage: never in acquisition, in growth only when the customer asked. */
export function allowsUpselling(stage: LifecycleStage, customerAsked = false): boolean {
  const policy = UPSELL[stage];
  return policy === 'welcome' || (policy === 'on_request' && customerAsked);
}

/** The calendar date ('YYYY-MM-DD') at an instant in a time zone. */
export function localDate(now: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  return isoDate(now, timeZone);
}

/** Epoch ms of UTC midnight of a 'YYYY-MM-DD' date, or undefined when it is not a real date. */
export function parseIsoDate(date: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? ms : undefined;
}

/** Whole calendar days from today (in the time zone) to a 'YYYY-MM-DD' date: 0 today, negative if past; undefined if invalid. */
export function daysUntil(date: string, now: number, timeZone: string = DEFAULT_TIME_ZONE): number | undefined {
  const target = parseIsoDate(date);
  if (target === undefined) return undefined;
  const today = parseIsoDate(localDate(now, timeZone)) as number;
  return Math.round((target - today) / DAY_MS);
}

/** True when an event at `at` happened at or before `now` and less than `days` days before it. */
export function withinLastDays(at: number | null | undefined, now: number, days: number): boolean {
  return typeof at === 'number' && at <= now && now - at < days * DAY_MS;
}
