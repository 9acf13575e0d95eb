import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { type App, createApp } from '../../bot';
import { loadConfig } from '../../bot/config';
import { openDatabase } from '../../data/db';
import { startTestApp, type TestApp } from '../helpers/app';
import { ChatClient, postActivity } from '../helpers/chat';
import { allActivities, botTexts, say, startConversation, TEST_DIRECT_LINE_SECRET } from '../helpers/directLine';

// Two instances on one PostgreSQL database (jest.config.js runs `*.pg.test.ts` only with DATABASE_URL set): a
// conversation's turns are one at a time across both, and a repeated answer files one complaint.
const MORNING = Date.UTC(2026, 10, 23, 2, 0);
const ENV = { DIRECT_LINE_SECRET: TEST_DIRECT_LINE_SECRET, DEADLINE_CHECK_INTERVAL_S: '0', TURN_MAX_WAITING: '100' };
let a: TestApp;
let b: App;
let bUrl: string;
beforeAll(async () => {
  a = await startTestApp(ENV, { now: () => MORNING });
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'true', SHUTDOWN_GRACE_MS: '5000', ...ENV });
  b = await createApp(config, { knex: openDatabase(a.db.options), logger: pino({ level: 'silent' }), now: () => MORNING });
  bUrl = `http://127.0.0.1:${((await b.listen()) as AddressInfo).port}`;
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

async function complaintsOfConversation(channel: string, conversationId: string) {
  const conversation = await a.app.repositories.conversations.find(channel, conversationId);
  return a.db.knex('complaints').where({ conversation_id: conversation!.id });
}

describe('one conversation served by two instances at once', () => {
  it.each([2, 20])('the last answer of a complaint, posted %i times across both instances at once, files one complaint', async (n) => {
    const chat = new ChatClient(a.url, { locale: 'zh-CN' });
    await chat.say('我要投诉，你们乱扣我手续费，这个月多扣了30元');
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) => postActivity(i % 2 === 0 ? a.url : bUrl, chat.activity({ type: 'message', text: '1', id: randomUUID() }))),
    );
    for (const x of answers) expect(x.status).toBe(200);
    expect(await complaintsOfConversation('test', chat.conversationId)).toHaveLength(1);
  });

  it('messages not understood, one on each instance at once, count two in a row', async () => {
    const chat = new ChatClient(a.url, { locale: 'zh-CN' });
    const [x, y] = await Promise.all([
      postActivity(a.url, chat.activity({ type: 'message', text: '嗯嗯嗯呃呃 qwzx', id: randomUUID() })),
      postActivity(bUrl, chat.activity({ type: 'message', text: '啊吧啊吧 zzvv', id: randomUUID() })),
    ]);
    const texts = [x, y].flatMap((r) => ((r.body as { activities: Array<{ text?: string }> }).activities ?? []).map((m) => m.text));
    expect(texts).toContain(a.app.texts.t('zh-CN', 'main:notUnderstood'));
    expect(texts).toContain(a.app.texts.t('zh-CN', 'main:handingOver'));
  });

  it('through Direct Line, the same answer posted on both instances at once files one complaint', async () => {
    const c = await startConversation(a.url, { locale: 'zh-CN' });
    await say(a.url, c, '我要投诉，你们乱扣我手续费，这个月多扣了30元', { locale: 'zh-CN' });
    await Promise.all([say(a.url, c, '1', { locale: 'zh-CN' }), say(bUrl, c, '1', { locale: 'zh-CN' })]);
    // Both turns ran (the second one after the first) before the posts returned.
    const texts = botTexts((await allActivities(a.url, c)).activities);
    expect(texts.filter((t) => /C\d{8}-\d{4}/.test(t))).toHaveLength(1);
    expect(await complaintsOfConversation('webchat', c.conversationId)).toHaveLength(1);
  });
});
