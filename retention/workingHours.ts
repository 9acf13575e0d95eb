/**
 * Agents' working hours from a config string, read in the service's time zone (Asia/Shanghai by default) with Intl,
 * so the server's own zone never matters. Outside these hours the customer is told the wait or offered a callback.
 *
 * Spec: segments separated by `;`, each an optional day list and one or more time ranges, e.g.
 *   `08:00-22:00`                                   every day
 *   `Mon-Fri 09:00-18:00;Sat 10:00-16:00`           weekdays and Saturday; Sunday closed
 *   `Mon,Wed 09:00-12:00,13:00-18:00`               a lunch break
 * Days are Mon…Sun (any case), singly or as a range (`Sat-Mon` wraps); a range starts at or after 00:00 and ends at
 * or before 24:00, end excluded. A day named in several segments is open in all their ranges.
 */

import { wallClock } from './zonedTime';

/** Weekdays as the spec names them, Monday first (the Chinese working week). */
export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** An open period within a day, in minutes from local midnight; `end` is excluded and at most 1440. */
export interface TimeRange {
  readonly start: number;
  readonly end: number;
}

/** A parsed spec: for each weekday (index 0 = Monday) its open ranges, sorted and merged. */
export interface WorkingHours {
  readonly spec: string;
  readonly days: readonly (readonly TimeRange[])[];
}

const MINUTE = 60_000;

/** Parses a working-hours spec; throws an Error naming the spec and the faulty part, for config parsing to report. */
export function parseWorkingHours(spec: string): WorkingHours {
  const fail = (why: string): never => {
    throw new Error(`Invalid working hours "${spec}": ${why}. Expected e.g. "08:00-22:00" or "Mon-Fri 09:00-18:00;Sat 10:00-16:00"`);
  };
  if (typeof spec !== 'string' || spec.trim() === '') fail('it is empty');
  const days: TimeRange[][] = WEEKDAYS.map(() => []);
  for (const raw of spec.split(';')) {
    const segment = raw.trim().replace(/\s*([,-])\s*/g, '$1');
    if (segment === '') fail('a segment between ";" is empty');
    const tokens = segment.split(/\s+/);
    if (tokens.length > 2) fail(`"${raw.trim()}" should be days then times, like "Mon-Fri 09:00-18:00"`);
    const dayIndexes = tokens.length === 2 ? parseDays(tokens[0], fail) : WEEKDAYS.map((_, i) => i);
    const ranges = tokens[tokens.length - 1].split(',').map((r) => parseRange(r, fail));
    for (const d of dayIndexes) days[d].push(...ranges);
  }
  return Object.freeze({ spec, days: Object.freeze(days.map((ranges) => Object.freeze(merge(ranges)))) });
}

function parseDays(token: string, fail: (why: string) => never): number[] {
  const out = new Set<number>();
  for (const item of token.split(',')) {
    const [from, to, extra] = item.split('-');
    if (extra !== undefined) fail(`"${item}" is not a day or a day range`);
    const a = dayIndex(from, fail);
    const b = to === undefined ? a : dayIndex(to, fail);
    for (let d = a; ; d = (d + 1) % 7) {
      out.add(d);
      if (d === b) break;
    }
  }
  return [...out];
}

function dayIndex(name: string, fail: (why: string) => never): number {
  const i = WEEKDAYS.findIndex((w) => w.toLowerCase() === name.toLowerCase());
  return i >= 0 ? i : fail(`"${name}" is not a day (use ${WEEKDAYS.join(', ')})`);
}

function parseRange(text: string, fail: (why: string) => never): TimeRange {
  const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(text);
  if (!m) return fail(`"${text}" is not a time range HH:MM-HH:MM`);
  const minutes = (h: string, min: string) => {
    const value = Number(h) * 60 + Number(min);
    if (Number(min) > 59 || value > 1440) fail(`"${h}:${min}" is not a time of day`);
    return value;
  };
  const start = minutes(m[1], m[2]);
  const end = minutes(m[3], m[4]);
  // Overnight ranges are refused rather than guessed: it would be unclear which day's list they belong to.
  if (start >= end) fail(`"${text}" does not end after it starts (split overnight hours at midnight: "22:00-24:00" and "00:00-02:00")`);
  return { start, end };
}

function merge(ranges: TimeRange[]): TimeRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: TimeRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) out[out.length - 1] = { start: last.start, end: Math.max(last.end, r.end) };
    else out.push({ ...r });
  }
  return out;
}

function hoursOf(hours: string | WorkingHours): WorkingHours {
  return typeof hours === 'string' ? parseWorkingHours(hours) : hours;
}

/** True when `nowMs` falls in an open range in the time zone: the start minute is open, the end minute closed. */
export function isWithinWorkingHours(hours: string | WorkingHours, nowMs: number, timeZone = 'Asia/Shanghai'): boolean {
  const local = wallClock(nowMs, timeZone);
  return hoursOf(hours).days[local.weekday].some((r) => local.msOfDay >= r.start * MINUTE && local.msOfDay < r.end * MINUTE);
}

/** When agents are next available, in epoch ms: `nowMs` itself when open now, otherwise the next range's start. */
export function nextOpening(hours: string | WorkingHours, nowMs: number, timeZone = 'Asia/Shanghai'): number {
  const parsed = hoursOf(hours);
  if (isWithinWorkingHours(parsed, nowMs, timeZone)) return nowMs;
  const today = wallClock(nowMs, timeZone);
  // Eight days: when today's only range has passed, the next opening is the same weekday next week.
  for (let k = 0; k <= 7; k++) {
    for (const range of parsed.days[(today.weekday + k) % 7]) {
      const at = zonedToEpoch(today.year, today.month, today.day + k, range.start, timeZone);
      if (at > nowMs) return at;
    }
  }
  // parseWorkingHours never yields a week with no open range.
  throw new Error(`Working hours "${parsed.spec}" never open`);
}

/**
 * The instant a local wall-clock time occurs in a zone (the day may overflow the month; Date.UTC carries it over).
 * Where daylight saving repeats a time the first occurrence is taken; where it skips one, the same time read with the
 * offset after the jump (02:30 becomes 03:30). Asia/Shanghai has no daylight saving; other zones are served sanely.
 */
function zonedToEpoch(year: number, month: number, day: number, minutes: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, 0, minutes);
  const wallOf = (t: number) => {
    const l = wallClock(t, timeZone);
    return Date.UTC(l.year, l.month - 1, l.day) + l.msOfDay;
  };
  // The offsets half a day either side cover both sides of any daylight-saving change on that day.
  const candidates = [wall - 720 * MINUTE, wall + 720 * MINUTE].map((probe) => wall - (wallOf(probe) - probe));
  const exact = candidates.filter((t) => wallOf(t) === wall);
  return exact.length > 0 ? Math.min(...exact) : Math.max(...candidates);
}
