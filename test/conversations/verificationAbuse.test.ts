import { startTestApp, type TestApp } from '../helpers/app';
import { ChatClient } from '../helpers/chat';

let t: TestApp;
let clock = Date.UTC(2026, 10, 23, 2, 0);
beforeAll(async () => {
  t = await startTestApp({ DEADLINE_CHECK_INTERVAL_S: '0' }, { now: () => clock });
});
afterAll(() => t.close());
beforeEach(() => {
  clock += 2 * 3_600_000;
});

const zh = (key: string, args?: Record<string, unknown>) => t.app.texts.t('zh-CN', key, args);

/** A stranger's conversation taken as far as the birthday question for a number. */
async function atBirthdayQuestion(mobile: string): Promise<ChatClient> {
  const chat = new ChatClient(t.url, { locale: 'zh-CN' });
  await chat.say('查余额');
  await chat.say(mobile);
  await chat.say('收不到短信');
  await chat.say('0712');
  return chat;
}

describe(`abuse of identity verification (${process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'})`, () => {
  it('does not judge an answer prepared before the customer was locked in another conversation', async () => {
    const prepared = await Promise.all([1, 2, 3, 4].map(() => atBirthdayQuestion('13800000004')));
    // Three wrong birthdays from three conversations lock the customer…
    for (const chat of prepared.slice(0, 3)) await chat.say('1990-01-01');
    // …and the fourth conversation's right answer is no longer judged.
    const [reply] = await prepared[3].texts('1999-07-12');
    expect(reply).toMatch(/^为保护您的账户安全，余额查询暂停到/);
    expect(await t.app.repositories.identities.find('test', prepared[3].userId)).toBeUndefined();
  });

  it('tells a stranger only their own attempts, whether or not the number is registered', async () => {
    const first = await atBirthdayQuestion('13800000003');
    await first.say('1990-01-01');
    const second = await atBirthdayQuestion('13800000003');
    expect(await second.texts('1990-01-01')).toEqual([zh('verify:knowledgeWrong', { count: 2 }), zh('verify:askIdLast4')]);
    const unregistered = await atBirthdayQuestion('13912345670');
    expect(await unregistered.texts('1990-01-01')).toEqual([zh('verify:knowledgeWrong', { count: 2 }), zh('verify:askIdLast4')]);
  });

  it('judges a code at most three times, however many answers arrive at once', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    await chat.say('查余额');
    await chat.say('13800000021');
    const [message] = await t.app.repositories.devSmsOutbox.latest('13800000021', 1);
    const code = /\d{6}/.exec(message.text)![0];
    const wrong = Array.from({ length: 8 }, (_, i) => String((Number(code) + i + 1) % 1_000_000).padStart(6, '0'));
    await Promise.all(wrong.map((w) => chat.say(w).catch(() => [])));
    const row = await t.db.knex('otp_codes').where({ conversation_key: chat.conversationId }).orderBy('id', 'desc').first();
    expect(Number(row.attempts)).toBeLessThanOrEqual(3);
    // The right code after that does not verify.
    await chat.say(code).catch(() => []);
    expect((await t.app.repositories.identities.find('test', chat.userId))?.verifiedAt ?? null).toBeNull();
  });
});
