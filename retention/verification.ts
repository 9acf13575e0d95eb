/**
 * Identity verification rules (只有客户本人才能获取账户信息): how long a verification lasts, how one-time codes are
 * made and limited, when failures lock the balance feature, and how a customer's typed answers are read. Pure: the
 * dialog and the repository carry them out.
 */

const MINUTE = 60_000;

/** The numbers of the verification rules; DOMAIN.md's defaults. */
export interface VerificationPolicy {
  /** How long a successful verification lets the customer see account data. */
  readonly sessionMs: number;
  /** How long a one-time code can be used. */
  readonly codeTtlMs: number;
  /** Digits of a one-time code. */
  readonly codeDigits: number;
  /** Failed attempts in a row that lock the feature. */
  readonly maxFailures: number;
  /** How long a lock lasts. */
  readonly lockMs: number;
  /**
   * Wrong knowledge answers (ID ending and birthday) a customer's record takes in a day, across every channel user
   * and lock; past that the questions are not judged for a day. The ID ending has few possible values once the
   * birthday (part of the ID number) is known, so the 30-minute locks alone would let a stranger work through them.
   */
  readonly knowledgeFailuresPerDay: number;
  /** Codes a customer may be sent: at most `perMinute` in a minute and `perHour` in an hour. */
  readonly sendsPerMinute: number;
  readonly sendsPerHour: number;
}

/** DOMAIN.md: 15 minutes; 6-digit codes valid 5 minutes; 3 failures lock for 30 minutes; 1 code a minute, 5 an hour. */
export const DEFAULT_VERIFICATION_POLICY: VerificationPolicy = Object.freeze({
  sessionMs: 15 * MINUTE,
  codeTtlMs: 5 * MINUTE,
  codeDigits: 6,
  maxFailures: 3,
  lockMs: 30 * MINUTE,
  knowledgeFailuresPerDay: 6,
  sendsPerMinute: 1,
  sendsPerHour: 5,
});

/** True while a verification made at `verifiedAt` still counts. */
export function isVerificationFresh(verifiedAt: number | null | undefined, now: number, policy: VerificationPolicy = DEFAULT_VERIFICATION_POLICY): boolean {
  return typeof verifiedAt === 'number' && verifiedAt <= now && now - verifiedAt < policy.sessionMs;
}

/**
 * True while a channel user's verification counts in this conversation: made here (a verification belongs to the
 * conversation it was made in, not to the browser or phone) and still fresh.
 */
export function isVerifiedHere(
  identity: { verifiedAt: number | null; verifiedConversation: string | null } | undefined,
  conversationId: string | undefined,
  now: number,
  policy: VerificationPolicy = DEFAULT_VERIFICATION_POLICY,
): boolean {
  return !!identity && !!conversationId && identity.verifiedConversation === conversationId && isVerificationFresh(identity.verifiedAt, now, policy);
}

/** Whether another code may be sent now, given when the earlier ones were; if not, when the next one may. */
export function codeSendAllowed(
  previousSends: readonly number[],
  now: number,
  policy: VerificationPolicy = DEFAULT_VERIFICATION_POLICY,
): { allowed: true } | { allowed: false; retryAt: number } {
  const lastMinute = previousSends.filter((t) => now - t < MINUTE).sort((a, b) => a - b);
  const lastHour = previousSends.filter((t) => now - t < 60 * MINUTE).sort((a, b) => a - b);
  const waits: number[] = [];
  if (lastMinute.length >= policy.sendsPerMinute) waits.push(lastMinute[lastMinute.length - policy.sendsPerMinute] + MINUTE);
  if (lastHour.length >= policy.sendsPerHour) waits.push(lastHour[lastHour.length - policy.sendsPerHour] + 60 * MINUTE);
  return waits.length === 0 ? { allowed: true } : { allowed: false, retryAt: Math.max(...waits) };
}

/** Full-width digits and letters, as Chinese input methods type them, read as ASCII. */
export function toHalfWidth(text: string): string {
  return text.normalize('NFKC');
}

/** Reads a one-time code as typed ("123 456", "１２３４５６"); undefined unless it is exactly the code's digits. */
export function parseOtp(text: string, digits = DEFAULT_VERIFICATION_POLICY.codeDigits): string | undefined {
  const compact = toHalfWidth(text).replace(/[\s-]/g, '');
  return new RegExp(`^\\d{${digits}}$`).test(compact) ? compact : undefined;
}

/**
 * Reads a mainland mobile number as typed ("138 0000 0002", "+86 13800000002", "138-0000-0002") in its national
 * 11-digit form; undefined when it is not one.
 */
export function parseMobile(text: string): string | undefined {
  const digits = toHalfWidth(text).replace(/[\s()-]/g, '');
  const m = /^(?:\+?86|0086)?(1[3-9]\d{9})$/.exec(digits);
  return m ? m[1] : undefined;
}

/** Reads the last four characters of an ID number ("021X", "021x", "０２１Ｘ"); undefined when not four. */
export function parseIdLast4(text: string): string | undefined {
  const compact = toHalfWidth(text).replace(/\s/g, '').toUpperCase();
  return /^\d{3}[\dX]$/.test(compact) ? compact : undefined;
}

/**
 * Reads a birthday in the forms customers type: 1985-04-28, 1985/4/28, 1985.4.28, 19850428, 1985年4月28日, 28/04/1985,
 * 04/28/1985. Returns YYYY-MM-DD, or undefined for anything that is not a real date or is ambiguous (03/04/1985).
 */
export function parseBirthday(text: string): string | undefined {
  const t = toHalfWidth(text).trim().replace(/\s+/g, '');
  let y: number;
  let m: number;
  let d: number;
  let match: RegExpExecArray | null;
  if ((match = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?号?$/.exec(t))) [y, m, d] = [+match[1], +match[2], +match[3]];
  else if ((match = /^(\d{4})(\d{2})(\d{2})$/.exec(t))) [y, m, d] = [+match[1], +match[2], +match[3]];
  else if ((match = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(t))) {
    // Day first or month first: read only when the numbers say which (28/04 or 04/28), never guess.
    const [a, b] = [+match[1], +match[2]];
    if (a > 12 && b <= 12) [d, m] = [a, b];
    else if (b > 12 && a <= 12) [m, d] = [a, b];
    else if (a === b) [m, d] = [a, b];
    else return undefined;
    y = +match[3];
  } else return undefined;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || y < 1900) return undefined;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Whether knowledge answers match the customer's record; both must, and the caller does not say which did not. */
export function knowledgeMatches(record: { idLast4: string | null; birthday: string | null }, answers: { idLast4?: string; birthday?: string }): boolean {
  if (!record.idLast4 || !record.birthday || !answers.idLast4 || !answers.birthday) return false;
  return record.idLast4.toUpperCase() === answers.idLast4.toUpperCase() && record.birthday === answers.birthday;
}
