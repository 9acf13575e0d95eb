import { ConversationTokens, signCustomerToken } from '../../bot/channels/directLine/tokens';
import { startTestApp, type TestApp } from '../helpers/app';
import { allActivities, botTexts, dl, openStream, say, startConversation, TEST_DIRECT_LINE_SECRET, tokenUser } from '../helpers/directLine';

const CUSTOMER_SECRET = 'bank-site-shared-secret-for-tests';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ DIRECT_LINE_SECRET: TEST_DIRECT_LINE_SECRET, CUSTOMER_TOKEN_SECRET: CUSTOMER_SECRET, DEADLINE_CHECK_INTERVAL_S: '0' });
});
afterAll(() => t.close());

const zh = (key: string, args?: Record<string, unknown>) => t.app.texts.t('zh-CN', key, args);
const en = (key: string, args?: Record<string, unknown>) => t.app.texts.t('en-US', key, args);
const tokens = () => new ConversationTokens(TEST_DIRECT_LINE_SECRET, 1800);

describe('Direct Line tokens', () => {
  it('generates a conversation token for the secret, with a user id fixed in it', async () => {
    const res = await dl(t.url, 'POST', '/tokens/generate', TEST_DIRECT_LINE_SECRET);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ conversationId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), token: expect.any(String), expires_in: 1800 });
    expect(tokenUser(res.body.token)).toMatch(/^dl_/);
  });

  it('refreshes a token: a new token, the same conversation and user', async () => {
    const generated = (await dl(t.url, 'POST', '/tokens/generate', TEST_DIRECT_LINE_SECRET)).body;
    const refreshed = await dl(t.url, 'POST', '/tokens/refresh', generated.token);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.conversationId).toBe(generated.conversationId);
    expect(tokenUser(refreshed.body.token)).toBe(tokenUser(generated.token));
  });

  it('answers 401 with a JSON error when no credential is sent', async () => {
    for (const [method, path] of [
      ['POST', '/tokens/generate'],
      ['POST', '/tokens/refresh'],
      ['POST', '/conversations'],
      ['GET', '/conversations/abcdefghij/activities'],
    ]) {
      const res = await dl(t.url, method, path);
      expect({ path, status: res.status, code: res.body?.error?.code }).toEqual({ path, status: 401, code: 'MissingToken' });
    }
  });

  it('refuses a wrong secret, and a token where the secret is needed, with 403', async () => {
    expect((await dl(t.url, 'POST', '/tokens/generate', 'not-the-secret')).status).toBe(403);
    const c = await startConversation(t.url);
    expect((await dl(t.url, 'POST', '/tokens/generate', c.token)).status).toBe(403);
    expect((await dl(t.url, 'POST', '/tokens/refresh', TEST_DIRECT_LINE_SECRET)).status).toBe(403);
  });

  it('refuses expired, forged and other-conversation tokens with 403 and a JSON error', async () => {
    const c = await startConversation(t.url);
    const other = await startConversation(t.url);
    const now = Math.floor(Date.now() / 1000);
    const expired = tokens().sign({ conv: c.conversationId, user: c.userId, iat: now - 4000, exp: now - 10 });
    const forged = new ConversationTokens('some-other-secret', 1800).issue(c.conversationId, c.userId).token;
    const [h, , s] = c.token.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ conv: c.conversationId, user: 'dl_victim', iat: now, exp: now + 600 })).toString('base64url')}.${s}`;
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${c.token.split('.')[1]}.`;
    const cases: Array<[string, string, string]> = [
      ['expired', expired, 'TokenExpired'],
      ['forged', forged, 'BadToken'],
      ['tampered', tampered, 'BadToken'],
      ['unsigned', unsigned, 'BadToken'],
      ['garbage', 'abc.def', 'BadToken'],
      ['other conversation', other.token, 'BadToken'],
    ];
    for (const [name, token, code] of cases) {
      const post = await dl(t.url, 'POST', `/conversations/${c.conversationId}/activities`, token, { type: 'message', text: '你好' });
      const get = await dl(t.url, 'GET', `/conversations/${c.conversationId}/activities`, token);
      const reconnect = await dl(t.url, 'GET', `/conversations/${c.conversationId}`, token);
      expect({ name, post: post.status, get: get.status, reconnect: reconnect.status, code: post.body.error.code }).toEqual({
        name,
        post: 403,
        get: 403,
        reconnect: 403,
        code,
      });
    }
    expect((await dl(t.url, 'POST', '/tokens/refresh', expired)).status).toBe(403);
    await expect(openStream(c.streamUrl.replace(/t=[^&]+/, `t=${encodeURIComponent(other.token)}`))).rejects.toMatchObject({ statusCode: 403 });
    await expect(openStream(c.streamUrl.replace(/t=[^&]+/, `t=${encodeURIComponent(expired)}`))).rejects.toMatchObject({ statusCode: 403 });
    await expect(openStream(c.streamUrl.replace(/\?.*$/, ''))).rejects.toMatchObject({ statusCode: 401 });
    // Nothing was stored for the refused posts.
    expect((await allActivities(t.url, c)).activities.filter((a) => a.from.role === 'user')).toEqual([]);
  });
});

describe('Direct Line conversations', () => {
  it('starts a conversation: the bot hears the user joined and its welcome is the first activity', async () => {
    const c = await startConversation(t.url, { locale: 'en-US' });
    expect(c.streamUrl).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:\\d+/v3/directline/conversations/${c.conversationId}/stream\\?t=`));
    const { activities } = await allActivities(t.url, c);
    expect(botTexts(activities)).toEqual([en('main:welcome')]);
    expect(activities[0]).toMatchObject({
      id: `${c.conversationId}|0000001`,
      channelId: 'webchat',
      conversation: { id: c.conversationId },
      from: { role: 'bot' },
    });
    expect(activities[0].suggestedActions.actions.map((a: { title: string }) => a.title)).toEqual([
      'Check my balance',
      'Make a complaint',
      'Offers for me',
      'Talk to a person',
    ]);

    // Starting again with the same token (a reload without the conversation id) welcomes nobody twice.
    const again = await dl(t.url, 'POST', '/conversations', c.token);
    expect(again.status).toBe(200);
    expect(again.body.conversationId).toBe(c.conversationId);
    expect((await allActivities(t.url, c)).activities).toHaveLength(1);
  });

  it('starts a conversation with the secret alone, as directlinejs does with a secret', async () => {
    const res = await dl(t.url, 'POST', '/conversations', TEST_DIRECT_LINE_SECRET, { locale: 'zh-CN' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      conversationId: expect.any(String),
      token: expect.any(String),
      expires_in: 1800,
      streamUrl: expect.stringMatching(/^ws:/),
    });
  });

  it('gives a reconnecting client a fresh token and a stream address that starts at its watermark', async () => {
    const c = await startConversation(t.url);
    const res = await dl(t.url, 'GET', `/conversations/${c.conversationId}?watermark=1`, c.token);
    expect(res.status).toBe(200);
    expect(res.body.conversationId).toBe(c.conversationId);
    expect(res.body.streamUrl).toMatch(/&watermark=1$/);
    expect(tokenUser(res.body.token)).toBe(c.userId);
    expect((await dl(t.url, 'GET', `/conversations/${c.conversationId}?watermark=abc`, c.token)).status).toBe(400);
  });

  it('uses wss when the request came through a TLS proxy', async () => {
    const generated = (await dl(t.url, 'POST', '/tokens/generate', TEST_DIRECT_LINE_SECRET)).body;
    const res = await fetch(`${t.url}/v3/directline/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${generated.token}`, 'x-forwarded-proto': 'https' },
    });
    expect(((await res.json()) as { streamUrl: string }).streamUrl).toMatch(/^wss:\/\//);
  });
});

describe('Direct Line activities', () => {
  it('answers a message, echoes it with its id and the client id kept, and speaks as the token’s user only', async () => {
    const c = await startConversation(t.url, { locale: 'zh-CN' });
    const res = await dl(t.url, 'POST', `/conversations/${c.conversationId}/activities`, c.token, {
      type: 'message',
      text: '你好',
      locale: 'zh-CN',
      from: { id: 'dl_someone_else', name: 'Mallory' },
      channelData: { clientActivityID: 'client-1', other: 'dropped' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: `${c.conversationId}|0000002` });
    const { activities } = await allActivities(t.url, c);
    const echo = activities.find((a) => a.id === res.body.id)!;
    expect(echo).toMatchObject({ type: 'message', text: '你好', from: { id: c.userId, role: 'user' }, channelData: { clientActivityID: 'client-1' } });
    expect(echo.from.name).toBeUndefined();
    expect(echo.channelData.other).toBeUndefined();
    const reply = activities[activities.indexOf(echo) + 1];
    expect(reply).toMatchObject({ text: zh('main:greeting'), replyToId: res.body.id, from: { role: 'bot' } });
  });

  it('answers a message without text with the hint, and one of 10,000 characters with the limit', async () => {
    const c = await startConversation(t.url, { locale: 'zh-CN' });
    await say(t.url, c, '');
    const long = '我'.repeat(10_000);
    const longId = await say(t.url, c, long);
    const { activities } = await allActivities(t.url, c);
    expect(botTexts(activities).slice(1)).toEqual([zh('common:emptyMessage'), zh('common:tooLong', { length: 10_000, max: 4000 })]);
    // The customer's log keeps what the bot reads, not more.
    expect(activities.find((a) => a.id === longId)!.text).toHaveLength(4001);
  });

  it('answers an attachment politely (text only) and never keeps or fetches what it points to', async () => {
    const c = await startConversation(t.url, { locale: 'zh-CN' });
    const id = await say(t.url, c, '', { attachments: [{ contentType: 'image/png', contentUrl: 'http://169.254.169.254/secret', name: 'photo.png' }] });
    const { activities } = await allActivities(t.url, c);
    expect(activities.find((a) => a.id === id)!.attachments).toEqual([{ contentType: 'image/png', name: 'photo.png' }]);
    expect(botTexts(activities).at(-1)).toBe(zh('common:attachmentsUnsupported'));
  });

  it('refuses an upload politely: the files are dropped and the bot says it reads text only', async () => {
    const c = await startConversation(t.url, { locale: 'en-US' });
    const form = new FormData();
    form.append(
      'activity',
      new Blob([JSON.stringify({ type: 'message', locale: 'en-US', channelData: { clientActivityID: 'upload-1' } })], {
        type: 'application/vnd.microsoft.activity',
      }),
      'blob',
    );
    form.append('file', new Blob([Buffer.alloc(2048, 1)], { type: 'image/jpeg' }), 'receipt.jpg');
    const res = await fetch(`${t.url}/v3/directline/conversations/${c.conversationId}/upload?userId=${c.userId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.token}` },
      body: form,
    });
    expect(res.status).toBe(200);
    const { activities } = await allActivities(t.url, c);
    const echo = activities.find((a) => a.channelData?.clientActivityID === 'upload-1')!;
    expect(echo.attachments).toEqual([{ contentType: 'image/jpeg', name: 'receipt.jpg' }]);
    expect(botTexts(activities).at(-1)).toBe(en('common:attachmentsUnsupported'));
  });

  it('refuses a multipart body larger than the limit with 413', async () => {
    const c = await startConversation(t.url);
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(300 * 1024, 1)], { type: 'image/jpeg' }), 'big.jpg');
    const res = await fetch(`${t.url}/v3/directline/conversations/${c.conversationId}/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.token}` },
      body: form,
    });
    expect(res.status).toBe(413);
  });

  it.each([
    ['an activity that is not an object', 400, '[1,2]'],
    ['an event (a customer must not fake the hub’s handoff.status)', 400, { type: 'event', name: 'handoff.status', value: { state: 'completed' } }],
    ['text that is not a string', 400, { type: 'message', text: { a: 1 } }],
    ['attachments that are not a list', 400, { type: 'message', attachments: 'x' }],
    ['malformed JSON', 400, '{"type": "message", '],
    ['a body over the size limit', 413, { type: 'message', text: 'x'.repeat(300 * 1024) }],
  ])('refuses %s with %d', async (_name, status, body) => {
    const c = await startConversation(t.url);
    const res = await dl(t.url, 'POST', `/conversations/${c.conversationId}/activities`, c.token, body);
    expect(res.status).toBe(status);
    expect(typeof res.body).toBe('object');
  });

  it('refuses a body that is not JSON with 415', async () => {
    const c = await startConversation(t.url);
    const res = await fetch(`${t.url}/v3/directline/conversations/${c.conversationId}/activities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.token}`, 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(res.status).toBe(415);
  });

  it('masks personal data in the stored log, and hides a one-time code once the bot knows it is one', async () => {
    const c = await startConversation(t.url, { locale: 'zh-CN' });
    await say(t.url, c, '查余额');
    const mobileId = await say(t.url, c, '138 0000 0002');
    const [sms] = await t.app.repositories.devSmsOutbox.latest('13800000002', 1);
    const code = /\b(\d{6})\b/.exec(sms.text)![1];
    const codeId = await say(t.url, c, code);
    const { activities } = await allActivities(t.url, c);
    expect(activities.find((a) => a.id === mobileId)!.text).toBe('138****0002');
    expect(activities.find((a) => a.id === codeId)!.text).toBe(zh('chat:redacted'));
    expect(botTexts(activities)).toContain(zh('verify:success'));
    expect(JSON.stringify(activities)).not.toMatch(/138 ?0000 ?0002/);
    expect(JSON.stringify(activities)).not.toContain(code);
  });
});

describe('the WebSocket stream', () => {
  it('sends from the watermark, then each new activity once, echo first', async () => {
    const c = await startConversation(t.url, { locale: 'zh-CN' });
    const stream = await openStream(c.streamUrl);
    try {
      await stream.waitFor((a) => a.length === 1);
      const id = await say(t.url, c, '你好');
      const all = await stream.waitFor((a) => a.length === 3);
      expect(all.map((a) => a.id)).toEqual([`${c.conversationId}|0000001`, id, `${c.conversationId}|0000003`]);
      expect(all[2].text).toBe(zh('main:greeting'));
      expect(stream.frames.filter((f) => f !== '').at(-1)).toMatchObject({ watermark: '3' });
    } finally {
      await stream.close();
    }
    const resumed = await openStream(`${c.streamUrl}&watermark=2`);
    try {
      const all = await resumed.waitFor((a) => a.length >= 1);
      expect(all.map((a) => a.id)).toEqual([`${c.conversationId}|0000003`]);
    } finally {
      await resumed.close();
    }
  });

  it('closes a stream normally when the token that opened it expires, and the client resumes with its refreshed token', async () => {
    const c = await startConversation(t.url, { locale: 'zh-CN' });
    const now = Math.floor(Date.now() / 1000);
    const shortLived = tokens().sign({ conv: c.conversationId, user: c.userId, iat: now, exp: now + 2 });
    const expiring = await openStream(c.streamUrl.replace(/t=[^&]+/, `t=${encodeURIComponent(shortLived)}`));
    const lasting = await openStream(c.streamUrl);
    try {
      await expiring.waitFor((a) => a.length === 1);
      expect(await expiring.closed).toEqual({ code: 1000, reason: 'token expired' });
      // Not before the token's expiry (timers may round by a millisecond or two).
      expect(Date.now()).toBeGreaterThanOrEqual((now + 2) * 1000 - 50);

      // A stream whose token still lives is not closed with it.
      const id = await say(t.url, c, '你好');
      expect((await lasting.waitFor((a) => a.length === 3)).map((a) => a.id)).toContain(id);

      // What Web Chat does next: its refreshed token reconnects from its watermark and gets what it missed.
      const refreshed = await dl(t.url, 'POST', '/tokens/refresh', c.token);
      const reconnect = await dl(t.url, 'GET', `/conversations/${c.conversationId}?watermark=1`, refreshed.body.token);
      expect(reconnect.status).toBe(200);
      const resumed = await openStream(reconnect.body.streamUrl);
      try {
        expect((await resumed.waitFor((a) => a.length === 2)).map((a) => a.id)).toEqual([id, `${c.conversationId}|0000003`]);
      } finally {
        await resumed.close();
      }
    } finally {
      await expiring.close();
      await lasting.close();
    }
  });
});

describe('signed customer tokens', () => {
  const exp = (seconds: number) => Math.floor(Date.now() / 1000) + seconds;

  it('binds the conversation’s user to the customer: identified, not verified', async () => {
    const customerToken = signCustomerToken(CUSTOMER_SECRET, 'B0003', exp(300));
    const c = await startConversation(t.url, { customerToken });
    const identity = await t.app.repositories.identities.find('webchat', c.userId);
    const customer = await t.app.repositories.customers.findByCustomerNo('B0003');
    expect(identity).toMatchObject({ customerId: customer!.id, verifiedAt: null });
    // Balances still ask for the code, which goes straight to the registered mobile.
    await say(t.url, c, '查余额', { locale: 'zh-CN' });
    expect(botTexts((await allActivities(t.url, c)).activities).at(-1)).toBe(zh('verify:codeSentBound', { mobile: '138****0003' }));
  });

  it('is accepted by the page’s own token exchange too', async () => {
    const res = await fetch(`${t.url}/chat/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerToken: signCustomerToken(CUSTOMER_SECRET, 'T0002', exp(60)) }),
    });
    const body = (await res.json()) as { token: string };
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await t.app.repositories.identities.find('webchat', tokenUser(body.token)))?.customerId).toBe(
      (await t.app.repositories.customers.findByCustomerNo('T0002'))!.id,
    );
  });

  it('is used once: the same token again (a leaked address) opens an anonymous chat', async () => {
    const customerToken = signCustomerToken(CUSTOMER_SECRET, 'B0002', exp(300));
    const first = await startConversation(t.url, { customerToken });
    expect(await t.app.repositories.identities.find('webchat', first.userId)).toMatchObject({
      customerId: (await t.app.repositories.customers.findByCustomerNo('B0002'))!.id,
    });
    const again = await startConversation(t.url, { customerToken });
    expect(await t.app.repositories.identities.find('webchat', again.userId)).toBeUndefined();
    expect(t.logs).toContainEqual(
      expect.objectContaining({ event: 'directline.customer_token_ignored', reason: 'used', conversationId: again.conversationId }),
    );
    // A fresh token for the same customer, made for the next page view, is taken.
    const next = await startConversation(t.url, { customerToken: signCustomerToken(CUSTOMER_SECRET, 'B0002', exp(301)) });
    expect(await t.app.repositories.identities.find('webchat', next.userId)).toBeDefined();
  });

  it.each([
    ['expired', () => signCustomerToken(CUSTOMER_SECRET, 'B0001', exp(-5)), 'expired'],
    ['signed with another key', () => signCustomerToken('another-key', 'B0001', exp(300)), 'signature'],
    ['too long-lived', () => signCustomerToken(CUSTOMER_SECRET, 'B0001', exp(86_400)), 'too_long_lived'],
    ['for nobody we know', () => signCustomerToken(CUSTOMER_SECRET, 'X9999', exp(300)), 'unknown_customer'],
    ['malformed', () => 'not-a-token', 'malformed'],
  ])('ignores one %s, with a log line, and the chat works anonymously', async (_name, make, reason) => {
    const c = await startConversation(t.url, { customerToken: make() });
    expect(await t.app.repositories.identities.find('webchat', c.userId)).toBeUndefined();
    expect(t.logs).toContainEqual(expect.objectContaining({ event: 'directline.customer_token_ignored', reason, conversationId: c.conversationId }));
    expect(botTexts((await allActivities(t.url, c)).activities)).toHaveLength(1);
  });
});

describe('the /chat page', () => {
  it('is served with a strict policy, escaped, in the browser’s language', async () => {
    const res = await fetch(`${t.url}/chat?lang=%22%3E%3Cscript%3E`, { headers: { 'accept-language': 'en-GB,en;q=0.9' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/style-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("frame-ancestors 'self'");
    const html = await res.text();
    expect(html).toContain('<html lang="en-US">');
    expect(html).toContain(`<title>${en('chat:pageTitle')}</title>`);
    expect(html).not.toContain('<script>');
    expect(html).toMatch(/<script src="\/chat\/webchat\.js\?v=4\.18\.\d+"><\/script>/);
  });

  it('serves Web Chat’s bundle from node_modules, compressed and cacheable', async () => {
    const res = await fetch(`${t.url}/chat/webchat.js?v=1`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toContain('max-age=31536000');
    const etag = res.headers.get('etag')!;
    expect((await res.text()).length).toBeGreaterThan(1_000_000);
    const again = await fetch(`${t.url}/chat/webchat.js?v=1`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });
});

describe('ending a conversation (a new chat on a shared phone)', () => {
  it('deletes the conversation and its log, closes its streams, and its token opens nothing any more', async () => {
    const c = await startConversation(t.url, { locale: 'zh-CN' });
    const stream = await openStream(c.streamUrl);
    await stream.waitFor((all) => all.length === 1);
    await say(t.url, c, '你好', { locale: 'zh-CN' });
    const ended = await dl(t.url, 'POST', `/conversations/${c.conversationId}/activities`, c.token, { type: 'endOfConversation' });
    expect(ended.status).toBe(200);
    expect((await stream.closed).code).toBe(1000);
    expect((await dl(t.url, 'POST', '/tokens/refresh', c.token)).status).toBe(404);
    expect((await dl(t.url, 'GET', `/conversations/${c.conversationId}/activities`, c.token)).status).toBe(404);
    expect((await dl(t.url, 'POST', `/conversations/${c.conversationId}/activities`, c.token, { type: 'message', text: '查余额' })).status).toBe(404);
    expect(await t.app.repositories.conversations.find('webchat', c.conversationId).then((x) => x !== undefined)).toBe(true);
  });

  it('forgets the verification made in it: the bot asks again in the next conversation', async () => {
    const c = await startConversation(t.url, { locale: 'zh-CN' });
    await say(t.url, c, '查余额', { locale: 'zh-CN' });
    await say(t.url, c, '13800000004', { locale: 'zh-CN' });
    const [sms] = await t.app.repositories.devSmsOutbox.latest('13800000004', 1);
    await say(t.url, c, /\b(\d{6})\b/.exec(sms.text)![1], { locale: 'zh-CN' });
    const user = tokenUser(c.token);
    expect((await t.app.repositories.identities.find('webchat', user))?.verifiedAt).not.toBeNull();
    await dl(t.url, 'POST', `/conversations/${c.conversationId}/activities`, c.token, { type: 'endOfConversation' });
    expect(await t.app.repositories.identities.find('webchat', user)).toMatchObject({ verifiedAt: null, verifiedConversation: null });
  });
});
