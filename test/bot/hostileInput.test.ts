import type { Activity } from 'botbuilder';
import { startTestApp, type TestApp } from '../helpers/app';
import { ChatClient, postActivity } from '../helpers/chat';
import { rawRequest } from '../helpers/rawHttp';
import { startFakeWeChatApi } from '../fakes/wechatApi';
import { newOpenid, TEST_ACCOUNT, textXml, WeChatCaller, wechatEnv } from '../helpers/wechat';
import { cdata } from '../../bot/channels/wechat/xml';

// Every answer below is read for what a client must never see: SQL, a stack, a driver's or the SDK's own words.
const INTERNAL =
  /\b(?:select|insert|update|delete)\b.*\b(?:from|into|set)\b|\bat \S+ \(|node_modules|TypeError|ReferenceError|toLowerCase|violates|syntax error|SQLITE_|invalid byte sequence/i;

let t: TestApp;
let wechatApi: Awaited<ReturnType<typeof startFakeWeChatApi>>;
beforeAll(async () => {
  wechatApi = await startFakeWeChatApi({ appId: TEST_ACCOUNT.appId, appSecret: TEST_ACCOUNT.appSecret });
  t = await startTestApp(wechatEnv(wechatApi.url));
});
afterAll(async () => {
  await t.close();
  await wechatApi.close();
});

const zh = (key: string, args?: Record<string, unknown>) => t.app.texts.t('zh-CN', key, args);

function turnErrors(): number {
  return t.logs.filter((l) => l.event === 'turn.error').length;
}

describe('activities a turn could trip on', () => {
  it('a complaint whose last answer carries "attachments": [null] is filed once, and the customer gets the receipt', async () => {
    const errorsBefore = turnErrors();
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    await chat.say('我要投诉，你们乱扣我手续费，这个月多扣了30元');
    const replies = await chat.texts('1', { attachments: [null] as unknown as Activity['attachments'] });
    expect(replies[0]).toMatch(/C\d{8}-\d{4}/);
    expect(replies.join('\n')).not.toContain(zh('common:error'));
    const conversation = await t.app.repositories.conversations.find('test', chat.conversationId);
    const filed = await t.db.knex('complaints').where({ conversation_id: conversation!.id });
    expect(filed).toHaveLength(1);
    expect(turnErrors()).toBe(errorsBefore);
  });

  it.each([
    ['a number', 5],
    ['an object', { a: 1 }],
    ['not a URL', 'javascript:alert(1)'],
  ])('a serviceUrl that is %s is refused with 400, in words of ours', async (_name, serviceUrl) => {
    const chat = new ChatClient(t.url);
    const res = await postActivity(t.url, chat.activity({ type: 'message', text: 'hi', serviceUrl: serviceUrl as unknown as string }));
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toMatch(INTERNAL);
  });

  it('a value nested 2,000 deep is refused with 400, and the service stays up', async () => {
    const chat = new ChatClient(t.url);
    const base = JSON.stringify(chat.activity({ type: 'message', text: 'hi' }));
    const body = `${base.slice(0, -1)},"value":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`;
    const res = await rawRequest(t.url, { path: '/api/messages', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(400);
    expect(res.body).not.toMatch(INTERNAL);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('an adaptiveCard/action invoke without an action is a 400, not a failed turn', async () => {
    const errorsBefore = turnErrors();
    const chat = new ChatClient(t.url);
    const res = await postActivity(t.url, chat.activity({ type: 'invoke', name: 'adaptiveCard/action', value: {} }));
    expect(res.status).toBe(400);
    expect(turnErrors()).toBe(errorsBefore);
  });

  it('a message with a NUL in it is answered, and kept in the transcript without the NUL', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    const [reply] = await chat.texts('你好\u0000啊');
    expect(reply).toBe(zh('main:greeting'));
    const conversation = await t.app.repositories.conversations.find('test', chat.conversationId);
    const lines = await t.db.knex('transcript_activities').where({ conversation_id: conversation!.id, direction: 'in' });
    expect(lines.map((l) => l.text)).toEqual(['你好啊']);
  });
});

describe('the staff sign-in', () => {
  it('a NUL in the user name is a failed sign-in like any other, never a 500', async () => {
    const page = await fetch(`${t.url}/console/login`);
    const cookie = page.headers.get('set-cookie')?.split(';')[0] ?? '';
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const res = await fetch(`${t.url}/console/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: t.url },
      body: new URLSearchParams({ username: 'agent.zhang\u0000x', password: 'wrong-password-1', csrf }).toString(),
      redirect: 'manual',
    });
    expect(res.status).toBeLessThan(500);
    expect(await res.text()).not.toMatch(INTERNAL);
  });
});

describe('WeChat callbacks that are not from WeChat', () => {
  const caller = () => new WeChatCaller(t.url);
  const xmlFrom = (from: string, msgId = '7000000000000000001') =>
    `<xml><ToUserName>${cdata(TEST_ACCOUNT.originalId)}</ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content><MsgId>${msgId}</MsgId></xml>`;

  it.each([
    ['a FromUserName of 300 characters', xmlFrom('o'.repeat(300))],
    ['a MsgId of 400 digits', xmlFrom(newOpenid(), '9'.repeat(400))],
  ])('%s is refused with 400 (a 5xx would make WeChat retry)', async (_name, xml) => {
    const answer = await caller().post(xml);
    expect(answer.status).toBe(400);
    expect(answer.body).not.toMatch(INTERNAL);
  });

  it('a NUL inside a FromUserName never reaches the database: it is taken out at the door, like every NUL', async () => {
    const answer = await caller().post(xmlFrom('oabc\u0000def', '7000000000000000002'));
    expect(answer.status).toBeLessThan(500);
    expect(answer.body).not.toContain('\u0000');
    const users = await t.db.knex('conversations').where('user_id', 'like', 'oabc%').pluck('user_id');
    for (const u of users) expect(u).not.toContain('\u0000');
  });

  it('a real-looking message still gets its passive reply', async () => {
    const answer = await caller().post(textXml(newOpenid(), '你好'));
    expect(answer.status).toBe(200);
    expect(answer.reply?.Content).toContain(zh('main:greeting'));
  });
});
