/**
 * Masking of personal data before anything is stored or logged: Chinese resident ID numbers (18 digits with a valid
 * birth date and ISO 7064 MOD 11-2 check character, and the old 15-digit form), bank card numbers (16–19 digits,
 * Luhn-valid, starting 3–6 as card numbers do), mainland mobile numbers and e-mail addresses.
 *
 * Deliberately left alone: dates, amounts, reference numbers (C20261122-0007), order numbers, short digit runs.
 * The rules prefer a missed oddity to masking ordinary figures a reviewer needs; test/retention/pii.test.ts holds
 * the table of both sides.
 */

export type PiiKind = 'idNumber' | 'bankCard' | 'mobile' | 'email';

/** A piece of personal data found in a text. */
export interface PiiMatch {
  kind: PiiKind;
  start: number;
  end: number;
  value: string;
}

const ID18 = /(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])/g;
const ID15 = /(?<![0-9A-Za-z])[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])/g;
// Either one unbroken run, or groups of four separated by one space or dash (as printed on cards).
const CARD = /(?<![0-9A-Za-z])(?:[3-6]\d{15,18}|[3-6]\d{3}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)(?![0-9A-Za-z])/g;
const MOBILE = /(?<![0-9A-Za-z+])(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9A-Za-z])/g;
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?![A-Za-z0-9])/g;

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** True for an 18-digit resident ID whose birth date exists and whose check character is right. */
export function isValidResidentId18(id: string): boolean {
  if (!/^\d{17}[0-9Xx]$/.test(id)) return false;
  if (!isRealDate(+id.slice(6, 10), +id.slice(10, 12), +id.slice(12, 14))) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11] === id[17].toUpperCase();
}

/** True for a 15-digit (pre-1999) resident ID whose birth date exists. */
export function isValidResidentId15(id: string): boolean {
  return /^\d{15}$/.test(id) && isRealDate(1900 + Number(id.slice(6, 8)), +id.slice(8, 10), +id.slice(10, 12));
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

/** Full-width digits and X, as Chinese input methods type them, read as their ASCII forms. */
function halfWidth(text: string): string {
  return text.replace(/[\uFF10-\uFF19\uFF38\uFF58]/g, (c) => {
    const code = c.charCodeAt(0);
    if (code === 0xff38) return 'X';
    if (code === 0xff58) return 'x';
    return String.fromCharCode(code - 0xff10 + 48);
  });
}

/** Finds the personal data in a text, without overlaps, in order of position. */
export function findPii(input: string): PiiMatch[] {
  const text = halfWidth(input);
  const found: PiiMatch[] = [];
  const taken = (s: number, e: number) => found.some((f) => s < f.end && e > f.start);
  const scan = (re: RegExp, kind: PiiKind, accept: (v: string) => boolean) => {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const start = m.index;
      const end = start + m[0].length;
      if (!taken(start, end) && accept(m[0])) found.push({ kind, start, end, value: input.slice(start, end) });
    }
  };
  scan(EMAIL, 'email', () => true);
  scan(ID18, 'idNumber', isValidResidentId18);
  scan(CARD, 'bankCard', (v) => {
    const digits = v.replace(/[ -]/g, '');
    return digits.length >= 16 && digits.length <= 19 && luhnValid(digits);
  });
  scan(ID15, 'idNumber', isValidResidentId15);
  scan(MOBILE, 'mobile', () => true);
  return found.sort((a, b) => a.start - b.start);
}

/** Returns the text with every piece of personal data masked; everything else is kept as it was. */
export function maskPii(text: string): string {
  // Every kind masked here has a digit or an @ in it; most chat lines have neither.
  if (!text || !/[0-9@\uFF10-\uFF19]/.test(text)) return text;
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
    case 'idNumber':
      return value[0] + '*'.repeat(value.length - 2) + value[value.length - 1];
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
