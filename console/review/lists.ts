import { DEFAULT_TIME_ZONE } from '../../retention/lifecycle';
import { isoMinute } from '../../retention/zonedTime';
import type { ListName, ListRows } from '../../data/repositories/reviewRepository';
import { formatDate, formatDateTime } from '../../prompts/format';
import type { Locale } from '../../retention/locale';
import { maskMobile, maskPii } from '../../retention/pii';
import type { CsvCell } from './csv';
import { reviewUrl } from './filters';

/** One cell of a list: the text shown (always masked), an optional link, a reveal link, and the value for CSV. */
export interface Cell {
  text: string;
  href?: string;
  /** Where the masked value behind this cell can be revealed (with a reason). */
  reveal?: string;
  /** The CSV value when it differs from the text (numbers as numbers, times in a sortable form). */
  csv?: CsvCell;
}

/** What a column needs to render its cells. */
export interface ListContext {
  locale: Locale;
  /** The service's time zone: what times are shown and exported in. */
  timeZone: string;
  t: (key: string, args?: Record<string, unknown>) => string;
  /** A label for a stored code, or the code itself when it has none. */
  label: (group: string, code: string | null | undefined) => string;
  mayReveal: boolean;
}

/** A column of a list: its header key (`review:columns.<key>`) and its cells. */
export interface Column<R> {
  key: string;
  cell(row: R, ctx: ListContext): Cell;
}

const EMPTY: Cell = { text: '', csv: null };

/** 'YYYY-MM-DD HH:mm' in the service's time zone: what a spreadsheet sorts and filters well. */
export function csvTime(ms: number | null, timeZone: string = DEFAULT_TIME_ZONE): string | null {
  return ms === null ? null : isoMinute(ms, timeZone);
}

const time = (ms: number | null, ctx: ListContext): Cell =>
  ms === null ? EMPTY : { text: formatDateTime(ms, ctx.locale, ctx.timeZone), csv: csvTime(ms, ctx.timeZone) };
const day = (ms: number | null, ctx: ListContext): Cell =>
  ms === null ? EMPTY : { text: formatDate(ms, ctx.locale, ctx.timeZone), csv: csvTime(ms, ctx.timeZone)?.slice(0, 10) ?? null };
const num = (v: number | null, digits = 0): Cell => (v === null ? EMPTY : { text: v.toFixed(digits), csv: Number(v.toFixed(digits)) });
const text = (v: string | null | undefined): Cell => (v ? { text: v } : EMPTY);
/** Free text on the way out: masked again, whatever was stored (a customer may have typed their number anywhere). */
const masked = (v: string | null | undefined, max?: number): Cell => {
  if (!v) return EMPTY;
  const m = maskPii(v);
  return { text: max && m.length > max ? `${m.slice(0, max)}…` : m, csv: m };
};
/**
 * A contact as given with a complaint: masked like any personal data, and when the masking rules do not recognise it
 * (a landline, a foreign number) every digit but the last four is hidden all the same.
 */
export function maskContact(contact: string): string {
  const m = maskPii(contact);
  return m === contact && /\d{5,}/.test(contact.replace(/[\s-]/g, '')) ? contact.replace(/\d(?=(?:\D*\d){4})/g, '*') : m;
}
const conversationCell = (id: number | null, ctx: ListContext): Cell =>
  id === null ? EMPTY : { text: ctx.t('review:lists.openConversation', { id }), href: `/console/review/conversations/${id}`, csv: id };
const revealUrl = (field: string, id: number) => reviewUrl('/console/review/reveal', { field, id });

/** The columns of every list, in the order shown and exported. */
export const COLUMNS: { [N in ListName]: Array<Column<ListRows[N]>> } = {
  surveys: [
    { key: 'time', cell: (r, c) => time(r.answeredAt ?? r.sentAt, c) },
    { key: 'kind', cell: (r, c) => text(c.label('kinds', r.kind)) },
    { key: 'score', cell: (r) => num(r.score) },
    { key: 'status', cell: (r, c) => text(c.label('surveyStatus', r.status)) },
    { key: 'comment', cell: (r) => masked(r.comment) },
    { key: 'agent', cell: (r) => text(r.agentName) },
    { key: 'channel', cell: (r) => text(r.channel) },
    { key: 'customer', cell: (r) => text(r.customerNo) },
    { key: 'tier', cell: (r, c) => text(r.tier ? c.label('tiers', r.tier) : null) },
    { key: 'complaint', cell: (r) => text(r.complaintReference) },
    { key: 'conversation', cell: (r, c) => conversationCell(r.conversationId, c) },
  ],
  complaints: [
    {
      key: 'reference',
      cell: (r) => ({ text: r.reference, href: r.conversationId === null ? undefined : `/console/review/conversations/${r.conversationId}` }),
    },
    { key: 'created', cell: (r, c) => time(r.createdAt, c) },
    { key: 'customer', cell: (r) => text(r.customerNo) },
    { key: 'tier', cell: (r, c) => text(r.tier ? c.label('tiers', r.tier) : null) },
    { key: 'channel', cell: (r) => text(r.channel) },
    { key: 'category', cell: (r, c) => text(c.label('categories', r.category)) },
    { key: 'severity', cell: (r, c) => text(c.label('severities', r.severity)) },
    { key: 'status', cell: (r, c) => text(c.label('complaintStatus', r.status)) },
    { key: 'firstContactDue', cell: (r, c) => time(r.firstContactDueAt, c) },
    { key: 'resolutionDue', cell: (r, c) => time(r.resolutionDueAt, c) },
    {
      key: 'breach',
      cell: (r, c) => {
        const parts = [r.firstContactBreached ? c.t('review:breach.firstContact') : '', r.resolutionBreached ? c.t('review:breach.resolution') : ''].filter(
          Boolean,
        );
        return text(parts.join(' · '));
      },
    },
    { key: 'description', cell: (r) => masked(r.description, 160) },
    {
      key: 'contact',
      cell: (r, c) => (r.contact ? { text: maskContact(r.contact), reveal: c.mayReveal ? revealUrl('complaint.contact', r.id) : undefined } : EMPTY),
    },
  ],
  handoffs: [
    { key: 'queued', cell: (r, c) => time(r.queuedAt, c) },
    { key: 'customer', cell: (r) => text(r.customerNo) },
    { key: 'tier', cell: (r, c) => text(r.tier ? c.label('tiers', r.tier) : null) },
    { key: 'channel', cell: (r) => text(r.channel) },
    { key: 'reason', cell: (r, c) => text(c.label('reasons', r.reason)) },
    { key: 'agent', cell: (r) => text(r.agentName) },
    { key: 'waitMinutes', cell: (r) => num(r.waitMs === null ? null : r.waitMs / 60_000, 1) },
    { key: 'status', cell: (r, c) => text(c.label('handoffStatus', r.status)) },
    { key: 'outcome', cell: (r, c) => text(r.outcome ? c.label('handoffOutcomes', r.outcome) : null) },
    { key: 'complaint', cell: (r) => text(r.complaintReference) },
    { key: 'conversation', cell: (r, c) => conversationCell(r.conversationId, c) },
  ],
  offers: [
    { key: 'shown', cell: (r, c) => time(r.shownAt, c) },
    { key: 'offer', cell: (r, c) => text(r.title[c.locale] ?? r.offerCode) },
    { key: 'customer', cell: (r) => text(r.customerNo) },
    { key: 'tier', cell: (r, c) => text(r.tier ? c.label('tiers', r.tier) : null) },
    { key: 'channel', cell: (r) => text(r.channel) },
    { key: 'outcome', cell: (r, c) => text(c.label('offerOutcomes', r.outcome)) },
    { key: 'relevance', cell: (r, c) => text(r.relevance ? c.label('relevance', r.relevance) : null) },
    { key: 'conversation', cell: (r, c) => conversationCell(r.conversationId, c) },
  ],
  customers: [
    { key: 'customer', cell: (r) => text(r.customerNo) },
    { key: 'name', cell: (r) => text(r.name) },
    { key: 'tier', cell: (r, c) => text(c.label('tiers', r.tier)) },
    { key: 'industry', cell: (r, c) => text(c.label('industries', r.industry)) },
    { key: 'stage', cell: (r, c) => text(c.label('stages', r.stage)) },
    { key: 'riskScore', cell: (r) => num(r.score) },
    { key: 'band', cell: (r, c) => text(c.label('bands', r.band)) },
    { key: 'signals', cell: (r, c) => text(r.signals.map((s) => c.label('signals', s)).join(' · ')) },
    { key: 'manager', cell: (r) => text(r.managerName) },
    { key: 'mobile', cell: (r, c) => ({ text: maskMobile(r.mobile), reveal: c.mayReveal ? revealUrl('customer.mobile', r.id) : undefined }) },
  ],
  retention: [
    { key: 'customer', cell: (r) => text(r.customerNo) },
    { key: 'name', cell: (r) => text(r.name) },
    { key: 'tier', cell: (r, c) => text(c.label('tiers', r.tier)) },
    { key: 'industry', cell: (r, c) => text(c.label('industries', r.industry)) },
    { key: 'joined', cell: (r, c) => day(r.joinedAt, c) },
    { key: 'closed', cell: (r, c) => day(r.closedAt, c) },
    { key: 'result', cell: (r, c) => text(c.t(r.lost ? `review:retention.lost_${r.lost}` : 'review:retention.kept')) },
  ],
  qa: [
    { key: 'reviewed', cell: (r, c) => time(r.createdAt, c) },
    { key: 'conversation', cell: (r, c) => conversationCell(r.conversationId, c) },
    { key: 'customer', cell: (r) => text(r.customerNo) },
    { key: 'tier', cell: (r, c) => text(r.tier ? c.label('tiers', r.tier) : null) },
    { key: 'channel', cell: (r) => text(r.channel) },
    { key: 'agent', cell: (r) => text(r.agentName) },
    { key: 'qaResolved', cell: (r) => num(r.resolved) },
    { key: 'qaCourtesy', cell: (r) => num(r.courtesy) },
    { key: 'qaAccuracy', cell: (r) => num(r.accuracy) },
    { key: 'qaCompliance', cell: (r) => num(r.compliance) },
    { key: 'qaAverage', cell: (r) => num((r.resolved + r.courtesy + r.accuracy + r.compliance) / 4, 2) },
    { key: 'comment', cell: (r) => masked(r.comment) },
    { key: 'reviewer', cell: (r) => text(r.reviewerName) },
    { key: 'signedOff', cell: (r, c) => time(r.signedOffAt, c) },
  ],
};

/** The cells of rows of a list. */
export function cellsOf<N extends ListName>(name: N, rows: Array<ListRows[N]>, ctx: ListContext): Cell[][] {
  const columns = COLUMNS[name] as Array<Column<ListRows[N]>>;
  return rows.map((row) => columns.map((col) => col.cell(row, ctx)));
}

/** A cell's CSV value. */
export function csvValue(cell: Cell): CsvCell {
  return cell.csv !== undefined ? cell.csv : cell.text;
}
