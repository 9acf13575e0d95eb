import { formatTime } from '../../prompts/format';
import { startTestApp, type TestApp } from '../helpers/app';
import { ChatClient } from '../helpers/chat';

const MINUTE = 60_000;
let t: TestApp;
let clock = Date.UTC(2026, 10, 22, 2, 0);
beforeAll(async () => {
  t = await startTestApp({}, { now: () => clock });
});
afterAll(() => t.close());

const zh = (key: string, args?: Record<string, unknown>) => t.app.texts.t('zh-CN', key, args);
const en = (key: string, args?: Record<string, unknown>) => t.app.texts.t('en-US', key, args);

/** The code in the latest development SMS to a number. */
async function latestCode(mobile: string): Promise<string> {
  const [message] = await t.app.repositories.devSmsOutbox.latest(mobile, 1);
  const code = /\b(\d{6})\b/.exec(message?.text ?? '')?.[1];
  if (!code) throw new Error(`no code was sent to ${mobile}`);
  return code;
}

async function outboxSize(mobile: string): Promise<number> {
  return (await t.app.repositories.devSmsOutbox.latest(mobile, 100)).length;
}

/** Moves the clock past the sending limit so each test starts fresh. */
function later(minutes = 61): void {
  clock += minutes * MINUTE;
}

describe('balance enquiry in Chinese', () => {
  it('asks an unbound customer for the mobile number, sends a code, and shows the account asked for', async () => {
    later();
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    expect(await chat.texts('查下尾号6688的余额')).toEqual([zh('verify:askMobile')]);
    const [codePrompt] = await chat.say('138 0000 0002');
    expect(codePrompt.text).toBe(zh('verify:codeSentUnbound', { mobile: '138****0002' }));
    expect(codePrompt.suggestedActions?.actions.map((a) => a.title)).toEqual(['重新发送', '收不到短信']);
    const sms = (await t.app.repositories.devSmsOutbox.latest('13800000002', 1))[0];
    expect(sms.text).toMatch(/^【客户维系助手】您的验证码是 \d{6}，5 分钟内有效。/);

    const replies = await chat.texts(await latestCode('13800000002'));
    expect(replies[0]).toBe(zh('verify:success'));
    expect(replies[1]).toMatch(/^活期账户 \*\*\*\* 6688：¥12,345\.60（截至 \d{4}\/\d{1,2}\/\d{1,2} \d\d:\d\d）\n/);
    expect(replies[1]).not.toContain('1234');
    expect(replies[1]).not.toContain('6222020200926688');
  });

  it('remembers the binding: the next time, the code goes straight to the registered mobile', async () => {
    later();
    const first = new ChatClient(t.url, { locale: 'zh-CN' });
    await first.say('我卡里还有多少钱');
    await first.say('13800000002');
    const replies = await first.texts(await latestCode('13800000002'));
    // Two accounts and no hint which: the customer is asked, with every account and "all" on offer.
    expect(replies[1]).toBe(`${zh('balance:askWhich')} (1) 活期账户 **** 6688，(2) 储蓄账户 **** 1234，或 (3) 全部账户`);
    const picked = await first.texts('2');
    expect(picked[0]).toContain('储蓄账户 **** 1234：¥368,000.00');
    expect(picked[0]).not.toContain('6688');

    // Within 15 minutes, in the same conversation, no new verification.
    clock += 10 * MINUTE;
    const all = await first.texts('帮我查一下所有账户的余额');
    expect(all[0]).toContain('活期账户 **** 6688');
    expect(all[0]).toContain('储蓄账户 **** 1234');

    // A new conversation of the same user (a new chat on a shared phone) inherits nothing: a code, to the bound number.
    const again = new ChatClient(t.url, { locale: 'zh-CN', userId: first.userId });
    expect(await again.texts('帮我查一下所有账户的余额')).toEqual([zh('verify:codeSentBound', { mobile: '138****0002' })]);

    // After 15 minutes a bound customer is sent a code without being asked for the number.
    later(16);
    const next = new ChatClient(t.url, { locale: 'zh-CN', userId: first.userId });
    expect(await next.texts('查余额')).toEqual([zh('verify:codeSentBound', { mobile: '138****0002' })]);
  });

  it('shows a telecom customer the phone credit, and all three balances of the line when asked plainly', async () => {
    later();
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    expect(await chat.texts('话费还剩多少')).toEqual([zh('verify:askMobile')]);
    await chat.say('13800000011');
    const replies = await chat.texts(await latestCode('13800000011'));
    expect(replies[1]).toContain('话费余额 **** 0011：¥86.50');
    expect(replies[1]).not.toContain('积分');
    const all = await chat.texts('查余额');
    expect(all[0]).toContain('话费余额 **** 0011：¥86.50');
    expect(all[0]).toContain('剩余流量 **** 0011：15 GB');
    expect(all[0]).toContain('积分 **** 0011：12,800 积分');
  });

  it('verifies with the knowledge questions when the customer cannot receive texts', async () => {
    later();
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    await chat.say('保单现金价值多少');
    await chat.say('13800000021');
    expect(await chat.texts('收不到短信')).toEqual([zh('verify:askIdLast4')]);
    expect(await chat.texts('0916')).toEqual([zh('verify:askBirthday')]);
    const replies = await chat.texts('1972年9月16日');
    expect(replies[0]).toBe(zh('verify:success'));
    expect(replies[1]).toContain('保单现金价值 **** 0917：¥86,350.00');
  });

  it('locks balance access after three wrong codes, offers a person, and keeps it locked for 30 minutes', async () => {
    later();
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    await chat.say('查余额');
    await chat.say('13800000003');
    const code = await latestCode('13800000003');
    const wrong = code === '000000' ? '111111' : '000000';
    expect(await chat.texts(wrong)).toEqual([zh('verify:codeWrong', { count: 2 }), zh('verify:askCodeAgain')]);
    expect(await chat.texts(wrong)).toEqual([zh('verify:codeWrong', { count: 1 }), zh('verify:askCodeAgain')]);
    const [locked] = await chat.say(wrong);
    const until = formatTime(clock + 30 * MINUTE, 'zh-CN');
    expect(locked.text).toBe(zh('verify:locked', { time: until }));
    expect(locked.suggestedActions?.actions.map((a) => a.title)).toEqual(['转人工']);
    // The right code no longer helps: the dialog has ended and the feature is locked.
    expect(await chat.texts('查余额')).toEqual([zh('verify:stillLocked', { time: until })]);
    // Another channel user naming the same customer's number is not told, and gets no code either.
    clock += 2 * MINUTE;
    const other = new ChatClient(t.url, { locale: 'zh-CN' });
    await other.say('查余额');
    const before = await outboxSize('13800000003');
    expect(await other.texts('13800000003')).toEqual([zh('verify:codeSentUnbound', { mobile: '138****0003' })]);
    expect(await outboxSize('13800000003')).toBe(before);

    clock += 29 * MINUTE;
    expect(await chat.texts('查余额')).toEqual([zh('verify:askMobile')]);
  });
});

describe('balance enquiry in English', () => {
  it('checks a telecom customer and shows the data left', async () => {
    later();
    const chat = new ChatClient(t.url, { locale: 'en-US' });
    expect(await chat.texts('how much data do I have left')).toEqual([en('verify:askMobile')]);
    expect(await chat.texts('+86 138 0000 0012')).toEqual([en('verify:codeSentUnbound', { mobile: '138****0012' })]);
    const sms = (await t.app.repositories.devSmsOutbox.latest('13800000012', 1))[0];
    expect(sms.text).toMatch(/^Your verification code is \d{6}, valid for 5 minutes\./);
    const replies = await chat.texts(await latestCode('13800000012'));
    expect(replies).toEqual([en('verify:success'), expect.stringMatching(/^Data left \*\*\*\* 0012: 512 MB \(as of \w{3} \d{1,2}, \d{4}, \d\d:\d\d\)\n/)]);
  });

  it("shows a bank customer's savings in the English money format", async () => {
    later();
    const chat = new ChatClient(t.url, { locale: 'en-US' });
    await chat.say("what's in my savings");
    await chat.say('13800000003');
    const replies = await chat.texts(await latestCode('13800000003'));
    expect(replies[1]).toContain('Savings account **** 7781: CNY 64,500.00');
  });

  it('treats an expired code, a used code and a code from another conversation as no longer valid', async () => {
    later();
    const chat = new ChatClient(t.url, { locale: 'en-US' });
    await chat.say('check my balance');
    await chat.say('13800000022');
    const code = await latestCode('13800000022');
    clock += 6 * MINUTE;
    expect(await chat.texts(code)).toEqual([en('verify:codeExpired'), en('verify:askCodeAgain')]);
    // "resend" within the limits sends a fresh code.
    expect(await chat.texts('resend')).toEqual([en('verify:codeSentUnbound', { mobile: '138****0022' })]);
    const fresh = await latestCode('13800000022');
    expect(fresh).not.toBe(code);

    // The fresh code typed into another conversation of the same customer does not work there.
    const elsewhere = new ChatClient(t.url, { locale: 'en-US', userId: chat.userId });
    await elsewhere.say('check my balance');
    const [prompt] = await elsewhere.texts('13800000022');
    expect(prompt).toMatch(/^Codes were requested too often/);
    expect(await elsewhere.texts(fresh)).toEqual([en('verify:codeExpired'), en('verify:askCodeAgain')]);

    const ok = await chat.texts(fresh);
    expect(ok[0]).toBe(en('verify:success'));
    // Four choices are a numbered list on a channel without buttons.
    expect(ok[1]).toBe(
      `${en('balance:askWhich')}\n\n   1. Policy cash value **** 8120\n   2. Policy cash value **** 0554\n   3. Points **** 8120\n   4. All accounts`,
    );
    expect((await chat.texts('All accounts'))[0]).toContain('Points **** 8120: 28,000 points');
  });

  it('answers a number nobody has exactly as a registered one, and no code ever works for it', async () => {
    later();
    const chat = new ChatClient(t.url, { locale: 'en-US' });
    await chat.say('what is my balance');
    expect(await chat.texts('13912345678')).toEqual([en('verify:codeSentUnbound', { mobile: '139****5678' })]);
    expect(await t.app.repositories.devSmsOutbox.latest('13912345678')).toEqual([]);
    for (const code of ['000000', '123456']) expect((await chat.texts(code))[0]).toMatch(/^That code isn't right/);
    expect((await chat.texts('654321'))[0]).toMatch(/^Too many failed attempts/);
  });

  it('refuses letters for a code and a malformed mobile number with a clear request, not a failure', async () => {
    later();
    const chat = new ChatClient(t.url, { locale: 'en-US' });
    await chat.say('balance please');
    expect(await chat.texts('my number is 12345')).toEqual([en('verify:askMobileRetry')]);
    await chat.say('13800000001');
    expect(await chat.texts('abcdef')).toEqual([en('verify:askCodeRetry')]);
    expect(await chat.texts('12 34')).toEqual([en('verify:askCodeRetry')]);
    const replies = await chat.texts(await latestCode('13800000001'));
    expect(replies[0]).toBe(en('verify:success'));
  });

  it('limits code requests to one a minute and five an hour, for every number alike', async () => {
    later();
    const chat = new ChatClient(t.url, { locale: 'en-US' });
    await chat.say('check balance');
    await chat.say('13800000013');
    expect(await outboxSize('13800000013')).toBeGreaterThan(0);
    const sent = await outboxSize('13800000013');
    const [tooSoon] = await chat.texts('resend');
    expect(tooSoon).toMatch(/^Codes were requested too often; please try again after \d\d:\d\d/);
    expect(await outboxSize('13800000013')).toBe(sent);
    for (let i = 0; i < 4; i++) {
      clock += MINUTE;
      await chat.say('resend');
    }
    expect(await outboxSize('13800000013')).toBe(sent + 4);
    clock += MINUTE;
    expect((await chat.texts('resend'))[0]).toMatch(/^Codes were requested too often/);
    expect(await outboxSize('13800000013')).toBe(sent + 4);
  });
});

describe('the transcript of a balance enquiry', () => {
  it('keeps the masked mobile number and balance lines, and never the code', async () => {
    later();
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    await chat.say('查余额');
    await chat.say('13800000005');
    const code = await latestCode('13800000005');
    await chat.say(code);
    const conversation = await t.db.knex('conversations').where({ conversation_key: chat.conversationId }).first();
    const lines = await t.db.knex('transcript_activities').where({ conversation_id: conversation.id }).orderBy('id');
    const all = JSON.stringify(lines);
    expect(all).not.toContain(code);
    expect(all).not.toContain('13800000005');
    expect(all).toContain('138****0005');
    const redacted = lines.find((l) => l.direction === 'in' && JSON.parse(l.meta ?? '{}').redacted);
    expect(redacted?.text).toBeNull();
    expect(conversation.customer_id).not.toBeNull();
    const audit = await t.app.repositories.audit.list({ targetType: 'conversation', targetId: conversation.id });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['verification.succeeded']));
  });
});
