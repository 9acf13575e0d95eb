/**
 * Wall-clock time in an IANA time zone, for the rules that speak of a customer's or the service's local time (working
 * hours, quiet hours, the calendar day of a reference number or a lifecycle date). Pure; one cached Intl formatter per
 * zone, since building one costs far more than using it and the rules ask about the same few zones all day.
 */

/** A local calendar time. */
export interface WallClock {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
  hour: number;
  minute: number;
  second: number;
  /** Milliseconds since local midnight. */
  msOfDay: number;
}

const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      // h23, not hour12: false, which some ICU versions render as "24" at midnight.
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      calendar: 'gregory',
      numberingSystem: 'latn',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether Intl knows the zone. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The local time at an instant in a zone; throws a RangeError for a zone Intl does not know. */
export function wallClock(ms: number, timeZone: string): WallClock {
  const p: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(ms)) p[part.type] = part.value;
  const hour = Number(p.hour);
  const minute = Number(p.minute);
  const second = Number(p.second);
  const subSecond = ((ms % 1000) + 1000) % 1000;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    weekday: WEEKDAY_NAMES.indexOf(p.weekday),
    hour,
    minute,
    second,
    msOfDay: ((hour * 60 + minute) * 60 + second) * 1000 + subSecond,
  };
}

/** The calendar date ('YYYY-MM-DD') at an instant in a zone. */
export function isoDate(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  return `${String(w.year).padStart(4, '0')}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

/** How far the zone's clock is ahead of UTC at an instant. */
export function offsetMs(at: number, timeZone: string): number {
  const w = wallClock(at, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(at / 1000) * 1000;
}

/**
 * The instant a local wall-clock time occurs; the second pass settles times next to a daylight-saving change. Date.UTC
 * rolls day 32 into the next month, so callers may add a day without calendar arithmetic.
 */
export function instantOf(year: number, month: number, day: number, minuteOfDay: number, timeZone: string): number {
  const asUtc = Date.UTC(year, month - 1, day, 0, minuteOfDay);
  const first = asUtc - offsetMs(asUtc, timeZone);
  return asUtc - offsetMs(first, timeZone);
}

/** The first instant of a calendar day ('YYYY-MM-DD') in a zone. */
export function startOfZonedDay(date: string, timeZone: string): number {
  return instantOf(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10)), 0, timeZone);
}

/** 'YYYY-MM-DD HH:mm' at an instant in a zone: what a spreadsheet sorts and filters well. */
export function isoMinute(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  return `${isoDate(ms, timeZone)} ${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
}
