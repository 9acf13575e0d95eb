import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { type App, createApp } from '../../bot';
import { ActivityNotifier, type Notice } from '../../bot/channels/directLine/notifier';
import { loadConfig } from '../../bot/config';
import { openDatabase } from '../../data/db';
import { createDirectLineRepository } from '../../data/repositories/directLineRepository';
import { startTestApp, type TestApp } from '../helpers/app';
import { allActivities, botTexts, openStream, say, startConversation, TEST_DIRECT_LINE_SECRET } from '../helpers/directLine';

// Several instances share the work only on PostgreSQL: jest.config.js runs `*.pg.test.ts` only with DATABASE_URL set.
const ENV = { DIRECT_LINE_SECRET: TEST_DIRECT_LINE_SECRET, DEADLINE_CHECK_INTERVAL_S: '0' };

describe('Direct Line across two instances on one PostgreSQL database', () => {
  let a: TestApp;
  let b: App;
  let bUrl: string;
  beforeAll(async () => {
    a = await startTestApp(ENV);
    const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'true', SHUTDOWN_GRACE_MS: '5000', ...ENV });
    b = await createApp(config, { knex: openDatabase(a.db.options), logger: pino({ level: 'silent' }) });
    bUrl = `http://127.0.0.1:${((await b.listen()) as AddressInfo).port}`;
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('streams on instance A a reply that instance B produced', async () => {
    const c = await startConversation(a.url, { locale: 'zh-CN' });
    const stream = await openStream(c.streamUrl);
    try {
      await stream.waitFor((all) => all.length === 1);
      const id = await say(bUrl, c, '你好', { locale: 'zh-CN' });
      const all = await stream.waitFor((got) => got.length === 3);
      expect(all[1].id).toBe(id);
      expect(botTexts(all)).toEqual([a.app.texts.t('zh-CN', 'main:welcome'), a.app.texts.t('zh-CN', 'main:greeting')]);
      // Both instances read the same log.
      expect((await allActivities(bUrl, c)).activities.map((x) => x.id)).toEqual(all.map((x) => x.id));
    } finally {
      await stream.close();
    }
  });

  it('tells every instance about a stored activity when its transaction commits, and not before', async () => {
    const listener = new ActivityNotifier(b.knex, pino({ level: 'silent' }));
    await listener.start();
    const heard: Notice[] = [];
    listener.subscribe((n) => heard.push(n));
    const producer = new ActivityNotifier(a.app.knex, pino({ level: 'silent' }));
    try {
      const repo = createDirectLineRepository(a.app.knex);
      await repo.ensureConversation('notify-test-conversation', 'dl_tester');
      const seq = await repo.append('notify-test-conversation', 'dl_tester', () => ({ type: 'message', text: 'x' }), producer.inTransaction);
      await new Promise<void>((resolve) => {
        const check = () => (heard.length > 0 ? resolve() : setTimeout(check, 20));
        check();
      });
      expect(heard).toEqual([{ conversationId: 'notify-test-conversation', seq }]);
    } finally {
      await listener.close();
      await producer.close();
    }
  });
});
