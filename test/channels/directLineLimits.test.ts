import type { IncomingMessage } from 'node:http';
import { DEFAULT_LIMITS } from '../../bot/channels/directLine/gateway';
import { clientAddress, RateLimiter } from '../../bot/rateLimiter';
import { startTestApp, type TestApp } from '../helpers/app';
import { allActivities, type Answer, dl, say, startConversation, startGateway, TEST_DIRECT_LINE_SECRET, type TestGateway } from '../helpers/directLine';

const ENV = { DIRECT_LINE_SECRET: TEST_DIRECT_LINE_SECRET, DEADLINE_CHECK_INTERVAL_S: '0' };

/** `POST /chat/token` as the page sends it, with the given headers. */
async function pageToken(base: string, options: { body?: Record<string, unknown>; headers?: Record<string, string> } = {}): Promise<Answer> {
  const res = await fetch(`${base}/chat/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify(options.body ?? {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** Sends `count` requests at once; returns the answers in order. */
function burst(count: number, send: (i: number) => Promise<Answer>): Promise<Answer[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => send(i)));
}

describe('Direct Line rate limits, as the service starts (the default limits)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(ENV);
  });
  afterAll(() => t.close());

  const conversations = async () => Number((await t.app.knex('directline_conversations').count({ n: '*' }).first())!.n);

  it('has limits a real customer never meets', () => {
    expect(DEFAULT_LIMITS).toEqual({
      pageTokens: { limit: 20, windowMs: 60_000 },
      secretTokens: { limit: 300, windowMs: 60_000 },
      messages: { limit: 30, windowMs: 60_000 },
    });
  });

  it('lets a conversation send 30 messages a minute, refuses the rest with 429 and Retry-After, without storing or answering them', async () => {
    const c = await startConversation(t.url, { locale: 'zh-CN' });
    const other = await startConversation(t.url, { locale: 'en-US' });
    const texts = Array.from({ length: 35 }, (_, i) => `谢谢 ${i}`);
    const answers = await burst(35, (i) =>
      dl(t.url, 'POST', `/conversations/${c.conversationId}/activities`, c.token, { type: 'message', text: texts[i], locale: 'zh-CN', from: { id: c.userId } }),
    );
    const refused = answers.filter((a) => a.status === 429);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(30);
    expect(refused).toHaveLength(5);
    for (const a of refused) {
      const seconds = Number(a.headers.get('retry-after'));
      // 30 a minute: one more every two seconds.
      expect(seconds).toBe(2);
      expect(a.body).toEqual({ error: { code: 'TooManyRequests', message: t.app.texts.t('zh-CN', 'chat:tooManyMessages', { seconds }) } });
      expect(a.headers.get('cache-control')).toBe('no-store');
    }
    const { activities } = await allActivities(t.url, c);
    const sent = activities.filter((a) => a.from.role === 'user').map((a) => a.text);
    expect(activities).toHaveLength(1 + 30 + 30);
    expect(new Set(sent).size).toBe(30);
    expect(sent.every((text) => texts.includes(text))).toBe(true);
    expect(t.logs).toContainEqual(
      expect.objectContaining({ event: 'directline.rate_limited', limit: 'messages', conversationId: c.conversationId, retryAfterS: 2 }),
    );

    // Typing costs nothing and is still taken; another conversation has its own budget.
    expect((await dl(t.url, 'POST', `/conversations/${c.conversationId}/activities`, c.token, { type: 'typing' })).status).toBe(200);
    const otherPost = await dl(t.url, 'POST', `/conversations/${other.conversationId}/activities`, other.token, {
      type: 'message',
      text: 'hello',
      locale: 'en-US',
    });
    expect(otherPost.status).toBe(200);
  });

  it('lets one address start 20 chats a minute from the page, then answers 429 in the customer’s language', async () => {
    const before = await conversations();
    const answers = await burst(25, () => pageToken(t.url));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(20);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(5);
    // A refused request makes nothing.
    expect(await conversations()).toBe(before + 20);

    const english = await pageToken(t.url, { headers: { 'accept-language': 'en-GB,en;q=0.9' } });
    const seconds = Number(english.headers.get('retry-after'));
    expect(english.status).toBe(429);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(3);
    expect(english.body).toEqual({ error: { code: 'TooManyRequests', message: t.app.texts.t('en-US', 'chat:tooManyChats', { seconds }) } });
    const chinese = await pageToken(t.url, { body: { locale: 'zh-CN' }, headers: { 'accept-language': 'en-US' } });
    expect(chinese.body.error.message).toBe(t.app.texts.t('zh-CN', 'chat:tooManyChats', { seconds: Number(chinese.headers.get('retry-after')) }));

    // Without TRUST_PROXY a client's X-Forwarded-For is not believed: it does not buy a new budget.
    expect((await pageToken(t.url, { headers: { 'x-forwarded-for': '198.51.100.7' } })).status).toBe(429);
    // The log says which limit, never the address.
    const line = t.logs.find((l) => l.event === 'directline.rate_limited' && l.limit === 'pageTokens');
    expect(line).toBeDefined();
    expect(JSON.stringify(line)).not.toContain('127.0.0.1');
  });

  it('gives the secret’s holder (a site’s server, for all its visitors) a budget of its own, 300 a minute', async () => {
    // The page's budget is spent (above); the secret's is not.
    const started = Date.now();
    const answers: Answer[] = [];
    for (let i = 0; i < 8; i++) answers.push(...(await burst(40, () => dl(t.url, 'POST', '/tokens/generate', TEST_DIRECT_LINE_SECRET))));
    const elapsed = Date.now() - started;
    const accepted = answers.filter((a) => a.status === 200).length;
    // One more comes back every 200 ms of the burst.
    expect(accepted).toBeGreaterThanOrEqual(300);
    expect(accepted).toBeLessThanOrEqual(300 + Math.ceil(elapsed / 200));
    expect(answers.filter((a) => a.status === 429).length).toBe(320 - accepted);
    expect(answers.find((a) => a.status === 429)!.headers.get('retry-after')).toBe('1');
  });
});

describe('Direct Line rate limits behind a proxy (TRUST_PROXY=true)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ ...ENV, TRUST_PROXY: 'true' });
  });
  afterAll(() => t.close());

  it('counts each customer by the address the proxy added, never by what the customer wrote before it', async () => {
    const from = (forwardedFor: string) => ({ headers: { 'x-forwarded-for': forwardedFor } });
    const answers = await burst(21, (i) => pageToken(t.url, from(`10.0.0.${i}, 203.0.113.5`)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(20);
    expect((await pageToken(t.url, from('203.0.113.5'))).status).toBe(429);
    // Another customer behind the same proxy.
    expect((await pageToken(t.url, from('198.51.100.7'))).status).toBe(200);
    // An IPv6 customer likewise; the proxy's own address (the connection's peer) is nobody's budget.
    expect((await pageToken(t.url, from('2001:db8::1'))).status).toBe(200);
  });
});

describe('Direct Line with the message limit raised (an option)', () => {
  let t: TestApp;
  let gw: TestGateway;
  beforeAll(async () => {
    t = await startTestApp(ENV);
    gw = await startGateway(t, { limits: { messages: { limit: 1000, windowMs: 60_000 } } });
  });
  afterAll(async () => {
    await gw.close();
    await t.close();
  });

  // With the message limit raised: 55 messages in one conversation, more than a customer sends in a minute.
  it('pages through activities by watermark without losing or repeating any', async () => {
    const c = await startConversation(gw.url, { locale: 'zh-CN' });
    for (let i = 0; i < 55; i++) await say(gw.url, c, `谢谢 ${i}`);
    const first = await dl(gw.url, 'GET', `/conversations/${c.conversationId}/activities`, c.token);
    expect(first.body.activities).toHaveLength(100);
    expect(first.body.watermark).toBe('100');
    const { activities, watermark } = await allActivities(gw.url, c);
    expect(watermark).toBe(111);
    expect(activities.map((a) => a.id)).toEqual(Array.from({ length: 111 }, (_, i) => `${c.conversationId}|${String(i + 1).padStart(7, '0')}`));
    for (const mark of [0, 1, 37, 100, 110, 111, 500]) {
      const page = await allActivities(gw.url, c, mark);
      expect(page.activities.map((a) => a.id)).toEqual(activities.slice(mark).map((a) => a.id));
    }
    const empty = await dl(gw.url, 'GET', `/conversations/${c.conversationId}/activities?watermark=111`, c.token);
    expect(empty.body).toEqual({ activities: [], watermark: '111' });
  });
});

describe('Direct Line limits lowered (options)', () => {
  let t: TestApp;
  let gw: TestGateway;
  beforeAll(async () => {
    t = await startTestApp(ENV);
    gw = await startGateway(t, { limits: { pageTokens: { limit: 2, windowMs: 1000 }, secretTokens: { limit: 3, windowMs: 60_000 } } });
  });
  afterAll(async () => {
    await gw.close();
    await t.close();
  });

  it('refills over the window: a client refused gets in again after Retry-After', async () => {
    expect((await pageToken(gw.url)).status).toBe(200);
    expect((await pageToken(gw.url)).status).toBe(200);
    const refused = await pageToken(gw.url);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await pageToken(gw.url)).status).toBe(200);
  });

  it('counts starting a conversation with the secret as a token, and not starting it with its own token', async () => {
    const generated = await dl(gw.url, 'POST', '/tokens/generate', TEST_DIRECT_LINE_SECRET);
    expect((await dl(gw.url, 'POST', '/conversations', TEST_DIRECT_LINE_SECRET, {})).status).toBe(201);
    expect((await dl(gw.url, 'POST', '/tokens/generate', TEST_DIRECT_LINE_SECRET)).status).toBe(200);
    const refused = await dl(gw.url, 'POST', '/conversations', TEST_DIRECT_LINE_SECRET, {});
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('20');
    expect((await dl(gw.url, 'POST', '/tokens/generate', TEST_DIRECT_LINE_SECRET)).status).toBe(429);
    expect((await dl(gw.url, 'POST', '/conversations', generated.body.token, {})).status).toBe(201);
  });
});

describe('RateLimiter', () => {
  it('allows the limit at once, then one more per window/limit, and says how long to wait', () => {
    let clock = 0;
    const limiter = new RateLimiter({ limit: 3, windowMs: 3000 }, 100, () => clock);
    expect([1, 2, 3].map(() => limiter.take('a').ok)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterS: 1 });
    clock += 999;
    expect(limiter.take('a').ok).toBe(false);
    clock += 1;
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('b').ok).toBe(true);
  });

  it('keeps at most maxKeys clients, forgetting the least recently seen', () => {
    let clock = 0;
    const limiter = new RateLimiter({ limit: 1, windowMs: 60_000 }, 100, () => clock);
    for (let i = 0; i < 10_000; i++) {
      limiter.take(`client-${i}`);
      clock += 1;
    }
    expect(limiter.size()).toBe(100);
    // The most recent client is still held to its limit.
    expect(limiter.take('client-9999').ok).toBe(false);
  });

  it('drops clients whose budget has come back as others arrive', () => {
    let clock = 0;
    const limiter = new RateLimiter({ limit: 5, windowMs: 1000 }, 1000, () => clock);
    for (let i = 0; i < 50; i++) limiter.take(`early-${i}`);
    clock += 1000;
    for (let i = 0; i < 30; i++) limiter.take(`late-${i}`);
    expect(limiter.size()).toBe(30);
  });
});

describe('clientAddress', () => {
  const req = (remoteAddress: string, forwardedFor?: string) =>
    ({ socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

  it('is the connection’s peer unless the proxy in front is trusted', () => {
    expect(clientAddress(req('10.1.1.1', '203.0.113.5'), false)).toBe('10.1.1.1');
    expect(clientAddress(req('10.1.1.1', '198.51.100.1, 203.0.113.5'), true)).toBe('203.0.113.5');
    expect(clientAddress(req('10.1.1.1', 'not an address'), true)).toBe('10.1.1.1');
    expect(clientAddress(req('10.1.1.1'), true)).toBe('10.1.1.1');
  });
});
