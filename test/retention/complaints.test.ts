import {
  assessSeverity,
  categoryFromText,
  complaintDeadlines,
  type ComplaintCategory,
  type DeadlinePolicy,
  DEFAULT_CATEGORY_LEXICON,
  DEFAULT_DEADLINE_POLICY,
  DEFAULT_SEVERITY_LEXICON,
  formatComplaintReference,
  isOverdue,
  type OverdueInput,
  parseComplaintReference,
  referenceDate,
  type Severity,
} from '../../retention/complaints';
import type { Tier } from '../../retention/types';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 2026-11-22 10:00 in Shanghai. */
const FILED = Date.UTC(2026, 10, 22, 2, 0);

describe('categoryFromText', () => {
  describe('finds the category from its keywords', () => {
    it.each<[string, ComplaintCategory]>([
      ['你们乱收费，扣了我两次手续费', 'billing'],
      ['I was charged a fee I never agreed to', 'billing'],
      ['柜员态度太差了，排队一个小时', 'service'],
      ['I waited an hour and the staff were rude', 'service'],
      ['家里5G网络老是掉线，没信号', 'product'],
      ['no signal at home, the network is down', 'product'],
      ['理财经理误导我买了基金', 'sales'],
      ['I was mis-sold a fund', 'sales'],
      ['手机银行闪退，登录不了', 'digital'],
      ['ＡＰＰ闪退', 'digital'],
      ['The app crashes every time I try to login', 'digital'],
      ['车险理赔被拒赔了', 'claims'],
      ['my claim was rejected', 'claims'],
      ['扣费扣错了，APP上还看不到账单', 'billing'],
    ])('%s → %s', (text, expected) => {
      expect(categoryFromText(text, DEFAULT_CATEGORY_LEXICON)).toBe(expected);
    });
  });

  describe('gives no category rather than guessing', () => {
    it.each([
      ['an empty text', ''],
      ['no keyword at all', '我想说一下我的问题'],
      ['a tie between two categories', '银行app扣费'],
      ['an English keyword inside a longer word ("app" in "happy")', 'I am not happy'],
    ])('%s', (_name, text) => {
      expect(categoryFromText(text, DEFAULT_CATEGORY_LEXICON)).toBeUndefined();
    });
  });

  it('uses only the lexicon it is given, so the words can live in locale files', () => {
    const lexicon = { claims: ['赔款'] };
    expect(categoryFromText('赔款还没到账', lexicon)).toBe('claims');
    expect(categoryFromText('乱收费', lexicon)).toBeUndefined();
  });
});

describe('assessSeverity', () => {
  const assess = (category: ComplaintCategory, tier: Tier, text: string, repeat?: boolean) =>
    assessSeverity({ category, tier, text, ...(repeat === undefined ? {} : { signals: { repeat } }) }, DEFAULT_SEVERITY_LEXICON);

  describe('starts from the category', () => {
    it.each<[ComplaintCategory, Severity]>([
      ['billing', 'medium'],
      ['service', 'medium'],
      ['product', 'low'],
      ['sales', 'medium'],
      ['digital', 'medium'],
      ['claims', 'medium'],
      ['other', 'low'],
    ])('a plain %s complaint from a regular customer is %s', (category, severity) => {
      expect(assess(category, 'regular', '请处理一下')).toEqual({ severity, reasons: [`category:${category}`] });
    });
  });

  describe('is raised by words', () => {
    it.each<[string, ComplaintCategory, string, Severity, string[]]>([
      ['a regulator hotline', 'billing', '再不处理我就打12378投诉', 'critical', ['word:12378']],
      ['a regulator by name', 'other', '我要向银保监反映', 'critical', ['word:银保监']],
      ['a lawyer and a lawsuit', 'service', '我已经找了律师，准备起诉', 'critical', ['word:律师', 'word:起诉']],
      ['calling the police', 'product', '我要报警', 'critical', ['word:报警']],
      ['the media, in English', 'other', 'I will go to the media', 'critical', ['word:media']],
      ['the regulator, in upper case', 'billing', 'I am writing to the REGULATOR', 'critical', ['word:regulator']],
      ['card fraud', 'billing', '我的卡被人盗刷了', 'high', ['word:盗刷']],
      ['being cheated out of money', 'sales', '我被骗了，损失了五万', 'high', ['word:被骗', 'word:损失']],
      ['stolen money, in English', 'digital', 'money was stolen from my account', 'high', ['word:stolen']],
      ['"lost money" across extra spaces', 'other', 'I lost   money because of you', 'high', ['word:lost money']],
      ['anger lifting a low category', 'product', '信号太差了，非常不满', 'medium', ['word:不满', 'word:太差']],
    ])('%s', (_name, category, text, severity, words) => {
      expect(assess(category, 'regular', text)).toEqual({ severity, reasons: [`category:${category}`, ...words] });
    });

    it('takes the highest level whose words appear and lists only its words', () => {
      expect(assess('billing', 'regular', '盗刷了还不管，我要找媒体')).toEqual({ severity: 'critical', reasons: ['category:billing', 'word:媒体'] });
    });

    it('never lowers the category level with a milder word', () => {
      expect(assess('billing', 'regular', '很失望')).toEqual({ severity: 'medium', reasons: ['category:billing'] });
    });

    it.each([
      ['"sue" inside "issue"', 'there is an issue with my bill'],
      ['"police" inside "policies"', 'I read your policies'],
      ['"court" inside "courtesy"', 'a little courtesy please'],
      ['a hotline number inside a longer number', '订单号0123789'],
    ])('does not match a word inside another word: %s', (_name, text) => {
      expect(assess('billing', 'regular', text).severity).toBe('medium');
    });

    it('uses only the lexicon it is given', () => {
      const lexicon = { critical: ['投诉到总行'] };
      expect(assessSeverity({ category: 'service', tier: 'regular', text: '我要投诉到总行' }, lexicon).severity).toBe('critical');
      expect(assessSeverity({ category: 'service', tier: 'regular', text: '我要报警' }, lexicon).severity).toBe('medium');
    });
  });

  describe('is raised by tier and repetition, but never to critical by them', () => {
    it.each<[string, ComplaintCategory, Tier, string, boolean | undefined, Severity, string[]]>([
      ['a vip raises one step', 'billing', 'vip', '请处理', undefined, 'high', ['category:billing', 'tier:vip']],
      ['a gold customer does not raise', 'billing', 'gold', '请处理', undefined, 'medium', ['category:billing']],
      ['a silver customer does not raise', 'billing', 'silver', '请处理', undefined, 'medium', ['category:billing']],
      ['a repeat raises one step', 'product', 'regular', '还是没信号', true, 'medium', ['category:product', 'repeat']],
      ['no repeat signal, no raise', 'product', 'regular', '还是没信号', false, 'low', ['category:product']],
      ['a vip repeat on a low category raises two steps', 'product', 'vip', '还是没信号', true, 'high', ['category:product', 'tier:vip', 'repeat']],
      ['a vip repeat on a medium category stops at high', 'billing', 'vip', '请处理', true, 'high', ['category:billing', 'tier:vip']],
      ['a vip with fraud stays high', 'billing', 'vip', '卡被人盗刷', undefined, 'high', ['category:billing', 'word:盗刷']],
      ['a vip with a regulator threat is critical from the words', 'billing', 'vip', '打12378', true, 'critical', ['category:billing', 'word:12378']],
    ])('%s', (_name, category, tier, text, repeat, severity, reasons) => {
      expect(assess(category, tier, text, repeat)).toEqual({ severity, reasons });
    });
  });
});

describe('complaintDeadlines', () => {
  describe('uses the DOMAIN.md defaults per tier', () => {
    it.each<[Tier, Severity, number, number]>([
      ['vip', 'medium', 2 * HOUR, 3 * DAY],
      ['gold', 'medium', 2 * HOUR, 7 * DAY],
      ['silver', 'medium', 24 * HOUR, 7 * DAY],
      ['regular', 'medium', 24 * HOUR, 7 * DAY],
      ['regular', 'high', 24 * HOUR, 7 * DAY],
      ['regular', 'critical', 2 * HOUR, 7 * DAY],
      ['silver', 'critical', 2 * HOUR, 7 * DAY],
      ['vip', 'critical', 2 * HOUR, 3 * DAY],
    ])('%s, %s: first contact after %d ms, resolution after %d ms', (tier, severity, contact, resolution) => {
      expect(complaintDeadlines({ tier, severity, createdAt: FILED })).toEqual({ firstContactDueAt: FILED + contact, resolutionDueAt: FILED + resolution });
    });
  });

  describe("never promises later than the regulators' 15 days", () => {
    it.each<[string, Partial<DeadlinePolicy>, number, number]>([
      ['a 20-day resolution is cut to 15', { resolutionDays: { vip: 3, gold: 7, silver: 7, regular: 20 } }, 24 * HOUR, 15 * DAY],
      ['exactly 15 days is kept', { resolutionDays: { vip: 3, gold: 7, silver: 7, regular: 15 } }, 24 * HOUR, 15 * DAY],
      ['a tighter cap cuts the default 7 days', { capDays: 5 }, 24 * HOUR, 5 * DAY],
      ['a first contact later than the resolution is cut to it', { firstContactHours: { vip: 2, gold: 2, silver: 24, regular: 400 } }, 7 * DAY, 7 * DAY],
    ])('%s', (_name, change, contact, resolution) => {
      const policy = { ...DEFAULT_DEADLINE_POLICY, ...change };
      expect(complaintDeadlines({ tier: 'regular', severity: 'medium', createdAt: FILED }, policy)).toEqual({
        firstContactDueAt: FILED + contact,
        resolutionDueAt: FILED + resolution,
      });
    });
  });

  it('takes the critical first-contact hours from the policy', () => {
    const policy = { ...DEFAULT_DEADLINE_POLICY, criticalFirstContactHours: 1 };
    expect(complaintDeadlines({ tier: 'vip', severity: 'critical', createdAt: FILED }, policy).firstContactDueAt).toBe(FILED + HOUR);
  });
});

describe('isOverdue', () => {
  const due = { firstContactDueAt: FILED + 24 * HOUR, resolutionDueAt: FILED + 7 * DAY };
  it.each<[string, Omit<OverdueInput, 'firstContactDueAt' | 'resolutionDueAt'>, number, { firstContact: boolean; resolution: boolean }]>([
    ['open, before any deadline', { status: 'open' }, FILED + HOUR, { firstContact: false, resolution: false }],
    ['open, exactly at the first-contact deadline', { status: 'open', firstContactedAt: null }, FILED + 24 * HOUR, { firstContact: false, resolution: false }],
    [
      'open, 1 ms past the first-contact deadline',
      { status: 'open', firstContactedAt: null },
      FILED + 24 * HOUR + 1,
      { firstContact: true, resolution: false },
    ],
    [
      'contacted in time, now past the contact deadline',
      { status: 'acknowledged', firstContactedAt: FILED + HOUR },
      FILED + 2 * DAY,
      { firstContact: false, resolution: false },
    ],
    [
      'contacted late stays breached',
      { status: 'acknowledged', firstContactedAt: FILED + 30 * HOUR },
      FILED + 2 * DAY,
      { firstContact: true, resolution: false },
    ],
    [
      'acknowledged, exactly at the resolution deadline',
      { status: 'acknowledged', firstContactedAt: FILED + HOUR },
      FILED + 7 * DAY,
      { firstContact: false, resolution: false },
    ],
    [
      'acknowledged, 1 ms past the resolution deadline',
      { status: 'acknowledged', firstContactedAt: FILED + HOUR },
      FILED + 7 * DAY + 1,
      { firstContact: false, resolution: true },
    ],
    [
      'resolved in time, looked at later',
      { status: 'resolved', firstContactedAt: FILED + HOUR, resolvedAt: FILED + 3 * DAY },
      FILED + 30 * DAY,
      { firstContact: false, resolution: false },
    ],
    [
      'resolved late stays breached after closing',
      { status: 'closed', firstContactedAt: FILED + HOUR, resolvedAt: FILED + 8 * DAY },
      FILED + 30 * DAY,
      { firstContact: false, resolution: true },
    ],
    [
      'resolved in time with no contact recorded: the resolution was the contact',
      { status: 'resolved', resolvedAt: FILED + HOUR },
      FILED + 30 * DAY,
      { firstContact: false, resolution: false },
    ],
    [
      'closed with no times recorded is not flagged',
      { status: 'closed', firstContactedAt: null, resolvedAt: null },
      FILED + 30 * DAY,
      { firstContact: false, resolution: false },
    ],
  ])('%s', (_name, complaint, now, expected) => {
    expect(isOverdue({ ...due, ...complaint }, now)).toEqual(expected);
  });
});

describe('complaint references', () => {
  describe('formatComplaintReference', () => {
    it.each<[string, number, string]>([
      ['20261122', 7, 'C20261122-0007'],
      ['20261122', 1, 'C20261122-0001'],
      ['20261122', 9999, 'C20261122-9999'],
      ['20261122', 10000, 'C20261122-10000'],
      ['20280229', 123456, 'C20280229-123456'],
    ])('%s #%d → %s', (date, sequence, expected) => {
      expect(formatComplaintReference(date, sequence)).toBe(expected);
      expect(parseComplaintReference(expected)).toEqual({ reference: expected, date, sequence });
    });

    it.each<[string, string, number]>([
      ['a sequence of 0', '20261122', 0],
      ['a negative sequence', '20261122', -1],
      ['a fractional sequence', '20261122', 1.5],
      ['a NaN sequence', '20261122', Number.NaN],
      ['a date with dashes', '2026-11-22', 1],
      ['a 7-digit date', '2026112', 1],
      ['the 31st of November', '20261131', 1],
      ['29 February of a common year', '20260229', 1],
    ])('refuses %s', (_name, date, sequence) => {
      expect(() => formatComplaintReference(date, sequence)).toThrow(RangeError);
    });
  });

  describe('parseComplaintReference rejects anything but the stored form', () => {
    it.each([
      ['an empty text', ''],
      ['a lower-case c', 'c20261122-0007'],
      ['three sequence digits', 'C20261122-007'],
      ['five digits with padding', 'C20261122-00007'],
      ['sequence 0', 'C20261122-0000'],
      ['an impossible date', 'C20261131-0001'],
      ['month 13', 'C20261322-0001'],
      ['a year 0000', 'C00001122-0001'],
      ['a space instead of the dash', 'C20261122 0007'],
      ['no dash', 'C202611220007'],
      ['leading white space', ' C20261122-0007'],
      ['trailing white space', 'C20261122-0007 '],
      ['trailing text', 'C20261122-0007x'],
      ['leading text', 'XC20261122-0007'],
      ['a 7-digit date', 'C2026112-0007'],
      ['full-width digits', 'C20261122-０００７'],
    ])('%s', (_name, text) => {
      expect(parseComplaintReference(text)).toBeUndefined();
    });
  });

  describe('referenceDate', () => {
    it.each<[string, number, string | undefined, string]>([
      ['the last ms of 21 November in Shanghai (UTC 15:59:59.999)', Date.UTC(2026, 10, 21, 15, 59, 59, 999), undefined, '20261121'],
      ['midnight in Shanghai is still the previous day in UTC', Date.UTC(2026, 10, 21, 16, 0), undefined, '20261122'],
      ['the same instant read in UTC', Date.UTC(2026, 10, 21, 16, 0), 'UTC', '20261121'],
      ['New Year in Shanghai', Date.UTC(2026, 11, 31, 16, 0), 'Asia/Shanghai', '20270101'],
    ])('%s', (_name, now, zone, expected) => {
      expect(zone ? referenceDate(now, zone) : referenceDate(now)).toBe(expected);
    });

    it('refuses an unknown time zone', () => {
      expect(() => referenceDate(FILED, 'Mars/Olympus')).toThrow(RangeError);
    });
  });
});
