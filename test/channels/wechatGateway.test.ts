import { wechatConversationId } from '../../bot/channels/wechat/gateway';
import { menuLabels } from '../../dialogs/mainDialog';
import type { Locale } from '../../retention/locale';
import { startFakeWeChatApi } from '../fakes/wechatApi';
import { startTestApp, type TestApp } from '../helpers/app';
import { eventXml, imageXml, newOpenid, nextMsgId, TEST_ACCOUNT, textXml, WeChatCaller, wechatEnv } from '../helpers/wechat';

// 10:00 in Shanghai on a Monday: agents work then. The service's clock, and WeChat's (its timestamps are signed on it).
const MORNING = Date.UTC(2026, 10, 23, 2, 0);
const HOUR = 3_600_000;
let api: Awaited<ReturnType<typeof startFakeWeChatApi>>;
let t: TestApp;
let wechat: WeChatCaller;
let agentId: number;

beforeAll(async () => {
  api = await startFakeWeChatApi({ appId: TEST_ACCOUNT.appId, appSecret: TEST_ACCOUNT.appSecret });
  t = await startTestApp({ DEADLINE_CHECK_INTERVAL_S: '0', ...wechatEnv(api.url) }, { now: () => MORNING });
  wechat = new WeChatCaller(t.url, false, () => MORNING);
  agentId = (await t.app.repositories.staff.findByUsername('agent.zhang'))!.id;
});
afterAll(async () => {
  await t.close();
  await api.close();
});

const zh = (key: string, args?: Record<string, unknown>) => t.app.texts.t('zh-CN', key, args);
const en = (key: string, args?: Record<string, unknown>) => t.app.texts.t('en-US', key, args);
const now = () => Math.floor(MORNING / 1000);
/** A text followed by the main menu as numbered replies, as WeChat shows the bot's suggestions. */
const withMenu = (text: string, locale: Locale = 'zh-CN') =>
  [text, ...menuLabels(t.app.texts, locale).map((title, i) => t.app.texts.t(locale, 'wechat:replyNumber', { n: i + 1, title }))].join('\n');

/** The customer's messages the bot took in for a follower (one per turn that ran). */
async function inboundCount(openid: string): Promise<number> {
  const conversation = await t.app.repositories.conversations.find('wechat', wechatConversationId(openid));
  if (!conversation) return 0;
  const [{ n }] = await t.db.knex('transcript_activities').where({ conversation_id: conversation.id, direction: 'in' }).count({ n: '*' });
  return Number(n);
}

describe('the URL check', () => {
  it('echoes echostr when the signature is right', async () => {
    expect(await wechat.verify('1616140317555161061')).toEqual({ status: 200, body: '1616140317555161061' });
  });

  it('answers 403 to a wrong signature or a stale timestamp', async () => {
    expect((await wechat.verify('x', { signature: 'f'.repeat(40) })).status).toBe(403);
    expect((await wechat.verify('x', { timestamp: now() - 301 })).status).toBe(403);
  });
});

describe('signatures and timestamps of messages', () => {
  it('refuse a wrong signature with 403 and run nothing', async () => {
    const openid = newOpenid();
    const answer = await wechat.post(textXml(openid, '你好'), { signature: '0'.repeat(40) });
    expect(answer.status).toBe(403);
    expect(await inboundCount(openid)).toBe(0);
    expect(t.logs.some((l) => l.event === 'wechat.bad_signature')).toBe(true);
  });

  it('refuse a timestamp older or further ahead than WECHAT_MAX_SKEW_S (300 s) with 403', async () => {
    const openid = newOpenid();
    expect((await wechat.post(textXml(openid, '你好'), { timestamp: now() - 301 })).status).toBe(403);
    expect((await wechat.post(textXml(openid, '你好'), { timestamp: now() + 301 })).status).toBe(403);
    expect((await wechat.post(textXml(openid, '你好'), { timestamp: now() - 200 })).status).toBe(200);
    expect(await inboundCount(openid)).toBe(1);
  });
});

describe('a signed query seen by someone else (plain mode signs the query, not the body)', () => {
  it('is refused with another body, and still taken for WeChat’s own retry of the same message', async () => {
    const follower = newOpenid();
    const intruder = newOpenid();
    const query = wechat.signedQuery();
    const xml = textXml(follower, '你好', nextMsgId());
    expect((await wechat.postRaw(xml, query)).status).toBe(200);
    // The same query, another sender: a forgery.
    const forged = await wechat.postRaw(textXml(intruder, '查余额', nextMsgId()), query);
    expect(forged.status).toBe(403);
    expect(await inboundCount(intruder)).toBe(0);
    expect(t.logs.some((l) => l.event === 'wechat.replayed')).toBe(true);
    // WeChat's retry: the same query and body, answered, one turn in all.
    expect((await wechat.postRaw(xml, query)).status).toBe(200);
    expect(await inboundCount(follower)).toBe(1);
  });
});

describe('a follower’s text message', () => {
  it('is answered with a passive reply from the bot, on a conversation of its own', async () => {
    const openid = newOpenid();
    const answer = await wechat.post(textXml(openid, '你好'));
    expect(answer.status).toBe(200);
    expect(answer.reply).toMatchObject({ ToUserName: openid, FromUserName: TEST_ACCOUNT.originalId, MsgType: 'text', Content: withMenu(zh('main:greeting')) });
    const conversation = await t.app.repositories.conversations.find('wechat', wechatConversationId(openid));
    expect(conversation!.reference).toMatchObject({ serviceUrl: 'internal://wechat', channelId: 'wechat', user: { id: openid } });
  });

  it('is answered in English when written in English', async () => {
    const answer = await wechat.post(textXml(newOpenid(), 'Hello there'));
    expect(answer.reply?.Content).toBe(withMenu(en('main:greeting'), 'en-US'));
  });
});

describe('events', () => {
  it('welcome a new follower, with the menu as numbered replies', async () => {
    const answer = await wechat.post(eventXml(newOpenid(), 'subscribe'));
    expect(answer.reply?.Content).toBe([zh('main:welcome'), '回复 1 查询余额', '回复 2 我要投诉', '回复 3 看看优惠', '回复 4 转人工'].join('\n'));
  });

  it('take a reply of a number as the suggestion it stands for', async () => {
    const openid = newOpenid();
    await wechat.post(eventXml(openid, 'subscribe'));
    const byNumber = await wechat.post(textXml(openid, '1'));
    const byWords = await wechat.post(textXml(newOpenid(), '查询余额'));
    expect(byNumber.reply?.Content).toBe(zh('verify:askMobile'));
    expect(byNumber.reply?.Content).toBe(byWords.reply?.Content);
    // The verification question has no numbered choices: "1" is now just "1" again.
    expect(
      await t.db
        .knex('wechat_choices')
        .where({ conversation_key: wechatConversationId(openid) })
        .first(),
    ).toBeUndefined();
  });

  it('run a menu button’s key as its label', async () => {
    const answer = await wechat.post(eventXml(newOpenid(), 'CLICK', 'BALANCE'));
    expect(answer.reply?.Content).toBe(zh('verify:askMobile'));
    expect(await wechat.post(eventXml(newOpenid(), 'CLICK', 'NO_SUCH_KEY'))).toMatchObject({ status: 200, body: 'success' });
  });

  it('answer success to an unsubscribe and to events the bot has nothing to say to', async () => {
    const openid = newOpenid();
    expect(await wechat.post(eventXml(openid, 'unsubscribe'))).toMatchObject({ status: 200, body: 'success' });
    expect(await wechat.post(eventXml(openid, 'VIEW', 'https://bank.example'))).toMatchObject({ status: 200, body: 'success' });
  });
});

describe('what cannot be read', () => {
  it('an image is answered politely that only text is read', async () => {
    const answer = await wechat.post(imageXml(newOpenid()));
    expect(answer.reply?.Content).toBe(zh('wechat:unsupported'));
  });

  it('malformed, huge or entity-declaring XML is refused, and the gateway goes on working', async () => {
    const q = () => wechat.signedQuery();
    expect((await wechat.postRaw('<xml><Content>unclosed</xml>', q())).status).toBe(400);
    expect((await wechat.postRaw('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><xml><Content>&b;</Content></xml>', q())).status).toBe(400);
    expect((await wechat.postRaw(`<xml><Content>${'长'.repeat(30_000)}</Content></xml>`, q())).status).toBe(413);
    expect((await wechat.postRaw('', q())).status).toBe(400);
    expect((await wechat.postRaw('{"MsgType":"text"}', q(), 'application/json')).status).toBe(400);
    expect((await wechat.postRaw('<xml><Content>no sender</Content></xml>', q())).status).toBe(400);
    expect(t.logs.filter((l) => l.event === 'wechat.bad_xml').map((l) => l.problem)).toEqual(
      expect.arrayContaining(['malformed', 'declarations', 'too_large']),
    );
    expect((await wechat.post(textXml(newOpenid(), '你好'))).reply?.Content).toBe(withMenu(zh('main:greeting')));
  });
});

describe('WeChat’s retries', () => {
  it('three deliveries of one MsgId at once run one turn, and each gets the answer', async () => {
    const openid = newOpenid();
    const xml = textXml(openid, '你好', nextMsgId());
    const answers = await Promise.all([wechat.post(xml), wechat.post(xml), wechat.post(xml)]);
    for (const a of answers) expect(a).toMatchObject({ status: 200, reply: { Content: withMenu(zh('main:greeting')) } });
    expect(await inboundCount(openid)).toBe(1);
  });

  it('a delivery taken before (by this instance or another) is answered success without a turn', async () => {
    const openid = newOpenid();
    const msgId = nextMsgId();
    await t.db.knex('wechat_deliveries').insert({ dedupe_key: `msg:${msgId}`, created_at: MORNING });
    expect(await wechat.post(textXml(openid, '你好', msgId))).toMatchObject({ status: 200, body: 'success' });
    expect(await inboundCount(openid)).toBe(0);
  });
});

describe('messages the bot sends later (an agent’s)', () => {
  async function chatWithAgent(openid: string) {
    await t.app.hub.setPresence(agentId, 'online', 50);
    await wechat.post(textXml(openid, '转人工'));
    const conversation = await t.app.repositories.conversations.find('wechat', wechatConversationId(openid));
    const handoff = await t.app.repositories.handoffs.findOpenForConversation(conversation!.id);
    await t.app.hub.accept(handoff!.id, agentId);
    // Accepting tells the customer on its own (not awaited by accept): let that arrive first.
    const joined = zh('human:agentJoined', { agent: '张敏' });
    for (let i = 0; i < 100 && !api.sent.some((m) => m.touser === openid && m.content === joined); i++) await new Promise((r) => setTimeout(r, 20));
    expect(api.sent.some((m) => m.touser === openid && m.content === joined)).toBe(true);
    return handoff!.id;
  }

  it('go through the customer-service API with the shared access token, refreshed when WeChat refuses it', async () => {
    const openid = newOpenid();
    const handoffId = await chatWithAgent(openid);
    const before = api.sent.length;
    const sent = await t.app.hub.sendToCustomer(handoffId, agentId, '您好，我是客服张敏。');
    expect(sent.delivery).toBe('sent');
    expect(api.sent.slice(before).find((m) => m.content === '您好，我是客服张敏。')).toMatchObject({ touser: openid, msgtype: 'text' });
    const fetches = api.tokenFetches();
    expect(fetches).toBe(1);
    expect(await t.db.knex('wechat_access_tokens').where({ app_id: TEST_ACCOUNT.appId }).first()).toMatchObject({ token: 'token-1' });

    api.revokeTokens();
    expect((await t.app.hub.sendToCustomer(handoffId, agentId, '请问还有什么问题？')).delivery).toBe('sent');
    expect(api.tokenFetches()).toBe(fetches + 1);
    expect(api.sent.at(-1)).toMatchObject({ content: '请问还有什么问题？', accessToken: `token-${fetches + 1}` });
    await t.app.hub.resolve(handoffId, agentId, 'done').catch(() => undefined);
  });

  it('are split under WeChat’s 2,048 bytes per message, between lines', async () => {
    const openid = newOpenid();
    const handoffId = await chatWithAgent(openid);
    const line = '您的定期存款将于下月到期，续存可享受更高利率。'.repeat(4);
    const text = Array.from({ length: 12 }, () => line).join('\n');
    const before = api.sent.length;
    expect((await t.app.hub.sendToCustomer(handoffId, agentId, text)).delivery).toBe('sent');
    const parts = api.sent
      .slice(before)
      .filter((m) => m.touser === openid)
      .map((m) => m.content);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(2048);
    expect(parts.join('\n')).toBe(text);
  });

  it('are marked failed when WeChat answers 45015 (outside the 48-hour window)', async () => {
    const openid = newOpenid();
    const handoffId = await chatWithAgent(openid);
    api.refuseWith(45015);
    try {
      const sent = await t.app.hub.sendToCustomer(handoffId, agentId, '您还在吗？');
      expect(sent.delivery).toBe('failed');
    } finally {
      api.refuseWith(undefined);
    }
    expect(t.logs.some((l) => l.event === 'wechat.window_closed' && l.by === 'wechat')).toBe(true);
  });

  it('are refused without calling WeChat when the follower last wrote over 48 hours ago', async () => {
    const openid = newOpenid();
    const handoffId = await chatWithAgent(openid);
    await t.db
      .knex('wechat_followers')
      .where({ openid })
      .update({ last_message_at: MORNING - 49 * HOUR });
    const before = api.sent.length;
    const sent = await t.app.hub.sendToCustomer(handoffId, agentId, '您还在吗？');
    expect(sent.delivery).toBe('failed');
    expect(api.sent.length).toBe(before);
    expect(t.logs.some((l) => l.event === 'wechat.window_closed' && l.reason === 'window_closed')).toBe(true);

    // Writing again opens the window again (the message goes to the agent: the bot stays quiet).
    expect(await wechat.post(textXml(openid, '我还在'))).toMatchObject({ status: 200, body: 'success' });
    expect((await t.app.hub.sendToCustomer(handoffId, agentId, '好的，马上为您处理。')).delivery).toBe('sent');
  });

  it('stop when the follower unsubscribes: the chat with the agent ends', async () => {
    const openid = newOpenid();
    const handoffId = await chatWithAgent(openid);
    expect(await wechat.post(eventXml(openid, 'unsubscribe'))).toMatchObject({ status: 200, body: 'success' });
    // The answer does not wait for the turn: look until it has run.
    for (let i = 0; i < 100 && (await t.app.repositories.handoffs.findById(handoffId))!.status === 'active'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await t.app.repositories.handoffs.findById(handoffId)).toMatchObject({ status: 'abandoned' });
  });

  it('are refused past the number WeChat allows since the follower’s last message', async () => {
    const openid = newOpenid();
    const handoffId = await chatWithAgent(openid);
    await t.db.knex('wechat_followers').where({ openid }).update({ sent_since_message: 5 });
    expect((await t.app.hub.sendToCustomer(handoffId, agentId, '第六条')).delivery).toBe('failed');
    expect(t.logs.some((l) => l.event === 'wechat.window_closed' && l.reason === 'window_quota')).toBe(true);
  });
});

describe('the log', () => {
  it('never holds an openid or the text of a message', () => {
    const text = JSON.stringify(t.logs);
    expect(text).not.toMatch(/o[0-9a-f]{27}/);
    expect(text).not.toContain('您好，我是客服张敏。');
  });
});
