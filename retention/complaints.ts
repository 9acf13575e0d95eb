/**
 * Complaint rules (投诉): category and severity from the customer's words, the deadlines a complaint is promised
 * under, its reference number and whether it is overdue. Pure: word lists and deadlines come in as parameters so they
 * can live in locale files and config; time is epoch milliseconds passed in.
 */
import type { Tier } from './types';
import { isoDate } from './zonedTime';

/** What a complaint is about (DOMAIN.md, Complaints). */
export const COMPLAINT_CATEGORIES = ['billing', 'service', 'product', 'sales', 'digital', 'claims', 'other'] as const;
export type ComplaintCategory = (typeof COMPLAINT_CATEGORIES)[number];

/** Complaint severities, least severe first: the order is used to raise a level step by step. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Complaint lifecycle: `closed` comes after `resolved`, once the customer confirmed or the survey was sent. */
export const COMPLAINT_STATUSES = ['open', 'acknowledged', 'resolved', 'closed'] as const;
export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];

// ---------------------------------------------------------------------------------------------------------------
// Matching words
// ---------------------------------------------------------------------------------------------------------------

const termPatterns = new Map<string, RegExp>();

/**
 * Latin and digit terms match whole words only ("app" must not match "happy", "12378" not "0123789"); Han terms
 * match anywhere, as Chinese has no spaces. A space in a term matches any run of white space.
 */
function termPattern(term: string): RegExp {
  let re = termPatterns.get(term);
  if (!re) {
    const word = normalise(term).trim();
    const body = word
      .split(/\s+/)
      .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('\\s+');
    // Boundaries only where the term itself ends in a letter or digit: "5g网络" must still match 网络.
    const before = /^[a-z0-9]/.test(word) ? '(?<![a-z0-9])' : '';
    const after = /[a-z0-9]$/.test(word) ? '(?![a-z0-9])' : '';
    re = new RegExp(`${before}${body}${after}`, 'u');
    termPatterns.set(term, re);
  }
  return re;
}

/** Full-width letters and digits (as Chinese input methods type them) read as ASCII; case is ignored. */
function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** The terms of a list found in a text, in list order, each once. Empty terms never match. */
function matchedTerms(text: string, terms: readonly string[] | undefined): string[] {
  if (!terms) return [];
  return [...new Set(terms)].filter((t) => t.trim() !== '' && termPattern(t).test(text));
}

// ---------------------------------------------------------------------------------------------------------------
// Category
// ---------------------------------------------------------------------------------------------------------------

/** Keywords per category, one list per category; `other` normally has none, as it is what is left. */
export type CategoryLexicon = Readonly<Partial<Record<ComplaintCategory, readonly string[]>>>;

/** Chinese and English keywords per category, for tests and as a starting point for the locale files. */
export const DEFAULT_CATEGORY_LEXICON: CategoryLexicon = Object.freeze({
  billing: [
    '手续费',
    '扣费',
    '乱收费',
    '收费',
    '多扣',
    '扣款',
    '话费',
    '账单',
    '年费',
    '套餐费',
    'fee',
    'fees',
    'charge',
    'charged',
    'charges',
    'overcharged',
    'bill',
    'bills',
    'billed',
    'billing',
  ],
  service: ['态度', '排队', '服务差', '不理人', '柜员', '营业厅', '等了', 'rude', 'waited', 'waiting', 'queue', 'attitude', 'staff'],
  product: ['信号', '网络', '断网', '掉线', '网速', '宽带', '通话质量', 'signal', 'network', 'broadband', 'coverage', 'outage', 'dropped calls'],
  sales: ['理财', '误导', '销售', '基金', '推销', '搭售', '保本', 'mis-sold', 'missold', 'mis-selling', 'misled', 'misleading', 'fund', 'salesperson'],
  digital: [
    'app',
    '闪退',
    '登录',
    '登不上',
    '网银',
    '手机银行',
    '系统',
    '打不开',
    '验证码',
    'crash',
    'crashes',
    'crashed',
    'login',
    'log in',
    'website',
    'online banking',
  ],
  claims: ['理赔', '拒赔', '赔付', '报案', 'claim', 'claims', 'payout'],
});

/**
 * The category whose keywords a text matches most (each keyword counted once), or undefined when none matches or
 * two categories tie: a guess between two would file the complaint with the wrong team, so the dialog asks instead.
 */
export function categoryFromText(text: string, lexicon: CategoryLexicon): ComplaintCategory | undefined {
  const normalised = normalise(text);
  let best: ComplaintCategory | undefined;
  let bestScore = 0;
  let tied = false;
  for (const category of COMPLAINT_CATEGORIES) {
    const score = matchedTerms(normalised, lexicon[category]).length;
    if (score > bestScore) {
      best = category;
      bestScore = score;
      tied = false;
    } else if (score > 0 && score === bestScore) {
      tied = true;
    }
  }
  return tied ? undefined : best;
}

// ---------------------------------------------------------------------------------------------------------------
// Severity
// ---------------------------------------------------------------------------------------------------------------

/** Words that lift a complaint to at least a level; `low` needs no words, it is the floor. */
export type SeverityLexicon = Readonly<Partial<Record<Exclude<Severity, 'low'>, readonly string[]>>>;

/**
 * Chinese and English words per level, for tests and as a starting point for the locale files.
 * critical: regulators and their hotlines (金融监管总局/银保监 12378, 人民银行 12363, 工信部 12300, 消协 12315),
 * media, lawyers, courts and police — threats a complaints team must report upward the same day.
 * high: money lost or taken, fraud, and anger strong enough to end the relationship.
 */
export const DEFAULT_SEVERITY_LEXICON: SeverityLexicon = Object.freeze({
  critical: [
    '银保监',
    '监管',
    '金融监督管理',
    '12378',
    '12363',
    '12300',
    '12315',
    '工信部',
    '消协',
    '消费者协会',
    '媒体',
    '曝光',
    '记者',
    '律师',
    '起诉',
    '法院',
    '报警',
    '警察',
    'regulator',
    'regulators',
    'cbirc',
    'nfra',
    'ombudsman',
    'media',
    'journalist',
    'lawyer',
    'attorney',
    'sue',
    'lawsuit',
    'court',
    'police',
  ],
  high: [
    '盗刷',
    '被骗',
    '诈骗',
    '骗子',
    '欺诈',
    '损失',
    '被盗',
    '冒用',
    '钱没了',
    '忍无可忍',
    '太过分',
    '气死',
    'fraud',
    'fraudulent',
    'scam',
    'scammed',
    'stolen',
    'lost money',
    'unauthorised',
    'unauthorized',
    'cheated',
    'furious',
    'outrageous',
  ],
  medium: ['不满', '生气', '失望', '太差', '很差', 'angry', 'unacceptable', 'disappointed', 'terrible'],
});

/** How severity is derived: the starting level per category and how far tier and repetition raise it. */
export interface SeverityPolicy {
  /** The level a complaint starts at before any word, tier or repeat is considered. */
  readonly base: Readonly<Record<ComplaintCategory, Severity>>;
  /** Steps a tier raises the level by. */
  readonly tierSteps: Readonly<Record<Tier, number>>;
  /** Steps a repeat complaint raises the level by. */
  readonly repeatSteps: number;
  /** Tier and repeat raise no higher than this; only words reach above it. */
  readonly raiseCeiling: Severity;
}

/**
 * Defaults. Money, mis-selling, claims and faults that stop a customer using a service start at medium; product
 * quality (a weak signal, a dated feature) and `other` at low.
 * vip raises one step: the value at risk is highest and its 3-day deadline leaves no room for a slow queue. gold does
 * not: it already shares the priority channel and the 2-hour first contact, and raising it too would make nearly
 * every gold complaint `high`, so severity would no longer order the priority channel.
 * A repeat complaint raises one step, as the first resolution did not hold.
 * Raises stop at `high`: `critical` means a regulator, media, legal or police threat, which only words can tell.
 */
export const DEFAULT_SEVERITY_POLICY: SeverityPolicy = Object.freeze({
  base: Object.freeze({ billing: 'medium', service: 'medium', product: 'low', sales: 'medium', digital: 'medium', claims: 'medium', other: 'low' }),
  tierSteps: Object.freeze({ vip: 1, gold: 0, silver: 0, regular: 0 }),
  repeatSteps: 1,
  raiseCeiling: 'high',
});

/** What severity is assessed from. */
export interface SeverityInput {
  category: ComplaintCategory;
  tier: Tier;
  text: string;
  signals?: { repeat: boolean };
}

/** A severity and why: `category:<c>` first, then `word:<w>`, `tier:<t>` and `repeat` for whatever raised it. */
export interface SeverityAssessment {
  severity: Severity;
  reasons: string[];
}

/**
 * The severity of a complaint: the category's base level, lifted to the highest level whose words appear, then raised
 * by tier and repetition up to the policy's ceiling. Negation is not understood ("没有损失" still counts as 损失): a
 * complaint looked at too early costs less than a fraud report left in the slow queue.
 */
export function assessSeverity(input: SeverityInput, lexicon: SeverityLexicon, policy: SeverityPolicy = DEFAULT_SEVERITY_POLICY): SeverityAssessment {
  let level = SEVERITIES.indexOf(policy.base[input.category]);
  const reasons = [`category:${input.category}`];
  const text = normalise(input.text);
  for (let l = SEVERITIES.length - 1; l > level; l--) {
    const words = matchedTerms(text, lexicon[SEVERITIES[l] as Exclude<Severity, 'low'>]);
    if (words.length > 0) {
      level = l;
      reasons.push(...words.map((w) => `word:${w}`));
      break;
    }
  }
  const ceiling = SEVERITIES.indexOf(policy.raiseCeiling);
  const raise = (steps: number, reason: string) => {
    const next = Math.min(level + Math.max(0, Math.trunc(steps)), Math.max(level, ceiling));
    if (next > level) {
      level = next;
      reasons.push(reason);
    }
  };
  raise(policy.tierSteps[input.tier], `tier:${input.tier}`);
  if (input.signals?.repeat) raise(policy.repeatSteps, 'repeat');
  return { severity: SEVERITIES[level], reasons };
}

// ---------------------------------------------------------------------------------------------------------------
// Deadlines
// ---------------------------------------------------------------------------------------------------------------

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The promises a complaint is made under; days are elapsed 24-hour days from filing. */
export interface DeadlinePolicy {
  /** Hours until the first human contact, by tier. */
  readonly firstContactHours: Readonly<Record<Tier, number>>;
  /** A critical complaint is contacted within this many hours whatever the tier. */
  readonly criticalFirstContactHours: number;
  /** Days until resolution, by tier. */
  readonly resolutionDays: Readonly<Record<Tier, number>>;
  /** The regulators' limit: no deadline is ever later than this many days after filing. */
  readonly capDays: number;
}

/**
 * DOMAIN.md defaults: first contact 2 h for vip/gold, 24 h for others; resolution 3 days for vip, 7 otherwise; never
 * later than the regulators' 15 days. A critical complaint (regulator, media, legal or police threat) is contacted
 * within 2 h for everyone: waiting a day would let the threat be carried out before anyone called back.
 */
export const DEFAULT_DEADLINE_POLICY: DeadlinePolicy = Object.freeze({
  firstContactHours: Object.freeze({ vip: 2, gold: 2, silver: 24, regular: 24 }),
  criticalFirstContactHours: 2,
  resolutionDays: Object.freeze({ vip: 3, gold: 7, silver: 7, regular: 7 }),
  capDays: 15,
});

/** When a complaint's first contact and resolution are due, in epoch milliseconds. */
export interface ComplaintDeadlines {
  firstContactDueAt: number;
  resolutionDueAt: number;
}

/** The deadlines of a complaint filed at `createdAt`; both are capped at the regulators' limit. */
export function complaintDeadlines(
  input: { tier: Tier; severity: Severity; createdAt: number },
  policy: DeadlinePolicy = DEFAULT_DEADLINE_POLICY,
): ComplaintDeadlines {
  const cap = input.createdAt + policy.capDays * DAY;
  let contactHours = policy.firstContactHours[input.tier];
  if (input.severity === 'critical') contactHours = Math.min(contactHours, policy.criticalFirstContactHours);
  const resolutionDueAt = Math.min(input.createdAt + policy.resolutionDays[input.tier] * DAY, cap);
  // A first contact due after the resolution would be a promise nobody can keep.
  const firstContactDueAt = Math.min(input.createdAt + contactHours * HOUR, resolutionDueAt);
  return { firstContactDueAt, resolutionDueAt };
}

/** Which of a complaint's deadlines are breached. */
export interface OverdueState {
  firstContact: boolean;
  resolution: boolean;
}

/** The fields of a complaint that decide whether it is overdue; missing times are null (as stored) or undefined. */
export interface OverdueInput {
  status: ComplaintStatus;
  firstContactedAt?: number | null;
  firstContactDueAt: number;
  resolutionDueAt: number;
  resolvedAt?: number | null;
}

/**
 * Which deadlines are breached at `now`: one done late stays breached (managers count breaches, not only open ones);
 * one not yet done is breached once `now` is past it. Exactly at the due time is still in time.
 * A resolution counts as the first contact when no contact was recorded, and a resolved or closed complaint whose
 * times are missing is not counted as breached: an old record without times must not show as overdue for ever.
 */
export function isOverdue(complaint: OverdueInput, now: number): OverdueState {
  const done = complaint.status === 'resolved' || complaint.status === 'closed';
  const resolvedAt = complaint.resolvedAt ?? undefined;
  const contactedAt = complaint.firstContactedAt ?? resolvedAt;
  const breached = (at: number | undefined, dueAt: number) => (at !== undefined ? at > dueAt : !done && now > dueAt);
  return {
    firstContact: breached(contactedAt, complaint.firstContactDueAt),
    resolution: breached(resolvedAt, complaint.resolutionDueAt),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Reference numbers
// ---------------------------------------------------------------------------------------------------------------

const REFERENCE = /^C(\d{8})-(\d{4,})$/;

/** A complaint reference taken apart. */
export interface ComplaintReference {
  /** The stored form, `C20261122-0007`. */
  reference: string;
  /** YYYYMMDD, the day of filing in the service's time zone. */
  date: string;
  /** The day's sequence number, from 1. */
  sequence: number;
}

/** `C20261122-0007`: C, the filing date, a dash and the day's sequence padded to four digits (more past 9999). */
export function formatComplaintReference(date: string, sequence: number): string {
  if (!isReferenceDate(date)) throw new RangeError(`Complaint reference date must be a real date as YYYYMMDD, got "${date}"`);
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new RangeError(`Complaint sequence must be a positive integer, got ${sequence}`);
  return `C${date}-${String(sequence).padStart(4, '0')}`;
}

/**
 * Reads a reference in its exact stored form, or undefined: upper-case C, a real date, a dash, at least four digits
 * and no padding beyond four (so every reference has one spelling). Reading what customers type ("c20261122 0007")
 * is the recognizer's job (dialogs/recognizers/entities.ts).
 */
export function parseComplaintReference(text: string): ComplaintReference | undefined {
  const m = REFERENCE.exec(text);
  if (!m) return undefined;
  const [, date, digits] = m;
  if (!isReferenceDate(date)) return undefined;
  if (digits.length > 4 && digits.startsWith('0')) return undefined;
  const sequence = Number(digits);
  if (!Number.isSafeInteger(sequence) || sequence < 1) return undefined;
  return { reference: text, date, sequence };
}

function isReferenceDate(date: string): boolean {
  if (!/^[1-9]\d{7}$/.test(date)) return false;
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(4, 6));
  const d = Number(date.slice(6, 8));
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

/** The calendar day of `nowMs` in a time zone as YYYYMMDD: references carry the customer-facing (Beijing) date. */
export function referenceDate(nowMs: number, timeZone = 'Asia/Shanghai'): string {
  return isoDate(nowMs, timeZone).replace(/-/g, '');
}
