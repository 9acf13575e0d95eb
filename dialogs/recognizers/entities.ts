import type { Entities } from './types';

// C + date + dash + the day's number (4 digits, more after the 9,999th); customers also type it lower-case, with a
// space or with no dash.
const REF = /(?<![A-Za-z0-9])[Cc][ -]?(\d{8})[ -]?(\d{4,6})(?!\d)/g;
const LAST_DIGITS = [
  /(?:尾号|末四位|后四位|尾数|结尾是|结尾为|最后四位)\s*(?:是|为)?\s*(\d{4})(?!\d)/,
  /(?:ending(?:\s+(?:in|with))?|ends?\s+(?:in|with)|last\s+(?:4|four)(?:\s+digits)?(?:\s+(?:are|is))?|account\s+\*+)\s*[:#]?\s*(\d{4})(?!\d)/i,
];
const AMOUNT = [
  /(?:¥|￥|RMB\s?|CNY\s?)\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?/gi,
  /(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*(?:元|块钱|块|yuan|rmb|cny)/gi,
];

/** Finds complaint reference numbers, amounts and an account's last digits in a message. */
export function extractEntities(text: string): Entities {
  const complaintRefs = [...text.matchAll(REF)].map((m) => `C${m[1]}-${m[2]}`);
  let accountLast4: string | undefined;
  for (const re of LAST_DIGITS) {
    const m = re.exec(text);
    if (m) {
      accountLast4 = m[1];
      break;
    }
  }
  const amounts: Array<{ start: number; end: number; minor: number }> = [];
  for (const re of AMOUNT) {
    for (const m of text.matchAll(re)) {
      const start = m.index;
      const end = start + m[0].length;
      if (amounts.some((a) => start < a.end && end > a.start)) continue;
      const whole = Number(m[1].replace(/,/g, ''));
      const cents = m[2] ? Number(m[2].padEnd(2, '0')) : 0;
      if (Number.isSafeInteger(whole * 100 + cents)) amounts.push({ start, end, minor: whole * 100 + cents });
    }
  }
  const amountsMinor = amounts.sort((a, b) => a.start - b.start).map((a) => a.minor);
  return { complaintRefs: [...new Set(complaintRefs)], amountsMinor, ...(accountLast4 ? { accountLast4 } : {}) };
}

/** Normalises a reference number as the customer typed it ("c20261122 0007") to the stored form, or undefined. */
export function normaliseComplaintRef(text: string): string | undefined {
  return extractEntities(text).complaintRefs[0];
}
