import {
  churnRiskBump,
  type CsatLabels,
  decideSurvey,
  DEFAULT_SURVEY_POLICY,
  isLowScore,
  npsCategory,
  parseScore,
  recoveryCase,
  surveyExpired,
  surveyExpiresAt,
  type SurveyInput,
} from '../../retention/surveyPolicy';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = Date.parse('2026-11-22T10:00:00+08:00');

describe('decideSurvey', () => {
  const input = (over: Partial<SurveyInput>): SurveyInput => ({
    trigger: 'agent_resolved',
    now,
    hasOpenComplaint: false,
    surveyedInConversation: false,
    lastNpsAskedAt: now - 10 * DAY,
    ...over,
  });

  it.each([
    ['after an agent resolved the conversation, asks CSAT', {}, { ask: true, kind: 'csat', alsoNps: false }],
    ['after a complaint is closed, asks CSAT', { trigger: 'complaint_closed' }, { ask: true, kind: 'csat', alsoNps: false }],
    ['when the customer starts feedback, asks CSAT', { trigger: 'customer_started' }, { ask: true, kind: 'csat', alsoNps: false }],
    ['while a complaint is open, asks nothing', { hasOpenComplaint: true }, { ask: false, reason: 'complaint_open' }],
    [
      'while a complaint is open, not even when the customer starts it',
      { trigger: 'customer_started', hasOpenComplaint: true },
      { ask: false, reason: 'complaint_open' },
    ],
    [
      'while a complaint is open, no relationship NPS either',
      { trigger: 'relationship', lastNpsAskedAt: null, hasOpenComplaint: true },
      { ask: false, reason: 'complaint_open' },
    ],
    ['a second survey in the conversation is not asked', { surveyedInConversation: true }, { ask: false, reason: 'already_surveyed' }],
    [
      'a second survey is not asked even when the customer starts it',
      { trigger: 'customer_started', surveyedInConversation: true },
      { ask: false, reason: 'already_surveyed' },
    ],
    ['relationship NPS never asked before: asked', { trigger: 'relationship', lastNpsAskedAt: null }, { ask: true, kind: 'nps' }],
    ['relationship NPS asked 89 days ago: not yet', { trigger: 'relationship', lastNpsAskedAt: now - 89 * DAY }, { ask: false, reason: 'nps_too_soon' }],
    [
      'relationship NPS asked a second under 90 days ago: not yet',
      { trigger: 'relationship', lastNpsAskedAt: now - 90 * DAY + 1000 },
      { ask: false, reason: 'nps_too_soon' },
    ],
    ['relationship NPS asked 90 days ago: asked', { trigger: 'relationship', lastNpsAskedAt: now - 90 * DAY }, { ask: true, kind: 'nps' }],
    ['NPS due after an agent conversation: rides along with the CSAT', { lastNpsAskedAt: now - 90 * DAY }, { ask: true, kind: 'csat', alsoNps: true }],
    [
      'NPS due when the customer starts feedback: rides along',
      { trigger: 'customer_started', lastNpsAskedAt: null },
      { ask: true, kind: 'csat', alsoNps: true },
    ],
    [
      'NPS due after a closed complaint: not added, it would rate the complaint',
      { trigger: 'complaint_closed', lastNpsAskedAt: null },
      { ask: true, kind: 'csat', alsoNps: false },
    ],
    ['NPS asked 89 days ago: CSAT alone', { lastNpsAskedAt: now - 89 * DAY }, { ask: true, kind: 'csat', alsoNps: false }],
  ] as const)('%s', (_name, over, expected) => {
    expect(decideSurvey(input(over))).toEqual(expected);
  });
});

describe('surveyExpired', () => {
  const sentAt = now;
  it.each([
    ['just sent', sentAt, false],
    ['47h59m after', sentAt + 47 * HOUR + 59 * 60_000, false],
    ['a millisecond before 48 h', sentAt + 48 * HOUR - 1, false],
    ['at 48 h', sentAt + 48 * HOUR, true],
    ['48h01m after', sentAt + 48 * HOUR + 60_000, true],
  ])('%s → %s', (_name, at, expired) => {
    expect(surveyExpired(sentAt, at)).toBe(expired);
  });

  it('gives the expiry instant, for the contact policy’s expiresAt', () => {
    expect(surveyExpiresAt(sentAt)).toBe(sentAt + 48 * HOUR);
  });
});

describe('parseScore', () => {
  describe('CSAT (1–5)', () => {
    it.each([
      ['3', 3],
      ['５', 5],
      [' 4 ', 4],
      ['5分', 5],
      ['五分', 5],
      ['打5分', 5],
      ['我打五分吧', 5],
      ['两分', 2],
      ['一星', 1],
      ['五颗星', 5],
      ['3 stars', 3],
      ['five', 5],
      ['Four', 4],
      ["I'd give it a 4", 4],
      ['4/5', 4],
      ['4 out of 5', 4],
      ['非常满意', 5],
      ['非常满意！', 5],
      ['非常满意，谢谢', 5],
      ['很满意', 5],
      ['满意', 4],
      ['我很满意', 5],
      ['一般', 3],
      ['一般般吧', 3],
      ['不满意', 2],
      ['非常不满意', 1],
      ['十分满意', 5],
      ['Very satisfied', 5],
      ['VERY SATISFIED!!', 5],
      ["I'm very satisfied", 5],
      ['satisfied', 4],
      ['neutral', 3],
      ['dissatisfied', 2],
      ['very dissatisfied', 1],
      ['5分，很满意', 5],
    ])('%s → %s', (text, score) => {
      expect(parseScore(text, 'csat', 'zh-CN')).toEqual({ ok: true, score });
    });

    it.each([
      ['六分', 'out_of_range'],
      ['6', 'out_of_range'],
      ['0', 'out_of_range'],
      ['4.5', 'out_of_range'],
      ['-1', 'out_of_range'],
      ['ten', 'out_of_range'],
      ['abc', 'not_a_number'],
      ['', 'not_a_number'],
      ['   ', 'not_a_number'],
      ['还可以吧，等了十分钟', 'not_a_number'],
      ['一点都不好', 'not_a_number'],
      ['5分，不对，4分', 'not_a_number'],
      ['1-5', 'not_a_number'],
      ['谢谢', 'not_a_number'],
    ])('%s → %s', (text, reason) => {
      expect(parseScore(text, 'csat', 'zh-CN')).toEqual({ ok: false, reason });
    });

    it('reads English labels in a Chinese conversation and Chinese labels in an English one', () => {
      expect(parseScore('very satisfied', 'csat', 'zh-CN')).toEqual({ ok: true, score: 5 });
      expect(parseScore('不满意', 'csat', 'en-US')).toEqual({ ok: true, score: 2 });
    });

    it('takes label lists from the caller (e.g. locale files)', () => {
      const labels: CsatLabels = { 'zh-CN': { 超赞: 5, 太差了: 1 } };
      expect(parseScore('超赞！', 'csat', 'zh-CN', labels)).toEqual({ ok: true, score: 5 });
      expect(parseScore('太差了', 'csat', 'zh-CN', labels)).toEqual({ ok: true, score: 1 });
      expect(parseScore('非常满意', 'csat', 'zh-CN', labels)).toEqual({ ok: false, reason: 'not_a_number' });
    });
  });

  describe('NPS (0–10)', () => {
    it.each([
      ['0', 0],
      ['10', 10],
      ['１０', 10],
      ['十', 10],
      ['十分', 10],
      ['九分', 9],
      ['零', 0],
      ['ten', 10],
      ['zero', 0],
      ['9/10', 9],
      ['8 out of 10', 8],
      ['7 points', 7],
      ['给你们打8分', 8],
    ])('%s → %s', (text, score) => {
      expect(parseScore(text, 'nps', 'en-US')).toEqual({ ok: true, score });
    });

    it.each([
      ['11', 'out_of_range'],
      ['十一', 'out_of_range'],
      ['eleven', 'out_of_range'],
      ['100分', 'out_of_range'],
      ['abc', 'not_a_number'],
      ['very satisfied', 'not_a_number'],
      ['非常满意', 'not_a_number'],
    ])('%s → %s', (text, reason) => {
      expect(parseScore(text, 'nps', 'en-US')).toEqual({ ok: false, reason });
    });
  });
});

describe('scores', () => {
  it.each([
    ['csat', 1, true],
    ['csat', 2, true],
    ['csat', 3, false],
    ['csat', 5, false],
    ['nps', 0, true],
    ['nps', 6, true],
    ['nps', 7, false],
    ['nps', 10, false],
  ] as const)('%s %s is low: %s', (kind, score, low) => {
    expect(isLowScore(kind, score)).toBe(low);
  });

  it.each([
    [10, 'promoter'],
    [9, 'promoter'],
    [8, 'passive'],
    [7, 'passive'],
    [6, 'detractor'],
    [0, 'detractor'],
  ])('NPS %s is a %s', (score, category) => {
    expect(npsCategory(score)).toBe(category);
  });
});

describe('recoveryCase', () => {
  it.each([
    [
      'a low CSAT of a customer with a relationship manager goes to that manager, due in 24 h',
      { kind: 'csat', score: 2, comment: '等太久了', customer: { relationshipManagerId: 7 }, now },
      { ownerKind: 'relationship_manager', ownerId: 7, dueAt: now + 24 * HOUR, kind: 'csat', score: 2, comment: '等太久了' },
    ],
    [
      'a detractor without a relationship manager goes to the supervisors',
      { kind: 'nps', score: 6, customer: { relationshipManagerId: null }, now },
      { ownerKind: 'supervisor', dueAt: now + 24 * HOUR, kind: 'nps', score: 6, comment: null },
    ],
    ['a CSAT of 3 opens no case', { kind: 'csat', score: 3, comment: null, customer: { relationshipManagerId: 7 }, now }, null],
    ['a passive NPS opens no case', { kind: 'nps', score: 7, customer: { relationshipManagerId: null }, now }, null],
  ] as const)('%s', (_name, input, expected) => {
    expect(recoveryCase(input)).toEqual(expected);
  });
});

describe('churnRiskBump', () => {
  it.each([
    ['csat', 1, { code: 'low_satisfaction', detail: { kind: 'csat', score: 1 } }],
    ['nps', 6, { code: 'low_satisfaction', detail: { kind: 'nps', score: 6 } }],
    ['csat', 4, null],
    ['nps', 9, null],
  ] as const)('%s %s → %j', (kind, score, expected) => {
    expect(churnRiskBump(kind, score)).toEqual(expected);
  });

  it('has DOMAIN.md’s thresholds by default', () => {
    expect(DEFAULT_SURVEY_POLICY.lowScore).toEqual({ csat: 2, nps: 6 });
    expect(DEFAULT_SURVEY_POLICY.npsIntervalMs).toBe(90 * DAY);
  });
});
