import {
  checkChannelWindow,
  type ContactDecision,
  type ContactInput,
  type ContactPolicy,
  decideContact,
  DEFAULT_CONTACT_POLICY,
  isQuietHours,
  nextAllowedTime,
  resolveTimeZone,
  weeklyCapReopensAt,
} from '../../retention/contactPolicy';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** An instant written with its offset, so each case reads as the customer's wall clock. */
const at = (iso: string) => Date.parse(iso);

describe('isQuietHours', () => {
  describe('in Shanghai (the default zone), 22:00–08:00', () => {
    it.each([
      ['21:59 is still allowed', '2026-11-22T21:59:00+08:00', false],
      ['22:00 starts the quiet hours', '2026-11-22T22:00:00+08:00', true],
      ['midnight is quiet', '2026-11-23T00:00:00+08:00', true],
      ['07:59 is still quiet', '2026-11-23T07:59:59+08:00', true],
      ['08:00 ends the quiet hours', '2026-11-23T08:00:00+08:00', false],
      ['noon is allowed', '2026-11-23T12:00:00+08:00', false],
      ['16:30 UTC on the 22nd is 00:30 on the 23rd in Shanghai', '2026-11-22T16:30:00Z', true],
      ['23:30 UTC on the 22nd is 07:30 on the 23rd in Shanghai', '2026-11-22T23:30:00Z', true],
      ['00:00 UTC on the 23rd is 08:00 in Shanghai', '2026-11-23T00:00:00Z', false],
      ['13:59 UTC is 21:59 in Shanghai', '2026-11-22T13:59:00Z', false],
    ])('%s', (_name, iso, quiet) => {
      expect(isQuietHours(at(iso), 'Asia/Shanghai')).toBe(quiet);
    });
  });

  describe('in Europe/London, by the local clock in winter and in summer', () => {
    it.each([
      ['21:59 GMT in January', '2026-01-15T21:59:00Z', false],
      ['22:00 GMT in January', '2026-01-15T22:00:00Z', true],
      ['07:59 GMT in January', '2026-01-16T07:59:00Z', true],
      ['08:00 GMT in January', '2026-01-16T08:00:00Z', false],
      ['21:00 UTC in July is 22:00 BST', '2026-07-01T21:00:00Z', true],
      ['20:59 UTC in July is 21:59 BST', '2026-07-01T20:59:00Z', false],
      ['07:00 UTC in July is 08:00 BST', '2026-07-01T07:00:00Z', false],
      ['06:59 UTC in July is 07:59 BST', '2026-07-01T06:59:00Z', true],
    ])('%s', (_name, iso, quiet) => {
      expect(isQuietHours(at(iso), 'Europe/London')).toBe(quiet);
    });
  });

  it('judges the same instant by each customer’s own clock', () => {
    const instant = at('2026-07-01T06:30:00Z');
    expect(isQuietHours(instant, 'Asia/Shanghai')).toBe(false); // 14:30
    expect(isQuietHours(instant, 'Europe/London')).toBe(true); // 07:30
  });

  it.each([
    ['no zone', null],
    ['an empty zone', ''],
    ['a zone Intl does not know', 'Mars/Olympus_Mons'],
  ])('with %s, uses Shanghai time', (_name, zone) => {
    expect(isQuietHours(at('2026-11-22T22:30:00+08:00'), zone)).toBe(true);
    expect(isQuietHours(at('2026-11-22T21:30:00+08:00'), zone)).toBe(false);
  });

  describe('with configured hours', () => {
    const policy = (startMinute: number, endMinute: number) => ({ ...DEFAULT_CONTACT_POLICY, quietHours: { startMinute, endMinute } });
    it.each([
      ['21:00–09:00: 21:00 is quiet', 21 * 60, 9 * 60, '2026-11-22T21:00:00+08:00', true],
      ['21:00–09:00: 08:30 is quiet', 21 * 60, 9 * 60, '2026-11-23T08:30:00+08:00', true],
      ['21:00–09:00: 09:00 is allowed', 21 * 60, 9 * 60, '2026-11-23T09:00:00+08:00', false],
      ['a same-day period 12:00–14:00: 13:00 is quiet', 12 * 60, 14 * 60, '2026-11-23T13:00:00+08:00', true],
      ['a same-day period 12:00–14:00: 23:00 is allowed', 12 * 60, 14 * 60, '2026-11-23T23:00:00+08:00', false],
      ['start equal to end means no quiet hours', 0, 0, '2026-11-23T03:00:00+08:00', false],
    ])('%s', (_name, start, end, iso, quiet) => {
      expect(isQuietHours(at(iso), 'Asia/Shanghai', policy(start, end))).toBe(quiet);
    });
  });
});

describe('nextAllowedTime', () => {
  it.each([
    ['outside quiet hours it is now', 'Asia/Shanghai', '2026-11-22T21:59:00+08:00', '2026-11-22T21:59:00+08:00'],
    ['in the evening it is 08:00 the next morning', 'Asia/Shanghai', '2026-11-22T22:00:00+08:00', '2026-11-23T08:00:00+08:00'],
    ['after midnight it is 08:00 the same morning', 'Asia/Shanghai', '2026-11-23T01:15:30+08:00', '2026-11-23T08:00:00+08:00'],
    ['across a month end', 'Asia/Shanghai', '2026-11-30T23:00:00+08:00', '2026-12-01T08:00:00+08:00'],
    ['in London in winter', 'Europe/London', '2026-01-15T23:00:00Z', '2026-01-16T08:00:00Z'],
    ['in London over the spring change, 08:00 BST', 'Europe/London', '2026-03-28T23:00:00Z', '2026-03-29T08:00:00+01:00'],
    ['in London over the autumn change, 08:00 GMT', 'Europe/London', '2026-10-24T23:00:00+01:00', '2026-10-25T08:00:00Z'],
  ])('%s', (_name, zone, nowIso, expectedIso) => {
    expect(nextAllowedTime(at(nowIso), zone)).toBe(at(expectedIso));
  });
});

describe('resolveTimeZone', () => {
  it.each([
    ['Europe/London', 'Europe/London'],
    [null, 'Asia/Shanghai'],
    [undefined, 'Asia/Shanghai'],
    ['Not/AZone', 'Asia/Shanghai'],
  ])('%s → %s', (zone, expected) => {
    expect(resolveTimeZone(zone)).toBe(expected);
  });
});

describe('weeklyCapReopensAt', () => {
  const now = at('2026-11-22T10:00:00+08:00');
  it.each([
    ['no earlier message: free', [], null],
    ['one earlier message: a second is allowed', [now - 2 * DAY], null],
    ['two in 7 days: a third waits for the older to age out', [now - 6 * DAY, now - 1 * DAY], now + 1 * DAY],
    ['three in 7 days (sent by hand): waits for the second oldest', [now - 6 * DAY, now - 5 * DAY, now - 1 * DAY], now + 2 * DAY],
    ['two, one sent exactly 7 days ago: that one no longer counts', [now - 7 * DAY, now - 1 * DAY], null],
    ['two, one sent a minute under 7 days ago: capped for a minute more', [now - 7 * DAY + MINUTE, now - 1 * DAY], now + MINUTE],
    ['order of the list does not matter', [now - 1 * DAY, now - 6 * DAY], now + 1 * DAY],
  ])('%s', (_name, sends, expected) => {
    expect(weeklyCapReopensAt(now, sends, DEFAULT_CONTACT_POLICY)).toBe(expected);
  });

  it('follows a configured cap', () => {
    const policy = { weeklyCap: { maxMessages: 3, periodMs: 7 * DAY } };
    expect(weeklyCapReopensAt(now, [now - 6 * DAY, now - DAY], policy)).toBeNull();
    expect(weeklyCapReopensAt(now, [now - 6 * DAY, now - 2 * DAY, now - DAY], policy)).toBe(now + DAY);
  });
});

describe('checkChannelWindow', () => {
  const now = at('2026-11-22T10:00:00+08:00');
  it.each([
    [
      'WeChat, customer wrote 47h59m ago',
      { id: 'wechat', lastCustomerMessageAt: now - 47 * HOUR - 59 * MINUTE, sentSinceCustomerMessage: 0 },
      { status: 'open', closesAt: now + MINUTE, remaining: 5 },
    ],
    [
      'WeChat, customer wrote 48h01m ago',
      { id: 'wechat', lastCustomerMessageAt: now - 48 * HOUR - MINUTE, sentSinceCustomerMessage: 0 },
      { status: 'closed', reason: 'window_closed' },
    ],
    [
      'WeChat, customer wrote exactly 48h ago',
      { id: 'wechat', lastCustomerMessageAt: now - 48 * HOUR, sentSinceCustomerMessage: 0 },
      { status: 'closed', reason: 'window_closed' },
    ],
    ['WeChat, customer never wrote', { id: 'wechat', lastCustomerMessageAt: null, sentSinceCustomerMessage: 0 }, { status: 'closed', reason: 'window_closed' }],
    [
      'WeChat, 4 sent since: one left',
      { id: 'wechat', lastCustomerMessageAt: now - HOUR, sentSinceCustomerMessage: 4 },
      { status: 'open', closesAt: now + 47 * HOUR, remaining: 1 },
    ],
    [
      'WeChat, 5 sent since: quota used',
      { id: 'wechat', lastCustomerMessageAt: now - HOUR, sentSinceCustomerMessage: 5 },
      { status: 'closed', reason: 'window_quota' },
    ],
    ['channel id in another case', { id: 'WeChat', lastCustomerMessageAt: null, sentSinceCustomerMessage: 0 }, { status: 'closed', reason: 'window_closed' }],
    ['web chat has no window', { id: 'webchat', lastCustomerMessageAt: null, sentSinceCustomerMessage: 50 }, { status: 'unlimited' }],
    ['an id naming an Object member has no window', { id: 'constructor', lastCustomerMessageAt: null, sentSinceCustomerMessage: 0 }, { status: 'unlimited' }],
  ])('%s', (_name, channel, expected) => {
    expect(checkChannelWindow(now, channel)).toEqual(expected);
  });
});

describe('decideContact', () => {
  const noon = at('2026-11-22T12:00:00+08:00');
  const evening = at('2026-11-22T23:00:00+08:00');
  const nextMorning = at('2026-11-23T08:00:00+08:00');
  const webchat = { id: 'webchat', lastCustomerMessageAt: null, sentSinceCustomerMessage: 0 };
  const wechatOpen = (now: number) => ({ id: 'wechat', lastCustomerMessageAt: now - HOUR, sentSinceCustomerMessage: 0 });
  const input = (over: Partial<ContactInput>): ContactInput => ({
    purpose: 'care',
    now: noon,
    timeZone: 'Asia/Shanghai',
    marketingConsent: false,
    previousSends: [],
    channel: webchat,
    ...over,
  });
  const send: ContactDecision = { action: 'send' };

  describe('consent, by purpose', () => {
    it.each([
      ['marketing without consent is dropped', 'marketing', false, { action: 'drop', reason: 'no_consent' }],
      ['marketing with consent is sent', 'marketing', true, send],
      ['care needs no marketing consent', 'care', false, send],
      ['a survey needs no marketing consent', 'survey', false, send],
      ['a promised callback needs no marketing consent', 'callback', false, send],
      ['an agent reply needs no marketing consent', 'agent_reply', false, send],
    ] as const)('%s', (_name, purpose, marketingConsent, expected) => {
      expect(decideContact(input({ purpose, marketingConsent }))).toEqual(expected);
    });
  });

  describe('quiet hours, by purpose', () => {
    it.each([
      ['care at 23:00 waits until 08:00', 'care', { action: 'wait', until: nextMorning, reason: 'quiet_hours' }],
      ['a survey at 23:00 waits until 08:00', 'survey', { action: 'wait', until: nextMorning, reason: 'quiet_hours' }],
      ['marketing at 23:00 waits until 08:00', 'marketing', { action: 'wait', until: nextMorning, reason: 'quiet_hours' }],
      ['a promised callback at 23:00 waits until 08:00', 'callback', { action: 'wait', until: nextMorning, reason: 'quiet_hours' }],
      ['an agent reply at 23:00 goes now: the customer is in the conversation', 'agent_reply', send],
    ] as const)('%s', (_name, purpose, expected) => {
      expect(decideContact(input({ purpose, now: evening, marketingConsent: true }))).toEqual(expected);
    });

    it('waits until 08:00 in the customer’s own zone', () => {
      const londonEvening = at('2026-11-22T23:00:00Z');
      expect(decideContact(input({ now: londonEvening, timeZone: 'Europe/London' }))).toEqual({
        action: 'wait',
        until: at('2026-11-23T08:00:00Z'),
        reason: 'quiet_hours',
      });
    });
  });

  describe('weekly cap', () => {
    it.each([
      ['one care message this week: a second is sent', 'care', [{ at: noon - 3 * DAY, purpose: 'care' }], send],
      [
        'two this week: a third waits until the older is 7 days old',
        'care',
        [
          { at: noon - 5 * DAY, purpose: 'marketing' },
          { at: noon - 1 * DAY, purpose: 'survey' },
        ],
        { action: 'wait', until: noon + 2 * DAY, reason: 'weekly_cap' },
      ],
      [
        'two, but one just outside the 7 days: sent',
        'care',
        [
          { at: noon - 7 * DAY, purpose: 'care' },
          { at: noon - 1 * DAY, purpose: 'care' },
        ],
        send,
      ],
      [
        'agent replies and callbacks do not count toward the cap',
        'care',
        [
          { at: noon - 1 * DAY, purpose: 'agent_reply' },
          { at: noon - 2 * DAY, purpose: 'callback' },
          { at: noon - 3 * DAY, purpose: 'care' },
        ],
        send,
      ],
      [
        'a promised callback is not held by the cap',
        'callback',
        [
          { at: noon - 5 * DAY, purpose: 'care' },
          { at: noon - 1 * DAY, purpose: 'care' },
        ],
        send,
      ],
      [
        'an agent reply is not held by the cap',
        'agent_reply',
        [
          { at: noon - 5 * DAY, purpose: 'care' },
          { at: noon - 1 * DAY, purpose: 'care' },
        ],
        send,
      ],
    ] as const)('%s', (_name, purpose, previousSends, expected) => {
      expect(decideContact(input({ purpose, previousSends }))).toEqual(expected);
    });

    it('when the cap reopens during quiet hours, waits until they end and names the cap', () => {
      const previousSends = [
        { at: at('2026-11-15T23:30:00+08:00'), purpose: 'care' as const },
        { at: at('2026-11-20T10:00:00+08:00'), purpose: 'care' as const },
      ];
      expect(decideContact(input({ now: at('2026-11-22T12:00:00+08:00'), previousSends }))).toEqual({
        action: 'wait',
        until: at('2026-11-23T08:00:00+08:00'),
        reason: 'weekly_cap',
      });
    });
  });

  describe('WeChat window', () => {
    const wechat = (lastAgo: number | null, sent = 0) => ({
      id: 'wechat',
      lastCustomerMessageAt: lastAgo === null ? null : noon - lastAgo,
      sentSinceCustomerMessage: sent,
    });
    it.each([
      ['customer wrote 47h59m ago: sent', 'care', wechat(47 * HOUR + 59 * MINUTE), null, send],
      ['customer wrote 48h01m ago, no expiry: dropped', 'care', wechat(48 * HOUR + MINUTE), null, { action: 'drop', reason: 'window_closed' }],
      [
        'customer wrote 48h01m ago, expiring tomorrow: held for the customer until expiry',
        'care',
        wechat(48 * HOUR + MINUTE),
        noon + DAY,
        { action: 'wait', until: noon + DAY, reason: 'window_closed' },
      ],
      ['customer never wrote: dropped', 'survey', wechat(null), null, { action: 'drop', reason: 'window_closed' }],
      ['4 messages since the customer wrote: a 5th is sent', 'care', wechat(HOUR, 4), null, send],
      ['5 messages since the customer wrote: dropped', 'care', wechat(HOUR, 5), null, { action: 'drop', reason: 'window_quota' }],
      [
        '5 messages since, with an expiry: held until expiry',
        'care',
        wechat(HOUR, 5),
        noon + DAY,
        { action: 'wait', until: noon + DAY, reason: 'window_quota' },
      ],
      [
        'an agent reply is held by the window too: WeChat refuses the send',
        'agent_reply',
        wechat(49 * HOUR),
        null,
        { action: 'drop', reason: 'window_closed' },
      ],
      ['an agent reply is held by the quota too', 'agent_reply', wechat(HOUR, 5), null, { action: 'drop', reason: 'window_quota' }],
    ] as const)('%s', (_name, purpose, channel, expiresAt, expected) => {
      expect(decideContact(input({ purpose, channel, expiresAt }))).toEqual(expected);
    });

    it('when the window closes during quiet hours, treats it as closed', () => {
      // Wrote at 00:30 two days ago: the window closes at 00:30 tonight, before quiet hours end.
      const channel = { id: 'wechat', lastCustomerMessageAt: at('2026-11-21T00:30:00+08:00'), sentSinceCustomerMessage: 0 };
      expect(decideContact(input({ now: evening, channel }))).toEqual({ action: 'drop', reason: 'window_closed' });
      expect(decideContact(input({ now: evening, channel, expiresAt: evening + 2 * DAY }))).toEqual({
        action: 'wait',
        until: evening + 2 * DAY,
        reason: 'window_closed',
      });
    });

    it('when the window is still open after quiet hours, waits for them', () => {
      const channel = { id: 'wechat', lastCustomerMessageAt: evening - HOUR, sentSinceCustomerMessage: 0 };
      expect(decideContact(input({ now: evening, channel }))).toEqual({ action: 'wait', until: nextMorning, reason: 'quiet_hours' });
    });
  });

  describe('expiry', () => {
    it.each([
      ['sendable now and not expired: sent', noon, noon + MINUTE, send],
      ['already expired: dropped', noon, noon, { action: 'drop', reason: 'expired' }],
      ['expires before quiet hours end: dropped', evening, nextMorning - HOUR, { action: 'drop', reason: 'expired' }],
      ['expires the moment quiet hours end: dropped', evening, nextMorning, { action: 'drop', reason: 'expired' }],
      ['expires a minute after quiet hours end: waits', evening, nextMorning + MINUTE, { action: 'wait', until: nextMorning, reason: 'quiet_hours' }],
    ] as const)('%s', (_name, now, expiresAt, expected) => {
      expect(decideContact(input({ now, expiresAt }))).toEqual(expected);
    });

    it('drops when the weekly cap reopens only after expiry', () => {
      const previousSends = [
        { at: noon - 6 * DAY, purpose: 'care' as const },
        { at: noon - DAY, purpose: 'care' as const },
      ];
      expect(decideContact(input({ previousSends, expiresAt: noon + 12 * HOUR }))).toEqual({ action: 'drop', reason: 'expired' });
    });

    it('no consent is reported before expiry: consent never comes back by itself', () => {
      expect(decideContact(input({ purpose: 'marketing', expiresAt: noon - 1 }))).toEqual({ action: 'drop', reason: 'no_consent' });
    });
  });

  it('follows a configured policy', () => {
    const policy: ContactPolicy = {
      ...DEFAULT_CONTACT_POLICY,
      quietHours: { startMinute: 21 * 60, endMinute: 9 * 60 },
      channelWindows: { wechat: { windowMs: 24 * HOUR, maxMessages: 1 } },
    };
    const nine = at('2026-11-22T21:00:00+08:00');
    expect(decideContact(input({ now: nine }), policy)).toEqual({ action: 'wait', until: at('2026-11-23T09:00:00+08:00'), reason: 'quiet_hours' });
    expect(decideContact(input({ channel: { ...wechatOpen(noon), lastCustomerMessageAt: noon - 25 * HOUR } }), policy)).toEqual({
      action: 'drop',
      reason: 'window_closed',
    });
    expect(decideContact(input({ channel: { ...wechatOpen(noon), sentSinceCustomerMessage: 1 } }), policy)).toEqual({ action: 'drop', reason: 'window_quota' });
  });

  it('has DOMAIN.md’s defaults', () => {
    expect(DEFAULT_CONTACT_POLICY.quietHours).toEqual({ startMinute: 22 * 60, endMinute: 8 * 60 });
    expect(DEFAULT_CONTACT_POLICY.weeklyCap).toEqual({ maxMessages: 2, periodMs: 7 * DAY });
    expect(DEFAULT_CONTACT_POLICY.channelWindows.wechat).toEqual({ windowMs: 48 * HOUR, maxMessages: 5 });
    expect(Object.isFrozen(DEFAULT_CONTACT_POLICY.purposes.marketing)).toBe(true);
  });
});
