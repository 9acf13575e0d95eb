import {
  codeSendAllowed,
  DEFAULT_VERIFICATION_POLICY,
  isVerificationFresh,
  isVerifiedHere,
  knowledgeMatches,
  parseBirthday,
  parseIdLast4,
  parseMobile,
  parseOtp,
} from '../../retention/verification';

const MINUTE = 60_000;
const now = Date.UTC(2026, 10, 22, 2, 0);

describe('a verification lasts 15 minutes', () => {
  it.each([
    [now - 14 * MINUTE, true],
    [now - 15 * MINUTE + 1, true],
    [now - 15 * MINUTE, false],
    [now + MINUTE, false],
    [null, false],
    [undefined, false],
  ])('verified at %p is fresh: %p', (at, fresh) => {
    expect(isVerificationFresh(at, now)).toBe(fresh);
  });
});

describe('a verification counts in the conversation it was made in', () => {
  const identity = { verifiedAt: now - MINUTE, verifiedConversation: 'conv-a' };
  it.each([
    ['the same conversation, fresh', identity, 'conv-a', true],
    ['another conversation of the same user (a new chat on a shared phone)', identity, 'conv-b', false],
    ['the same conversation, 15 minutes later', { ...identity, verifiedAt: now - 15 * MINUTE }, 'conv-a', false],
    ['no conversation', identity, undefined, false],
    ['never verified', { verifiedAt: null, verifiedConversation: null }, 'conv-a', false],
  ])('%s: %p', (_name, who, conversation, counts) => {
    expect(isVerifiedHere(who, conversation, now)).toBe(counts);
  });
});

describe('sending codes: 1 a minute, 5 an hour', () => {
  it('allows the first code', () => {
    expect(codeSendAllowed([], now)).toEqual({ allowed: true });
  });

  it('refuses a second within the minute, until the minute is over', () => {
    expect(codeSendAllowed([now - 30_000], now)).toEqual({ allowed: false, retryAt: now + 30_000 });
    expect(codeSendAllowed([now - MINUTE], now)).toEqual({ allowed: true });
  });

  it('refuses a sixth within the hour, until the oldest of the five is an hour old', () => {
    const five = [50, 40, 30, 20, 10].map((m) => now - m * MINUTE);
    expect(codeSendAllowed(five, now)).toEqual({ allowed: false, retryAt: now - 50 * MINUTE + 60 * MINUTE });
    expect(codeSendAllowed(five.slice(1), now)).toEqual({ allowed: true });
  });

  it('has the domain defaults', () => {
    expect(DEFAULT_VERIFICATION_POLICY).toMatchObject({
      sessionMs: 15 * MINUTE,
      codeTtlMs: 5 * MINUTE,
      codeDigits: 6,
      maxFailures: 3,
      lockMs: 30 * MINUTE,
      sendsPerMinute: 1,
      sendsPerHour: 5,
    });
  });
});

describe('reading what customers type', () => {
  it.each([
    ['123456', '123456'],
    ['123 456', '123456'],
    ['１２３４５６', '123456'],
    ['12345', undefined],
    ['1234567', undefined],
    ['abcdef', undefined],
    ['12345a', undefined],
  ])('code %p', (text, code) => expect(parseOtp(text)).toBe(code));

  it.each([
    ['13800000002', '13800000002'],
    ['138 0000 0002', '13800000002'],
    ['138-0000-0002', '13800000002'],
    ['+86 138 0000 0002', '13800000002'],
    ['008613800000002', '13800000002'],
    ['１３８０００００００２', '13800000002'],
    ['12800000002', undefined],
    ['1380000000', undefined],
    ['my number is 13800000002', undefined],
  ])('mobile %p', (text, mobile) => expect(parseMobile(text)).toBe(mobile));

  it.each([
    ['0428', '0428'],
    ['201x', '201X'],
    ['２０１Ｘ', '201X'],
    ['20X1', undefined],
    ['428', undefined],
  ])('ID last 4 %p', (text, last4) => expect(parseIdLast4(text)).toBe(last4));

  it.each([
    ['1985-04-28', '1985-04-28'],
    ['1985/4/28', '1985-04-28'],
    ['1985.4.28', '1985-04-28'],
    ['19850428', '1985-04-28'],
    ['1985年4月28日', '1985-04-28'],
    ['28/04/1985', '1985-04-28'],
    ['04/28/1985', '1985-04-28'],
    ['05/05/1985', '1985-05-05'],
    ['03/04/1985', undefined],
    ['1985-02-30', undefined],
    ['1885-01-01', undefined],
    ['yesterday', undefined],
  ])('birthday %p', (text, date) => expect(parseBirthday(text)).toBe(date));
});

describe('knowledge answers', () => {
  const record = { idLast4: '201X', birthday: '1992-11-20' };
  it('match only when both do', () => {
    expect(knowledgeMatches(record, { idLast4: '201x', birthday: '1992-11-20' })).toBe(true);
    expect(knowledgeMatches(record, { idLast4: '2011', birthday: '1992-11-20' })).toBe(false);
    expect(knowledgeMatches(record, { idLast4: '201X', birthday: '1992-11-21' })).toBe(false);
    expect(knowledgeMatches({ idLast4: null, birthday: null }, { idLast4: '201X', birthday: '1992-11-20' })).toBe(false);
  });
});
