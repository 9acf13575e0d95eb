import { ConversationTokens } from '../../bot/channels/directLine/tokens';
import { ConfigError, loadConfig } from '../../bot/config';
import { createDirectLineRepository } from '../../data/repositories/directLineRepository';
import { startTestApp, type TestApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { dl, openStream, say, startConversation, startGateway, TEST_DIRECT_LINE_SECRET, type TestGateway } from '../helpers/directLine';

const ENV = { DIRECT_LINE_SECRET: TEST_DIRECT_LINE_SECRET, DEADLINE_CHECK_INTERVAL_S: '0' };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function waitUntil(condition: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Rows of a table for one conversation. */
async function rows(db: { knex: TestDatabase['knex'] }, table: 'directline_conversations' | 'directline_activities', conversationId: string): Promise<number> {
  return Number((await db.knex(table).where({ conversation_id: conversationId }).count({ n: '*' }).first())!.n);
}

/** Records a conversation and its activities as if written at the given times. */
async function conversationAt(db: TestDatabase, conversationId: string, createdAt: number, activityTimes: number[]): Promise<void> {
  let clock = createdAt;
  const repo = createDirectLineRepository(db.knex, () => clock);
  await repo.ensureConversation(conversationId, 'dl_customer_1');
  for (const at of activityTimes) {
    clock = at;
    await repo.append(conversationId, 'dl_customer_1', (seq) => ({ type: 'message', text: `您的账户余额为 ¥12,345.67 (${seq})`, from: { role: 'bot' } }));
  }
}

describe('purging idle Direct Line conversations (repository)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.destroy());

  it('has the activities follow their conversation (SQLite connections have foreign keys on)', async () => {
    if (db.engine === 'sqlite') {
      const [{ foreign_keys: on }] = (await db.knex.raw('pragma foreign_keys')) as Array<{ foreign_keys: number }>;
      expect(on).toBe(1);
      const keys = (await db.knex.raw('pragma foreign_key_list(directline_activities)')) as Array<{ table: string; on_delete: string }>;
      expect(keys).toEqual([expect.objectContaining({ table: 'directline_conversations', on_delete: 'CASCADE' })]);
    } else {
      const { rows: rules } = await db.knex.raw(
        `select rc.delete_rule from information_schema.referential_constraints rc
           join information_schema.table_constraints tc on tc.constraint_name = rc.constraint_name and tc.constraint_schema = rc.constraint_schema
          where tc.table_name = 'directline_activities' and tc.table_schema = current_schema()`,
      );
      expect(rules).toEqual([{ delete_rule: 'CASCADE' }]);
    }
  });

  it('deletes the conversations with nothing since the cutoff, their activities with them, and keeps the rest', async () => {
    const now = Date.now();
    const cutoff = now - 7 * DAY;
    await conversationAt(db, 'idle-with-messages', now - 10 * DAY, [now - 10 * DAY, now - 8 * DAY]);
    await conversationAt(db, 'idle-never-used', now - 10 * DAY, []);
    await conversationAt(db, 'old-but-active', now - 10 * DAY, [now - 10 * DAY, now - HOUR]);
    await conversationAt(db, 'active-at-the-cutoff', now - 10 * DAY, [cutoff]);
    await conversationAt(db, 'new-never-used', now - HOUR, []);

    const repo = createDirectLineRepository(db.knex);
    expect(await repo.purgeIdle(cutoff)).toBe(2);
    for (const gone of ['idle-with-messages', 'idle-never-used']) {
      expect({ gone, conversations: await rows(db, 'directline_conversations', gone), activities: await rows(db, 'directline_activities', gone) }).toEqual({
        gone,
        conversations: 0,
        activities: 0,
      });
    }
    expect(await rows(db, 'directline_activities', 'old-but-active')).toBe(2);
    expect(await rows(db, 'directline_activities', 'active-at-the-cutoff')).toBe(1);
    expect(await repo.find('new-never-used')).toBeDefined();
    expect(await repo.purgeIdle(cutoff)).toBe(0);
  });

  it('deletes in batches, however many there are', async () => {
    // This test's conversations only: the previous test's cutoff has moved on since, and would take some of its rows.
    await db.knex('directline_conversations').del();
    const old = Date.now() - 30 * DAY;
    const ids = Array.from({ length: 1203 }, (_, i) => `batch-${String(i).padStart(5, '0')}`);
    await db.knex.batchInsert(
      'directline_conversations',
      ids.map((id) => ({ conversation_id: id, user_id: 'dl_batch_user', locale: null, last_seq: 1, created_at: old })),
      200,
    );
    await db.knex.batchInsert(
      'directline_activities',
      ids.map((id) => ({ conversation_id: id, seq: 1, activity: '{}', created_at: old })),
      200,
    );
    expect(await createDirectLineRepository(db.knex).purgeIdle(Date.now() - 7 * DAY)).toBe(1203);
    expect(Number((await db.knex('directline_activities').where('conversation_id', 'like', 'batch-%').count({ n: '*' }).first())!.n)).toBe(0);
  });
});

describe('a conversation purged when the service starts', () => {
  const gone = 'purged-conversation-0001';
  const user = 'dl_purged_customer';
  let t: TestApp;
  // A token for it that is still valid, as a tab left open and refreshing for a week would hold.
  const token = new ConversationTokens(TEST_DIRECT_LINE_SECRET, 1800).issue(gone, user).token;

  beforeAll(async () => {
    t = await startTestApp(
      ENV,
      {},
      {
        prepare: async (db) => {
          const now = Date.now();
          await conversationAt(db, gone, now - 9 * DAY, [now - 9 * DAY, now - 8 * DAY]);
          await conversationAt(db, 'recent-conversation-01', now - 9 * DAY, [now - 9 * DAY, now - 6 * DAY]);
        },
      },
    );
    await waitUntil(() => t.logs.some((l) => l.event === 'directline.purged'));
  });
  afterAll(() => t.close());

  it('is deleted with its activities, logged with the count, and a conversation active within DIRECT_LINE_KEEP_DAYS is kept', async () => {
    expect(t.logs).toContainEqual(expect.objectContaining({ event: 'directline.purged', count: 1, keepDays: 7 }));
    expect(await rows(t.db, 'directline_conversations', gone)).toBe(0);
    expect(await rows(t.db, 'directline_activities', gone)).toBe(0);
    expect(await rows(t.db, 'directline_activities', 'recent-conversation-01')).toBe(2);
  });

  it('answers every call for it with 404 and a JSON error in the customer’s language, and is not brought back', async () => {
    const ended = { error: { code: 'NotFound', message: t.app.texts.t('zh-CN', 'chat:conversationEnded') } };
    const calls: Array<[string, string, string, unknown]> = [
      ['post a message', 'POST', `/conversations/${gone}/activities`, { type: 'message', text: '你好', locale: 'zh-CN' }],
      ['read activities', 'GET', `/conversations/${gone}/activities?watermark=2`, undefined],
      ['reconnect', 'GET', `/conversations/${gone}?watermark=2`, undefined],
      ['refresh the token', 'POST', '/tokens/refresh', {}],
      ['start it again', 'POST', '/conversations', { locale: 'zh-CN' }],
    ];
    for (const [name, method, path, body] of calls) {
      const res = await dl(t.url, method, path, token, body);
      expect({ name, status: res.status, body: res.body }).toEqual({ name, status: 404, body: ended });
    }
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(16, 1)], { type: 'image/png' }), 'a.png');
    const upload = await fetch(`${t.url}/v3/directline/conversations/${gone}/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'accept-language': 'en-US' },
      body: form,
    });
    expect(upload.status).toBe(404);
    expect(await upload.json()).toEqual({ error: { code: 'NotFound', message: t.app.texts.t('en-US', 'chat:conversationEnded') } });
    const streamUrl = `${t.url.replace('http', 'ws')}/v3/directline/conversations/${gone}/stream?t=${encodeURIComponent(token)}&watermark=2`;
    await expect(openStream(streamUrl)).rejects.toMatchObject({ statusCode: 404 });

    expect(await rows(t.db, 'directline_conversations', gone)).toBe(0);
    expect(await rows(t.db, 'directline_activities', gone)).toBe(0);
    // And the service goes on: a new chat works.
    const c = await startConversation(t.url, { locale: 'zh-CN' });
    expect(await say(t.url, c, '你好')).toBe(`${c.conversationId}|0000002`);
  });
});

describe('the purge while the service runs', () => {
  let t: TestApp;
  let gw: TestGateway;
  beforeAll(async () => {
    t = await startTestApp(ENV);
    gw = await startGateway(t, { purgeEveryMs: 100 });
  });
  afterAll(async () => {
    await gw.close();
    await t.close();
  });

  it('runs again and again: a conversation that goes idle past the window is deleted at the next run', async () => {
    const idle = await startConversation(gw.url, { locale: 'zh-CN' });
    const active = await startConversation(gw.url, { locale: 'zh-CN' });
    await say(gw.url, idle, '你好');
    // Eight days pass for one of them.
    const eightDaysAgo = Date.now() - 8 * DAY;
    await t.app.knex('directline_conversations').where({ conversation_id: idle.conversationId }).update({ created_at: eightDaysAgo });
    await t.app.knex('directline_activities').where({ conversation_id: idle.conversationId }).update({ created_at: eightDaysAgo });
    await waitUntil(async () => (await rows(t.db, 'directline_conversations', idle.conversationId)) === 0);
    expect(t.logs).toContainEqual(expect.objectContaining({ event: 'directline.purged', count: 1 }));
    expect(await rows(t.db, 'directline_activities', idle.conversationId)).toBe(0);
    expect((await dl(gw.url, 'POST', `/conversations/${idle.conversationId}/activities`, idle.token, { type: 'message', text: '还在吗' })).status).toBe(404);
    expect(await say(gw.url, active, '你好')).toBe(`${active.conversationId}|0000002`);
  });
});

describe('DIRECT_LINE_KEEP_DAYS', () => {
  it('keeps conversations a week by default, and takes 1 to 365 days', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).directLine.keepDays).toBe(7);
    expect(loadConfig({ NODE_ENV: 'test', DIRECT_LINE_KEEP_DAYS: '1' }).directLine.keepDays).toBe(1);
    expect(loadConfig({ NODE_ENV: 'test', DIRECT_LINE_KEEP_DAYS: '365' }).directLine.keepDays).toBe(365);
  });

  it.each(['0', '366', '2.5', 'a week'])('refuses %s', (value) => {
    expect(() => loadConfig({ NODE_ENV: 'test', DIRECT_LINE_KEEP_DAYS: value })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'test', DIRECT_LINE_KEEP_DAYS: value })).toThrow(/DIRECT_LINE_KEEP_DAYS/);
  });
});
