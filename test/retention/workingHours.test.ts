import { isWithinWorkingHours, nextOpening, parseWorkingHours } from '../../retention/workingHours';

/** An instant given as a Shanghai wall-clock time (UTC+8, no daylight saving). */
function shanghai(year: number, month: number, day: number, hour: number, minute = 0, second = 0, ms = 0): number {
  return Date.UTC(year, month - 1, day, hour - 8, minute, second, ms);
}

// 2026-11-20 is a Friday, 21 Saturday, 22 Sunday, 23 Monday.
const DAILY = '08:00-22:00';
const WEEK = 'Mon-Fri 09:00-18:00;Sat 10:00-16:00';

describe('parseWorkingHours', () => {
  const mins = (h: number, m = 0) => h * 60 + m;
  it.each<[string, string, Array<Array<[number, number]>>]>([
    ['every day', '08:00-22:00', Array.from({ length: 7 }, () => [[mins(8), mins(22)]])],
    ['weekdays and Saturday', WEEK, [...Array.from({ length: 5 }, () => [[mins(9), mins(18)]] as Array<[number, number]>), [[mins(10), mins(16)]], []]],
    [
      'a lunch break, days listed, any case and spacing',
      ' mon , WED  09:00 - 12:00 , 13:30-18:00 ',
      [
        [
          [mins(9), mins(12)],
          [mins(13, 30), mins(18)],
        ],
        [],
        [
          [mins(9), mins(12)],
          [mins(13, 30), mins(18)],
        ],
        [],
        [],
        [],
        [],
      ],
    ],
    ['a day range wrapping over the week end', 'Sat-Mon 10:00-12:00', [[[mins(10), mins(12)]], [], [], [], [], [[mins(10), mins(12)]], [[mins(10), mins(12)]]]],
    ['a whole day, to 24:00', 'Sun 00:00-24:00', [[], [], [], [], [], [], [[0, 1440]]]],
    ['overlapping segments merged', 'Mon 09:00-12:00;Mon 11:00-14:00,14:00-15:00', [[[mins(9), mins(15)]], [], [], [], [], [], []]],
  ])('reads %s', (_name, spec, expected) => {
    const days = parseWorkingHours(spec).days.map((ranges) => ranges.map((r) => [r.start, r.end]));
    expect(days).toEqual(expected);
  });

  it.each<[string, string, RegExp]>([
    ['an empty spec', '', /is empty/],
    ['blank space', '   ', /is empty/],
    ['an empty segment', '08:00-12:00;', /segment between ";" is empty/],
    ['a single-digit hour', '8:00-22:00', /"8:00-22:00" is not a time range/],
    ['hour 25', '08:00-25:00', /"25:00" is not a time of day/],
    ['minute 60', '08:60-22:00', /"08:60" is not a time of day/],
    ['24:30', '08:00-24:30', /"24:30" is not a time of day/],
    ['an overnight range', '22:00-02:00', /does not end after it starts.*split overnight/],
    ['an empty range', '09:00-09:00', /does not end after it starts/],
    ['an unknown day', 'Mon-Fry 09:00-18:00', /"Fry" is not a day/],
    ['a Chinese day name', '周一 09:00-18:00', /"周一" is not a day/],
    ['a three-part day range', 'Mon-Wed-Fri 09:00-18:00', /"Mon-Wed-Fri" is not a day or a day range/],
    ['too many parts', 'Mon 09:00-12:00 13:00-18:00', /should be days then times/],
    ['text', 'always', /"always" is not a time range/],
  ])('refuses %s with a clear message', (_name, spec, message) => {
    expect(() => parseWorkingHours(spec)).toThrow(/^Invalid working hours/);
    expect(() => parseWorkingHours(spec)).toThrow(message);
  });
});

describe('isWithinWorkingHours in Asia/Shanghai', () => {
  it.each<[string, string, number, boolean]>([
    ['1 ms before opening', DAILY, shanghai(2026, 11, 20, 7, 59, 59, 999), false],
    ['at opening', DAILY, shanghai(2026, 11, 20, 8), true],
    ['1 ms before closing', DAILY, shanghai(2026, 11, 20, 21, 59, 59, 999), true],
    ['at closing', DAILY, shanghai(2026, 11, 20, 22), false],
    ['Friday afternoon', WEEK, shanghai(2026, 11, 20, 17, 30), true],
    ['Saturday at 16:00, closing', WEEK, shanghai(2026, 11, 21, 16), false],
    ['Sunday noon, a closed day', WEEK, shanghai(2026, 11, 22, 12), false],
    ['at the end of a lunch break', 'Mon-Fri 09:00-12:00,13:00-18:00', shanghai(2026, 11, 23, 13), true],
    ['during a lunch break', 'Mon-Fri 09:00-12:00,13:00-18:00', shanghai(2026, 11, 23, 12, 30), false],
    ['the last ms of a day open until 24:00', 'Sun 00:00-24:00', shanghai(2026, 11, 22, 23, 59, 59, 999), true],
    // Instants written in UTC whose Shanghai day is another day.
    ['Friday 16:30 UTC is Saturday 00:30 in Shanghai: closed', WEEK, Date.UTC(2026, 10, 20, 16, 30), false],
    ['Friday 23:30 UTC is Saturday 07:30 in Shanghai: closed', WEEK, Date.UTC(2026, 10, 20, 23, 30), false],
    ['Saturday 02:00 UTC is Saturday 10:00 in Shanghai: open', WEEK, Date.UTC(2026, 10, 21, 2, 0), true],
    ['Sunday 16:00 UTC is Monday 00:00 in Shanghai: open', 'Mon 00:00-12:00', Date.UTC(2026, 10, 22, 16, 0), true],
    ['Sunday 15:59:59.999 UTC is still Sunday in Shanghai: closed', 'Mon 00:00-12:00', Date.UTC(2026, 10, 22, 15, 59, 59, 999), false],
  ])('%s', (_name, spec, now, expected) => {
    expect(isWithinWorkingHours(spec, now)).toBe(expected);
  });

  it('reads the hours in the time zone it is given', () => {
    const now = Date.UTC(2026, 10, 20, 16, 30); // Friday 16:30 UTC, Saturday 00:30 in Shanghai
    expect(isWithinWorkingHours(WEEK, now, 'UTC')).toBe(true);
    expect(isWithinWorkingHours(WEEK, now, 'Asia/Shanghai')).toBe(false);
  });

  it('accepts hours parsed once at start-up', () => {
    const hours = parseWorkingHours(DAILY);
    expect(isWithinWorkingHours(hours, shanghai(2026, 11, 20, 12))).toBe(true);
  });

  it('refuses an unknown time zone', () => {
    expect(() => isWithinWorkingHours(DAILY, 0, 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('nextOpening in Asia/Shanghai', () => {
  it.each<[string, string, number, number]>([
    ['open now: now', DAILY, shanghai(2026, 11, 20, 8), shanghai(2026, 11, 20, 8)],
    ['before opening: today at opening', DAILY, shanghai(2026, 11, 20, 7, 59, 59, 999), shanghai(2026, 11, 20, 8)],
    ['at closing: tomorrow at opening', DAILY, shanghai(2026, 11, 20, 22), shanghai(2026, 11, 21, 8)],
    ['just after midnight: today at opening', DAILY, shanghai(2026, 11, 21, 0, 5), shanghai(2026, 11, 21, 8)],
    ['Friday evening: Saturday 10:00', WEEK, shanghai(2026, 11, 20, 19), shanghai(2026, 11, 21, 10)],
    ['Saturday evening: Monday 09:00', WEEK, shanghai(2026, 11, 21, 16), shanghai(2026, 11, 23, 9)],
    ['Sunday: Monday 09:00', WEEK, shanghai(2026, 11, 22, 12), shanghai(2026, 11, 23, 9)],
    ['lunch break: after lunch', 'Mon-Fri 09:00-12:00,13:00-18:00', shanghai(2026, 11, 23, 12), shanghai(2026, 11, 23, 13)],
    ['the only range of the week has passed: a week later', 'Mon 09:00-10:00', shanghai(2026, 11, 23, 10), shanghai(2026, 11, 30, 9)],
    ['month end: the 1st of the next month', DAILY, shanghai(2026, 11, 30, 23), shanghai(2026, 12, 1, 8)],
    ['Friday 23:30 UTC (Saturday 07:30 in Shanghai): Saturday 10:00 Shanghai = 02:00 UTC', WEEK, Date.UTC(2026, 10, 20, 23, 30), Date.UTC(2026, 10, 21, 2, 0)],
    ['Friday 16:30 UTC (Saturday 00:30 in Shanghai): not Friday, but Saturday 10:00', WEEK, Date.UTC(2026, 10, 20, 16, 30), shanghai(2026, 11, 21, 10)],
  ])('%s', (_name, spec, now, expected) => {
    expect(nextOpening(spec, now)).toBe(expected);
  });

  it('reads the hours in the time zone it is given', () => {
    expect(nextOpening(DAILY, Date.UTC(2026, 10, 20, 23, 0), 'UTC')).toBe(Date.UTC(2026, 10, 21, 8, 0));
  });

  it('in a zone with daylight saving, opens at the wall-clock time on either side of the change', () => {
    // New York moves from UTC-4 to UTC-5 on 2026-11-01: Monday's 09:00 is 14:00 UTC, Saturday's was 13:00 UTC.
    expect(nextOpening('09:00-17:00', Date.UTC(2026, 9, 31, 22, 0), 'America/New_York')).toBe(Date.UTC(2026, 10, 1, 14, 0));
    expect(nextOpening('09:00-17:00', Date.UTC(2026, 9, 31, 3, 0), 'America/New_York')).toBe(Date.UTC(2026, 9, 31, 13, 0));
  });
});
