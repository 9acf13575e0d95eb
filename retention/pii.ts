/**
 * Masking of personal data before anything is stored or logged: Chinese resident ID numbers (18 digits with a valid
 * birth date and ISO 7064 MOD 11-2 check character, and the old 15-digit form), bank card numbers (16–19 digits,
 * Luhn-valid, starting 3–6 as card numbers do), mainland mobile numbers and e-mail addresses — in the forms customers
 * write them: one run of digits or groups split by spaces or dashes (6-8-4 for an ID, 4-4-4-4 or 6-13 for a card, 3-4-4
 * for a mobile), full-width digits and letters, with Chinese or punctuation right around them, a country prefix.
 *
 * Deliberately left alone: dates, amounts, reference numbers (C20261122-0007), order and serial numbers, short digit
 * runs. The rules prefer a missed oddity to masking ordinary figures a reviewer needs.
 *
 * Card-like numbers that fail the Luhn check (a card typed with one wrong digit) are masked when the words just before
 * them say card or account (卡号, 银行卡, 账号, card, account); without such words they are read as the order, ticket or
 * serial numbers they usually are. The same goes for an 18-character ID whose check character is wrong: masked after
 * 身份证 / 证件 / ID, left alone otherwise. Numbers right after order words (订单, 流水, order, ticket) are never cards.
 * test/retention/pii.test.ts holds the table of both sides, test/retention/piiCorpus.test.ts the measured recall.
 */

export type PiiKind = 'idNumber' | 'bankCard' | 'mobile' | 'email';

/** A piece of personal data found in a text. */
export interface PiiMatch {
  kind: PiiKind;
  start: number;
  end: number;
  value: string;
}

/**
 * A run of digits as customers group them: digit groups split by at most two spaces or one dash (the last character may
 * be an ID's X), not glued to a Latin letter or another digit. Dots and commas end a run: they belong to amounts.
 */
const NUMBER_RUN = /(?<![0-9A-Za-z])\+?\d+(?:(?: {1,2}|-)\d+)*[Xx]?(?![0-9A-Za-z])/g;
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?![A-Za-z0-9])/g;
/** Words right before a number that make it a card or account number, whatever its check digit says. */
const CARD_WORDS =
  /(?:卡号?|卡片|银行卡|信用卡|借记卡|储蓄卡|账号|帐号|账户|帐户|card(?:\s*(?:no\.?|number|#))?|account(?:\s*(?:no\.?|number|#))?|acct\.?)\s*(?:是|为|:|：|#|no\.?)?\s*$/i;
const ID_WORDS = /(?:身份证(?:号码?)?|证件(?:号码?)?|ID(?:\s*(?:no\.?|number|card))?)\s*(?:是|为|:|：|#)?\s*$/i;
/** Words right before a number that make it an order, serial or ticket number: not a card. */
const ORDER_WORDS =
  /(?:订单|单号|流水|交易号|凭证|工单|票号|order|ticket|invoice|ref(?:erence)?|tracking)\s*(?:号|号码|编号|no\.?|number|#|id)?\s*(?:是|为|:|：|#)?\s*$/i;
/** How far back those words are looked for. */
const CONTEXT_CHARS = 16;

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** True for an 18-digit resident ID whose birth date exists and whose check character is right. */
export function isValidResidentId18(id: string): boolean {
  return looksLikeResidentId18(id) && checkCharacterOk(id);
}

/** An 18-character ID shape with a real birth date, whatever its check character. */
function looksLikeResidentId18(id: string): boolean {
  if (!/^[1-9]\d{16}[0-9Xx]$/.test(id)) return false;
  const year = +id.slice(6, 10);
  return year >= 1900 && year <= 2099 && isRealDate(year, +id.slice(10, 12), +id.slice(12, 14));
}

function checkCharacterOk(id: string): boolean {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11] === id[17].toUpperCase();
}

/** True for a 15-digit (pre-1999) resident ID whose birth date exists. */
export function isValidResidentId15(id: string): boolean {
  return /^[1-9]\d{14}$/.test(id) && isRealDate(1900 + Number(id.slice(6, 8)), +id.slice(8, 10), +id.slice(10, 12));
}

/** Luhn check of a digit string. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

function isRealDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * Full-width ASCII (digits, letters, ＠, ．, ＋, －) and the ideographic space, as Chinese input methods type them, read
 * as their ASCII forms. One character for one, so positions in the result are positions in the input.
 */
function halfWidth(text: string): string {
  return text.replace(/[\uFF01-\uFF5E\u3000]/g, (c) => (c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0)));
}

/** What a run of digits (or a part of it) is, if it is personal data. */
function classify(digits: string, before: string, plus: boolean): PiiKind | undefined {
  const n = digits.length;
  const cardWords = CARD_WORDS.test(before);
  const orderWords = ORDER_WORDS.test(before);
  if (n === 18 && looksLikeResidentId18(digits) && (checkCharacterOk(digits) || ID_WORDS.test(before))) return 'idNumber';
  if (/[Xx]$/.test(digits)) return undefined;
  if (n >= 16 && n <= 19 && /^[3-6]/.test(digits) && !orderWords && (luhnValid(digits) || cardWords)) return 'bankCard';
  if (n === 15 && isValidResidentId15(digits) && !cardWords && !orderWords) return 'idNumber';
  if (/^(?:86|0086)?1[3-9]\d{9}$/.test(digits) && (n === 11 || plus || digits.startsWith('0086') || n === 13)) return 'mobile';
  if (n >= 12 && n <= 19 && cardWords && !orderWords) return 'bankCard';
  return undefined;
}

/** The most digit groups one number is written in (an ID as 6-4-4-4, a mobile as +86 138 1234 5678, a card as 4×4+3). */
const MAX_GROUPS = 6;

/**
 * The personal data in one run of digit groups, from the left: at each group the longest span of whole groups that is
 * one number ("6222 0212 3456 7890 128" is one card; "13800000002 13900000003" two mobiles).
 */
function scanRun(text: string, start: number, run: string, found: PiiMatch[], input: string): void {
  const groups: Array<{ start: number; end: number }> = [];
  const re = /\+?\d+[Xx]?/g;
  for (let m = re.exec(run); m; m = re.exec(run)) groups.push({ start: start + m.index, end: start + m.index + m[0].length });
  for (let i = 0; i < groups.length;) {
    let matched = 0;
    for (let size = Math.min(MAX_GROUPS, groups.length - i); size >= 1 && matched === 0; size--) {
      const from = groups[i].start;
      const to = groups[i + size - 1].end;
      const span = text.slice(from, to);
      const before = text.slice(Math.max(0, from - CONTEXT_CHARS), from);
      const kind = classify(span.replace(/[^0-9Xx]/g, ''), before, span.startsWith('+') || /\(\+?86\)\s*$/.test(before));
      if (!kind) continue;
      found.push({ kind, start: from, end: to, value: input.slice(from, to) });
      matched = size;
    }
    i += Math.max(1, matched);
  }
}

/** Finds the personal data in a text, without overlaps, in order of position. */
export function findPii(input: string): PiiMatch[] {
  const text = halfWidth(input);
  const found: PiiMatch[] = [];
  EMAIL.lastIndex = 0;
  for (let m = EMAIL.exec(text); m; m = EMAIL.exec(text))
    found.push({ kind: 'email', start: m.index, end: m.index + m[0].length, value: input.slice(m.index, m.index + m[0].length) });
  NUMBER_RUN.lastIndex = 0;
  for (let m = NUMBER_RUN.exec(text); m; m = NUMBER_RUN.exec(text)) {
    if (found.some((f) => f.kind === 'email' && m!.index < f.end && m!.index + m![0].length > f.start)) continue;
    scanRun(text, m.index, m[0], found, input);
  }
  return found.sort((a, b) => a.start - b.start);
}

/** Returns the text with every piece of personal data masked; everything else is kept as it was. */
export function maskPii(text: string): string {
  // Every kind masked here has a digit or an @ in it; most chat lines have neither.
  if (!text || !/[0-9@\uFF10-\uFF19\uFF20]/.test(text)) return text;
  const matches = findPii(text);
  if (matches.length === 0) return text;
  let out = '';
  let at = 0;
  for (const m of matches) {
    out += text.slice(at, m.start) + maskValue(m.kind, halfWidth(m.value));
    at = m.end;
  }
  return out + text.slice(at);
}

function maskValue(kind: PiiKind, value: string): string {
  switch (kind) {
    case 'idNumber': {
      const id = value.replace(/[\s-]/g, '');
      return id[0] + '*'.repeat(id.length - 2) + id[id.length - 1];
    }
    case 'bankCard':
      return maskAccountNumber(value);
    case 'mobile':
      return maskMobile(value);
    case 'email': {
      const at = value.indexOf('@');
      return value[0] + '***' + value.slice(at);
    }
  }
}

/** `**** 1234`: how an account or card number is always shown. */
export function maskAccountNumber(number: string): string {
  const digits = number.replace(/\D/g, '');
  return `**** ${digits.slice(-4)}`;
}

/** `138****5678`, keeping a country prefix when there is one. */
export function maskMobile(mobile: string): string {
  const digits = mobile.replace(/\D/g, '');
  const national = digits.slice(-11);
  const prefix = mobile.trim().startsWith('+') ? `+${digits.slice(0, -11)} ` : digits.length > 11 ? `${digits.slice(0, -11)} ` : '';
  return `${prefix}${national.slice(0, 3)}****${national.slice(7)}`;
}

/** Deeper than this, a value is cut (an attacker's nesting must not overflow the stack of whoever masks it). */
const MAX_MASK_DEPTH = 32;

/** Masks personal data in every string of a JSON-like value (for activity payloads and exports); cut below 32 levels. */
export function maskDeep<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return maskPii(value) as unknown as T;
  if (value && typeof value === 'object' && depth >= MAX_MASK_DEPTH) return null as unknown as T;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1)) as unknown as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, depth + 1);
    return out as T;
  }
  return value;
}
