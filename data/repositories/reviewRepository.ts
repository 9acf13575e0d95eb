import { DEFAULT_TIME_ZONE } from '../../retention/lifecycle';
import { wallClock } from '../../retention/zonedTime';
import type { Knex } from 'knex';
import type { ComplaintCategory, ComplaintStatus, Severity } from '../../retention/complaints';
import type { SurveyKind } from '../../retention/surveyPolicy';
import type { RiskBand, Tier } from '../../retention/types';
import { parseJson, toNumOrNull } from '../rows';

const DAY = 86_400_000;
/** China time (no daylight saving): the months of the retention rate's usage rule are counted in it. */

/** What every review figure and list is narrowed by: the period [from, to) and the manager's filters. */
export interface ReviewFilters {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  tiers?: Tier[];
  category?: ComplaintCategory;
  /** Survey scores, inclusive. */
  score?: { min: number; max: number };
  agentId?: number;
  channel?: string;
}

/** The survey statuses a list can show (a survey never sent is not part of any review). */
export type ReviewSurveyStatus = 'answered' | 'unanswered' | 'sent' | 'expired' | 'declined';
/** A lost customer of the baseline group: closed (left), or stayed with low usage for three months. */
export type LostReason = 'closed' | 'low_usage';

/** The filters of the lists: the common ones and those only some lists have. */
export interface ListFilters extends ReviewFilters {
  kind?: SurveyKind;
  surveyStatus?: ReviewSurveyStatus;
  complaintStatus?: ComplaintStatus;
  severity?: Severity;
  /** Any breach, none, or one of the two deadlines. */
  breached?: boolean | 'first_contact' | 'resolution';
  handoffStatus?: 'queued' | 'active' | 'resolved' | 'abandoned';
  accepted?: boolean;
  sortByWait?: boolean;
  outcome?: 'shown' | 'accepted' | 'declined' | 'later' | 'expired';
  band?: RiskBand;
  /** Baseline group: lost (any reason, or one of them) or kept. */
  lost?: boolean | LostReason;
  signed?: boolean;
}

/** A count per value. */
export type Counts<K extends string | number = string> = Array<{ key: K; count: number }>;

/** Surveys of the period: CSAT, NPS and how many answered. */
export interface SurveyFigures {
  csat: { answered: number; average: number | null; distribution: Counts<number> };
  nps: { answered: number; promoters: number; passives: number; detractors: number; score: number | null; distribution: Counts<number> };
  /** Surveys sent in the period and how many of them were answered. */
  response: { sent: number; answered: number; rate: number | null };
}

/** Complaints filed in the period. */
export interface ComplaintFigures {
  total: number;
  byCategory: Counts;
  byStatus: Counts;
  breaches: { any: number; firstContact: number; resolution: number };
}

/** Handoffs queued in the period: waits and who took them. */
export interface HandoffFigures {
  queued: number;
  accepted: number;
  abandoned: number;
  waitMs: { median: number | null; p90: number | null };
  agents: Array<{ agentId: number; name: string; handled: number; resolved: number; averageWaitMs: number | null; averageHandleMs: number | null }>;
}

/** Offers shown in the period and what became of them. */
export interface OfferFigures {
  shown: number;
  accepted: number;
  takeUp: number | null;
  byOutcome: Counts;
}

/** Active customers now: churn-risk bands, and the high-value customers at high risk. */
export interface RiskFigures {
  byBand: Counts<RiskBand>;
  highValueAtRisk: { count: number; top: CustomerRow[] };
}

/** The retention rate of the baseline group (customers active at the period's start). */
export interface RetentionFigures {
  group: number;
  lost: number;
  lostClosed: number;
  lostLowUsage: number;
  rate: number | null;
  /** The three months ('YYYY-MM') the usage rule looks at. */
  months: string[];
}

/** QA reviews made in the period. */
export interface QaFigures {
  reviews: number;
  signed: number;
  average: number | null;
}

/** Counts per time bucket (day or week) of the period, for the trend chart. */
export interface TrendFigures {
  bucketMs: number;
  buckets: Array<{ start: number; csatAnswered: number; csatAverage: number | null; complaints: number }>;
}

/** Every figure of the dashboard. */
export interface Dashboard {
  surveys: SurveyFigures;
  complaints: ComplaintFigures;
  handoffs: HandoffFigures;
  offers: OfferFigures;
  risk: RiskFigures;
  retention: RetentionFigures;
  qa: QaFigures;
  trend: TrendFigures;
}

/** A survey in a list. */
export interface SurveyRow {
  id: number;
  kind: SurveyKind;
  score: number | null;
  comment: string | null;
  status: string;
  sentAt: number | null;
  answeredAt: number | null;
  agentName: string | null;
  channel: string | null;
  customerId: number | null;
  customerNo: string | null;
  tier: Tier | null;
  conversationId: number | null;
  complaintReference: string | null;
}

/** A complaint in a list. */
export interface ComplaintRow {
  id: number;
  reference: string;
  createdAt: number;
  customerId: number | null;
  customerNo: string | null;
  tier: Tier | null;
  channel: string;
  category: ComplaintCategory;
  severity: Severity;
  status: ComplaintStatus;
  firstContactDueAt: number;
  resolutionDueAt: number;
  firstContactedAt: number | null;
  resolvedAt: number | null;
  firstContactBreached: boolean;
  resolutionBreached: boolean;
  /** As stored: the caller masks it on the way out. */
  description: string;
  /** As stored: the caller masks it on the way out. */
  contact: string | null;
  conversationId: number | null;
}

/** A handoff in a list. */
export interface HandoffRow {
  id: number;
  queuedAt: number;
  acceptedAt: number | null;
  endedAt: number | null;
  waitMs: number | null;
  customerId: number | null;
  customerNo: string | null;
  tier: Tier | null;
  channel: string | null;
  reason: string;
  agentName: string | null;
  status: string;
  outcome: string | null;
  conversationId: number;
  complaintReference: string | null;
}

/** An offer presentation in a list. */
export interface OfferRow {
  id: number;
  shownAt: number;
  offerCode: string;
  title: Record<string, string>;
  customerId: number;
  customerNo: string | null;
  tier: Tier | null;
  channel: string;
  outcome: string;
  relevance: string | null;
  conversationId: number | null;
}

/** A customer in the churn-risk list. */
export interface CustomerRow {
  id: number;
  customerNo: string;
  name: string;
  /** As stored: the caller masks it on the way out. */
  mobile: string;
  tier: Tier;
  industry: string;
  stage: string;
  score: number;
  band: RiskBand;
  signals: string[];
  managerName: string | null;
}

/** A member of the baseline group. */
export interface RetentionRow {
  id: number;
  customerNo: string;
  name: string;
  tier: Tier;
  industry: string;
  joinedAt: number;
  status: string;
  closedAt: number | null;
  lost: LostReason | null;
}

/** A QA review in a list. */
export interface QaRow {
  id: number;
  conversationId: number;
  customerNo: string | null;
  tier: Tier | null;
  channel: string;
  agentName: string | null;
  reviewerName: string | null;
  resolved: number;
  courtesy: number;
  accuracy: number;
  compliance: number;
  comment: string | null;
  signedOffAt: number | null;
  createdAt: number;
}

/** The lists, by the name their pages and exports use. */
export interface ListRows {
  surveys: SurveyRow;
  complaints: ComplaintRow;
  handoffs: HandoffRow;
  offers: OfferRow;
  customers: CustomerRow;
  retention: RetentionRow;
  qa: QaRow;
}
/** A list's name. */
export type ListName = keyof ListRows;
/** Every list name. */
export const LIST_NAMES: readonly ListName[] = ['surveys', 'complaints', 'handoffs', 'offers', 'customers', 'retention', 'qa'];

/** A conversation as the transcript page shows it. */
export interface ConversationDetail {
  id: number;
  channel: string;
  startedAt: number;
  locale: string | null;
  customer: { id: number; customerNo: string; name: string; mobile: string; tier: Tier; industry: string; band: RiskBand; score: number } | null;
  handoffs: Array<{
    id: number;
    queuedAt: number;
    acceptedAt: number | null;
    endedAt: number | null;
    agentId: number | null;
    agentName: string | null;
    status: string;
    outcome: string | null;
    reason: string;
  }>;
  surveys: Array<{ id: number; kind: string; score: number | null; comment: string | null; status: string; answeredAt: number | null }>;
  complaints: Array<{
    id: number;
    reference: string;
    category: string;
    severity: string;
    status: string;
    description: string;
    contact: string | null;
    createdAt: number;
  }>;
}

/** One line of a transcript (stored masked). */
export interface ReviewTranscriptLine {
  id: number;
  sender: string;
  text: string | null;
  createdAt: number;
}

/** A stored QA review. */
export interface QaReview {
  id: number;
  conversationId: number;
  agentId: number | null;
  reviewerId: number;
  reviewerName: string | null;
  resolved: number;
  courtesy: number;
  accuracy: number;
  compliance: number;
  comment: string | null;
  signedOffAt: number | null;
  signedOffBy: number | null;
  createdAt: number;
  updatedAt: number;
}

/** The four QA scores and the comment (already masked by the caller). */
export interface QaInput {
  resolved: number;
  courtesy: number;
  accuracy: number;
  compliance: number;
  comment: string | null;
}

/**
 * Values a manager may reveal, giving a reason: those stored in full and masked only on the way out. Transcripts,
 * complaint descriptions and survey comments are masked before they are stored, so there is nothing behind them.
 */
export const REVEALABLE_FIELDS = ['customer.mobile', 'complaint.contact'] as const;
/** A value that can be revealed. */
export type RevealableField = (typeof REVEALABLE_FIELDS)[number];

/** The manager's review: the dashboard's aggregates, the lists behind them, transcripts, QA reviews, reveals. */
export interface ReviewRepository {
  /** Every figure of the dashboard, one query after another (so a chat turn can run between them). */
  dashboard(f: ReviewFilters, now: number): Promise<Dashboard>;
  surveyFigures(f: ReviewFilters): Promise<SurveyFigures>;
  complaintFigures(f: ReviewFilters, now: number): Promise<ComplaintFigures>;
  handoffFigures(f: ReviewFilters): Promise<HandoffFigures>;
  offerFigures(f: ReviewFilters): Promise<OfferFigures>;
  riskFigures(f: ReviewFilters): Promise<RiskFigures>;
  retentionFigures(f: ReviewFilters): Promise<RetentionFigures>;
  qaFigures(f: ReviewFilters): Promise<QaFigures>;
  trend(f: ReviewFilters): Promise<TrendFigures>;
  /** One page of a list, newest first (the risk list: highest score first). */
  list<N extends ListName>(name: N, f: ListFilters, page: { offset: number; limit: number }, now: number): Promise<Array<ListRows[N]>>;
  /** How many rows the list has in all. */
  count(name: ListName, f: ListFilters, now: number): Promise<number>;
  conversation(id: number): Promise<ConversationDetail | undefined>;
  /** Lines of a conversation's transcript after `afterId`, in order. */
  transcript(conversationId: number, options: { afterId: number; limit: number }): Promise<ReviewTranscriptLine[]>;
  findQa(conversationId: number): Promise<QaReview | undefined>;
  /**
   * Saves the review of a conversation (creating or refining it) and, with `signOff`, signs it off. A signed-off review
   * is final: 'signed' comes back and nothing changes.
   */
  saveQa(
    conversationId: number,
    reviewerId: number,
    input: QaInput,
    signOff: boolean,
    at: number,
  ): Promise<{ status: 'saved' | 'signed'; review: QaReview } | { status: 'final'; review: QaReview }>;
  /** The stored (unmasked) value behind a masked one; undefined when there is none. */
  reveal(field: RevealableField, id: number): Promise<string | undefined>;
}

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Query = Knex.QueryBuilder;

/** 'YYYY-MM' of a month `back` months before the one `ms` falls in (in the service's time zone). */
export function monthBefore(ms: number, back: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  const d = wallClock(ms, timeZone);
  return new Date(Date.UTC(d.year, d.month - 1 - back, 1)).toISOString().slice(0, 7);
}

/**
 * The months the usage rule of the retention rate reads: the last three complete calendar months at the period's end
 * (a period ending 23 November reads August to October; one ending with 31 October reads the same).
 */
export function usageMonths(to: number, timeZone: string = DEFAULT_TIME_ZONE): string[] {
  return [3, 2, 1].map((back) => monthBefore(to, back, timeZone));
}

/** The telecom "lost" line (DOMAIN.md): ARPU under ¥50 or under 100 minutes of use in a month. */
const LOW_ARPU_MINOR = 5_000;
const LOW_MOU = 100;

/** Creates the review repository. */
export function createReviewRepository(knex: Knex, timeZone: string = DEFAULT_TIME_ZONE): ReviewRepository {
  const n = (v: unknown) => Number(v ?? 0);

  // ---- filters ----------------------------------------------------------------------------------------------------

  /**
   * Surveys "of the period": answered ones by when they were answered, the rest by when they were sent. When only one
   * kind is wanted the test is one range of the (answered_at, sent_at, …) index; both together are an OR, which SQLite
   * answers by fetching every row it names, so the figures ask for each half on its own.
   */
  const surveyPeriod = (q: Query, f: ReviewFilters, only?: 'answered' | 'unanswered') => {
    if (only === 'answered') return q.where('s.answered_at', '>=', f.from).andWhere('s.answered_at', '<', f.to);
    if (only === 'unanswered') return q.whereNull('s.answered_at').andWhere('s.sent_at', '>=', f.from).andWhere('s.sent_at', '<', f.to);
    return q.where((w) =>
      w
        .where((a) => a.where('s.answered_at', '>=', f.from).andWhere('s.answered_at', '<', f.to))
        .orWhere((b) => b.whereNull('s.answered_at').andWhere('s.sent_at', '>=', f.from).andWhere('s.sent_at', '<', f.to)),
    );
  };

  /** The common filters on surveys `s`; joins customers `c` and complaints `k` only when a filter needs them. */
  const surveyFilters = (q: Query, f: ReviewFilters, options: { score: boolean; joined: boolean }) => {
    if (f.tiers?.length) {
      if (!options.joined) q.join('customers as c', 'c.id', 's.customer_id');
      q.whereIn('c.tier', f.tiers);
    }
    if (f.category) {
      if (!options.joined) q.join('complaints as k', 'k.id', 's.complaint_id');
      q.where('k.category', f.category);
    }
    if (f.agentId) q.where('s.agent_id', f.agentId);
    if (f.channel) q.where('s.channel', f.channel);
    if (options.score && f.score) q.whereBetween('s.score', [f.score.min, f.score.max]);
    return q;
  };

  const complaintFilters = (q: Query, f: ReviewFilters, joined: boolean) => {
    q.where('k.created_at', '>=', f.from).andWhere('k.created_at', '<', f.to);
    if (f.tiers?.length) {
      if (!joined) q.join('customers as c', 'c.id', 'k.customer_id');
      q.whereIn('c.tier', f.tiers);
    }
    if (f.category) q.where('k.category', f.category);
    if (f.channel) q.where('k.channel', f.channel);
    // Complaints have no agent of their own: the filter reaches those an agent took through a handoff.
    if (f.agentId) q.whereExists((e) => e.select(knex.raw('1')).from('handoffs as ha').whereRaw('ha.complaint_id = k.id').andWhere('ha.agent_id', f.agentId));
    return q;
  };

  // Breaches as of `now`: flagged by the deadline job, or visible in the times themselves (late, or still overdue).
  const firstContactBreach = `(k.first_contact_breached_at is not null or k.first_contacted_at > k.first_contact_due_at or (k.first_contacted_at is null and k.status in ('open', 'acknowledged') and k.first_contact_due_at < ?))`;
  const resolutionBreach = `(k.resolution_breached_at is not null or k.resolved_at > k.resolution_due_at or (k.resolved_at is null and k.status in ('open', 'acknowledged') and k.resolution_due_at < ?))`;

  const handoffFilters = (q: Query, f: ReviewFilters, joined: boolean) => {
    q.where('h.queued_at', '>=', f.from).andWhere('h.queued_at', '<', f.to);
    // The tier the customer had when handed over (kept on the handoff).
    if (f.tiers?.length) q.whereIn('h.tier', f.tiers);
    if (f.agentId) q.where('h.agent_id', f.agentId);
    if (f.channel) {
      if (!joined) q.join('conversations as cv', 'cv.id', 'h.conversation_id');
      q.where('cv.channel_id', f.channel);
    }
    if (f.category) {
      if (!joined) q.join('complaints as k', 'k.id', 'h.complaint_id');
      q.where('k.category', f.category);
    }
    return q;
  };

  const offerFilters = (q: Query, f: ReviewFilters, joined: boolean) => {
    q.where('p.shown_at', '>=', f.from).andWhere('p.shown_at', '<', f.to);
    if (f.tiers?.length) {
      if (!joined) q.join('customers as c', 'c.id', 'p.customer_id');
      q.whereIn('c.tier', f.tiers);
    }
    if (f.channel) q.where('p.channel', f.channel);
    return q;
  };

  /** The baseline group: customers who had joined before the period and had not left by its start. */
  const baselineGroup = (q: Query, f: ReviewFilters) => {
    q.where('c.joined_at', '<', f.from).andWhere((w) => w.whereNot('c.status', 'closed').orWhereRaw('coalesce(c.closed_at, c.updated_at) >= ?', [f.from]));
    if (f.tiers?.length) q.whereIn('c.tier', f.tiers);
    return q;
  };
  const lostClosedSql = `(c.status = 'closed' and coalesce(c.closed_at, c.updated_at) < ?)`;
  /**
   * Joins `lu`: the customers under the usage line in each of the three months. One grouped pass over those months'
   * rows, rather than a lookup per customer of the group: on PostgreSQL at 20,000 customers 87 → 25 ms (bench/review.ts).
   */
  const joinLowUsage = (q: Query, f: ReviewFilters) =>
    q.leftJoin(
      knex('usage_months as u')
        .whereIn('u.month', usageMonths(f.to, timeZone))
        .andWhere((w) => w.where('u.arpu_minor', '<', LOW_ARPU_MINOR).orWhere('u.mou', '<', LOW_MOU))
        .groupBy('u.customer_id')
        // One row per customer and month (the primary key): three rows are three low months.
        .havingRaw('count(*) = 3')
        .select('u.customer_id')
        .as('lu'),
      'lu.customer_id',
      'c.id',
    );
  const lowUsageSql = '(lu.customer_id is not null)';

  const qaFilters = (q: Query, f: ReviewFilters, joined: boolean) => {
    q.where('r.created_at', '>=', f.from).andWhere('r.created_at', '<', f.to);
    if (f.agentId) q.where('r.agent_id', f.agentId);
    if (f.tiers?.length || f.channel) {
      if (!joined) q.join('conversations as cv', 'cv.id', 'r.conversation_id');
      if (f.channel) q.where('cv.channel_id', f.channel);
      if (f.tiers?.length) {
        if (!joined) q.join('customers as c', 'c.id', 'cv.customer_id');
        q.whereIn('c.tier', f.tiers);
      }
    }
    return q;
  };

  // ---- the dashboard's figures ---------------------------------------------------------------------------------------

  const repo: ReviewRepository = {
    async dashboard(f, now) {
      // One after another on purpose: on SQLite each statement runs on the event loop, and chat turns get their turn
      // between them (see data/db.ts).
      const surveys = await repo.surveyFigures(f);
      const complaints = await repo.complaintFigures(f, now);
      const handoffs = await repo.handoffFigures(f);
      const offers = await repo.offerFigures(f);
      const risk = await repo.riskFigures(f);
      const retention = await repo.retentionFigures(f);
      const qa = await repo.qaFigures(f);
      const trend = await repo.trend(f);
      return { surveys, complaints, handoffs, offers, risk, retention, qa, trend };
    },

    async surveyFigures(f) {
      const scores = await surveyFilters(
        knex('surveys as s').where('s.status', 'answered').andWhere('s.answered_at', '>=', f.from).andWhere('s.answered_at', '<', f.to),
        f,
        { score: true, joined: false },
      )
        .groupBy('s.kind', 's.score')
        .select('s.kind', 's.score', knex.raw('count(*) as n'));
      const distribution = (kind: SurveyKind, min: number, max: number) => {
        const out: Counts<number> = [];
        for (let score = min; score <= max; score++) out.push({ key: score, count: n(scores.find((r: Row) => r.kind === kind && n(r.score) === score)?.n) });
        return out;
      };
      const csat = distribution('csat', 1, 5);
      const csatAnswered = csat.reduce((a, b) => a + b.count, 0);
      const npsDist = distribution('nps', 0, 10);
      const npsAnswered = npsDist.reduce((a, b) => a + b.count, 0);
      const sumOf = (d: Counts<number>, lo: number, hi: number) => d.filter((x) => x.key >= lo && x.key <= hi).reduce((a, b) => a + b.count, 0);
      const promoters = sumOf(npsDist, 9, 10);
      const detractors = sumOf(npsDist, 0, 6);

      const [answeredPart] = await surveyFilters(surveyPeriod(knex('surveys as s').whereNotNull('s.sent_at'), f, 'answered'), f, {
        score: false,
        joined: false,
      }).select(knex.raw('count(*) as sent'), knex.raw(`coalesce(sum(case when s.status = 'answered' then 1 else 0 end), 0) as answered`));
      const [unansweredPart] = await surveyFilters(surveyPeriod(knex('surveys as s').whereNotNull('s.sent_at'), f, 'unanswered'), f, {
        score: false,
        joined: false,
      }).select(knex.raw('count(*) as sent'));
      const sent = { sent: n(answeredPart.sent) + n(unansweredPart.sent), answered: n(answeredPart.answered) };
      return {
        csat: { answered: csatAnswered, average: csatAnswered ? csat.reduce((a, b) => a + b.key * b.count, 0) / csatAnswered : null, distribution: csat },
        nps: {
          answered: npsAnswered,
          promoters,
          passives: sumOf(npsDist, 7, 8),
          detractors,
          score: npsAnswered ? Math.round((100 * (promoters - detractors)) / npsAnswered) : null,
          distribution: npsDist,
        },
        response: { sent: n(sent.sent), answered: n(sent.answered), rate: n(sent.sent) ? n(sent.answered) / n(sent.sent) : null },
      };
    },

    async complaintFigures(f, now) {
      const rows = await complaintFilters(knex('complaints as k'), f, false)
        .groupBy('k.category', 'k.status')
        .select(
          'k.category',
          'k.status',
          knex.raw('count(*) as n'),
          knex.raw(`sum(case when ${firstContactBreach} then 1 else 0 end) as fc`, [now]),
          knex.raw(`sum(case when ${resolutionBreach} then 1 else 0 end) as res`, [now]),
          knex.raw(`sum(case when ${firstContactBreach} or ${resolutionBreach} then 1 else 0 end) as anyb`, [now, now]),
        );
      const tally = (field: 'category' | 'status') => {
        const m = new Map<string, number>();
        for (const r of rows) m.set(r[field], (m.get(r[field]) ?? 0) + n(r.n));
        return [...m].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
      };
      const total = (field: string) => rows.reduce((a: number, r: Row) => a + n(r[field]), 0);
      return {
        total: total('n'),
        byCategory: tally('category'),
        byStatus: tally('status'),
        breaches: { any: total('anyb'), firstContact: total('fc'), resolution: total('res') },
      };
    },

    async handoffFigures(f) {
      const [totals] = await handoffFilters(knex('handoffs as h'), f, false).select(
        knex.raw('count(*) as queued'),
        knex.raw('coalesce(sum(case when h.accepted_at is not null then 1 else 0 end), 0) as accepted'),
        knex.raw(`coalesce(sum(case when h.status = 'abandoned' then 1 else 0 end), 0) as abandoned`),
      );
      const accepted = n(totals.accepted);
      // Linear interpolation between the two closest ranks, as PostgreSQL's percentile_cont and spreadsheets do, on
      // both engines: the database sorts the waits and sends back only the two rows around the percentile.
      const around = async (p: number): Promise<number | null> => {
        if (accepted === 0) return null;
        const pos = p * (accepted - 1);
        const lower = Math.floor(pos);
        const rows = await handoffFilters(knex('handoffs as h').whereNotNull('h.accepted_at'), f, false)
          .select(knex.raw('h.accepted_at - h.queued_at as w'))
          .orderBy('w')
          .limit(2)
          .offset(lower);
        const values = rows.map((r: Row) => n(r.w));
        return values.length === 1 ? values[0] : values[0] + (values[1] - values[0]) * (pos - lower);
      };
      const median = await around(0.5);
      const p90 = await around(0.9);
      const agents = await handoffFilters(knex('handoffs as h').whereNotNull('h.accepted_at').whereNotNull('h.agent_id'), f, false)
        .join('staff as st', 'st.id', 'h.agent_id')
        .groupBy('h.agent_id', 'st.display_name')
        .select(
          'h.agent_id',
          'st.display_name',
          knex.raw('count(*) as handled'),
          knex.raw(`sum(case when h.status = 'resolved' then 1 else 0 end) as resolved`),
          knex.raw('avg(h.accepted_at - h.queued_at) as wait'),
          knex.raw('avg(case when h.ended_at is not null then h.ended_at - h.accepted_at end) as handle'),
        )
        .orderBy([{ column: 'handled', order: 'desc' }, { column: 'h.agent_id' }]);
      return {
        queued: n(totals.queued),
        accepted,
        abandoned: n(totals.abandoned),
        waitMs: { median, p90 },
        agents: agents.map((r: Row) => ({
          agentId: n(r.agent_id),
          name: r.display_name,
          handled: n(r.handled),
          resolved: n(r.resolved),
          averageWaitMs: r.wait === null ? null : Math.round(n(r.wait)),
          averageHandleMs: r.handle === null ? null : Math.round(n(r.handle)),
        })),
      };
    },

    async offerFigures(f) {
      const rows = await offerFilters(knex('offer_presentations as p'), f, false).groupBy('p.outcome').select('p.outcome', knex.raw('count(*) as n'));
      const byOutcome: Counts = rows.map((r: Row) => ({ key: String(r.outcome), count: n(r.n) }));
      byOutcome.sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
      const shown = byOutcome.reduce((a, b) => a + b.count, 0);
      const accepted = byOutcome.find((o) => o.key === 'accepted')?.count ?? 0;
      return { shown, accepted, takeUp: shown ? accepted / shown : null, byOutcome };
    },

    async riskFigures(f) {
      const q = knex('customers as c').where('c.status', 'active');
      if (f.tiers?.length) q.whereIn('c.tier', f.tiers);
      const rows = await q.groupBy('c.churn_risk_band').select('c.churn_risk_band as band', knex.raw('count(*) as n'));
      const byBand = (['low', 'medium', 'high'] as const).map((band) => ({ key: band, count: n(rows.find((r: Row) => r.band === band)?.n) }));
      // High value is vip and gold (DOMAIN.md: "high risk + high value means a human calls"), whatever the tier filter.
      const highValue: ListFilters = { ...f, tiers: f.tiers?.length ? f.tiers.filter((t) => t === 'vip' || t === 'gold') : ['vip', 'gold'], band: 'high' };
      if (highValue.tiers!.length === 0) return { byBand, highValueAtRisk: { count: 0, top: [] } };
      const top = await repo.list('customers', highValue, { offset: 0, limit: 10 }, 0);
      const count = top.length < 10 ? top.length : await repo.count('customers', highValue, 0);
      return { byBand, highValueAtRisk: { count, top } };
    },

    async retentionFigures(f) {
      const months = usageMonths(f.to, timeZone);
      const [row] = await baselineGroup(joinLowUsage(knex('customers as c'), f), f).select(
        knex.raw('count(*) as grp'),
        knex.raw(`coalesce(sum(case when ${lostClosedSql} then 1 else 0 end), 0) as closed`, [f.to]),
        knex.raw(`coalesce(sum(case when ${lostClosedSql} then 0 when ${lowUsageSql} then 1 else 0 end), 0) as low`, [f.to]),
      );
      const group = n(row.grp);
      const lostClosed = n(row.closed);
      const lostLowUsage = n(row.low);
      const lost = lostClosed + lostLowUsage;
      return { group, lost, lostClosed, lostLowUsage, rate: group ? 1 - lost / group : null, months };
    },

    async qaFigures(f) {
      const [row] = await qaFilters(knex('qa_reviews as r'), f, false).select(
        knex.raw('count(*) as reviews'),
        knex.raw('coalesce(sum(case when r.signed_off_at is not null then 1 else 0 end), 0) as signed'),
        knex.raw('avg((r.resolved + r.courtesy + r.accuracy + r.compliance) / 4.0) as average'),
      );
      return { reviews: n(row.reviews), signed: n(row.signed), average: row.average === null || row.average === undefined ? null : n(row.average) };
    },

    async trend(f) {
      const span = f.to - f.from;
      // Days for a month or so, weeks up to two years, then 30-day steps: at most about a hundred bars.
      const bucketMs = span <= 45 * DAY ? DAY : span <= 730 * DAY ? 7 * DAY : 30 * DAY;
      const count = Math.ceil(span / bucketMs);
      // Literals, not parameters: PostgreSQL matches a grouped expression to the selected one by its text, and two
      // parameters are two different expressions to it. Both are integers computed here.
      const bucketOf = (column: string) => `((${column} - ${Math.trunc(f.from)}) / ${bucketMs})`;
      const csat = await surveyFilters(
        knex('surveys as s').where({ 's.kind': 'csat', 's.status': 'answered' }).andWhere('s.answered_at', '>=', f.from).andWhere('s.answered_at', '<', f.to),
        f,
        { score: true, joined: false },
      )
        .select(knex.raw(`${bucketOf('s.answered_at')} as b`), knex.raw('count(*) as n'), knex.raw('sum(s.score) as total'))
        .groupByRaw(bucketOf('s.answered_at'));
      const complaints = await complaintFilters(knex('complaints as k'), f, false)
        .select(knex.raw(`${bucketOf('k.created_at')} as b`), knex.raw('count(*) as n'))
        .groupByRaw(bucketOf('k.created_at'));
      const buckets = Array.from({ length: count }, (_, i) => ({
        start: f.from + i * bucketMs,
        csatAnswered: 0,
        csatAverage: null as number | null,
        complaints: 0,
      }));
      for (const r of csat) {
        const b = buckets[Math.trunc(n(r.b))];
        if (b) {
          b.csatAnswered = n(r.n);
          b.csatAverage = n(r.n) ? n(r.total) / n(r.n) : null;
        }
      }
      for (const r of complaints) {
        const b = buckets[Math.trunc(n(r.b))];
        if (b) b.complaints = n(r.n);
      }
      return { bucketMs, buckets };
    },

    // ---- lists ------------------------------------------------------------------------------------------------------

    async list(name, f, page, now) {
      const q = listQuery(name, f, now)
        .limit(Math.max(0, Math.min(page.limit, 1000)))
        .offset(Math.max(0, page.offset));
      const rows = await q;
      return rows.map((r: Row) => mapRow(name, r)) as never;
    },

    async count(name, f, now) {
      const q = listQuery(name, f, now).clearSelect().clearOrder();
      const [row] = await knex.from(q.select(knex.raw('1 as one')).as('x')).count({ total: '*' });
      return n(row.total);
    },

    // ---- a conversation ---------------------------------------------------------------------------------------------

    async conversation(id) {
      const cv = await knex('conversations').where({ id }).first('id', 'channel_id', 'started_at', 'locale', 'customer_id');
      if (!cv) return undefined;
      const customer = cv.customer_id
        ? await knex('customers')
            .where({ id: cv.customer_id })
            .first('id', 'customer_no', 'name', 'mobile', 'tier', 'industry', 'churn_risk_band', 'churn_risk_score')
        : undefined;
      const handoffs = await knex('handoffs as h')
        .leftJoin('staff as st', 'st.id', 'h.agent_id')
        .where('h.conversation_id', id)
        .orderBy('h.id')
        .select('h.*', 'st.display_name');
      const surveys = await knex('surveys').where({ conversation_id: id }).orderBy('id').select('id', 'kind', 'score', 'comment', 'status', 'answered_at');
      const complaints = await knex('complaints')
        .where({ conversation_id: id })
        .orderBy('id')
        .select('id', 'reference', 'category', 'severity', 'status', 'description', 'contact', 'created_at');
      return {
        id: n(cv.id),
        channel: cv.channel_id,
        startedAt: n(cv.started_at),
        locale: cv.locale ?? null,
        customer: customer
          ? {
              id: n(customer.id),
              customerNo: customer.customer_no,
              name: customer.name,
              mobile: customer.mobile,
              tier: customer.tier,
              industry: customer.industry,
              band: customer.churn_risk_band,
              score: n(customer.churn_risk_score),
            }
          : null,
        handoffs: handoffs.map((h: Row) => ({
          id: n(h.id),
          queuedAt: n(h.queued_at),
          acceptedAt: toNumOrNull(h.accepted_at),
          endedAt: toNumOrNull(h.ended_at),
          agentId: toNumOrNull(h.agent_id),
          agentName: h.display_name ?? null,
          status: h.status,
          outcome: h.outcome ?? null,
          reason: h.reason,
        })),
        surveys: surveys.map((s: Row) => ({
          id: n(s.id),
          kind: s.kind,
          score: toNumOrNull(s.score),
          comment: s.comment ?? null,
          status: s.status,
          answeredAt: toNumOrNull(s.answered_at),
        })),
        complaints: complaints.map((k: Row) => ({
          id: n(k.id),
          reference: k.reference,
          category: k.category,
          severity: k.severity,
          status: k.status,
          description: k.description,
          contact: k.contact ?? null,
          createdAt: n(k.created_at),
        })),
      };
    },

    async transcript(conversationId, options) {
      const rows = await knex('transcript_activities')
        .where('conversation_id', conversationId)
        .andWhere('id', '>', options.afterId)
        .orderBy('id')
        .limit(Math.max(1, Math.min(options.limit, 1000)))
        .select('id', 'sender', 'text', 'created_at');
      return rows.map((r: Row) => ({ id: n(r.id), sender: r.sender, text: r.text ?? null, createdAt: n(r.created_at) }));
    },

    // ---- QA ---------------------------------------------------------------------------------------------------------

    async findQa(conversationId) {
      const row = await knex('qa_reviews as r')
        .leftJoin('staff as st', 'st.id', 'r.reviewer_id')
        .where('r.conversation_id', conversationId)
        .first('r.*', 'st.display_name as reviewer_name');
      return row ? toQa(row) : undefined;
    },

    async saveQa(conversationId, reviewerId, input, signOff, at) {
      // The agent the review is about: whoever last held the conversation.
      const last = await knex('handoffs').where({ conversation_id: conversationId }).whereNotNull('agent_id').orderBy('id', 'desc').first('agent_id');
      const values = {
        reviewer_id: reviewerId,
        resolved: input.resolved,
        courtesy: input.courtesy,
        accuracy: input.accuracy,
        compliance: input.compliance,
        comment: input.comment,
        updated_at: at,
        ...(signOff ? { signed_off_at: at, signed_off_by: reviewerId } : {}),
      };
      // Insert when there is none; otherwise update only while not signed off. Both are single conditional statements,
      // so two managers saving at once cannot change a review after it was signed.
      const inserted = await knex('qa_reviews')
        .insert({ conversation_id: conversationId, agent_id: toNumOrNull(last?.agent_id), created_at: at, ...values })
        .onConflict('conversation_id')
        .ignore()
        .returning('id');
      let changed = inserted.length > 0;
      if (!changed)
        changed =
          (await knex('qa_reviews')
            .where({ conversation_id: conversationId })
            .whereNull('signed_off_at')
            .update({ ...values, agent_id: toNumOrNull(last?.agent_id) })) === 1;
      const review = (await repo.findQa(conversationId))!;
      if (!changed) return { status: 'final', review };
      return { status: signOff ? 'signed' : 'saved', review };
    },

    async reveal(field, id) {
      if (field === 'customer.mobile') return (await knex('customers').where({ id }).first('mobile'))?.mobile ?? undefined;
      return (await knex('complaints').where({ id }).first('contact'))?.contact ?? undefined;
    },
  };

  /** The query of a list: its joins, filters and order, without paging. */
  function listQuery(name: ListName, f: ListFilters, now: number): Query {
    switch (name) {
      case 'surveys': {
        const q = knex('surveys as s')
          .leftJoin('customers as c', 'c.id', 's.customer_id')
          .leftJoin('complaints as k', 'k.id', 's.complaint_id')
          .leftJoin('staff as st', 'st.id', 's.agent_id')
          .whereNotNull('s.sent_at');
        // A score or the answered status means answered surveys only; the other statuses, unanswered ones only.
        const only = f.surveyStatus === 'answered' || f.score ? 'answered' : f.surveyStatus ? 'unanswered' : undefined;
        surveyFilters(surveyPeriod(q, f, only), f, { score: true, joined: true });
        if (f.kind) q.where('s.kind', f.kind);
        if (f.surveyStatus === 'unanswered') q.whereIn('s.status', ['sent', 'expired', 'declined']);
        else if (f.surveyStatus) q.where('s.status', f.surveyStatus);
        return q
          .select(
            's.id',
            's.kind',
            's.score',
            's.comment',
            's.status',
            's.sent_at',
            's.answered_at',
            's.channel',
            's.customer_id',
            's.conversation_id',
            'c.customer_no',
            'c.tier',
            'k.reference',
            'st.display_name',
          )
          .orderBy([
            { column: 's.sent_at', order: 'desc' },
            { column: 's.id', order: 'desc' },
          ]);
      }
      case 'complaints': {
        const q = complaintFilters(knex('complaints as k').leftJoin('customers as c', 'c.id', 'k.customer_id'), f, true);
        if (f.complaintStatus) q.where('k.status', f.complaintStatus);
        if (f.severity) q.where('k.severity', f.severity);
        if (f.breached === true) q.whereRaw(`(${firstContactBreach} or ${resolutionBreach})`, [now, now]);
        if (f.breached === 'first_contact') q.whereRaw(firstContactBreach, [now]);
        if (f.breached === 'resolution') q.whereRaw(resolutionBreach, [now]);
        // CASE, not NOT: a comparison with a missing time is NULL, and NOT NULL would drop the row.
        if (f.breached === false) q.whereRaw(`(case when ${firstContactBreach} or ${resolutionBreach} then 1 else 0 end) = 0`, [now, now]);
        return q
          .select(
            'k.id',
            'k.reference',
            'k.created_at',
            'k.customer_id',
            'k.channel',
            'k.category',
            'k.severity',
            'k.status',
            'k.first_contact_due_at',
            'k.resolution_due_at',
            'k.first_contacted_at',
            'k.resolved_at',
            'k.description',
            'k.contact',
            'k.conversation_id',
            'c.customer_no',
            'c.tier',
            knex.raw(`case when ${firstContactBreach} then 1 else 0 end as fc_breach`, [now]),
            knex.raw(`case when ${resolutionBreach} then 1 else 0 end as res_breach`, [now]),
          )
          .orderBy([
            { column: 'k.created_at', order: 'desc' },
            { column: 'k.id', order: 'desc' },
          ]);
      }
      case 'handoffs': {
        const q = handoffFilters(
          knex('handoffs as h')
            .join('conversations as cv', 'cv.id', 'h.conversation_id')
            .leftJoin('customers as c', 'c.id', 'h.customer_id')
            .leftJoin('complaints as k', 'k.id', 'h.complaint_id')
            .leftJoin('staff as st', 'st.id', 'h.agent_id'),
          f,
          true,
        );
        if (f.handoffStatus) q.where('h.status', f.handoffStatus);
        if (f.accepted === true) q.whereNotNull('h.accepted_at');
        if (f.accepted === false) q.whereNull('h.accepted_at');
        q.select(
          'h.id',
          'h.queued_at',
          'h.accepted_at',
          'h.ended_at',
          'h.customer_id',
          'h.tier',
          'h.reason',
          'h.status',
          'h.outcome',
          'h.conversation_id',
          'cv.channel_id',
          'c.customer_no',
          'k.reference',
          'st.display_name',
          knex.raw('h.accepted_at - h.queued_at as wait'),
        );
        if (f.sortByWait)
          return q.whereNotNull('h.accepted_at').orderBy([
            { column: 'wait', order: 'desc' },
            { column: 'h.id', order: 'desc' },
          ]);
        return q.orderBy([
          { column: 'h.queued_at', order: 'desc' },
          { column: 'h.id', order: 'desc' },
        ]);
      }
      case 'offers': {
        const q = offerFilters(
          knex('offer_presentations as p').join('offers as o', 'o.id', 'p.offer_id').leftJoin('customers as c', 'c.id', 'p.customer_id'),
          f,
          true,
        );
        if (f.outcome) q.where('p.outcome', f.outcome);
        return q
          .select(
            'p.id',
            'p.shown_at',
            'p.customer_id',
            'p.channel',
            'p.outcome',
            'p.relevance',
            'p.conversation_id',
            'o.code',
            'o.title',
            'c.customer_no',
            'c.tier',
          )
          .orderBy([
            { column: 'p.shown_at', order: 'desc' },
            { column: 'p.id', order: 'desc' },
          ]);
      }
      case 'customers': {
        // A snapshot of today's active customers: the period does not apply.
        const q = knex('customers as c').leftJoin('staff as st', 'st.id', 'c.relationship_manager_id').where('c.status', 'active');
        if (f.tiers?.length) q.whereIn('c.tier', f.tiers);
        if (f.band) q.where('c.churn_risk_band', f.band);
        return q
          .select(
            'c.id',
            'c.customer_no',
            'c.name',
            'c.mobile',
            'c.tier',
            'c.industry',
            'c.lifecycle_stage',
            'c.churn_risk_score',
            'c.churn_risk_band',
            'c.churn_signals',
            'st.display_name',
          )
          .orderBy([{ column: 'c.churn_risk_score', order: 'desc' }, { column: 'c.id' }]);
      }
      case 'retention': {
        const q = baselineGroup(joinLowUsage(knex('customers as c'), f), f);
        if (f.lost === 'closed') q.whereRaw(lostClosedSql, [f.to]);
        else if (f.lost === 'low_usage') q.whereRaw(`(case when ${lostClosedSql} then 0 when ${lowUsageSql} then 1 else 0 end) = 1`, [f.to]);
        else if (f.lost === true) q.whereRaw(`(${lostClosedSql} or ${lowUsageSql})`, [f.to]);
        else if (f.lost === false) q.whereRaw(`(case when ${lostClosedSql} or ${lowUsageSql} then 1 else 0 end) = 0`, [f.to]);
        return q
          .select(
            'c.id',
            'c.customer_no',
            'c.name',
            'c.tier',
            'c.industry',
            'c.joined_at',
            'c.status',
            'c.closed_at',
            knex.raw(`case when ${lostClosedSql} then 'closed' when ${lowUsageSql} then 'low_usage' else null end as lost`, [f.to]),
          )
          .orderBy('c.id');
      }
      case 'qa': {
        const q = qaFilters(
          knex('qa_reviews as r')
            .join('conversations as cv', 'cv.id', 'r.conversation_id')
            .leftJoin('customers as c', 'c.id', 'cv.customer_id')
            .leftJoin('staff as ag', 'ag.id', 'r.agent_id')
            .leftJoin('staff as rv', 'rv.id', 'r.reviewer_id'),
          f,
          true,
        );
        if (f.signed === true) q.whereNotNull('r.signed_off_at');
        if (f.signed === false) q.whereNull('r.signed_off_at');
        return q.select('r.*', 'cv.channel_id', 'c.customer_no', 'c.tier', 'ag.display_name as agent_name', 'rv.display_name as reviewer_name').orderBy([
          { column: 'r.created_at', order: 'desc' },
          { column: 'r.id', order: 'desc' },
        ]);
      }
    }
  }

  function mapRow(name: ListName, r: Row): ListRows[ListName] {
    switch (name) {
      case 'surveys':
        return {
          id: n(r.id),
          kind: r.kind,
          score: toNumOrNull(r.score),
          comment: r.comment ?? null,
          status: r.status,
          sentAt: toNumOrNull(r.sent_at),
          answeredAt: toNumOrNull(r.answered_at),
          agentName: r.display_name ?? null,
          channel: r.channel ?? null,
          customerId: toNumOrNull(r.customer_id),
          customerNo: r.customer_no ?? null,
          tier: r.tier ?? null,
          conversationId: toNumOrNull(r.conversation_id),
          complaintReference: r.reference ?? null,
        } satisfies SurveyRow;
      case 'complaints':
        return {
          id: n(r.id),
          reference: r.reference,
          createdAt: n(r.created_at),
          customerId: toNumOrNull(r.customer_id),
          customerNo: r.customer_no ?? null,
          tier: r.tier ?? null,
          channel: r.channel,
          category: r.category,
          severity: r.severity,
          status: r.status,
          firstContactDueAt: n(r.first_contact_due_at),
          resolutionDueAt: n(r.resolution_due_at),
          firstContactedAt: toNumOrNull(r.first_contacted_at),
          resolvedAt: toNumOrNull(r.resolved_at),
          firstContactBreached: n(r.fc_breach) === 1,
          resolutionBreached: n(r.res_breach) === 1,
          description: r.description,
          contact: r.contact ?? null,
          conversationId: toNumOrNull(r.conversation_id),
        } satisfies ComplaintRow;
      case 'handoffs':
        return {
          id: n(r.id),
          queuedAt: n(r.queued_at),
          acceptedAt: toNumOrNull(r.accepted_at),
          endedAt: toNumOrNull(r.ended_at),
          waitMs: toNumOrNull(r.wait),
          customerId: toNumOrNull(r.customer_id),
          customerNo: r.customer_no ?? null,
          tier: r.tier ?? null,
          channel: r.channel_id ?? null,
          reason: r.reason,
          agentName: r.display_name ?? null,
          status: r.status,
          outcome: r.outcome ?? null,
          conversationId: n(r.conversation_id),
          complaintReference: r.reference ?? null,
        } satisfies HandoffRow;
      case 'offers':
        return {
          id: n(r.id),
          shownAt: n(r.shown_at),
          offerCode: r.code,
          title: parseJson<Record<string, string>>(r.title, {}),
          customerId: n(r.customer_id),
          customerNo: r.customer_no ?? null,
          tier: r.tier ?? null,
          channel: r.channel,
          outcome: r.outcome,
          relevance: r.relevance ?? null,
          conversationId: toNumOrNull(r.conversation_id),
        } satisfies OfferRow;
      case 'customers':
        return {
          id: n(r.id),
          customerNo: r.customer_no,
          name: r.name,
          mobile: r.mobile,
          tier: r.tier,
          industry: r.industry,
          stage: r.lifecycle_stage,
          score: n(r.churn_risk_score),
          band: r.churn_risk_band,
          signals: parseJson<Array<{ code?: string }>>(r.churn_signals, []).map((s) => String(s?.code ?? s)),
          managerName: r.display_name ?? null,
        } satisfies CustomerRow;
      case 'retention':
        return {
          id: n(r.id),
          customerNo: r.customer_no,
          name: r.name,
          tier: r.tier,
          industry: r.industry,
          joinedAt: n(r.joined_at),
          status: r.status,
          closedAt: toNumOrNull(r.closed_at),
          lost: r.lost ?? null,
        } satisfies RetentionRow;
      case 'qa':
        return {
          id: n(r.id),
          conversationId: n(r.conversation_id),
          customerNo: r.customer_no ?? null,
          tier: r.tier ?? null,
          channel: r.channel_id,
          agentName: r.agent_name ?? null,
          reviewerName: r.reviewer_name ?? null,
          resolved: n(r.resolved),
          courtesy: n(r.courtesy),
          accuracy: n(r.accuracy),
          compliance: n(r.compliance),
          comment: r.comment ?? null,
          signedOffAt: toNumOrNull(r.signed_off_at),
          createdAt: n(r.created_at),
        } satisfies QaRow;
    }
  }

  return repo;
}

function toQa(r: Row): QaReview {
  return {
    id: Number(r.id),
    conversationId: Number(r.conversation_id),
    agentId: toNumOrNull(r.agent_id),
    reviewerId: Number(r.reviewer_id),
    reviewerName: r.reviewer_name ?? null,
    resolved: Number(r.resolved),
    courtesy: Number(r.courtesy),
    accuracy: Number(r.accuracy),
    compliance: Number(r.compliance),
    comment: r.comment ?? null,
    signedOffAt: toNumOrNull(r.signed_off_at),
    signedOffBy: toNumOrNull(r.signed_off_by),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}
