/**
 * What the service itself knows about a customer at a given moment, as model features beside the operator's columns:
 * complaints and their deadlines, survey answers, churn words said in chat, the balance history, offers declined.
 * The same function serves training (at each snapshot's date, from the history) and scoring (now), so a model sees
 * the same figures in both.
 */
import { DAY_MS } from './lifecycle';
import { instantOf } from './zonedTime';

/** The features, by name (the `svc.` prefix keeps them apart from any column of the operator's). */
export const SERVICE_FEATURES = [
  'svc.complaints_90d',
  'svc.overdue_complaints',
  'svc.last_csat',
  'svc.last_nps',
  'svc.churn_words_90d',
  'svc.balance_change_30d_pct',
  'svc.offers_declined_90d',
] as const;
export type ServiceFeature = (typeof SERVICE_FEATURES)[number];

/** A customer's history as the service recorded it (times in epoch ms). */
export interface ServiceEvents {
  complaints: ReadonlyArray<{ createdAt: number; resolutionDueAt: number; resolvedAt: number | null }>;
  surveys: ReadonlyArray<{ kind: 'csat' | 'nps'; score: number; answeredAt: number }>;
  churnWordsAt: readonly number[];
  offersDeclinedAt: readonly number[];
  /** One series per account, each point the balance from that time on (minor units). */
  balances: ReadonlyArray<ReadonlyArray<{ at: number; balanceMinor: number }>>;
}

/**
 * The features at `at` from what happened up to then. A customer the service does not know gets every feature
 * missing (null); a known one gets counts (0 when nothing happened) and missing only where there is nothing to read
 * (no survey answered in the window, no balance history).
 */
export function serviceFeaturesAt(events: ServiceEvents | undefined, at: number): Record<ServiceFeature, number | null> {
  if (!events) return Object.fromEntries(SERVICE_FEATURES.map((f) => [f, null])) as Record<ServiceFeature, number | null>;
  const within = (t: number, days: number) => t <= at && at - t < days * DAY_MS;
  const latest = (kind: 'csat' | 'nps', days: number) => {
    let found: { score: number; answeredAt: number } | undefined;
    for (const s of events.surveys) if (s.kind === kind && within(s.answeredAt, days) && (!found || s.answeredAt > found.answeredAt)) found = s;
    return found ? found.score : null;
  };
  return {
    'svc.complaints_90d': events.complaints.filter((c) => within(c.createdAt, 90)).length,
    'svc.overdue_complaints': events.complaints.filter((c) => c.createdAt <= at && c.resolutionDueAt < at && (c.resolvedAt === null || c.resolvedAt > at))
      .length,
    'svc.last_csat': latest('csat', 180),
    'svc.last_nps': latest('nps', 365),
    'svc.churn_words_90d': events.churnWordsAt.filter((t) => within(t, 90)).length,
    'svc.balance_change_30d_pct': balanceChange(events.balances, at - 30 * DAY_MS, at),
    'svc.offers_declined_90d': events.offersDeclinedAt.filter((t) => within(t, 90)).length,
  };
}

/** The change of the total balance between two times, in whole percent; null without a balance before. */
function balanceChange(series: ServiceEvents['balances'], from: number, to: number): number | null {
  if (series.length === 0) return null;
  const total = (at: number) => {
    let sum = 0;
    let any = false;
    for (const points of series) {
      let latest: { at: number; balanceMinor: number } | undefined;
      for (const p of points) if (p.at <= at && (!latest || p.at >= latest.at)) latest = p;
      if (latest) {
        sum += latest.balanceMinor;
        any = true;
      }
    }
    return any ? sum : null;
  };
  const before = total(from);
  const after = total(to);
  if (before === null || after === null || before <= 0) return null;
  return Math.round(((after - before) * 100) / before);
}

/** The moment a snapshot dated 'YYYY-MM-DD' describes: the end of that day in the time zone (the next midnight there). */
export function endOfDay(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return instantOf(y, m, d + 1, 0, timeZone);
}
