import type { AddressInfo } from 'node:net';
import pino from 'pino';
import WebSocket from 'ws';
import { type App, createApp } from '../../bot';
import { loadConfig } from '../../bot/config';
import { openDatabase } from '../../data/db';
import { startTestApp, type TestApp } from '../helpers/app';
import { ChatClient } from '../helpers/chat';
import { StaffClient } from '../helpers/staff';
import { startFakeChannel } from '../fakes/channelServer';

// Several instances share the agent hub only on PostgreSQL (LISTEN/NOTIFY): jest.config.js runs `*.pg.test.ts` only
// with DATABASE_URL set. 10:00 in Shanghai: working hours.
const clock = Date.UTC(2026, 10, 23, 2, 0);
const ENV = { DEADLINE_CHECK_INTERVAL_S: '0' };
let a: TestApp;
let b: App;
let bUrl: string;
let channel: Awaited<ReturnType<typeof startFakeChannel>>;

beforeAll(async () => {
  channel = await startFakeChannel();
  a = await startTestApp(ENV, { now: () => clock });
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'true', SHUTDOWN_GRACE_MS: '5000', ...ENV });
  b = await createApp(config, { knex: openDatabase(a.db.options), logger: pino({ level: 'silent' }), now: () => clock });
  bUrl = `http://127.0.0.1:${((await b.listen()) as AddressInfo).port}`;
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await channel?.close();
});

async function waitUntil(what: string, condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the agent hub across two instances on one PostgreSQL database', () => {
  it('an agent on instance A sees a customer who writes to instance B arrive, and the two chat both ways', async () => {
    const zhang = new StaffClient(a.url);
    await zhang.login('agent.zhang');
    expect((await zhang.post('/console/presence', { status: 'online' })).status).toBe(200);
    const ws = new WebSocket(`${a.url.replace('http', 'ws')}/console/live`, { headers: { cookie: zhang.cookie } });
    const events: Array<Record<string, unknown>> = [];
    ws.on('message', (data) => events.push(JSON.parse(String(data))));
    await new Promise((resolve) => ws.once('open', resolve));
    try {
      // The customer's turns all run on instance B.
      const chat = new ChatClient(bUrl, { locale: 'zh-CN', serviceUrl: channel.serviceUrl });
      const customer = await b.repositories.customers.findByCustomerNo('B0002');
      await b.repositories.identities.bind('test', chat.userId, customer!.id);
      await chat.say('年费扣了两次');
      await chat.say('转人工');
      const conversation = await b.repositories.conversations.find('test', chat.conversationId);
      const handoff = await b.repositories.handoffs.findOpenForConversation(conversation!.id);
      expect(handoff).toMatchObject({ status: 'queued' });
      await waitUntil('the queue update', () => events.some((e) => e.type === 'queue.changed'));
      expect((await zhang.get('/console')).body).toContain(`data-handoff="${handoff!.id}"`);

      expect((await zhang.post(`/console/handoffs/${handoff!.id}/accept`)).body).toEqual({ ok: true, handoffId: handoff!.id });
      // The agent writes on A; the customer's channel gets it.
      expect((await zhang.post(`/console/handoffs/${handoff!.id}/messages`, { text: '您好，我是张敏。' })).body).toMatchObject({ ok: true, delivery: 'sent' });
      await waitUntil("the agent's message at the channel", () =>
        channel.received.some((r) => r.conversationId === chat.conversationId && r.activity.text === '您好，我是张敏。'),
      );

      // The customer writes on B: the bot stays quiet, and the agent's page on A hears of it at once.
      expect(await chat.texts('还在吗？')).toEqual([]);
      await waitUntil("the customer's message on the agent's page", () =>
        events.some((e) => e.type === 'handoff.message' && e.handoffId === handoff!.id && e.sender === 'customer'),
      );
      const api = await zhang.get(`/console/api/handoffs/${handoff!.id}/messages?after=0`, 'application/json');
      expect((JSON.parse(api.body).messages as Array<{ sender: string; text: string }>).map((m) => [m.sender, m.text])).toEqual([
        ['agent', '您好，我是张敏。'],
        ['customer', '还在吗？'],
      ]);

      // Resolved on A: the customer is back with the bot on B.
      expect((await zhang.post(`/console/handoffs/${handoff!.id}/resolve`, { outcome: 'resolved' })).status).toBe(200);
      await waitUntil('the customer back with the bot', () =>
        channel.received.some((r) => r.conversationId === chat.conversationId && r.activity.text === a.app.texts.t('zh-CN', 'human:backToBot')),
      );
    } finally {
      ws.close();
    }
  });
});
