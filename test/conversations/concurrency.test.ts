import { randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder';
import { startTestApp, type TestApp } from '../helpers/app';
import { ChatClient, postActivity } from '../helpers/chat';

// Customers double-click, channels retry, and a script can post fifty answers at once: the turns of one conversation
// must run one at a time, and what a customer action creates must be created once.
// 10:00 in Shanghai on a Monday: inside working hours.
const MORNING = Date.UTC(2026, 10, 23, 2, 0);
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ DEADLINE_CHECK_INTERVAL_S: '0', TURN_MAX_WAITING: '100' }, { now: () => MORNING });
});
afterAll(() => t.close());

const zh = (key: string, args?: Record<string, unknown>) => t.app.texts.t('zh-CN', key, args);

/** Posts the same text `n` times at once, each as its own activity (a new id, as a double click makes). */
async function burst(chat: ChatClient, texts: string[], extra: Partial<Activity> = {}): Promise<Activity[][]> {
  const answers = await Promise.all(texts.map((text) => postActivity(t.url, chat.activity({ type: 'message', text, id: randomUUID(), ...extra }))));
  for (const a of answers) expect(a.status).toBe(200);
  return answers.map((a) => ((a.body as { activities?: Activity[] }).activities ?? []).filter((x) => x.type === 'message'));
}

async function complaintsOf(chat: ChatClient) {
  const conversation = await t.app.repositories.conversations.find('test', chat.conversationId);
  return t.db.knex('complaints').where({ conversation_id: conversation!.id });
}

describe('a complaint’s last answer sent more than once at once', () => {
  it.each([2, 50])('files one complaint when the answer arrives %i times at once', async (n) => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    await chat.say('我要投诉，你们乱扣我手续费，这个月多扣了30元');
    const answers = await burst(
      chat,
      Array.from({ length: n }, () => '1'),
    );
    expect(await complaintsOf(chat)).toHaveLength(1);
    // The receipt went to one of them; the repeats were dropped, not answered with a second receipt.
    const receipts = answers.flat().filter((a) => /C\d{8}-\d{4}/.test(a.text ?? ''));
    expect(receipts).toHaveLength(1);
  });

  it('a channel’s retry of an activity already answered (the same id) is not handled again', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    const nonsense = chat.activity({ type: 'message', text: '嗯嗯嗯呃呃 qwzx', id: randomUUID() });
    const first = await postActivity(t.url, nonsense);
    expect(JSON.stringify(first.body)).toContain(zh('main:notUnderstood'));
    // Handled again, it would count as the second message not understood and hand the customer over.
    const retry = await postActivity(t.url, nonsense);
    expect(retry.status).toBe(200);
    expect((retry.body as { activities: Activity[] }).activities.filter((a) => a.type === 'message')).toEqual([]);
    const conversation = await t.app.repositories.conversations.find('test', chat.conversationId);
    expect(await t.db.knex('transcript_activities').where({ conversation_id: conversation!.id, direction: 'in' })).toHaveLength(1);
  });
});

describe('a turn run again after a crash', () => {
  it('files the same complaint, not a second one, when the state saved before the crash asks the last question again', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    await chat.say('我要投诉，信用卡年费被重复扣了两次');
    // What the database held before the last answer: restoring it afterwards is a process killed after the complaint
    // was written and before the turn's state was.
    const saved = await t.db.knex('bot_state').where('key', 'like', `%${chat.conversationId}%`);
    const [receipt] = await chat.texts('1');
    const reference = /C\d{8}-\d{4}/.exec(receipt)![0];
    for (const row of saved) await t.db.knex('bot_state').where({ key: row.key }).update({ data: row.data, etag: row.etag });
    const [again] = await chat.texts('1');
    expect(again).toContain(reference);
    expect(await complaintsOf(chat)).toHaveLength(1);
  });
});

describe('conversation state under concurrent messages', () => {
  it('two messages not understood, sent at once, count as two in a row (the second hands over)', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    const answers = await burst(chat, ['嗯嗯嗯呃呃 qwzx', '啊吧啊吧 zzvv']);
    const texts = answers.flat().map((a) => a.text);
    expect(texts).toContain(zh('main:notUnderstood'));
    expect(texts).toContain(zh('main:handingOver'));
  });

  it('fifty different messages at once are each answered, in turn, and none is lost', async () => {
    const chat = new ChatClient(t.url, { locale: 'en-US' });
    const answers = await burst(
      chat,
      Array.from({ length: 50 }, (_, i) => `hello number ${i}`),
    );
    for (const a of answers) expect(a.length).toBeGreaterThan(0);
    const conversation = await t.app.repositories.conversations.find('test', chat.conversationId);
    const inbound = await t.db.knex('transcript_activities').where({ conversation_id: conversation!.id, direction: 'in' });
    expect(inbound).toHaveLength(50);
  });
});

describe('more waiting turns than a conversation may have', () => {
  it('are each answered "busy" in the customer’s language, and the service goes on', async () => {
    const small = await startTestApp({ DEADLINE_CHECK_INTERVAL_S: '0', TURN_MAX_WAITING: '2' }, { now: () => MORNING });
    try {
      const chat = new ChatClient(small.url, { locale: 'en-US' });
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) => postActivity(small.url, chat.activity({ type: 'message', text: `hello again ${i}`, id: randomUUID() }))),
      );
      const texts = answers.map((a) => ((a.body as { activities?: Activity[] }).activities ?? []).map((x) => x.text).join(' '));
      const busy = texts.filter((x) => x === small.app.texts.t('en-US', 'common:busy'));
      expect(busy.length).toBeGreaterThan(0);
      expect(texts.filter((x) => x !== small.app.texts.t('en-US', 'common:busy')).length).toBeGreaterThanOrEqual(3);
      expect(await chat.texts('hello')).toEqual([small.app.texts.t('en-US', 'main:greeting')]);
    } finally {
      await small.close();
    }
  });
});
