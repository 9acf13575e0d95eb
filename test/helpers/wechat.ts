import { randomUUID } from 'node:crypto';
import { aesKeyFrom, decryptMessage, encryptMessage, signatureMatches, wechatSignature } from '../../bot/channels/wechat/crypto';
import { cdata, parseWeChatXml, type WeChatFields } from '../../bot/channels/wechat/xml';

/** The Official Account the tests play WeChat for. */
export const TEST_ACCOUNT = {
  token: 'test-token-2026',
  appId: 'wx0123456789abcdef',
  appSecret: 'test-app-secret',
  /** The account's original id (ToUserName). */
  originalId: 'gh_0123456789ab',
  aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

/** The environment that turns the gateway on, pointed at a fake API. */
export function wechatEnv(apiBase: string, options: { safe?: boolean } = {}): Record<string, string> {
  return {
    WECHAT_TOKEN: TEST_ACCOUNT.token,
    WECHAT_APP_ID: TEST_ACCOUNT.appId,
    WECHAT_APP_SECRET: TEST_ACCOUNT.appSecret,
    WECHAT_API_BASE: apiBase,
    ...(options.safe ? { WECHAT_AES_KEY: TEST_ACCOUNT.aesKey } : {}),
  };
}

/** What the gateway answered: the status, the body, and the passive reply's fields when there was one. */
export interface WeChatAnswer {
  status: number;
  body: string;
  reply?: WeChatFields;
}

/** Options of one callback: what to get wrong on purpose. */
export interface PostOptions {
  timestamp?: number;
  nonce?: string;
  signature?: string;
  contentType?: string;
}

let msgIds = 7_000_000_000_000_000_000n;

/** A fresh 64-bit MsgId, beyond what a double holds exactly (so a numeric parse would show). */
export function nextMsgId(): string {
  msgIds += 1n;
  return msgIds.toString();
}

/** A follower's openid, unique per call. */
export function newOpenid(): string {
  return `o${randomUUID().replace(/-/g, '').slice(0, 27)}`;
}

/** The XML WeChat sends for a text message. */
export function textXml(openid: string, content: string, msgId = nextMsgId(), createTime = Math.floor(Date.now() / 1000)): string {
  return `<xml><ToUserName>${cdata(TEST_ACCOUNT.originalId)}</ToUserName><FromUserName>${cdata(openid)}</FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>${cdata(content)}</Content><MsgId>${msgId}</MsgId></xml>`;
}

/** The XML WeChat sends for an event. */
export function eventXml(openid: string, event: string, eventKey = '', createTime = Math.floor(Date.now() / 1000)): string {
  return `<xml><ToUserName>${cdata(TEST_ACCOUNT.originalId)}</ToUserName><FromUserName>${cdata(openid)}</FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event>${cdata(event)}</Event><EventKey>${cdata(eventKey)}</EventKey></xml>`;
}

/** The XML WeChat sends for an image. */
export function imageXml(openid: string, msgId = nextMsgId()): string {
  return `<xml><ToUserName>${cdata(TEST_ACCOUNT.originalId)}</ToUserName><FromUserName>${cdata(openid)}</FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz.example/pic.jpg]]></PicUrl><MediaId><![CDATA[media_id]]></MediaId><MsgId>${msgId}</MsgId></xml>`;
}

/** Plays WeChat's servers calling the account's `/wechat` URL, in plain or safe mode. */
export class WeChatCaller {
  constructor(
    private readonly baseUrl: string,
    private readonly safe = false,
    /** WeChat's clock is the service's: a test on a fake clock signs with that one. */
    private readonly clock: () => number = Date.now,
  ) {}

  /** The URL check (GET with echostr). */
  async verify(echostr: string, options: PostOptions = {}): Promise<WeChatAnswer> {
    const timestamp = String(options.timestamp ?? Math.floor(this.clock() / 1000));
    const nonce = options.nonce ?? String(Math.floor(Math.random() * 1e9));
    const signature = options.signature ?? wechatSignature([TEST_ACCOUNT.token, timestamp, nonce]);
    const res = await fetch(`${this.baseUrl}/wechat?${new URLSearchParams({ signature, timestamp, nonce, echostr })}`);
    return { status: res.status, body: await res.text() };
  }

  /** Posts a message's XML signed (and in safe mode encrypted) as WeChat does; reads the passive reply, if any. */
  async post(xml: string, options: PostOptions = {}): Promise<WeChatAnswer> {
    const timestamp = String(options.timestamp ?? Math.floor(this.clock() / 1000));
    const nonce = options.nonce ?? String(Math.floor(Math.random() * 1e9));
    const signature = options.signature ?? wechatSignature([TEST_ACCOUNT.token, timestamp, nonce]);
    const params = new URLSearchParams({ signature, timestamp, nonce, openid: 'ignored' });
    let body = xml;
    if (this.safe) {
      const encrypt = encryptMessage(aesKeyFrom(TEST_ACCOUNT.aesKey), TEST_ACCOUNT.appId, xml);
      body = `<xml><ToUserName>${cdata(TEST_ACCOUNT.originalId)}</ToUserName><Encrypt>${cdata(encrypt)}</Encrypt></xml>`;
      params.set('encrypt_type', 'aes');
      params.set('msg_signature', options.signature ?? wechatSignature([TEST_ACCOUNT.token, timestamp, nonce, encrypt]));
    }
    return this.postRaw(body, params, options.contentType);
  }

  /** Posts a body exactly as given, with the query given. */
  async postRaw(body: string, params: URLSearchParams, contentType = 'text/xml'): Promise<WeChatAnswer> {
    const res = await fetch(`${this.baseUrl}/wechat?${params}`, { method: 'POST', headers: { 'content-type': contentType }, body });
    const text = await res.text();
    const answer: WeChatAnswer = { status: res.status, body: text };
    if (res.status === 200 && text.startsWith('<xml>')) answer.reply = this.readReply(text);
    return answer;
  }

  /** The query of a correctly signed plain-mode callback. */
  signedQuery(timestamp = Math.floor(this.clock() / 1000)): URLSearchParams {
    const nonce = String(Math.floor(Math.random() * 1e9));
    return new URLSearchParams({ signature: wechatSignature([TEST_ACCOUNT.token, String(timestamp), nonce]), timestamp: String(timestamp), nonce });
  }

  private readReply(text: string): WeChatFields {
    const parsed = parseWeChatXml(text);
    if (!parsed.ok) throw new Error(`the reply is not XML: ${parsed.problem}`);
    if (!this.safe) return parsed.fields;
    const { Encrypt: encrypt, MsgSignature: signature, TimeStamp: timestamp, Nonce: nonce } = parsed.fields;
    if (!signatureMatches([TEST_ACCOUNT.token, timestamp, nonce, encrypt], signature)) throw new Error('the reply’s MsgSignature is wrong');
    const decrypted = decryptMessage(aesKeyFrom(TEST_ACCOUNT.aesKey), encrypt);
    if (decrypted.appId !== TEST_ACCOUNT.appId) throw new Error('the reply is encrypted for another app');
    const inner = parseWeChatXml(decrypted.message);
    if (!inner.ok) throw new Error('the decrypted reply is not XML');
    return inner.fields;
  }
}
