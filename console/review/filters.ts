import { DEFAULT_TIME_ZONE } from '../../retention/lifecycle';
import { isoDate, startOfZonedDay } from '../../retention/zonedTime';
import { COMPLAINT_CATEGORIES, COMPLAINT_STATUSES, type ComplaintCategory, SEVERITIES } from '../../retention/complaints';
import { SURVEY_KINDS } from '../../retention/surveyPolicy';
import { RISK_BANDS, TIERS, type Tier } from '../../retention/types';
import type { ListFilters, ListName } from '../../data/repositories/reviewRepository';

const DAY = 86_400_000;
// Days are counted in the service's time zone (SERVICE_TIME_ZONE), as the rest of the service counts them.

/** The period presets of the filter form. */
export const PERIOD_PRESETS = ['7d', '30d', '90d', '365d', 'month', 'lastMonth'] as const;
/** A period preset. */
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];

/** The most rows a page shows. */
export const PAGE_SIZE = 100;
/** Page numbers past this are read as this (an empty page), so a huge number can never overflow a query. */
const MAX_PAGE = 1_000_000;

/** A filter the manager gave that made no sense, and was left out (shown on the page; an export refuses it). */
export interface FilterProblem {
  param: string;
  value: string;
}

/** What a review URL asks for, checked. */
export interface ParsedQuery {
  filters: ListFilters;
  /** The preset in use, or 'custom' for dates. */
  preset: PeriodPreset | 'custom';
  /** The period's first and last day (inclusive), 'YYYY-MM-DD'. */
  fromDate: string;
  toDate: string;
  /** 1-based. */
  page: number;
  problems: FilterProblem[];
  /** The checked filters as URL parameters, for links that keep them (drill-down, paging, export). */
  params: Record<string, string>;
}

/** The parameters each list understands besides the common ones. */
export const LIST_PARAMS: Readonly<Record<ListName, readonly string[]>> = {
  surveys: ['kind', 'status'],
  complaints: ['status', 'severity', 'breached'],
  handoffs: ['status', 'accepted', 'sort'],
  offers: ['outcome'],
  customers: ['band'],
  retention: ['lost'],
  qa: ['signed'],
};

const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  'surveys.status': ['answered', 'unanswered', 'sent', 'expired', 'declined'],
  'complaints.status': COMPLAINT_STATUSES,
  'handoffs.status': ['queued', 'active', 'resolved', 'abandoned'],
  outcome: ['shown', 'accepted', 'declined', 'later', 'expired'],
  kind: SURVEY_KINDS,
  severity: SEVERITIES,
  band: RISK_BANDS,
  lost: ['1', '0', 'closed', 'low_usage'],
  breached: ['1', '0', 'first_contact', 'resolution'],
  accepted: ['1', '0'],
  signed: ['1', '0'],
  sort: ['wait'],
};

/** 'YYYY-MM-DD' of an instant, in the service's time zone. */
export function dayOf(ms: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  return isoDate(ms, timeZone);
}

/** The first instant of a day in the service's time zone. */
export function startOfDay(date: string, timeZone: string = DEFAULT_TIME_ZONE): number {
  return startOfZonedDay(date, timeZone);
}

/** A real calendar date in a sane range, or undefined. */
function parseDate(value: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) return undefined;
  const year = Number(value.slice(0, 4));
  return year >= 2000 && year <= 2099 ? value : undefined;
}

/** The [from, to) of a preset, counted back from today (in the service's time zone). */
export function presetRange(preset: PeriodPreset, now: number, timeZone: string = DEFAULT_TIME_ZONE): { from: number; to: number } {
  const dayOf = (ms: number) => isoDate(ms, timeZone);
  const startOfDay = (date: string) => startOfZonedDay(date, timeZone);
  const today = dayOf(now);
  const end = startOfDay(today) + DAY;
  const firstOfMonth = startOfDay(`${today.slice(0, 8)}01`);
  switch (preset) {
    case '7d':
      return { from: end - 7 * DAY, to: end };
    case '30d':
      return { from: end - 30 * DAY, to: end };
    case '90d':
      return { from: end - 90 * DAY, to: end };
    case '365d':
      return { from: end - 365 * DAY, to: end };
    case 'month':
      return { from: firstOfMonth, to: end };
    case 'lastMonth':
      return { from: startOfDay(`${dayOf(firstOfMonth - DAY).slice(0, 8)}01`), to: firstOfMonth };
  }
}

/**
 * Reads a review URL's query: the period (a preset, or from/to dates, in the service's time zone), the common filters (tier, category,
 * score, agent, channel) and the list's own. A value that makes no sense is left out and named in `problems`; a
 * repeated or nested parameter (`?tier=a&tier=b`, `?tier[x]=1`) counts as nonsense too.
 */
export function parseQuery(query: unknown, now: number, list?: ListName, timeZone: string = DEFAULT_TIME_ZONE): ParsedQuery {
  const dayOf = (ms: number) => isoDate(ms, timeZone);
  const startOfDay = (date: string) => startOfZonedDay(date, timeZone);
  const raw = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  const problems: FilterProblem[] = [];
  const params: Record<string, string> = {};
  const get = (name: string): string | undefined => {
    const v = raw[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') {
      problems.push({ param: name, value: Array.isArray(v) ? v.map(String).join(',') : '…' });
      return undefined;
    }
    const trimmed = v.trim();
    return trimmed === '' ? undefined : trimmed;
  };
  // Shown back to the manager: cut short, control characters made visible.
  const bad = (param: string, value: string) => problems.push({ param, value: value.slice(0, 40).replace(/[\u0000-\u001f\u007f]/g, '?') });
  const filters: Partial<ListFilters> = {};

  // ---- the period ----
  let preset: PeriodPreset | 'custom' = '30d';
  const presetValue = get('period');
  if (presetValue !== undefined && presetValue !== 'custom' && !(PERIOD_PRESETS as readonly string[]).includes(presetValue)) bad('period', presetValue);
  else if (presetValue && presetValue !== 'custom') preset = presetValue as PeriodPreset;
  const fromValue = get('from');
  const toValue = get('to');
  const fromDate = fromValue === undefined ? undefined : parseDate(fromValue);
  const toDate = toValue === undefined ? undefined : parseDate(toValue);
  if (fromValue !== undefined && !fromDate) bad('from', fromValue);
  if (toValue !== undefined && !toDate) bad('to', toValue);
  let range = presetRange(preset, now, timeZone);
  // The form says which period it showed: a preset chosen there in place of the dates wins over them; otherwise the
  // dates win (typed while a preset was shown, or given in a link).
  const shown = get('shown');
  const presetChosen = presetValue !== undefined && presetValue !== 'custom' && shown !== undefined && shown !== presetValue;
  if ((fromDate || toDate) && !presetChosen) {
    const to = toDate ? startOfDay(toDate) + DAY : startOfDay(dayOf(now)) + DAY;
    const from = fromDate ? startOfDay(fromDate) : to - 30 * DAY;
    if (from >= to) {
      bad('from', `${fromDate ?? ''} > ${toDate ?? ''}`);
    } else {
      range = { from, to };
      preset = 'custom';
    }
  }
  if (preset === 'custom') {
    params.from = dayOf(range.from);
    params.to = dayOf(range.to - 1);
  } else {
    params.period = preset;
  }

  // ---- the common filters ----
  const tier = get('tier');
  if (tier !== undefined) {
    const tiers = [...new Set(tier.split(','))];
    if (tiers.every((x) => (TIERS as readonly string[]).includes(x))) {
      filters.tiers = tiers as Tier[];
      params.tier = tiers.join(',');
    } else bad('tier', tier);
  }
  const category = get('category');
  if (category !== undefined) {
    if ((COMPLAINT_CATEGORIES as readonly string[]).includes(category)) {
      filters.category = category as ComplaintCategory;
      params.category = category;
    } else bad('category', category);
  }
  const score = get('score');
  if (score !== undefined) {
    const m = /^(\d{1,2})(?:-(\d{1,2}))?$/.exec(score);
    const min = m ? Number(m[1]) : NaN;
    const max = m ? Number(m[2] ?? m[1]) : NaN;
    if (m && min <= max && max <= 10) {
      filters.score = { min, max };
      params.score = min === max ? String(min) : `${min}-${max}`;
    } else bad('score', score);
  }
  const agent = get('agent');
  if (agent !== undefined) {
    if (/^\d{1,9}$/.test(agent) && Number(agent) > 0) {
      filters.agentId = Number(agent);
      params.agent = String(Number(agent));
    } else bad('agent', agent);
  }
  const channel = get('channel');
  if (channel !== undefined) {
    if (/^[A-Za-z0-9._-]{1,32}$/.test(channel)) {
      filters.channel = channel;
      params.channel = channel;
    } else bad('channel', channel);
  }

  // ---- the list's own ----
  for (const name of list ? LIST_PARAMS[list] : []) {
    const value = get(name);
    if (value === undefined) continue;
    const allowed = ALLOWED[`${list}.${name}`] ?? ALLOWED[name] ?? [];
    if (!allowed.includes(value)) {
      bad(name, value);
      continue;
    }
    params[name] = value;
    const yes = value === '1';
    switch (`${list}.${name}`) {
      case 'surveys.kind':
        filters.kind = value as ListFilters['kind'];
        break;
      case 'surveys.status':
        filters.surveyStatus = value as ListFilters['surveyStatus'];
        break;
      case 'complaints.status':
        filters.complaintStatus = value as ListFilters['complaintStatus'];
        break;
      case 'complaints.severity':
        filters.severity = value as ListFilters['severity'];
        break;
      case 'complaints.breached':
        filters.breached = value === 'first_contact' || value === 'resolution' ? value : yes;
        break;
      case 'handoffs.status':
        filters.handoffStatus = value as ListFilters['handoffStatus'];
        break;
      case 'handoffs.accepted':
        filters.accepted = yes;
        break;
      case 'handoffs.sort':
        filters.sortByWait = true;
        break;
      case 'offers.outcome':
        filters.outcome = value as ListFilters['outcome'];
        break;
      case 'customers.band':
        filters.band = value as ListFilters['band'];
        break;
      case 'retention.lost':
        filters.lost = value === 'closed' || value === 'low_usage' ? value : yes;
        break;
      case 'qa.signed':
        filters.signed = yes;
        break;
    }
  }

  // ---- the page ----
  let page = 1;
  const pageValue = get('page');
  if (pageValue !== undefined) {
    if (/^\d+$/.test(pageValue) && Number(pageValue) >= 1) page = Math.min(Number(pageValue), MAX_PAGE);
    else bad('page', pageValue);
  }

  return { filters: { ...filters, from: range.from, to: range.to }, preset, fromDate: dayOf(range.from), toDate: dayOf(range.to - 1), page, problems, params };
}

/** A review URL with the given parameters (empty values left out). */
export function reviewUrl(path: string, params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** The common parameters only (period and common filters), for links into another list. */
export function commonParams(parsed: ParsedQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['period', 'from', 'to', 'tier', 'category', 'score', 'agent', 'channel']) if (parsed.params[k] !== undefined) out[k] = parsed.params[k];
  return out;
}
