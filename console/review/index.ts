import type { Knex } from 'knex';
import type { Request, Response } from 'restify';
import {
  createReviewRepository,
  type Dashboard,
  LIST_NAMES,
  type ListName,
  REVEALABLE_FIELDS,
  type RevealableField,
  type ReviewRepository,
} from '../../data/repositories/reviewRepository';
import type { StaffMember } from '../../data/repositories/staffRepository';
import { formatDate, formatDateTime } from '../../prompts/format';
import { COMPLAINT_CATEGORIES, COMPLAINT_STATUSES, SEVERITIES } from '../../retention/complaints';
import { DEFAULT_TIME_ZONE } from '../../retention/lifecycle';
import type { Locale } from '../../retention/locale';
import { maskMobile, maskPii } from '../../retention/pii';
import { RISK_BANDS, TIERS } from '../../retention/types';
import type { ConsoleContext } from '..';
import { can } from '../permissions';
import { signalLabel } from '../riskSignals';
import type { SignedIn } from '../session';
import { type Bar, barChart, columnChart, stackedBar } from './charts';
import { csvRows, UTF8_BOM } from './csv';
import { commonParams, dayOf, LIST_PARAMS, PAGE_SIZE, type ParsedQuery, parseQuery, PERIOD_PRESETS, reviewUrl } from './filters';
import { type Cell, cellsOf, COLUMNS, csvValue, type ListContext, maskContact } from './lists';

/** Rows read per query while an export streams. */
const EXPORT_BATCH = 1000;
/** Channels offered in the filter (any other id still works typed into the URL). */
const KNOWN_CHANNELS = ['webchat', 'wechat', 'msteams', 'emulator'];
const QA_ITEMS = ['resolved', 'courtesy', 'accuracy', 'compliance'] as const;
/** Which note of the dashboard says what filters a list uses. */
const LIST_APPLIES: Record<ListName, string> = {
  surveys: 'surveys',
  complaints: 'complaints',
  handoffs: 'handoffs',
  offers: 'offers',
  customers: 'risk',
  retention: 'retention',
  qa: 'qa',
};
const REVEAL_LABEL: Record<RevealableField, string> = {
  'customer.mobile': 'review:reveal.fields.customerMobile',
  'complaint.contact': 'review:reveal.fields.complaintContact',
};

/** A table of a page (the list itself, or a chart's figures as text). */
interface Table {
  caption?: string;
  summary?: string;
  open?: boolean;
  headers: string[];
  rows: Cell[][];
}

/** One card of the dashboard. */
interface Section {
  id: string;
  heading: string;
  figures: Array<{ label: string; value: string; href?: string }>;
  charts: Array<{ svg: string; caption: string }>;
  tables: Table[];
  note?: string;
  applies: string;
}

/**
 * The manager's review at /console/review, mounted into the staff console: the dashboard of a period, the lists behind
 * every figure with CSV export, a conversation's transcript with its QA review, and reveals of masked values with a
 * reason. Every page needs `review.view`; exports `review.export`, reveals `review.reveal`, QA `review.qa`. Exports and
 * reveals are audited.
 */
export function registerReview(knex: Knex, options: { timeZone?: string } = {}): (ctx: ConsoleContext) => void {
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  const review = createReviewRepository(knex, timeZone);
  return (ctx) => mountReview(ctx, review, timeZone);
}

/** Mounts the review's routes over a given repository; days and times are those of `timeZone` (the service's). */
export function mountReview(ctx: ConsoleContext, review: ReviewRepository, timeZone: string = DEFAULT_TIME_ZONE): void {
  const { server, deps, guard, page } = ctx;
  const { texts, repos, logger } = deps;

  const t = (who: SignedIn, key: string, args?: Record<string, unknown>) => texts.t(who.staff.locale, key, args);
  const labelFor =
    (locale: Locale) =>
    (group: string, code: string | null | undefined): string => {
      if (!code) return '';
      if (group === 'signals') return signalLabel(texts, locale, code);
      const key = group === 'reasons' ? `console:reasons.${code}` : `review:labels.${group}.${code}`;
      try {
        return texts.t(locale, key);
      } catch {
        // A code stored by a newer or older version: shown as it is rather than failing the page.
        return code;
      }
    };
  const listContext = (who: SignedIn): ListContext => ({
    locale: who.staff.locale,
    timeZone,
    t: (key, args) => t(who, key, args),
    label: labelFor(who.staff.locale),
    mayReveal: can(who.staff.role, 'review.reveal'),
  });
  const wantsJson = (req: Request) => Boolean(req.header('x-csrf-token')) || (req.header('accept') ?? '').includes('application/json');
  const refuse = (req: Request, res: Response, who: SignedIn, status: number, message: string) => {
    if (wantsJson(req)) {
      res.header('Cache-Control', 'no-store');
      res.header('X-Content-Type-Options', 'nosniff');
      res.send(status, { error: message });
      return;
    }
    page(res, who, 'error', { message }, status);
  };
  const field = (req: Request, name: string, max: number): string => {
    const v = (req.body as Record<string, unknown> | undefined)?.[name];
    return typeof v === 'string' ? v.slice(0, max) : '';
  };
  const positiveInt = (v: unknown): number | undefined => (typeof v === 'string' && /^\d{1,9}$/.test(v) && Number(v) > 0 ? Number(v) : undefined);
  const problemTexts = (who: SignedIn, parsed: ParsedQuery) => parsed.problems.map((p) => t(who, 'review:filters.invalid', { param: p.param, value: p.value }));

  // ---- the page frame: heading, navigation, filter form -----------------------------------------------------------------

  const frame = (who: SignedIn, parsed: ParsedQuery, current: 'dashboard' | ListName, staff: StaffMember[]) => {
    const common = commonParams(parsed);
    const nav = [
      { label: t(who, 'review:nav.dashboard'), href: reviewUrl('/console/review', common), current: current === 'dashboard' },
      ...LIST_NAMES.map((name) => ({ label: t(who, `review:nav.${name}`), href: reviewUrl(`/console/review/${name}`, common), current: current === name })),
    ];
    const action = current === 'dashboard' ? '/console/review' : `/console/review/${current}`;
    const option = (value: string, label: string, selected: string | undefined) => ({ value, label, selected: value === (selected ?? '') });
    const any = t(who, 'review:filters.any');
    const p = parsed.params;
    const select = (name: string, label: string, options: Array<[string, string]>) => ({
      name,
      label,
      options: [option('', any, p[name]), ...options.map(([v, l]) => option(v, l, p[name]))],
    });
    const label = labelFor(who.staff.locale);
    const channels = [...new Set([...KNOWN_CHANNELS, ...(p.channel ? [p.channel] : [])])];
    const scoreOptions: Array<[string, string]> = [
      ...[1, 2, 3, 4, 5].map((s): [string, string] => [String(s), String(s)]),
      ['1-2', t(who, 'review:filters.scores.low')],
      ['4-5', t(who, 'review:filters.scores.high')],
      ['0-6', t(who, 'review:filters.scores.detractors')],
      ['7-8', t(who, 'review:filters.scores.passives')],
      ['9-10', t(who, 'review:filters.scores.promoters')],
    ];
    if (p.score && !scoreOptions.some(([v]) => v === p.score)) scoreOptions.push([p.score, p.score]);
    const yesNo = (yes: string, no: string): Array<[string, string]> => [
      ['1', yes],
      ['0', no],
    ];
    const fields: Array<Record<string, unknown>> = [
      {
        name: 'period',
        label: t(who, 'review:filters.period'),
        options: [...PERIOD_PRESETS, 'custom'].map((v) => option(v, t(who, `review:filters.presets.${v}`), parsed.preset)),
      },
      { name: 'from', label: t(who, 'review:filters.from'), type: 'date', value: parsed.preset === 'custom' ? parsed.fromDate : '' },
      { name: 'to', label: t(who, 'review:filters.to'), type: 'date', value: parsed.preset === 'custom' ? parsed.toDate : '' },
      select('tier', t(who, 'review:filters.tier'), [
        ...TIERS.map((v): [string, string] => [v, label('tiers', v)]),
        ['vip,gold', t(who, 'review:filters.highValue')],
      ]),
      select(
        'category',
        t(who, 'review:filters.category'),
        COMPLAINT_CATEGORIES.map((v) => [v, label('categories', v)]),
      ),
      select('score', t(who, 'review:filters.score'), scoreOptions),
      select(
        'agent',
        t(who, 'review:filters.agent'),
        staff.filter((s) => s.role === 'agent' || s.role === 'supervisor').map((s) => [String(s.id), s.displayName]),
      ),
      select(
        'channel',
        t(who, 'review:filters.channel'),
        channels.map((c) => [c, c]),
      ),
    ];
    const extra: Record<string, () => Record<string, unknown>> = {
      'surveys.kind': () =>
        select(
          'kind',
          t(who, 'review:filters.kind'),
          ['csat', 'nps'].map((v) => [v, label('kinds', v)]),
        ),
      'surveys.status': () =>
        select(
          'status',
          t(who, 'review:filters.status'),
          ['answered', 'unanswered', 'sent', 'expired', 'declined'].map((v) => [v, label('surveyStatus', v)]),
        ),
      'complaints.status': () =>
        select(
          'status',
          t(who, 'review:filters.status'),
          COMPLAINT_STATUSES.map((v) => [v, label('complaintStatus', v)]),
        ),
      'complaints.severity': () =>
        select(
          'severity',
          t(who, 'review:filters.severity'),
          SEVERITIES.map((v) => [v, label('severities', v)]),
        ),
      'complaints.breached': () =>
        select('breached', t(who, 'review:filters.breached'), [
          ...yesNo(t(who, 'review:filters.breachedYes'), t(who, 'review:filters.breachedNo')),
          ['first_contact', t(who, 'review:breach.firstContact')],
          ['resolution', t(who, 'review:breach.resolution')],
        ]),
      'handoffs.status': () =>
        select(
          'status',
          t(who, 'review:filters.status'),
          ['queued', 'active', 'resolved', 'abandoned'].map((v) => [v, label('handoffStatus', v)]),
        ),
      'handoffs.accepted': () => select('accepted', t(who, 'review:filters.accepted'), yesNo(t(who, 'review:filters.yes'), t(who, 'review:filters.no'))),
      'handoffs.sort': () => ({
        name: 'sort',
        label: t(who, 'review:filters.sort'),
        options: [option('', t(who, 'review:filters.sortNewest'), p.sort), option('wait', t(who, 'review:filters.sortWait'), p.sort)],
      }),
      'offers.outcome': () =>
        select(
          'outcome',
          t(who, 'review:filters.outcome'),
          ['shown', 'accepted', 'declined', 'later', 'expired'].map((v) => [v, label('offerOutcomes', v)]),
        ),
      'customers.band': () =>
        select(
          'band',
          t(who, 'review:filters.band'),
          RISK_BANDS.map((v) => [v, label('bands', v)]),
        ),
      'retention.lost': () =>
        select('lost', t(who, 'review:filters.lost'), [
          ['1', t(who, 'review:filters.lostAny')],
          ['closed', t(who, 'review:retention.lost_closed')],
          ['low_usage', t(who, 'review:retention.lost_low_usage')],
          ['0', t(who, 'review:retention.kept')],
        ]),
      'qa.signed': () => select('signed', t(who, 'review:filters.signed'), yesNo(t(who, 'review:filters.yes'), t(who, 'review:filters.no'))),
    };
    if (current !== 'dashboard') for (const name of LIST_PARAMS[current]) fields.push(extra[`${current}.${name}`]());
    return {
      heading: current === 'dashboard' ? t(who, 'review:dashboard.heading') : t(who, `review:nav.${current}`),
      nav,
      form: { action, fields, reset: action, shown: parsed.preset },
      periodText: t(who, 'review:filters.showing', { from: parsed.fromDate, to: parsed.toDate }),
      problems: problemTexts(who, parsed),
    };
  };

  // ---- the dashboard ----------------------------------------------------------------------------------------------------

  server.get(
    '/console/review',
    guard('review.view', async (req, res, who) => {
      const now = deps.now();
      const parsed = parseQuery(req.query, now, undefined, timeZone);
      const started = performance.now();
      const dashboard = await review.dashboard(parsed.filters, now);
      const ms = performance.now() - started;
      // Timing only, never figures about customers.
      logger.debug({ event: 'review.dashboard', ms, days: Math.round((parsed.filters.to - parsed.filters.from) / 86_400_000) });
      const staff = await repos.staff.list();
      page(res, who, 'review', { ...frame(who, parsed, 'dashboard', staff), sections: sections(who, parsed, dashboard) });
    }),
  );

  /** The dashboard's cards: figures that link to their lists, charts, the same figures as tables. */
  function sections(who: SignedIn, parsed: ParsedQuery, d: Dashboard): Section[] {
    const common = commonParams(parsed);
    const url = (list: ListName, params: Record<string, string | number | undefined> = {}) => reviewUrl(`/console/review/${list}`, { ...common, ...params });
    const label = labelFor(who.staff.locale);
    const none = t(who, 'review:none');
    const pct = (v: number | null) => (v === null ? none : t(who, 'review:units.percent', { n: (v * 100).toFixed(1) }));
    const share = (part: number, whole: number) => (whole ? pct(part / whole) : none);
    const minutes = (ms: number | null) => (ms === null ? none : t(who, 'review:units.minutes', { n: (ms / 60_000).toFixed(1) }));
    const fixed = (v: number | null, digits: number) => (v === null ? none : v.toFixed(digits));
    const count = (v: number) => String(v);
    const figureTable = (caption: string, bars: Bar[], total?: number): Table => ({
      summary: t(who, 'review:dashboard.table'),
      caption,
      headers: ['', t(who, 'review:dashboard.value'), ...(total === undefined ? [] : [t(who, 'review:dashboard.share')])],
      rows: bars.map((b) => [{ text: b.label, href: b.href }, { text: b.display }, ...(total === undefined ? [] : [{ text: share(b.value, total) }])]),
    });
    const applies = (key: string) => t(who, `review:dashboard.applies.${key}`);

    // Satisfaction.
    const s = d.surveys;
    const csatBars: Bar[] = [...s.csat.distribution].reverse().map((b) => ({
      label: t(who, 'review:dashboard.csatBar', { score: b.key }),
      value: b.count,
      display: `${b.count} (${share(b.count, s.csat.answered)})`,
      href: url('surveys', { kind: 'csat', status: 'answered', score: b.key }),
      // Low scores hatched, so they stand out without colour.
      pattern: b.key <= 2 ? 'hatch' : b.key === 3 ? 'dots' : 'solid',
    }));
    const csatLow = s.csat.distribution.filter((b) => b.key <= 2).reduce((a, b) => a + b.count, 0);
    const npsParts: Bar[] = [
      {
        label: t(who, 'review:dashboard.promoters'),
        value: s.nps.promoters,
        display: `${s.nps.promoters} (${share(s.nps.promoters, s.nps.answered)})`,
        href: url('surveys', { kind: 'nps', status: 'answered', score: '9-10' }),
        pattern: 'solid',
      },
      {
        label: t(who, 'review:dashboard.passives'),
        value: s.nps.passives,
        display: `${s.nps.passives} (${share(s.nps.passives, s.nps.answered)})`,
        href: url('surveys', { kind: 'nps', status: 'answered', score: '7-8' }),
        pattern: 'dots',
      },
      {
        label: t(who, 'review:dashboard.detractors'),
        value: s.nps.detractors,
        display: `${s.nps.detractors} (${share(s.nps.detractors, s.nps.answered)})`,
        href: url('surveys', { kind: 'nps', status: 'answered', score: '0-6' }),
        pattern: 'hatch',
      },
    ];

    // Complaints.
    const c = d.complaints;
    const categoryBars: Bar[] = c.byCategory.map((b) => ({
      label: label('categories', b.key),
      value: b.count,
      display: count(b.count),
      href: url('complaints', { category: b.key }),
    }));
    const statusBars: Bar[] = c.byStatus.map((b, i) => ({
      label: label('complaintStatus', b.key),
      value: b.count,
      display: count(b.count),
      href: url('complaints', { status: b.key }),
      pattern: (['solid', 'dots', 'hatch', 'cross'] as const)[i % 4],
    }));

    // Handoffs.
    const h = d.handoffs;
    const agentBars: Bar[] = h.agents.map((a) => ({
      label: a.name,
      value: a.handled,
      display: count(a.handled),
      href: url('handoffs', { agent: a.agentId, accepted: 1 }),
    }));

    // Offers, risk.
    const o = d.offers;
    const outcomeBars: Bar[] = o.byOutcome.map((b) => ({
      label: label('offerOutcomes', b.key),
      value: b.count,
      display: `${b.count} (${share(b.count, o.shown)})`,
      href: url('offers', { outcome: b.key }),
      pattern: b.key === 'accepted' ? 'solid' : b.key === 'declined' ? 'hatch' : b.key === 'later' ? 'dots' : 'cross',
    }));
    const r = d.risk;
    const riskTotal = r.byBand.reduce((a, b) => a + b.count, 0);
    const bandBars: Bar[] = r.byBand.map((b) => ({
      label: label('bands', b.key),
      value: b.count,
      display: `${b.count} (${share(b.count, riskTotal)})`,
      href: url('customers', { band: b.key }),
      pattern: b.key === 'high' ? 'hatch' : b.key === 'medium' ? 'dots' : 'light',
    }));
    const highValueParams = {
      band: 'high',
      tier: parsed.filters.tiers?.length ? parsed.filters.tiers.filter((x) => x === 'vip' || x === 'gold').join(',') || undefined : 'vip,gold',
    };
    const ctx = listContext(who);
    // The card shows the columns that say who to call and why; the list behind it has them all.
    const topKeys = ['customer', 'name', 'tier', 'riskScore', 'signals', 'mobile'];
    const topColumns = COLUMNS.customers.map((col, i) => ({ col, i })).filter(({ col }) => topKeys.includes(col.key));
    const topRows = cellsOf('customers', r.highValueAtRisk.top, ctx).map((row) => topColumns.map(({ i }) => row[i]));

    // Retention.
    const k = d.retention;

    // The trend.
    const unit = t(
      who,
      d.trend.bucketMs === 86_400_000 ? 'review:dashboard.day' : d.trend.bucketMs === 7 * 86_400_000 ? 'review:dashboard.week' : 'review:dashboard.month30',
    );
    // MM-DD under the bars: short enough for a day per bar, the same in both languages.
    const bucketLabel = (start: number) => dayOf(start, timeZone).slice(5);
    const csatColumns: Bar[] = d.trend.buckets.map((b) => ({ label: bucketLabel(b.start), value: b.csatAverage ?? 0, display: fixed(b.csatAverage, 2) }));
    const complaintColumns: Bar[] = d.trend.buckets.map((b) => ({
      label: bucketLabel(b.start),
      value: b.complaints,
      display: count(b.complaints),
      pattern: 'hatch',
    }));
    const trendTable: Table = {
      summary: t(who, 'review:dashboard.table'),
      headers: [
        t(who, 'review:dashboard.bucketStart'),
        t(who, 'review:dashboard.trendCsat', { unit }),
        t(who, 'review:dashboard.csatAnswered'),
        t(who, 'review:dashboard.trendComplaints', { unit }),
      ],
      rows: d.trend.buckets.map((b) => [
        { text: formatDate(b.start, who.staff.locale, timeZone) },
        { text: fixed(b.csatAverage, 2) },
        { text: count(b.csatAnswered) },
        { text: count(b.complaints) },
      ]),
    };

    return [
      {
        id: 'csat',
        heading: t(who, 'review:dashboard.csat'),
        figures: [
          { label: t(who, 'review:dashboard.csatAverage'), value: fixed(s.csat.average, 2), href: url('surveys', { kind: 'csat', status: 'answered' }) },
          { label: t(who, 'review:dashboard.csatAnswered'), value: count(s.csat.answered), href: url('surveys', { kind: 'csat', status: 'answered' }) },
          { label: t(who, 'review:dashboard.csatLow'), value: count(csatLow), href: url('surveys', { kind: 'csat', status: 'answered', score: '1-2' }) },
        ],
        charts: [{ svg: barChart('chart-csat', t(who, 'review:dashboard.csatChart'), csatBars), caption: t(who, 'review:dashboard.csatChart') }],
        tables: [figureTable(t(who, 'review:dashboard.csatChart'), csatBars, s.csat.answered)],
        applies: applies('surveys'),
      },
      {
        id: 'nps',
        heading: t(who, 'review:dashboard.nps'),
        figures: [
          {
            label: t(who, 'review:dashboard.npsScore'),
            value: s.nps.score === null ? none : String(s.nps.score),
            href: url('surveys', { kind: 'nps', status: 'answered' }),
          },
          { label: t(who, 'review:dashboard.npsAnswered'), value: count(s.nps.answered), href: url('surveys', { kind: 'nps', status: 'answered' }) },
        ],
        charts: [{ svg: stackedBar('chart-nps', t(who, 'review:dashboard.npsChart'), npsParts), caption: t(who, 'review:dashboard.npsChart') }],
        tables: [figureTable(t(who, 'review:dashboard.npsChart'), npsParts, s.nps.answered)],
        applies: applies('surveys'),
      },
      {
        id: 'response',
        heading: t(who, 'review:dashboard.response'),
        figures: [
          // The response rate reads no score (unanswered surveys have none), so neither do its lists.
          { label: t(who, 'review:dashboard.responseRate'), value: pct(s.response.rate), href: url('surveys', { status: 'answered', score: undefined }) },
          { label: t(who, 'review:dashboard.sent'), value: count(s.response.sent), href: url('surveys', { score: undefined }) },
          { label: t(who, 'review:dashboard.answered'), value: count(s.response.answered), href: url('surveys', { status: 'answered', score: undefined }) },
          {
            label: t(who, 'review:dashboard.unanswered'),
            value: count(s.response.sent - s.response.answered),
            href: url('surveys', { status: 'unanswered', score: undefined }),
          },
        ],
        charts: [],
        tables: [],
        applies: applies('surveys'),
      },
      {
        id: 'complaints',
        heading: t(who, 'review:dashboard.complaints'),
        figures: [
          { label: t(who, 'review:dashboard.complaintsTotal'), value: count(c.total), href: url('complaints') },
          {
            label: t(who, 'review:dashboard.breaches'),
            value: `${count(c.breaches.any)} (${share(c.breaches.any, c.total)})`,
            href: url('complaints', { breached: 1 }),
          },
          {
            label: t(who, 'review:dashboard.firstContactBreaches'),
            value: count(c.breaches.firstContact),
            href: url('complaints', { breached: 'first_contact' }),
          },
          { label: t(who, 'review:dashboard.resolutionBreaches'), value: count(c.breaches.resolution), href: url('complaints', { breached: 'resolution' }) },
        ],
        charts: [
          { svg: barChart('chart-categories', t(who, 'review:dashboard.byCategory'), categoryBars), caption: t(who, 'review:dashboard.byCategory') },
          { svg: barChart('chart-status', t(who, 'review:dashboard.byStatus'), statusBars), caption: t(who, 'review:dashboard.byStatus') },
        ],
        tables: [
          figureTable(t(who, 'review:dashboard.byCategory'), categoryBars, c.total),
          figureTable(t(who, 'review:dashboard.byStatus'), statusBars, c.total),
        ],
        applies: applies('complaints'),
      },
      {
        id: 'handoffs',
        heading: t(who, 'review:dashboard.handoffs'),
        figures: [
          { label: t(who, 'review:dashboard.queued'), value: count(h.queued), href: url('handoffs') },
          { label: t(who, 'review:dashboard.accepted'), value: count(h.accepted), href: url('handoffs', { accepted: 1 }) },
          { label: t(who, 'review:dashboard.abandoned'), value: count(h.abandoned), href: url('handoffs', { status: 'abandoned' }) },
          { label: t(who, 'review:dashboard.medianWait'), value: minutes(h.waitMs.median), href: url('handoffs', { accepted: 1, sort: 'wait' }) },
          { label: t(who, 'review:dashboard.p90Wait'), value: minutes(h.waitMs.p90), href: url('handoffs', { accepted: 1, sort: 'wait' }) },
        ],
        charts: agentBars.length
          ? [{ svg: barChart('chart-agents', t(who, 'review:dashboard.agentLoad'), agentBars), caption: t(who, 'review:dashboard.agentLoad') }]
          : [],
        tables: [
          {
            summary: t(who, 'review:dashboard.table'),
            caption: t(who, 'review:dashboard.agentTable'),
            headers: [
              t(who, 'review:columns.agent'),
              t(who, 'review:dashboard.handled'),
              t(who, 'review:dashboard.resolvedCount'),
              t(who, 'review:dashboard.averageWait'),
              t(who, 'review:dashboard.averageHandle'),
            ],
            rows: h.agents.map((a) => [
              { text: a.name, href: url('handoffs', { agent: a.agentId, accepted: 1 }) },
              { text: count(a.handled) },
              { text: count(a.resolved) },
              { text: minutes(a.averageWaitMs) },
              { text: minutes(a.averageHandleMs) },
            ]),
          },
        ],
        applies: applies('handoffs'),
      },
      {
        id: 'offers',
        heading: t(who, 'review:dashboard.offers'),
        figures: [
          { label: t(who, 'review:dashboard.shown'), value: count(o.shown), href: url('offers') },
          { label: t(who, 'review:dashboard.taken'), value: count(o.accepted), href: url('offers', { outcome: 'accepted' }) },
          { label: t(who, 'review:dashboard.takeUp'), value: pct(o.takeUp), href: url('offers', { outcome: 'accepted' }) },
        ],
        charts: outcomeBars.length
          ? [{ svg: barChart('chart-offers', t(who, 'review:dashboard.byOutcome'), outcomeBars), caption: t(who, 'review:dashboard.byOutcome') }]
          : [],
        tables: [figureTable(t(who, 'review:dashboard.byOutcome'), outcomeBars, o.shown)],
        applies: applies('offers'),
      },
      {
        id: 'risk',
        heading: t(who, 'review:dashboard.risk'),
        figures: [{ label: t(who, 'review:dashboard.highValueAtRisk'), value: count(r.highValueAtRisk.count), href: url('customers', highValueParams) }],
        charts: [{ svg: barChart('chart-risk', t(who, 'review:dashboard.byBand'), bandBars), caption: t(who, 'review:dashboard.byBand') }],
        tables: [
          figureTable(t(who, 'review:dashboard.byBand'), bandBars, riskTotal),
          ...(topRows.length
            ? [
                {
                  open: true,
                  caption: t(who, 'review:dashboard.highValueTop'),
                  headers: topColumns.map(({ col }) => t(who, `review:columns.${col.key}`)),
                  rows: topRows,
                },
              ]
            : []),
        ],
        applies: applies('risk'),
      },
      {
        id: 'retention',
        heading: t(who, 'review:dashboard.retention'),
        figures: [
          {
            label: t(who, 'review:dashboard.retentionRate'),
            value: k.rate === null ? none : t(who, 'review:units.percent', { n: (k.rate * 100).toFixed(2) }),
            href: url('retention'),
          },
          { label: t(who, 'review:dashboard.group'), value: count(k.group), href: url('retention') },
          { label: t(who, 'review:dashboard.lost'), value: count(k.lost), href: url('retention', { lost: 1 }) },
          { label: t(who, 'review:dashboard.lostClosed'), value: count(k.lostClosed), href: url('retention', { lost: 'closed' }) },
          { label: t(who, 'review:dashboard.lostLowUsage'), value: count(k.lostLowUsage), href: url('retention', { lost: 'low_usage' }) },
        ],
        charts: [],
        tables: [],
        note: t(who, 'review:dashboard.retentionNote', { months: k.months.join(', ') }),
        applies: applies('retention'),
      },
      {
        id: 'qa',
        heading: t(who, 'review:dashboard.qa'),
        figures: [
          { label: t(who, 'review:dashboard.qaReviews'), value: count(d.qa.reviews), href: url('qa') },
          { label: t(who, 'review:dashboard.qaSigned'), value: count(d.qa.signed), href: url('qa', { signed: 1 }) },
          { label: t(who, 'review:dashboard.qaAverage'), value: fixed(d.qa.average, 2), href: url('qa') },
        ],
        charts: [],
        tables: [],
        applies: applies('qa'),
      },
      {
        id: 'trend',
        heading: t(who, 'review:dashboard.trend'),
        figures: [],
        charts: [
          {
            svg: columnChart('chart-trend-csat', t(who, 'review:dashboard.trendCsat', { unit }), csatColumns, { valueDigits: 1 }),
            caption: t(who, 'review:dashboard.trendCsat', { unit }),
          },
          {
            svg: columnChart('chart-trend-complaints', t(who, 'review:dashboard.trendComplaints', { unit }), complaintColumns),
            caption: t(who, 'review:dashboard.trendComplaints', { unit }),
          },
        ],
        tables: [trendTable],
        applies: applies('trend'),
      },
    ];
  }

  // ---- the lists and their exports ------------------------------------------------------------------------------------

  for (const name of LIST_NAMES) {
    server.get(
      `/console/review/${name}`,
      guard('review.view', async (req, res, who) => {
        const now = deps.now();
        const parsed = parseQuery(req.query, now, name, timeZone);
        const format = req.query?.format;
        if (format === 'csv') return exportList(req, res, who, name, parsed, now);
        const total = await review.count(name, parsed.filters, now);
        const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
        const offset = (parsed.page - 1) * PAGE_SIZE;
        // Past the last page nothing is read: a huge page number is an empty page, not a huge OFFSET.
        const rows = offset < total ? await review.list(name, parsed.filters, { offset, limit: PAGE_SIZE }, now) : [];
        const staff = await repos.staff.list();
        const here = (params: Record<string, string | number | undefined>) => reviewUrl(`/console/review/${name}`, { ...parsed.params, ...params });
        page(res, who, 'reviewList', {
          ...frame(who, parsed, name, staff),
          list: name,
          summary: t(who, 'review:lists.rows', { n: total }),
          applies: t(who, `review:dashboard.applies.${LIST_APPLIES[name]}`),
          exportHref: can(who.staff.role, 'review.export') ? here({ format: 'csv' }) : undefined,
          table: { headers: COLUMNS[name].map((col) => t(who, `review:columns.${col.key}`)), rows: cellsOf(name, rows, listContext(who)) },
          emptyText: parsed.page > pages ? t(who, 'review:lists.beyond', { page: parsed.page }) : t(who, 'review:lists.empty'),
          firstHref: parsed.page > 1 && rows.length === 0 ? here({ page: undefined }) : undefined,
          pageText: t(who, 'review:lists.page', { page: parsed.page, pages }),
          prevHref: parsed.page > 1 && parsed.page <= pages ? here({ page: parsed.page - 1 }) : undefined,
          nextHref: parsed.page < pages ? here({ page: parsed.page + 1 }) : undefined,
        });
      }),
    );
  }

  /**
   * Streams a whole list as CSV (UTF-8 with BOM, CRLF, masked, formulas neutralised), in the manager's language, and
   * audits it: who, which list, the filters, how many rows. A filter that makes no sense refuses the export (400)
   * rather than exporting more than was asked for.
   */
  async function exportList(req: Request, res: Response, who: SignedIn, name: ListName, parsed: ParsedQuery, now: number): Promise<void> {
    if (!can(who.staff.role, 'review.export')) return refuse(req, res, who, 403, t(who, 'console:errors.forbidden'));
    if (parsed.problems.length > 0) {
      const p = parsed.problems[0];
      return refuse(req, res, who, 400, t(who, 'review:filters.invalidExport', { param: p.param, value: p.value }));
    }
    const ctx = listContext(who);
    const filename = `${name}-${parsed.fromDate}_${parsed.toDate}.csv`;
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    let rows = 0;
    let complete = false;
    try {
      await write(res, UTF8_BOM + csvRows([COLUMNS[name].map((col) => t(who, `review:columns.${col.key}`))]));
      for (let offset = 0; ; offset += EXPORT_BATCH) {
        const batch = await review.list(name, parsed.filters, { offset, limit: EXPORT_BATCH }, now);
        if (batch.length === 0) break;
        // No reveal links in a file: what leaves the console is masked, always.
        await write(res, csvRows(cellsOf(name, batch, { ...ctx, mayReveal: false }).map((row) => row.map(csvValue))));
        rows += batch.length;
        if (batch.length < EXPORT_BATCH) break;
      }
      complete = true;
    } catch (err) {
      // A manager who cancels the download is no error of ours; the audit below still records what left.
      if (!res.destroyed && !res.writableEnded) throw err;
    } finally {
      res.end();
      await repos.audit.record({
        actorType: 'staff',
        actorId: who.staff.id,
        action: 'review.exported',
        targetType: 'review_list',
        targetId: name,
        detail: { filters: parsed.params, rows, complete },
      });
      logger.info({ event: 'review.exported', list: name, rows, complete, staffId: who.staff.id });
    }
  }

  // ---- a conversation, its transcript and its QA review ------------------------------------------------------------------

  const conversationPage = async (
    req: Request,
    res: Response,
    who: SignedIn,
    id: number,
    extra: { saved?: boolean; qaError?: string; status?: number } = {},
  ) => {
    const detail = await review.conversation(id);
    if (!detail) return refuse(req, res, who, 404, t(who, 'console:errors.notFound'));
    const after = positiveInt(req.query?.after) ?? 0;
    const lines = await review.transcript(id, { afterId: after, limit: 201 });
    const shown = lines.slice(0, 200);
    const qa = await review.findQa(id);
    const ctx = listContext(who);
    const label = ctx.label;
    const mayReveal = ctx.mayReveal;
    const sender = (s: string) => {
      try {
        return t(who, `review:conversation.sender.${s}`);
      } catch {
        return s;
      }
    };
    const referer = String(req.header('referer') ?? '');
    let backHref = '/console/review/surveys';
    try {
      // Back to the list the manager came from, when it was one of ours.
      const u = new URL(referer, 'http://x');
      if (u.pathname.startsWith('/console/review') && !u.pathname.startsWith('/console/review/conversations')) backHref = u.pathname + u.search;
    } catch {
      /* an unreadable Referer: the default list */
    }
    page(
      res,
      who,
      'reviewConversation',
      {
        conversation: detail,
        backHref,
        customer: detail.customer
          ? {
              ...detail.customer,
              tier: label('tiers', detail.customer.tier),
              industry: label('industries', detail.customer.industry),
              band: label('bands', detail.customer.band),
              mobile: maskMobile(detail.customer.mobile),
              reveal: mayReveal ? reviewUrl('/console/review/reveal', { field: 'customer.mobile', id: detail.customer.id }) : undefined,
            }
          : null,
        handoffs: {
          headers: ['queued', 'agent', 'waitMinutes', 'status', 'outcome'].map((k) => t(who, `review:columns.${k}`)),
          rows: detail.handoffs.map((x) => [
            { text: formatDateTime(x.queuedAt, who.staff.locale, timeZone) },
            { text: x.agentName ?? '' },
            { text: x.acceptedAt === null ? '' : ((x.acceptedAt - x.queuedAt) / 60_000).toFixed(1) },
            { text: label('handoffStatus', x.status) },
            { text: label('handoffOutcomes', x.outcome) },
          ]),
        },
        complaints: {
          headers: ['reference', 'category', 'severity', 'status', 'description', 'contact'].map((k) => t(who, `review:columns.${k}`)),
          rows: detail.complaints.map((x) => [
            { text: x.reference },
            { text: label('categories', x.category) },
            { text: label('severities', x.severity) },
            { text: label('complaintStatus', x.status) },
            { text: maskPii(x.description) },
            {
              text: x.contact ? maskContact(x.contact) : '',
              reveal: mayReveal && x.contact ? reviewUrl('/console/review/reveal', { field: 'complaint.contact', id: x.id }) : undefined,
            },
          ]),
        },
        surveys: {
          headers: ['kind', 'score', 'status', 'comment', 'time'].map((k) => t(who, `review:columns.${k}`)),
          rows: detail.surveys.map((x) => [
            { text: label('kinds', x.kind) },
            { text: x.score === null ? '' : String(x.score) },
            { text: label('surveyStatus', x.status) },
            { text: x.comment ? maskPii(x.comment) : '' },
            { text: x.answeredAt === null ? '' : formatDateTime(x.answeredAt, who.staff.locale, timeZone) },
          ]),
        },
        // Stored masked already; masked again on the way out in case an older line slipped through.
        lines: shown.map((l) => ({ ...l, who: sender(l.sender), text: l.text ? maskPii(l.text) : '' })),
        moreHref: lines.length > 200 ? reviewUrl(`/console/review/conversations/${id}`, { after: shown.at(-1)!.id }) : undefined,
        qa: qa ? { ...qa, comment: qa.comment ? maskPii(qa.comment) : '' } : null,
        qaScores: QA_ITEMS.map((item) => ({ name: item, label: t(who, `review:qa.${item}`), value: qa ? qa[item] : null, options: [1, 2, 3, 4, 5] })),
        mayQa: can(who.staff.role, 'review.qa'),
        saved: extra.saved ?? req.query?.saved === '1',
        qaError: extra.qaError,
      },
      extra.status ?? 200,
    );
  };

  server.get(
    '/console/review/conversations/:id',
    guard('review.view', async (req, res, who) => {
      const id = positiveInt(req.params.id);
      if (!id) return refuse(req, res, who, 404, t(who, 'console:errors.notFound'));
      await conversationPage(req, res, who, id);
    }),
  );

  server.post(
    '/console/review/conversations/:id/qa',
    guard('review.qa', async (req, res, who) => {
      const id = positiveInt(req.params.id);
      if (!id || !(await review.conversation(id))) return refuse(req, res, who, 404, t(who, 'console:errors.notFound'));
      const scores = QA_ITEMS.map((item) => field(req, item, 2));
      if (!scores.every((v) => /^[1-5]$/.test(v))) {
        const message = t(who, 'review:qa.invalid');
        if (wantsJson(req)) return refuse(req, res, who, 400, message);
        return conversationPage(req, res, who, id, { qaError: message, status: 400 });
      }
      const [resolved, courtesy, accuracy, compliance] = scores.map(Number);
      const comment = maskPii(field(req, 'comment', 2000).trim()) || null;
      const signOff = field(req, 'signOff', 4) === '1';
      const result = await review.saveQa(id, who.staff.id, { resolved, courtesy, accuracy, compliance, comment }, signOff, deps.now());
      if (result.status === 'final') return refuse(req, res, who, 409, t(who, 'review:qa.final'));
      await repos.audit.record({
        actorType: 'staff',
        actorId: who.staff.id,
        action: result.status === 'signed' ? 'review.qa_signed_off' : 'review.qa_saved',
        targetType: 'conversation',
        targetId: id,
        detail: { resolved, courtesy, accuracy, compliance },
      });
      if (wantsJson(req)) {
        res.header('Cache-Control', 'no-store');
        res.send(200, { ok: true, status: result.status, reviewId: result.review.id });
        return;
      }
      res.writeHead(303, { location: `/console/review/conversations/${id}?saved=1#qa`, 'cache-control': 'no-store' });
      res.end();
    }),
  );

  // ---- reveals ----------------------------------------------------------------------------------------------------------

  const revealTarget = (fieldValue: unknown, idValue: unknown): { field: RevealableField; id: number } | undefined => {
    const f = typeof fieldValue === 'string' && (REVEALABLE_FIELDS as readonly string[]).includes(fieldValue) ? (fieldValue as RevealableField) : undefined;
    const id = positiveInt(idValue);
    return f && id ? { field: f, id } : undefined;
  };
  const maskedOf = (f: RevealableField, value: string) => (f === 'customer.mobile' ? maskMobile(value) : maskContact(value));

  server.get(
    '/console/review/reveal',
    guard('review.reveal', async (req, res, who) => {
      const target = revealTarget(req.query?.field, req.query?.id);
      if (!target) return refuse(req, res, who, 400, t(who, 'review:reveal.badField'));
      const value = await review.reveal(target.field, target.id);
      if (value === undefined) return refuse(req, res, who, 404, t(who, 'console:errors.notFound'));
      page(res, who, 'reviewReveal', {
        ...target,
        fieldLabel: t(who, REVEAL_LABEL[target.field]),
        masked: maskedOf(target.field, value),
        backHref: '/console/review/complaints',
      });
    }),
  );

  server.post(
    '/console/review/reveal',
    guard('review.reveal', async (req, res, who) => {
      const target = revealTarget(field(req, 'field', 40), field(req, 'id', 12));
      if (!target) return refuse(req, res, who, 400, t(who, 'review:reveal.badField'));
      const value = await review.reveal(target.field, target.id);
      if (value === undefined) return refuse(req, res, who, 404, t(who, 'console:errors.notFound'));
      const reason = field(req, 'reason', 500).trim();
      if (!reason) {
        const message = t(who, 'review:reveal.noReason');
        if (wantsJson(req)) return refuse(req, res, who, 400, message);
        return page(
          res,
          who,
          'reviewReveal',
          {
            ...target,
            fieldLabel: t(who, REVEAL_LABEL[target.field]),
            masked: maskedOf(target.field, value),
            error: message,
            backHref: '/console/review/complaints',
          },
          400,
        );
      }
      await repos.audit.record({
        actorType: 'staff',
        actorId: who.staff.id,
        action: 'review.revealed',
        targetType: target.field.split('.')[0],
        targetId: target.id,
        detail: { field: target.field, reason },
      });
      logger.info({ event: 'review.revealed', field: target.field, targetId: target.id, staffId: who.staff.id });
      if (wantsJson(req)) {
        res.header('Cache-Control', 'no-store');
        res.send(200, { value });
        return;
      }
      page(res, who, 'reviewReveal', { ...target, fieldLabel: t(who, REVEAL_LABEL[target.field]), value, backHref: '/console/review/complaints' });
    }),
  );
}

/** Writes to the response, waiting when its buffer is full (a large export must not pile up in memory). */
function write(res: Response, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (res.destroyed) return reject(new Error('the client went away'));
    if (res.write(chunk)) return resolve();
    res.once('drain', resolve);
    res.once('close', () => reject(new Error('the client went away')));
  });
}
