import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { cleanText } from '../../inputScrub';

/** The largest callback body read: WeChat's messages are a few hundred bytes; anything near this is not one. */
export const MAX_XML_BYTES = 64 * 1024;

/** Why a body is not a WeChat message. */
export type XmlProblem = 'too_large' | 'declarations' | 'malformed';

/** The `<xml>` element's children that hold text, by name (nested and repeated elements left out). */
export type WeChatFields = Readonly<Record<string, string>>;

/** Fields that are ids: never tidied. */
const RAW_FIELDS = new Set(['FromUserName', 'ToUserName', 'MsgId', 'CreateTime']);

const parser = new XMLParser({
  // Ids such as MsgId are 64-bit numbers: parsed as numbers they would lose digits.
  parseTagValue: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Only the five predefined entities; a document declaring its own is refused before it gets here.
  processEntities: true,
});

/**
 * Reads a callback body into its fields. Refuses, before parsing, bodies over MAX_XML_BYTES and any with a DOCTYPE or
 * ENTITY declaration (no entity expansion, no external entities: the classic XML attacks need one of them).
 */
export function parseWeChatXml(body: string): { ok: true; fields: WeChatFields } | { ok: false; problem: XmlProblem } {
  if (Buffer.byteLength(body, 'utf8') > MAX_XML_BYTES) return { ok: false, problem: 'too_large' };
  if (/<!(DOCTYPE|ENTITY)/i.test(body)) return { ok: false, problem: 'declarations' };
  if (XMLValidator.validate(body) !== true) return { ok: false, problem: 'malformed' };
  let parsed: unknown;
  try {
    parsed = parser.parse(body);
  } catch {
    return { ok: false, problem: 'malformed' };
  }
  const root = (parsed as Record<string, unknown> | undefined)?.xml;
  if (!root || typeof root !== 'object' || Array.isArray(root)) return { ok: false, problem: 'malformed' };
  const fields: Record<string, string> = {};
  // A NUL (CDATA may carry one) would make the database refuse the row; other controls are never text. Ids are kept
  // as sent: the gateway refuses ids that are not WeChat's rather than reading them as someone else's.
  for (const [name, value] of Object.entries(root)) if (typeof value === 'string') fields[name] = RAW_FIELDS.has(name) ? value : cleanText(value);
  return { ok: true, fields };
}

// XML 1.0 allows tab, line feed, carriage return and printable characters; anything else makes WeChat drop the reply.

const NOT_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Text as a CDATA section, safe whatever it holds (a "]]>" inside is split across two sections). */
export function cdata(text: string): string {
  return `<![CDATA[${text.replace(NOT_XML_CHARS, '').replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

/** A passive reply carrying one text message (被动回复文本消息). */
export function textReplyXml(reply: { toUser: string; fromUser: string; createTime: number; content: string }): string {
  return (
    `<xml><ToUserName>${cdata(reply.toUser)}</ToUserName><FromUserName>${cdata(reply.fromUser)}</FromUserName>` +
    `<CreateTime>${Math.floor(reply.createTime)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>${cdata(reply.content)}</Content></xml>`
  );
}

/** The safe-mode envelope of an encrypted passive reply. */
export function encryptedReplyXml(reply: { encrypt: string; signature: string; timestamp: string; nonce: string }): string {
  return (
    `<xml><Encrypt>${cdata(reply.encrypt)}</Encrypt><MsgSignature>${cdata(reply.signature)}</MsgSignature>` +
    `<TimeStamp>${reply.timestamp.replace(/\D/g, '')}</TimeStamp><Nonce>${cdata(reply.nonce)}</Nonce></xml>`
  );
}
