import { startTestApp, type TestApp } from '../helpers/app';
import { ChatClient } from '../helpers/chat';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const zh = (key: string, args?: Record<string, unknown>) => t.app.texts.t('zh-CN', key, args);
const en = (key: string, args?: Record<string, unknown>) => t.app.texts.t('en-US', key, args);

describe('a Chinese-speaking customer, through the whole bot', () => {
  it('is greeted, learns what the bot can do, is understood or told so, and says goodbye', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    expect(await chat.texts('您好')).toEqual([zh('main:greeting')]);
    const help = await chat.say('你能帮我做什么');
    expect(help[0].text).toBe(t.app.texts.render('zh-CN', 'main.help'));
    expect(help[0].suggestedActions?.actions.map((a) => a.title)).toEqual(['查询余额', '我要投诉', '看看优惠', '转人工']);
    expect(await chat.texts('你们食堂今天吃什么')).toEqual([zh('main:notUnderstood')]);
    expect(await chat.texts('好的谢谢')).toEqual([zh('main:thanks')]);
    expect(await chat.texts('再见')).toEqual([zh('main:goodbye')]);
  });

  it('smoke: the literal wording of a greeting and a goodbye', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    expect(await chat.texts('你好')).toEqual(['您好！很高兴为您服务。请问今天有什么可以帮您？']);
    expect(await chat.texts('拜拜')).toEqual(['感谢您的咨询，祝您生活愉快！有需要随时找我。']);
  });
});

describe('an English-speaking customer, through the whole bot', () => {
  it('is greeted, asks for help, starts a survey and lets it go', async () => {
    const chat = new ChatClient(t.url, { locale: 'en-US' });
    expect(await chat.texts('hi there')).toEqual([en('main:greeting')]);
    expect(await chat.texts('how can you help me')).toEqual([t.app.texts.render('en-US', 'main.help')]);
    expect(await chat.texts('I want to give feedback')).toEqual([en('survey:askCsatStarted')]);
    expect(await chat.texts('skip')).toEqual([en('survey:declined')]);
    expect(await chat.texts('bye')).toEqual([en('main:goodbye')]);
  });

  it('smoke: the literal wording of a greeting', async () => {
    const chat = new ChatClient(t.url, { locale: 'en-US' });
    expect(await chat.texts('hello')).toEqual(['Hello! Glad to help. What can I do for you today?']);
  });
});

describe('language', () => {
  it('follows the script of the message when the channel sends no locale', async () => {
    const chat = new ChatClient(t.url);
    expect(await chat.texts('hello')).toEqual([en('main:greeting')]);
    expect(await chat.texts('你好')).toEqual([zh('main:greeting')]);
  });

  it('keeps a language the customer asked for, over the channel locale, and in later conversations', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    expect(await chat.texts('English please')).toEqual([en('main:languageSwitched')]);
    expect(await chat.texts('你好')).toEqual([en('main:greeting')]);
    const later = new ChatClient(t.url, { locale: 'zh-CN', userId: chat.userId });
    expect(await later.texts('你好')).toEqual([en('main:greeting')]);
    expect(await later.texts('说中文')).toEqual([zh('main:languageSwitched')]);
    expect(await later.texts('hello')).toEqual([zh('main:greeting')]);
  });
});

describe('transcripts', () => {
  it('records every message both ways, with personal data masked', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    await chat.say('你好');
    await chat.say('谢谢，我手机13812345678，卡号6222021234567890128，身份证11010519491231002X');
    const conversation = await t.db.knex('conversations').where({ channel_id: 'test', conversation_key: chat.conversationId }).first();
    const lines = await t.db.knex('transcript_activities').where({ conversation_id: conversation.id }).orderBy('id');
    expect(lines.map((l) => [l.direction, l.sender])).toEqual([
      ['in', 'customer'],
      ['out', 'bot'],
      ['in', 'customer'],
      ['out', 'bot'],
    ]);
    expect(lines[2].text).toBe('谢谢，我手机138****5678，卡号**** 0128，身份证1****************X');
    const everything = JSON.stringify(lines);
    expect(everything).not.toContain('13812345678');
    expect(everything).not.toContain('6222021234567890128');
    expect(everything).not.toContain('11010519491231002X');
    expect(JSON.parse(lines[1].meta).suggestions).toEqual(['查询余额', '我要投诉', '看看优惠', '转人工']);
    const reference = JSON.parse(conversation.reference);
    expect(reference).toMatchObject({ channelId: 'test', conversation: { id: chat.conversationId }, user: { id: chat.userId } });
    // The per-message activity id is not part of the stored reference (it would change on every turn).
    expect(reference).not.toHaveProperty('activityId');
  });

  it('keeps conversation and user state in the database between turns', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    await chat.say('English please');
    const rows = await t.db.knex('bot_state').where('key', 'like', `test/%`);
    const user = rows.find((r) => r.key === `test/users/${chat.userId}/`);
    expect(JSON.parse(user.data)).toMatchObject({ profile: { preferredLocale: 'en-US' } });
  });
});
