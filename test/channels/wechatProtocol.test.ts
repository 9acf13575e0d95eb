import { paths } from '../../bot/paths';
import { aesKeyFrom, decryptMessage, encryptMessage, pkcs7Pad, pkcs7Unpad, signatureMatches, wechatSignature } from '../../bot/channels/wechat/crypto';
import { renderForText, splitText } from '../../bot/channels/wechat/render';
import { cdata, encryptedReplyXml, MAX_XML_BYTES, parseWeChatXml, textReplyXml } from '../../bot/channels/wechat/xml';
import { loadTexts } from '../../prompts/texts';

// The vectors below are WeChat's own: the samples shipped with its message encryption library (WXBizMsgCrypt: the
// Java test, the Python and C++ samples) and the example in its "message push" documentation.
const SAMPLE_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

describe('WeChat signatures', () => {
  it('sign the sorted token, timestamp and nonce for the URL check', () => {
    const signature = wechatSignature(['pamtest', '1409304348', 'xxxxxx']);
    expect(signature).toMatch(/^[0-9a-f]{40}$/);
    // Sorted before joining: the order given does not matter.
    expect(wechatSignature(['xxxxxx', 'pamtest', '1409304348'])).toBe(signature);
    expect(signatureMatches(['pamtest', '1409304348', 'xxxxxx'], signature)).toBe(true);
    expect(signatureMatches(['pamtest', '1409304348', 'xxxxxy'], signature)).toBe(false);
  });

  it('match the msg_signature of WeChat’s samples (token, timestamp, nonce and the Encrypt text)', () => {
    const echostr = 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==';
    expect(wechatSignature(['QDG6eK', '1409659589', '263014780', echostr])).toBe('5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3');
  });

  it('refuse anything that is not a 40-digit hex signature, without throwing', () => {
    for (const bad of [undefined, '', 'abc', 'z'.repeat(40), ['5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3'], 42]) {
      expect(signatureMatches(['a', 'b', 'c'], bad)).toBe(false);
    }
  });
});

describe('WeChat safe-mode encryption', () => {
  it('gives the ciphertext of WeChat’s sample for a fixed random prefix', () => {
    const key = aesKeyFrom(SAMPLE_KEY);
    expect(encryptMessage(key, 'wxb11529c136998cb6', '我是中文abcd123', Buffer.from('aaaabbbbccccdddd'))).toBe(
      'jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==',
    );
  });

  it('decrypts the URL-check sample to its echo string and app id', () => {
    const decrypted = decryptMessage(
      aesKeyFrom('jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C'),
      'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
    );
    expect(decrypted).toEqual({ message: '1616140317555161061', appId: 'wx5823bf96d3bd56c7' });
  });

  it('checks and decrypts the sample message (its new lines kept) and reads its 64-bit MsgId as text', () => {
    const body =
      '<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName><CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[abcdteT]]></Content><MsgId>6054768590064713728</MsgId><Encrypt><![CDATA[hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=]]></Encrypt></xml>';
    const envelope = parseWeChatXml(body);
    if (!envelope.ok) throw new Error(envelope.problem);
    const encrypt = envelope.fields.Encrypt;
    expect(signatureMatches(['spamtest', '1409735669', '1320562132', encrypt], '5d197aaffba7e9b25a30732f161a50dee96bd5fa')).toBe(true);
    const decrypted = decryptMessage(aesKeyFrom(SAMPLE_KEY), encrypt);
    expect(decrypted.appId).toBe('wx2c2769f8efd9abc2');
    expect(decrypted.message).toBe(
      '<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>\n<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>\n<CreateTime>1409735668</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[abcdteT]]></Content>\n<MsgId>6054768590064713728</MsgId>\n</xml>',
    );
    const inner = parseWeChatXml(decrypted.message);
    expect(inner).toEqual({
      ok: true,
      fields: {
        ToUserName: 'gh_10f6c3c3ac5a',
        FromUserName: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs',
        CreateTime: '1409735668',
        MsgType: 'text',
        Content: 'abcdteT',
        MsgId: '6054768590064713728',
      },
    });
  });

  it('matches the documentation’s example with an all-zero key: the message in, and the encrypted reply out', () => {
    const key = aesKeyFrom('A'.repeat(43));
    expect(key.key.equals(Buffer.alloc(32))).toBe(true);
    const encrypt =
      'D7yzvUNAL930rd28wf21s4hvXhz0L6Uit/p2Di6C5DHyYGpEgdBRnKjBec34JwoQXicwaZC7fOVihW80F4VtsdvE//1vr7oAbqjDv8KenVp+ajKYpJnyQ4zMRhIC+a31fCVOMC03FfzV/QuC94kBP55a+Za3sJgvAn+ZbsNqZI5DkyuzkhQN8OBqCzFhizGmy0xpM0MEA4agpvE+RuNO1rhHTtuJB5yltw1FiYzecSXJ+y/D2r81VkRn2eYjh2ltsoyfbDR7Is6ookXIFxTfyeNyeHxMeT4KN5WpCDmSbTcUYrbBUlkGLJ9n/rU8YOywma6G7aTb7KZKOqCxgfoUlYEZPk4FUL/TK7ShriFDMVCLyjQJ15Ob++agDWtcxhfUfe6HIoIpRW8mKNBQiY/Jd1svvuskA1wLef1RTtzKfMpagSCX/laZINmdnX4zrF6kIaR9P4xQrWXbsTFHTYe0Mg==';
    expect(wechatSignature(['AAAAA', '1715943329', '1590219412', encrypt])).toBe('6c12a4205838198b8fa631b3220723bb07f1015c');
    const decrypted = decryptMessage(key, encrypt);
    expect(decrypted.appId).toBe('wx134c8103faa5a59e');
    expect(Buffer.byteLength(decrypted.message)).toBe(292);
    expect(decrypted.message).toContain('<Event><![CDATA[debug_demo]]></Event>');

    const reply = encryptMessage(key, 'wx134c8103faa5a59e', '<xml><demo_resp>[CDATA[good luck]]</demo_resp></xml>', Buffer.from('999951349e8ee746'));
    expect(reply).toBe('hE8R6mGXHkJJjU72KxzKUd1GEkKJaEZq7vRL8XgK3o+00k8JGq6+pZJUIlTSyhsX+bxIBQ72g3GyvDdIZcr6+3HAZbSvPT9t/o11MI7d6WELwqrGd7jMnV0zv3Zc9Nq7');
    expect(wechatSignature(['AAAAA', '1713424427', '415670741', reply])).toBe('03e0812039325c2712ef5f0f980fd14c70d6e307');
  });

  it('round-trips any message, Chinese, empty or long, with a random prefix each time', () => {
    const key = aesKeyFrom(SAMPLE_KEY);
    for (const message of ['', '你好', '<xml><Content><![CDATA[余额]]></Content></xml>', 'x'.repeat(5000), '😀'.repeat(31)]) {
      const a = encryptMessage(key, 'wx0123456789abcdef', message);
      const b = encryptMessage(key, 'wx0123456789abcdef', message);
      expect(a).not.toBe(b);
      expect(decryptMessage(key, a)).toEqual({ message, appId: 'wx0123456789abcdef' });
    }
  });

  it('pads to 32-byte blocks, a whole block when already aligned, and refuses bad padding', () => {
    expect(pkcs7Pad(Buffer.alloc(31)).length).toBe(32);
    expect(pkcs7Pad(Buffer.alloc(32))).toEqual(Buffer.concat([Buffer.alloc(32), Buffer.alloc(32, 32)]));
    expect(pkcs7Unpad(pkcs7Pad(Buffer.from('abc')))).toEqual(Buffer.from('abc'));
    expect(() => pkcs7Unpad(Buffer.alloc(32))).toThrow('bad padding');
    expect(() => pkcs7Unpad(Buffer.concat([Buffer.alloc(31), Buffer.from([33])]))).toThrow('bad padding');
    expect(() => pkcs7Unpad(Buffer.concat([Buffer.alloc(30), Buffer.from([1, 2])]))).toThrow('bad padding');
  });

  it('refuses ciphertext that is not base64, not whole blocks, tampered or under another key', () => {
    const key = aesKeyFrom(SAMPLE_KEY);
    const good = encryptMessage(key, 'wx0123456789abcdef', 'hello');
    expect(() => decryptMessage(key, '!!!not-base64!!!')).toThrow();
    expect(() => decryptMessage(key, 'YWJj')).toThrow();
    expect(() => decryptMessage(key, 'AAAAAAAAAAAAAAAAAAAAAA==')).toThrow();
    expect(() => decryptMessage(aesKeyFrom('A'.repeat(43)), good)).toThrow();
    const bytes = Buffer.from(good, 'base64');
    bytes[bytes.length - 1] ^= 0xff;
    expect(() => decryptMessage(key, bytes.toString('base64'))).toThrow();
  });

  it('refuses an EncodingAESKey that is not 43 base64 characters', () => {
    expect(() => aesKeyFrom('abcde')).toThrow();
    expect(() => aesKeyFrom(`${SAMPLE_KEY}=`)).toThrow();
    expect(() => aesKeyFrom('!'.repeat(43))).toThrow();
  });
});

describe('WeChat XML', () => {
  it('reads the fields of a message, CDATA or not, ids as text', () => {
    const parsed = parseWeChatXml(
      '<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Content><![CDATA[a < b &amp; c]]></Content><EventKey>x &amp; y</EventKey><MsgId>9223372036854775807</MsgId><Nested><A>1</A></Nested></xml>',
    );
    // CDATA is taken as written; outside it the predefined entities are read.
    expect(parsed).toEqual({ ok: true, fields: { ToUserName: 'gh_1', Content: 'a < b &amp; c', EventKey: 'x & y', MsgId: '9223372036854775807' } });
  });

  it('refuses DOCTYPE and ENTITY declarations before parsing (no entity expansion)', () => {
    const billion = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><xml><Content>&lol2;</Content></xml>';
    const xxe = '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>';
    expect(parseWeChatXml(billion)).toEqual({ ok: false, problem: 'declarations' });
    expect(parseWeChatXml(xxe)).toEqual({ ok: false, problem: 'declarations' });
    expect(parseWeChatXml('<xml><!entity x "y"></xml>')).toEqual({ ok: false, problem: 'declarations' });
  });

  it('refuses malformed, rootless and oversized bodies', () => {
    for (const bad of ['<xml><Content>unclosed</xml>', 'not xml at all', '<other><A>1</A></other>', '<xml><A>1</A>', '{"json":true}']) {
      expect(parseWeChatXml(bad)).toEqual({ ok: false, problem: 'malformed' });
    }
    expect(parseWeChatXml(`<xml><Content>${'x'.repeat(MAX_XML_BYTES)}</Content></xml>`)).toEqual({ ok: false, problem: 'too_large' });
  });

  it('writes replies that read back to the same text, whatever the text holds', () => {
    const content = '回复 1 查询余额\n]]> <b>&amp;\u0007';
    const xml = textReplyXml({ toUser: 'o123', fromUser: 'gh_1', createTime: 1700000000, content });
    expect(parseWeChatXml(xml)).toEqual({
      ok: true,
      fields: { ToUserName: 'o123', FromUserName: 'gh_1', CreateTime: '1700000000', MsgType: 'text', Content: '回复 1 查询余额\n]]> <b>&amp;' },
    });
    expect(cdata('a]]>b')).toBe('<![CDATA[a]]]]><![CDATA[>b]]>');
    const envelope = parseWeChatXml(encryptedReplyXml({ encrypt: 'abc==', signature: 'f'.repeat(40), timestamp: '1700000000', nonce: '123' }));
    expect(envelope).toEqual({ ok: true, fields: { Encrypt: 'abc==', MsgSignature: 'f'.repeat(40), TimeStamp: '1700000000', Nonce: '123' } });
  });
});

describe('rendering for a text-only channel', () => {
  const texts = loadTexts({ localesDir: paths.locales, promptsDir: paths.prompts });

  it('numbers suggested actions and card buttons across the messages, in the language of the text', () => {
    const rendered = renderForText(
      [
        { type: 'typing' },
        {
          type: 'message',
          text: '请问有什么可以帮您？',
          suggestedActions: {
            to: [],
            actions: [
              { type: 'imBack', title: '查询余额', value: '查询余额' },
              { type: 'imBack', title: '我要投诉', value: '我要投诉' },
            ],
          },
        },
        {
          type: 'message',
          attachments: [
            {
              contentType: 'application/vnd.microsoft.card.hero',
              content: {
                title: '白金卡首年免年费',
                text: '首年免年费',
                buttons: [
                  { type: 'imBack', title: '接受', value: '接受 1' },
                  { type: 'openUrl', title: '详情', value: 'https://bank.example/card' },
                ],
              },
            },
          ],
        },
      ],
      texts,
      'en-US',
    );
    expect(rendered.text).toBe(
      '请问有什么可以帮您？\n回复 1 查询余额\n回复 2 我要投诉\n\n白金卡首年免年费\n首年免年费\n回复 3 接受\n详情：https://bank.example/card',
    );
    expect(rendered.choices).toEqual(['查询余额', '我要投诉', '接受 1']);
  });

  it('writes English hints for English text, and nothing for typing or events', () => {
    const rendered = renderForText(
      [
        {
          type: 'message',
          text: 'How can I help?',
          suggestedActions: { to: [], actions: [{ type: 'imBack', title: 'Check my balance', value: 'Check my balance' }] },
        },
      ],
      texts,
      'zh-CN',
    );
    expect(rendered).toEqual({ text: 'How can I help?\nReply 1 for Check my balance', choices: ['Check my balance'] });
    expect(renderForText([{ type: 'typing' }, { type: 'event', name: 'handoff.initiate' }], texts, 'zh-CN')).toEqual({ text: '', choices: [] });
  });

  it('splits long text under 2,048 bytes on line boundaries, and a line too long by characters', () => {
    const line = '您的账户余额为 ¥12,345.60。'.repeat(3);
    const text = Array.from({ length: 40 }, () => line).join('\n');
    const parts = splitText(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(Buffer.byteLength(part)).toBeLessThanOrEqual(2048);
      expect(part.split('\n').every((l) => l === line)).toBe(true);
    }
    expect(parts.join('\n')).toBe(text);

    const long = '长'.repeat(1000) + '😀'.repeat(10);
    const pieces = splitText(long);
    expect(pieces.every((p) => Buffer.byteLength(p) <= 2048)).toBe(true);
    expect(pieces.join('')).toBe(long);
    expect(splitText('short')).toEqual(['short']);
    expect(splitText('')).toEqual([]);
  });
});
