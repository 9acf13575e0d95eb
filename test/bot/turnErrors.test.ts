import type { IntentRecognizer, Recognition } from '../../dialogs/recognizers/types';
import { startTestApp } from '../helpers/app';
import { ChatClient, postActivity } from '../helpers/chat';

/** A recognizer that fails on "boom" and otherwise greets: a stand-in for any bug in a dialog. */
const failing: IntentRecognizer = {
  async recognize(text): Promise<Recognition> {
    if (text.includes('boom')) throw new Error('recognizer exploded on 13812345678');
    return { intent: 'greeting', score: 1, alternatives: [], entities: { complaintRefs: [], amountsMinor: [] }, source: 'local' };
  },
};

describe('a turn that fails', () => {
  it('apologises in the customer language, logs without the message, clears the conversation state, and the next turn works', async () => {
    const t = await startTestApp({}, { recognizer: failing });
    try {
      const chat = new ChatClient(t.url, { locale: 'en-US' });
      expect(await chat.texts('hello')).toEqual([t.app.texts.t('en-US', 'main:greeting')]);
      const res = await postActivity(t.url, chat.activity({ type: 'message', text: 'boom with my number 13812345678' }));
      expect(res.status).toBe(200);
      expect((res.body as { activities: Array<{ text: string }> }).activities.map((a) => a.text)).toEqual([t.app.texts.t('en-US', 'common:error')]);

      const logged = t.logs.find((l) => l.event === 'turn.error');
      expect(logged).toMatchObject({ conversationId: chat.conversationId, channelId: 'test', activityType: 'message' });
      expect(JSON.stringify(t.logs)).not.toContain('13812345678');

      const state = await t.db
        .knex('bot_state')
        .where({ key: `test/conversations/${chat.conversationId}/` })
        .first();
      expect(state).toBeUndefined();
      // The failed turn is in the transcript, masked, with the apology the customer saw.
      const conversation = await t.db.knex('conversations').where({ conversation_key: chat.conversationId }).first();
      const lines = await t.db.knex('transcript_activities').where({ conversation_id: conversation.id }).orderBy('id');
      expect(lines.slice(2).map((l) => [l.direction, l.text])).toEqual([
        ['in', 'boom with my number 138****5678'],
        ['out', t.app.texts.t('en-US', 'common:error')],
      ]);
      expect(await chat.texts('hello again')).toEqual([t.app.texts.t('en-US', 'main:greeting')]);
    } finally {
      await t.close();
    }
  });
});

describe('shutdown', () => {
  it('lets a turn in flight finish, then closes the database and stops listening', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered: () => void = () => undefined;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const slow: IntentRecognizer = {
      async recognize(): Promise<Recognition> {
        entered();
        await gate;
        return { intent: 'greeting', score: 1, alternatives: [], entities: { complaintRefs: [], amountsMinor: [] }, source: 'local' };
      },
    };
    const t = await startTestApp({}, { recognizer: slow });
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    const pending = chat.texts('你好');
    await inside;
    const closing = t.app.close();
    release();
    expect(await pending).toEqual([t.app.texts.t('zh-CN', 'main:greeting')]);
    await closing;
    await expect(fetch(`${t.url}/healthz`)).rejects.toThrow();
    await expect(t.db.knex.raw('select 1')).rejects.toThrow();
    await t.db.destroy().catch(() => undefined);
  });
});
