import { startTestApp, type TestApp } from '../helpers/app';
import { ChatClient } from '../helpers/chat';

// 10:00 in Shanghai on a Monday: inside the default working hours, so a person can be offered at once.
const MORNING = Date.UTC(2026, 10, 23, 2, 0);
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ DEADLINE_CHECK_INTERVAL_S: '0' }, { now: () => MORNING });
});
afterAll(() => t.close());

describe('a service request the assistant does not handle', () => {
  it.each([
    ['zh-CN', '新办的信用卡怎么激活啊'],
    ['zh-CN', '密碼忘記了怎麼重設'],
    ['en-US', 'how do I reset my PIN'],
    ['en-US', 'cancel the transfer I made this morning'],
  ] as const)('(%s) "%s" is answered honestly, with the way to a person', async (locale, text) => {
    const chat = new ChatClient(t.url, { locale });
    const [reply, ...rest] = await chat.say(text);
    expect(rest).toEqual([]);
    expect(reply.text).toBe(t.app.texts.t(locale, 'main:unsupported'));
    expect(reply.suggestedActions?.actions.map((a) => a.title)).toEqual([
      t.app.texts.t(locale, 'main:suggestions.human'),
      t.app.texts.t(locale, 'main:suggestions.help'),
    ]);
  });

  it('hands over to a person when the customer takes the offer', async () => {
    const agent = await t.app.repositories.staff.findByUsername('agent.zhang');
    await t.app.hub.setPresence(agent!.id, 'online', 50);
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    await chat.say('我想申请一笔装修贷款');
    expect(await chat.texts(t.app.texts.t('zh-CN', 'main:suggestions.human'))).toEqual([t.app.texts.t('zh-CN', 'human:queuedNext')]);
    const conversation = await t.app.repositories.conversations.find('test', chat.conversationId);
    const handoff = await t.app.repositories.handoffs.findOpenForConversation(conversation!.id);
    expect(handoff).toMatchObject({ reasons: ['explicit_request'] });
    await t.app.hub.abandon(handoff!.id, 'customer_left');
  });

  it('smoke: the literal wording in each language', async () => {
    const zh = new ChatClient(t.url, { locale: 'zh-CN' });
    expect((await zh.texts('卡丢了怎么挂失'))[0]).toContain('我在这里办理不了');
    const en = new ChatClient(t.url, { locale: 'en-US' });
    expect((await en.texts('I lost my card'))[0]).toContain("that's something I can't do here");
  });
});
