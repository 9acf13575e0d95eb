import type { Activity } from 'botbuilder';
import { startTestApp, type TestApp } from '../helpers/app';
import { ChatClient, postActivity } from '../helpers/chat';
import { startFakeChannel } from '../fakes/channelServer';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('GET /healthz', () => {
  it('answers 200 with the database reachable', async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', database: 'ok', version: expect.any(String) });
  });
});

describe('POST /api/messages', () => {
  it('answers in the HTTP response when the activity asks for expectReplies', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    const res = await postActivity(t.url, chat.activity({ type: 'message', text: '你好' }));
    expect(res.status).toBe(200);
    const activities = (res.body as { activities: Activity[] }).activities;
    expect(activities).toHaveLength(1);
    expect(activities[0].text).toBe(t.app.texts.t('zh-CN', 'main:greeting'));
  });

  it('sends replies to the channel at serviceUrl otherwise', async () => {
    const channel = await startFakeChannel();
    try {
      const chat = new ChatClient(t.url, { locale: 'en-US' });
      const activity = chat.activity({ type: 'message', text: 'hello', serviceUrl: channel.serviceUrl, deliveryMode: 'normal', id: 'incoming-1' });
      const res = await postActivity(t.url, activity);
      expect(res.status).toBe(200);
      const [reply] = await channel.waitFor(1);
      expect(reply.conversationId).toBe(chat.conversationId);
      expect(reply.replyToId).toBe('incoming-1');
      expect(reply.activity).toMatchObject({ type: 'message', text: t.app.texts.t('en-US', 'main:greeting'), replyToId: 'incoming-1' });
    } finally {
      await channel.close();
    }
  });

  it('welcomes a customer who joins, once per conversation', async () => {
    const chat = new ChatClient(t.url, { locale: 'en-US' });
    const update = { type: 'conversationUpdate', membersAdded: [{ id: chat.userId }, { id: 'bot' }] } as Partial<Activity>;
    const first = await chat.send(update);
    expect(first.map((a) => a.text)).toEqual([t.app.texts.t('en-US', 'main:welcome')]);
    expect(first[0].suggestedActions?.actions.map((a) => a.title)).toEqual(['Check my balance', 'Make a complaint', 'Offers for me', 'Talk to a person']);
    expect(await chat.send(update)).toEqual([]);
  });

  it.each([
    ['malformed JSON', '{"type": "message", ', 400],
    ['a JSON array', '[1,2,3]', 400],
    ['an activity without a conversation', { type: 'message', text: 'hi', channelId: 'test', from: { id: 'u' }, deliveryMode: 'expectReplies' }, 400],
    ['an unknown activity type', { type: 'banana', channelId: 'test', conversation: { id: 'c' }, from: { id: 'u' }, deliveryMode: 'expectReplies' }, 400],
    ['a type that is not a string', { type: 5, channelId: 'test', conversation: { id: 'c' }, from: { id: 'u' }, deliveryMode: 'expectReplies' }, 400],
    [
      'text that is not a string',
      { type: 'message', text: { a: 1 }, channelId: 'test', conversation: { id: 'c' }, from: { id: 'u' }, deliveryMode: 'expectReplies' },
      400,
    ],
    ['no serviceUrl to reply to', { type: 'message', text: 'hi', channelId: 'test', conversation: { id: 'c' }, from: { id: 'u' } }, 400],
    [
      'a body over the size limit',
      { type: 'message', text: 'x'.repeat(300 * 1024), channelId: 'test', conversation: { id: 'c' }, from: { id: 'u' }, deliveryMode: 'expectReplies' },
      413,
    ],
  ])('refuses %s with %d and a JSON reason', async (_name, body, status) => {
    const res = await postActivity(t.url, body);
    expect(res.status).toBe(status);
    expect(typeof res.body).toBe('object');
  });

  it('refuses a body that is not JSON with 415', async () => {
    const res = await fetch(`${t.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(res.status).toBe(415);
  });

  it('leaves nothing in the database for refused requests', async () => {
    const before = Number((await t.db.knex('conversations').count({ n: '*' }))[0].n);
    await postActivity(t.url, { type: 'banana', channelId: 'test', conversation: { id: 'refused-conv' }, from: { id: 'u' }, deliveryMode: 'expectReplies' });
    await postActivity(t.url, '{"broken":');
    expect(Number((await t.db.knex('conversations').count({ n: '*' }))[0].n)).toBe(before);
  });

  it('accepts activity types it does not act on (typing) with 200 and no reply', async () => {
    const chat = new ChatClient(t.url);
    expect(await chat.send({ type: 'typing' })).toEqual([]);
  });

  it('answers an empty message, attachments alone, and a 10,000-character message clearly', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    expect(await chat.texts('   ')).toEqual([t.app.texts.t('zh-CN', 'common:emptyMessage')]);
    expect(await chat.texts('', { attachments: [{ contentType: 'image/png', contentUrl: 'http://x/y.png' }] })).toEqual([
      t.app.texts.t('zh-CN', 'common:attachmentsUnsupported'),
    ]);
    expect(await chat.texts('长'.repeat(10_000))).toEqual([t.app.texts.t('zh-CN', 'common:tooLong', { length: 10_000, max: 4000 })]);
  });

  it('survives emoji and mixed scripts', async () => {
    const chat = new ChatClient(t.url);
    const replies = await chat.texts('😀😀 hello 你好 👋🏽 \u202e');
    expect(replies).toHaveLength(1);
    expect(replies[0].length).toBeGreaterThan(0);
  });
});

describe('POST /api/messages with authentication on', () => {
  it('refuses a request without a valid token with 401', async () => {
    // The SDK reports refused tokens on console.error; keep the test output clean, and check it did.
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const secured = await startTestApp({ MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'not-a-real-secret' });
    try {
      const chat = new ChatClient(secured.url);
      const res = await postActivity(secured.url, chat.activity({ type: 'message', text: 'hi' }));
      expect(res.status).toBe(401);
      const forged = await postActivity(secured.url, chat.activity({ type: 'message', text: 'hi' }), { authorization: 'Bearer abc.def.ghi' });
      expect(forged.status).toBe(401);
      expect(consoleError).toHaveBeenCalled();
    } finally {
      consoleError.mockRestore();
      await secured.close();
    }
  });
});
