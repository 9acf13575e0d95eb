import { aesKeyFrom, encryptMessage, wechatSignature } from '../../bot/channels/wechat/crypto';
import { cdata } from '../../bot/channels/wechat/xml';
import { menuLabels } from '../../dialogs/mainDialog';
import { startFakeWeChatApi } from '../fakes/wechatApi';
import { startTestApp, type TestApp } from '../helpers/app';
import { eventXml, newOpenid, TEST_ACCOUNT, textXml, WeChatCaller, wechatEnv } from '../helpers/wechat';

let api: Awaited<ReturnType<typeof startFakeWeChatApi>>;
let t: TestApp;
let wechat: WeChatCaller;

beforeAll(async () => {
  api = await startFakeWeChatApi({ appId: TEST_ACCOUNT.appId, appSecret: TEST_ACCOUNT.appSecret });
  // The timestamp bound is off here (WECHAT_MAX_SKEW_S=0); the plain-mode suite tests it on.
  t = await startTestApp({ DEADLINE_CHECK_INTERVAL_S: '0', ...wechatEnv(api.url, { safe: true }), WECHAT_MAX_SKEW_S: '0' });
  wechat = new WeChatCaller(t.url, true);
});
afterAll(async () => {
  await t.close();
  await api.close();
});

const zh = (key: string) => t.app.texts.t('zh-CN', key);
const withMenu = (text: string) =>
  [text, ...menuLabels(t.app.texts, 'zh-CN').map((title, i) => t.app.texts.t('zh-CN', 'wechat:replyNumber', { n: i + 1, title }))].join('\n');

/** A safe-mode callback whose parts can be got wrong one at a time. */
function envelope(xml: string, options: { appId?: string; encrypt?: string; msgSignature?: string } = {}) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = '1320562132';
  const encrypt = options.encrypt ?? encryptMessage(aesKeyFrom(TEST_ACCOUNT.aesKey), options.appId ?? TEST_ACCOUNT.appId, xml);
  const params = new URLSearchParams({
    signature: wechatSignature([TEST_ACCOUNT.token, timestamp, nonce]),
    timestamp,
    nonce,
    encrypt_type: 'aes',
    msg_signature: options.msgSignature ?? wechatSignature([TEST_ACCOUNT.token, timestamp, nonce, encrypt]),
  });
  return { body: `<xml><ToUserName>${cdata(TEST_ACCOUNT.originalId)}</ToUserName><Encrypt>${cdata(encrypt)}</Encrypt></xml>`, params };
}

describe('safe mode (AES)', () => {
  it('passes the URL check as in plain mode', async () => {
    expect(await wechat.verify('echo-42')).toEqual({ status: 200, body: 'echo-42' });
  });

  it('decrypts a message and answers with an encrypted, signed passive reply holding the bot’s greeting', async () => {
    const openid = newOpenid();
    const answer = await wechat.post(textXml(openid, '你好'));
    expect(answer.status).toBe(200);
    // The envelope carries no plaintext: only Encrypt, MsgSignature, TimeStamp and Nonce.
    expect(answer.body).not.toContain(openid);
    expect(answer.body).toMatch(/^<xml><Encrypt>.*<\/Encrypt><MsgSignature>.*<\/MsgSignature><TimeStamp>\d+<\/TimeStamp><Nonce>.*<\/Nonce><\/xml>$/);
    expect(answer.reply).toMatchObject({ ToUserName: openid, FromUserName: TEST_ACCOUNT.originalId, MsgType: 'text', Content: withMenu(zh('main:greeting')) });
  });

  it('takes any timestamp when WECHAT_MAX_SKEW_S is 0', async () => {
    const answer = await wechat.post(textXml(newOpenid(), '你好'), { timestamp: Math.floor(Date.now() / 1000) - 86_400 });
    expect(answer.reply?.Content).toBe(withMenu(zh('main:greeting')));
  });

  it('welcomes a follower who subscribes', async () => {
    const answer = await wechat.post(eventXml(newOpenid(), 'subscribe'));
    expect(answer.reply?.Content).toBe(withMenu(zh('main:welcome')));
  });

  it('refuses a wrong msg_signature, a message for another app and a plain-mode message with 403', async () => {
    const xml = textXml(newOpenid(), '你好');
    const wrongSignature = envelope(xml, { msgSignature: 'a'.repeat(40) });
    expect((await wechat.postRaw(wrongSignature.body, wrongSignature.params)).status).toBe(403);
    const otherApp = envelope(xml, { appId: 'wxffffffffffffffff' });
    expect((await wechat.postRaw(otherApp.body, otherApp.params)).status).toBe(403);
    // Correctly signed for plain mode, but this account is in safe mode: nothing in it is trusted.
    expect((await wechat.postRaw(xml, wechat.signedQuery())).status).toBe(403);
  });

  it('refuses what does not decrypt, or decrypts to something that is not a message, with 400', async () => {
    const garbage = envelope('', { encrypt: Buffer.alloc(48, 7).toString('base64') });
    expect((await wechat.postRaw(garbage.body, garbage.params)).status).toBe(400);
    const entity = envelope('<!DOCTYPE x [<!ENTITY a "b">]><xml><Content>&a;</Content></xml>');
    expect((await wechat.postRaw(entity.body, entity.params)).status).toBe(400);
    expect(t.logs.some((l) => l.event === 'wechat.decrypt_failed')).toBe(true);
  });
});
