import { wechatConversationId } from '../../bot/channels/wechat/gateway';
import { localRecognizer } from '../../bot';
import { menuLabels } from '../../dialogs/mainDialog';
import type { IntentRecognizer, Recognition } from '../../dialogs/recognizers/types';
import { startFakeWeChatApi } from '../fakes/wechatApi';
import { startTestApp, type TestApp } from '../helpers/app';
import { newOpenid, nextMsgId, TEST_ACCOUNT, textXml, WeChatCaller, wechatEnv } from '../helpers/wechat';

let api: Awaited<ReturnType<typeof startFakeWeChatApi>>;
let t: TestApp;
let wechat: WeChatCaller;

// Slower than the 4.5 s WeChat leaves for a passive reply, for messages that say "慢".
const slowRecognizer: IntentRecognizer = {
  async recognize(text): Promise<Recognition> {
    if (!text.includes('慢')) return (await localRecognizer(0.6)).recognize(text);
    await new Promise((resolve) => setTimeout(resolve, 5200));
    return { intent: 'greeting', score: 1, alternatives: [], entities: { complaintRefs: [], amountsMinor: [] }, source: 'local' };
  },
};

beforeAll(async () => {
  api = await startFakeWeChatApi({ appId: TEST_ACCOUNT.appId, appSecret: TEST_ACCOUNT.appSecret });
  t = await startTestApp({ DEADLINE_CHECK_INTERVAL_S: '0', ...wechatEnv(api.url) }, { recognizer: slowRecognizer });
  wechat = new WeChatCaller(t.url);
});
afterAll(async () => {
  await t.close();
  await api.close();
});

describe('a turn slower than WeChat waits', () => {
  it('is answered success within the deadline, its reply then sent through the customer-service API, and a retry runs nothing', async () => {
    const openid = newOpenid();
    const xml = textXml(openid, '慢慢来，你好', nextMsgId());
    const started = Date.now();
    const answer = await wechat.post(xml);
    expect(answer).toMatchObject({ status: 200, body: 'success' });
    expect(Date.now() - started).toBeLessThan(5000);

    // WeChat's retry of the same message, while the turn still runs.
    expect(await wechat.post(xml)).toMatchObject({ status: 200, body: 'success' });

    const greeting = [
      t.app.texts.t('zh-CN', 'main:greeting'),
      ...menuLabels(t.app.texts, 'zh-CN').map((title, i) => t.app.texts.t('zh-CN', 'wechat:replyNumber', { n: i + 1, title })),
    ].join('\n');
    const [sent] = await api.waitForSent(1);
    expect(sent).toMatchObject({ touser: openid, msgtype: 'text', content: greeting });
    const conversation = await t.app.repositories.conversations.find('wechat', wechatConversationId(openid));
    const [{ n }] = await t.db.knex('transcript_activities').where({ conversation_id: conversation!.id, direction: 'in' }).count({ n: '*' });
    expect(Number(n)).toBe(1);
    expect(t.logs.some((l) => l.event === 'wechat.reply_late')).toBe(true);

    // The numbers of a reply sent through the API work as well.
    expect((await wechat.post(textXml(openid, '1'))).reply?.Content).toBe(t.app.texts.t('zh-CN', 'verify:askMobile'));
  });
});
