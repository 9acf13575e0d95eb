/**
 * When the assistant may message a customer it did not just hear from (主动关怀的联系规则): quiet hours in the
 * customer's time zone, a weekly cap on proactive messages, a channel's reply window (WeChat: 48 h after the
 * customer's last message, 5 messages at most), and marketing consent. Pure: the scheduler that holds and sends
 * messages carries the decisions out.
 *
 * Rules per purpose (DEFAULT_CONTACT_POLICY.purposes):
 * - `marketing` needs marketing consent; it keeps quiet hours and counts toward the weekly cap.
 * - `survey` and `care` (greetings, maturity and renewal reminders, pre-suspension notices) are service messages:
 *   no consent needed, but they are unasked-for, so they keep quiet hours and the weekly cap.
 * - `callback` follows up a callback the customer asked for: it keeps quiet hours, but a promise is not broken for a
 *   cap meant for unasked-for messages, so it neither counts toward the cap nor is held by it.
 * - `agent_reply` answers a customer in a live conversation: not proactive, so no consent, quiet hours or cap.
 * A channel's window and quota hold for every purpose, agent replies too: they are the platform's limits
 * (WeChat refuses the send), not courtesy.
 */

import { instantOf, isKnownTimeZone, wallClock } from './zonedTime';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Why a message is sent; each purpose has its own rule (see the file comment). */
export const CONTACT_PURPOSES = ['survey', 'care', 'marketing', 'callback', 'agent_reply'] as const;
export type ContactPurpose = (typeof CONTACT_PURPOSES)[number];

/** Stable reason codes of a 'wait' or 'drop' decision, for logs and reports. */
export const CONTACT_REASONS = ['quiet_hours', 'weekly_cap', 'window_closed', 'window_quota', 'no_consent', 'expired'] as const;
export type ContactReason = (typeof CONTACT_REASONS)[number];

/** Which of the rules a purpose is subject to. */
export interface PurposeRule {
  /** Sent only with the customer's marketing consent. */
  readonly needsConsent: boolean;
  /** Held during quiet hours. */
  readonly quietHours: boolean;
  /** Held by the weekly cap, and counted toward it. */
  readonly weeklyCap: boolean;
}

/** A quiet period in minutes after local midnight; it spans midnight when start > end, and is empty when start = end. */
export interface QuietHours {
  readonly startMinute: number;
  readonly endMinute: number;
}

/** A channel's reply window: messages only within `windowMs` of the customer's last message, at most `maxMessages`. */
export interface ChannelWindowRule {
  readonly windowMs: number;
  readonly maxMessages: number;
}

/** The numbers of the contact rules. */
export interface ContactPolicy {
  /** The zone used when a customer has none, or one Intl does not know. */
  readonly defaultTimeZone: string;
  readonly quietHours: QuietHours;
  /** At most `maxMessages` (≥ 1) proactive messages per customer in any rolling `periodMs`. */
  readonly weeklyCap: { readonly maxMessages: number; readonly periodMs: number };
  /** By lower-case channel id; a channel not listed has no window. */
  readonly channelWindows: Readonly<Record<string, ChannelWindowRule>>;
  readonly purposes: Readonly<Record<ContactPurpose, PurposeRule>>;
}

/** DOMAIN.md: quiet 22:00–08:00 customer time; 2 proactive messages a week; WeChat 48 h and 5 messages. */
export const DEFAULT_CONTACT_POLICY: ContactPolicy = Object.freeze({
  defaultTimeZone: 'Asia/Shanghai',
  quietHours: Object.freeze({ startMinute: 22 * 60, endMinute: 8 * 60 }),
  weeklyCap: Object.freeze({ maxMessages: 2, periodMs: 7 * DAY }),
  channelWindows: Object.freeze({ wechat: Object.freeze({ windowMs: 48 * HOUR, maxMessages: 5 }) }),
  purposes: Object.freeze({
    survey: Object.freeze({ needsConsent: false, quietHours: true, weeklyCap: true }),
    care: Object.freeze({ needsConsent: false, quietHours: true, weeklyCap: true }),
    marketing: Object.freeze({ needsConsent: true, quietHours: true, weeklyCap: true }),
    callback: Object.freeze({ needsConsent: false, quietHours: true, weeklyCap: false }),
    agent_reply: Object.freeze({ needsConsent: false, quietHours: false, weeklyCap: false }),
  }),
});

/**
 * The customer's IANA zone when Intl knows it, else the policy's default: a bad zone in a customer record should
 * time messages by the zone most customers live in, not stop the scheduler.
 */
export function resolveTimeZone(timeZone: string | null | undefined, policy: Pick<ContactPolicy, 'defaultTimeZone'> = DEFAULT_CONTACT_POLICY): string {
  return timeZone && isKnownTimeZone(timeZone) ? timeZone : policy.defaultTimeZone;
}

function inQuietPeriod(minuteOfDay: number, quiet: QuietHours): boolean {
  const { startMinute: start, endMinute: end } = quiet;
  if (start === end) return false;
  return start < end ? minuteOfDay >= start && minuteOfDay < end : minuteOfDay >= start || minuteOfDay < end;
}

/** True when `now` falls in the quiet hours of the customer's zone (start inclusive, end exclusive). */
export function isQuietHours(
  now: number,
  timeZone: string | null | undefined,
  policy: Pick<ContactPolicy, 'quietHours' | 'defaultTimeZone'> = DEFAULT_CONTACT_POLICY,
): boolean {
  const w = wallClock(now, resolveTimeZone(timeZone, policy));
  return inQuietPeriod(w.hour * 60 + w.minute, policy.quietHours);
}

/** `now` outside quiet hours; inside them, the instant they end (08:00 local by default, on the right day). */
export function nextAllowedTime(
  now: number,
  timeZone: string | null | undefined,
  policy: Pick<ContactPolicy, 'quietHours' | 'defaultTimeZone'> = DEFAULT_CONTACT_POLICY,
): number {
  const zone = resolveTimeZone(timeZone, policy);
  const w = wallClock(now, zone);
  const minuteOfDay = w.hour * 60 + w.minute;
  if (!inQuietPeriod(minuteOfDay, policy.quietHours)) return now;
  const { endMinute } = policy.quietHours;
  // Past the end minute while quiet means the period began this evening and ends tomorrow.
  const dayOffset = minuteOfDay >= endMinute ? 1 : 0;
  return instantOf(w.year, w.month, w.day + dayOffset, endMinute, zone);
}

/**
 * Null while fewer than the cap's messages were sent in the rolling period before `now` (a send exactly one period
 * ago no longer counts); otherwise the instant enough of them have aged out for one more.
 */
export function weeklyCapReopensAt(
  now: number,
  previousSendTimes: readonly number[],
  policy: Pick<ContactPolicy, 'weeklyCap'> = DEFAULT_CONTACT_POLICY,
): number | null {
  const { maxMessages, periodMs } = policy.weeklyCap;
  // A cap below 1 would never reopen; the purpose should be switched off instead, and this says so by never reopening.
  if (maxMessages < 1) return Number.POSITIVE_INFINITY;
  const counted = previousSendTimes.filter((t) => t > now - periodMs).sort((a, b) => a - b);
  if (counted.length < maxMessages) return null;
  return counted[counted.length - maxMessages] + periodMs;
}

/** What the assistant knows of the channel a message would go out on. */
export interface ChannelState {
  /** Bot Framework channel id, e.g. 'wechat', 'webchat'. */
  id: string;
  /** When the customer last wrote on this channel, or null if never. */
  lastCustomerMessageAt: number | null;
  /** Messages of any purpose sent on this channel since then: the platform counts them all. */
  sentSinceCustomerMessage: number;
}

/** A channel's window now: none, open (until when, and how many messages are left), or closed and why. */
export type ChannelWindowState =
  { status: 'unlimited' } | { status: 'open'; closesAt: number; remaining: number } | { status: 'closed'; reason: 'window_closed' | 'window_quota' };

/** The window of the channel at `now`: open strictly less than `windowMs` after the customer's last message. */
export function checkChannelWindow(
  now: number,
  channel: ChannelState,
  policy: Pick<ContactPolicy, 'channelWindows'> = DEFAULT_CONTACT_POLICY,
): ChannelWindowState {
  const id = channel.id.toLowerCase();
  // hasOwn: a channel id such as "constructor" must not find Object.prototype's members.
  if (!Object.hasOwn(policy.channelWindows, id)) return { status: 'unlimited' };
  const rule = policy.channelWindows[id];
  if (channel.lastCustomerMessageAt === null) return { status: 'closed', reason: 'window_closed' };
  const closesAt = channel.lastCustomerMessageAt + rule.windowMs;
  if (now >= closesAt) return { status: 'closed', reason: 'window_closed' };
  const remaining = rule.maxMessages - channel.sentSinceCustomerMessage;
  if (remaining <= 0) return { status: 'closed', reason: 'window_quota' };
  return { status: 'open', closesAt, remaining };
}

/** A message sent earlier to the customer, as the weekly cap counts it. */
export interface PreviousSend {
  at: number;
  purpose: ContactPurpose;
}

/** Everything decideContact needs about one message that could be sent now. */
export interface ContactInput {
  purpose: ContactPurpose;
  now: number;
  /** The customer's IANA zone; null or unknown means the policy's default (Asia/Shanghai). */
  timeZone?: string | null;
  marketingConsent: boolean;
  /** Messages sent to this customer on any channel in at least the last cap period; only capped purposes count. */
  previousSends: readonly PreviousSend[];
  channel: ChannelState;
  /** The first instant the message is no longer worth sending (a survey's or reminder's deadline), if any. */
  expiresAt?: number | null;
}

/**
 * What to do with the message. 'wait': hold it and decide again at `until`. For 'window_closed' and 'window_quota'
 * only the customer's next message can make it sendable, so decide again when they write; `until` is its expiry.
 */
export type ContactDecision =
  | { action: 'send' }
  | { action: 'wait'; until: number; reason: 'quiet_hours' | 'weekly_cap' | 'window_closed' | 'window_quota' }
  | { action: 'drop'; reason: 'no_consent' | 'expired' | 'window_closed' | 'window_quota' | 'weekly_cap' };

/**
 * Decides whether a message goes now, waits, or is dropped. In order: no consent drops (it will not come back by
 * itself); an expired message drops; a closed channel window holds the message until its expiry for the customer to
 * reopen it, and drops it when it has no expiry, since nothing would bound the wait (the caller may try another
 * channel); then the weekly cap and quiet hours give the earliest allowed time, reported as 'weekly_cap' when the cap
 * holds it (the longer hold) and 'quiet_hours' otherwise. A message whose earliest time is at or after its expiry
 * drops as 'expired'; one whose window will have closed by then is treated as a closed window.
 */
export function decideContact(input: ContactInput, policy: ContactPolicy = DEFAULT_CONTACT_POLICY): ContactDecision {
  const { now, purpose } = input;
  const rule = policy.purposes[purpose];
  const expiresAt = input.expiresAt ?? null;

  if (rule.needsConsent && !input.marketingConsent) return { action: 'drop', reason: 'no_consent' };
  if (expiresAt !== null && now >= expiresAt) return { action: 'drop', reason: 'expired' };

  const window = checkChannelWindow(now, input.channel, policy);
  if (window.status === 'closed') return holdForCustomer(window.reason, expiresAt);

  let earliest = now;
  let reason: 'quiet_hours' | 'weekly_cap' | undefined;
  if (rule.weeklyCap) {
    const counted = input.previousSends.filter((s) => policy.purposes[s.purpose].weeklyCap).map((s) => s.at);
    const reopensAt = weeklyCapReopensAt(now, counted, policy);
    if (reopensAt !== null) {
      if (!Number.isFinite(reopensAt)) return { action: 'drop', reason: 'weekly_cap' };
      earliest = reopensAt;
      reason = 'weekly_cap';
    }
  }
  if (rule.quietHours) {
    // The cap only loosens with time, so pushing its reopening out of quiet hours keeps both rules satisfied.
    const allowed = nextAllowedTime(earliest, input.timeZone, policy);
    if (allowed > earliest) {
      earliest = allowed;
      reason ??= 'quiet_hours';
    }
  }

  if (expiresAt !== null && earliest >= expiresAt) return { action: 'drop', reason: 'expired' };
  if (window.status === 'open' && earliest >= window.closesAt) return holdForCustomer('window_closed', expiresAt);
  return reason === undefined ? { action: 'send' } : { action: 'wait', until: earliest, reason };
}

function holdForCustomer(reason: 'window_closed' | 'window_quota', expiresAt: number | null): ContactDecision {
  return expiresAt === null ? { action: 'drop', reason } : { action: 'wait', until: expiresAt, reason };
}
