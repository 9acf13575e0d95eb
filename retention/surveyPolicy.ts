/**
 * Satisfaction surveys (满意度调查): whether to ask, which question, how a typed answer is read, and what a low score
 * sets off (a recovery case 服务补救 and a churn signal). Pure. This file says whether to ask; for a survey sent
 * outside a live turn, contactPolicy.ts says when (quiet hours, weekly cap, channel window).
 *
 * Whether to ask, in order (decideSurvey):
 * - never while the customer has a complaint open, whatever the trigger, the customer's own included: the answer
 *   would rate the open complaint, and the dialog should talk about that complaint instead;
 * - at most one survey per conversation, the customer's own included: a second score would count one conversation
 *   twice in CSAT (the dialog can still take a comment);
 * - the relationship NPS at most once per 90 days per customer, counted from when it was last asked;
 * - a customer-started survey has no other limit: the customer chose to give feedback.
 * Transactional triggers ask CSAT; when the NPS is due it rides along (`alsoNps`) after 'agent_resolved' and
 * 'customer_started', so the relationship question costs no extra contact. Not after 'complaint_closed': asked right
 * after a complaint, it measures the complaint, which the CSAT already does.
 */

import type { Locale } from './locale';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** CSAT 1–5 (+ optional comment) and NPS 0–10 (+ optional reason). */
export const SURVEY_KINDS = ['csat', 'nps'] as const;
export type SurveyKind = (typeof SURVEY_KINDS)[number];

/** The score range of each kind, inclusive. */
export const SURVEY_SCALES: Readonly<Record<SurveyKind, { readonly min: number; readonly max: number }>> = Object.freeze({
  csat: Object.freeze({ min: 1, max: 5 }),
  nps: Object.freeze({ min: 0, max: 10 }),
});

/** What prompts a survey. */
export const SURVEY_TRIGGERS = ['agent_resolved', 'complaint_closed', 'customer_started', 'relationship'] as const;
export type SurveyTrigger = (typeof SURVEY_TRIGGERS)[number];

/** The numbers of the survey rules. */
export interface SurveyPolicy {
  /** The relationship NPS is asked at most once in this period per customer. */
  readonly npsIntervalMs: number;
  /** An unanswered survey expires this long after it was sent. */
  readonly expiresAfterMs: number;
  /** A score at or below this is low. */
  readonly lowScore: Readonly<Record<SurveyKind, number>>;
  /** A recovery case is due this long after the low score. */
  readonly recoveryDueMs: number;
  /** Transactional triggers after which a due NPS is asked alongside the CSAT. */
  readonly npsAlongsideCsat: readonly SurveyTrigger[];
}

/** DOMAIN.md: NPS once per 90 days; low is CSAT ≤ 2 or NPS ≤ 6; recovery within 24 h. Expiry 48 h is the project's. */
export const DEFAULT_SURVEY_POLICY: SurveyPolicy = Object.freeze({
  npsIntervalMs: 90 * DAY,
  expiresAfterMs: 48 * HOUR,
  lowScore: Object.freeze({ csat: 2, nps: 6 }),
  recoveryDueMs: 24 * HOUR,
  npsAlongsideCsat: Object.freeze(['agent_resolved', 'customer_started'] as SurveyTrigger[]),
});

/** What decideSurvey needs to know. */
export interface SurveyInput {
  trigger: SurveyTrigger;
  now: number;
  /** Any complaint of the customer's not yet resolved or closed (not only this conversation's). */
  hasOpenComplaint: boolean;
  /** A survey was already asked in this conversation, answered or not. */
  surveyedInConversation: boolean;
  /** When the customer was last asked the NPS question (alone or alongside a CSAT), or null if never. */
  lastNpsAskedAt: number | null;
}

/** Why no survey is asked. */
export type SurveyRefusal = 'complaint_open' | 'already_surveyed' | 'nps_too_soon';

/** Whether to ask, and which question; `alsoNps` is set on every CSAT decision. */
export type SurveyDecision = { ask: false; reason: SurveyRefusal } | { ask: true; kind: SurveyKind; alsoNps?: boolean };

/** True when the relationship NPS may be asked: never asked, or asked at least the policy's interval ago. */
export function isNpsDue(lastNpsAskedAt: number | null, now: number, policy: SurveyPolicy = DEFAULT_SURVEY_POLICY): boolean {
  return lastNpsAskedAt === null || now - lastNpsAskedAt >= policy.npsIntervalMs;
}

/** Decides whether to survey the customer and with which question; the rules are in the file comment. */
export function decideSurvey(input: SurveyInput, policy: SurveyPolicy = DEFAULT_SURVEY_POLICY): SurveyDecision {
  if (input.hasOpenComplaint) return { ask: false, reason: 'complaint_open' };
  if (input.surveyedInConversation) return { ask: false, reason: 'already_surveyed' };
  const npsDue = isNpsDue(input.lastNpsAskedAt, input.now, policy);
  if (input.trigger === 'relationship') return npsDue ? { ask: true, kind: 'nps' } : { ask: false, reason: 'nps_too_soon' };
  return { ask: true, kind: 'csat', alsoNps: npsDue && policy.npsAlongsideCsat.includes(input.trigger) };
}

/** The first instant an unanswered survey sent at `sentAt` no longer counts. */
export function surveyExpiresAt(sentAt: number, policy: SurveyPolicy = DEFAULT_SURVEY_POLICY): number {
  return sentAt + policy.expiresAfterMs;
}

/** True once the policy's time (48 h) has passed since the survey was sent: an answer then is not taken as a score. */
export function surveyExpired(sentAt: number, now: number, policy: SurveyPolicy = DEFAULT_SURVEY_POLICY): boolean {
  return now >= surveyExpiresAt(sentAt, policy);
}

/** CSAT scale labels by locale, label → score; locale files may supply their own. */
export type CsatLabels = Readonly<Partial<Record<Locale, Readonly<Record<string, number>>>>>;

/** The usual five-point wording of Chinese and English surveys, with the common variants customers type. */
export const DEFAULT_CSAT_LABELS: CsatLabels = Object.freeze({
  'zh-CN': Object.freeze({
    非常满意: 5,
    很满意: 5,
    十分满意: 5,
    特别满意: 5,
    满意: 4,
    比较满意: 4,
    一般: 3,
    一般般: 3,
    还行: 3,
    不满意: 2,
    不太满意: 2,
    比较不满意: 2,
    非常不满意: 1,
    很不满意: 1,
    十分不满意: 1,
    特别不满意: 1,
  }),
  'en-US': Object.freeze({
    'very satisfied': 5,
    'extremely satisfied': 5,
    satisfied: 4,
    neutral: 3,
    'neither satisfied nor dissatisfied': 3,
    dissatisfied: 2,
    unsatisfied: 2,
    'not satisfied': 2,
    'very dissatisfied': 1,
    'very unsatisfied': 1,
    'extremely dissatisfied': 1,
  }),
});

/** A typed answer read as a score, or why it could not be. */
export type ScoreParse = { ok: true; score: number } | { ok: false; reason: 'not_a_number' | 'out_of_range' };

const CHINESE_DIGITS: Readonly<Record<string, number>> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const ENGLISH_NUMBERS: Readonly<Record<string, number>> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
};
// Words around a score ("I'd give it a 9", "3 stars", "打5分", "给五颗星"), removed so only the number is left.
const ENGLISH_FILLERS = new Set([
  'i',
  "i'd",
  'id',
  "i'll",
  'give',
  'gave',
  'would',
  'will',
  'it',
  "it's",
  'its',
  'you',
  'u',
  'a',
  'an',
  'rate',
  'rating',
  'score',
  'my',
  'is',
  'say',
  'star',
  'stars',
  'point',
  'points',
  'pt',
  'pts',
]);
const CHINESE_FILLERS = /好评|评分|分数|你们|[您你我打给评选分颗个星了吧啊呀哦就是的]/g;
const LABEL_PREFIXES = /^(?:我觉得|我感觉|觉得|感觉|我|im |i am |i was |i feel |i felt )/;
const LABEL_SUFFIXES = /[吧啊呀了哦的呢]+$/;
// A clause ends at punctuation; a full stop between digits is a decimal point, not an end.
const CLAUSE_BREAK = /[,;!?\n\r。、]+|(?<!\d)\.|\.(?!\d)/;
// "8/10", "8 out of 10", "满分10分": the scale's top, not the score.
const DENOMINATOR = /(?:\/|\bout of\b)\s*(?:\d+|[a-z]+)|满分\s*(?:\d+|[零〇一二两三四五六七八九十]+)\s*分?/g;

/** NFKC turns full-width digits, letters and punctuation (５, ！) into their ASCII forms. */
function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[‘’`]/g, "'");
}

function labelKey(text: string): string {
  return normalize(text)
    .replace(/[^\p{L}\p{N}\s]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function has(record: Readonly<Record<string, number>>, key: string): boolean {
  return Object.hasOwn(record, key);
}

function chineseNumber(s: string): number | undefined {
  const tens = /^([一二三四五六七八九])?十([一二三四五六七八九])?$/.exec(s);
  if (tens) return (tens[1] ? CHINESE_DIGITS[tens[1]] : 1) * 10 + (tens[2] ? CHINESE_DIGITS[tens[2]] : 0);
  return s.length === 1 && has(CHINESE_DIGITS, s) ? CHINESE_DIGITS[s] : undefined;
}

function labelScore(clause: string, locale: Locale, labels: CsatLabels): number | undefined {
  const exact = labelKey(clause);
  // The words around a label are tried off only after the clause as typed, so a label ending in 了 (太差了) still matches.
  const keys = [exact, exact.replace(LABEL_PREFIXES, '').replace(LABEL_SUFFIXES, '').trim()].filter(Boolean);
  // The customer's locale first, then the others: customers answer in either language whatever the chat's locale.
  const order = [locale, ...(Object.keys(labels) as Locale[]).filter((l) => l !== locale)];
  for (const key of keys) {
    for (const l of order) {
      const table = labels[l];
      if (!table) continue;
      for (const [label, score] of Object.entries(table)) if (labelKey(label) === key) return score;
    }
  }
  return undefined;
}

function numberScore(clause: string): number | undefined {
  const bare = clause
    .replace(DENOMINATOR, ' ')
    .replace(/[a-z']+/g, (w) => (ENGLISH_FILLERS.has(w) ? ' ' : w))
    .replace(CHINESE_FILLERS, '')
    .replace(/[^\p{L}\p{N}.-]/gu, '');
  if (/^-?\d+(?:\.\d+)?$/.test(bare)) return Number(bare);
  if (has(ENGLISH_NUMBERS, bare)) return ENGLISH_NUMBERS[bare];
  return chineseNumber(bare);
}

/**
 * Reads a typed survey answer: digits (full-width too), Chinese numerals 零–十 (两 = 2) and English number words, with
 * the words around a score ("5分", "打5分", "3 stars", "9/10"), and for CSAT the scale labels of every locale. The
 * answer may have several clauses ("非常满意，谢谢"); they must not disagree. `locale` orders the label tables.
 * Anything else is not a number, so the dialog asks again rather than guessing a score that may open a recovery case.
 */
export function parseScore(text: string, kind: SurveyKind, locale: Locale, labels: CsatLabels = DEFAULT_CSAT_LABELS): ScoreParse {
  const scores = new Set<number>();
  for (const clause of normalize(text ?? '').split(CLAUSE_BREAK)) {
    if (!clause.trim()) continue;
    const score = (kind === 'csat' ? labelScore(clause, locale, labels) : undefined) ?? numberScore(clause);
    if (score !== undefined) scores.add(score);
  }
  if (scores.size !== 1) return { ok: false, reason: 'not_a_number' };
  const [score] = scores;
  const { min, max } = SURVEY_SCALES[kind];
  if (!Number.isInteger(score) || score < min || score > max) return { ok: false, reason: 'out_of_range' };
  return { ok: true, score };
}

/** True for a score that opens a recovery case and raises churn risk: CSAT ≤ 2 or NPS ≤ 6 by default. */
export function isLowScore(kind: SurveyKind, score: number, policy: SurveyPolicy = DEFAULT_SURVEY_POLICY): boolean {
  return score <= policy.lowScore[kind];
}

/** The NPS groups; fixed by the NPS method itself, so not a policy setting. */
export type NpsCategory = 'promoter' | 'passive' | 'detractor';

/** Promoter 9–10, passive 7–8, detractor 0–6. */
export function npsCategory(score: number): NpsCategory {
  if (score >= 9) return 'promoter';
  return score >= 7 ? 'passive' : 'detractor';
}

/** What recoveryCase needs: the answer and the customer's relationship manager. */
export interface RecoveryInput {
  kind: SurveyKind;
  score: number;
  comment?: string | null;
  customer: { relationshipManagerId: number | null };
  now: number;
}

/** A service-recovery case (服务补救) to open; `ownerId` is absent for the supervisors' queue. */
export interface RecoveryCase {
  ownerKind: 'relationship_manager' | 'supervisor';
  ownerId?: number;
  dueAt: number;
  kind: SurveyKind;
  score: number;
  /** The customer's own words, for the owner to read before calling; mask before storing. */
  comment: string | null;
}

/**
 * The recovery case a low score opens, or null for a score that is not low. It goes to the customer's relationship
 * manager, who knows them best; customers without one go to the supervisors' queue.
 */
export function recoveryCase(input: RecoveryInput, policy: SurveyPolicy = DEFAULT_SURVEY_POLICY): RecoveryCase | null {
  if (!isLowScore(input.kind, input.score, policy)) return null;
  const managerId = input.customer.relationshipManagerId;
  const owner =
    managerId === null || managerId === undefined ? { ownerKind: 'supervisor' as const } : { ownerKind: 'relationship_manager' as const, ownerId: managerId };
  return { ...owner, dueAt: input.now + policy.recoveryDueMs, kind: input.kind, score: input.score, comment: input.comment ?? null };
}

/** The churn signal a low score raises, shaped like a churn signal without its weight, which the churn rules own. */
export interface SatisfactionChurnSignal {
  code: 'low_satisfaction';
  detail: { kind: SurveyKind; score: number };
}

/** The churn signal for a low score ('low_satisfaction'), or null when the score is not low. */
export function churnRiskBump(kind: SurveyKind, score: number, policy: SurveyPolicy = DEFAULT_SURVEY_POLICY): SatisfactionChurnSignal | null {
  return isLowScore(kind, score, policy) ? { code: 'low_satisfaction', detail: { kind, score } } : null;
}
