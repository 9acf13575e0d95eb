import { gzipSync, deflateSync } from 'node:zlib';
import { startTestApp, type TestApp } from '../helpers/app';
import { rawRequest } from '../helpers/rawHttp';
import { startFakeWeChatApi } from '../fakes/wechatApi';
import { TEST_ACCOUNT, wechatEnv } from '../helpers/wechat';

const MAX = 64 * 1024;
let t: TestApp;
let wechat: Awaited<ReturnType<typeof startFakeWeChatApi>>;
beforeAll(async () => {
  wechat = await startFakeWeChatApi({ appId: TEST_ACCOUNT.appId, appSecret: TEST_ACCOUNT.appSecret });
  t = await startTestApp({ MAX_BODY_BYTES: String(MAX), ...wechatEnv(wechat.url) });
});
afterAll(async () => {
  await t.close();
  await wechat.close();
});

/** Every endpoint that reads a body, with the type its clients send. */
const ENDPOINTS: Array<[string, string]> = [
  ['/api/messages', 'application/json'],
  ['/wechat?signature=x&timestamp=1&nonce=n', 'text/xml'],
  ['/console/login', 'application/x-www-form-urlencoded'],
  ['/chat/token', 'application/json'],
  ['/v3/directline/tokens/generate', 'application/json'],
  ['/v3/directline/conversations', 'application/json'],
  ['/v3/directline/conversations/abc/activities', 'application/json'],
];

const activity = JSON.stringify({
  type: 'message',
  text: '你好',
  channelId: 'test',
  deliveryMode: 'expectReplies',
  conversation: { id: 'bodies-1' },
  from: { id: 'u1' },
  recipient: { id: 'bot' },
});

async function healthy(): Promise<void> {
  const res = await rawRequest(t.url, { method: 'GET', path: '/healthz' });
  expect(res.status).toBe(200);
}

describe('a request body that is not what its encoding says', () => {
  it.each(ENDPOINTS)('on %s, broken gzip is refused (400 or 415) and the service goes on', async (path, type) => {
    for (const body of [Buffer.from('not gzip at all'), gzipSync(Buffer.from(activity)).subarray(0, 12)]) {
      const res = await rawRequest(t.url, { path, headers: { 'content-type': type, 'content-encoding': 'gzip' }, body });
      expect([400, 415]).toContain(res.status);
      expect(res.body).not.toMatch(/Z_DATA_ERROR|incorrect header|at \w+ \(/);
    }
    await healthy();
  });

  it('on /api/messages, broken or truncated gzip and deflate are 400', async () => {
    const cases = [Buffer.from('garbage'), gzipSync(Buffer.from(activity)).subarray(0, 20), deflateSync(Buffer.from(activity)).subarray(0, 8)];
    for (const [i, body] of cases.entries()) {
      const res = await rawRequest(t.url, {
        path: '/api/messages',
        headers: { 'content-type': 'application/json', 'content-encoding': i === 2 ? 'deflate' : 'gzip' },
        body,
      });
      expect(res.status).toBe(400);
    }
    await healthy();
  });

  it('on /api/messages, a well-formed gzip or deflate activity is answered', async () => {
    for (const [encoding, body] of [
      ['gzip', gzipSync(Buffer.from(activity))],
      ['deflate', deflateSync(Buffer.from(activity))],
    ] as const) {
      const res = await rawRequest(t.url, { path: '/api/messages', headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).activities[0].text).toBe(t.app.texts.t('zh-CN', 'main:greeting'));
    }
  });

  it('an encoding nobody sends here (br, compress) is 415 and names what is accepted', async () => {
    const res = await rawRequest(t.url, { path: '/api/messages', headers: { 'content-type': 'application/json', 'content-encoding': 'br' }, body: 'xx' });
    expect(res.status).toBe(415);
    expect(res.headers['accept-encoding']).toBe('identity');
  });
});

describe('a decompression bomb', () => {
  // 40 MB of one byte compresses to about 40 KB: under the limit on the wire, 600 times over it inflated.
  const bomb = gzipSync(Buffer.alloc(40 * 1024 * 1024, 0x20));

  it('is refused with 413 once the inflated body passes the limit, without inflating it all', async () => {
    expect(bomb.length).toBeLessThan(MAX);
    const before = process.memoryUsage().rss;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        rawRequest(t.url, { path: '/api/messages', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb }),
      ),
    );
    for (const a of answers) expect(a.status).toBe(413);
    // Eight bombs inflated whole would be 320 MB; bounded, each stops at the limit.
    expect(process.memoryUsage().rss - before).toBeLessThan(150 * 1024 * 1024);
    await healthy();
  });

  it('a plain body over the limit is 413, declared or streamed', async () => {
    const big = Buffer.alloc(MAX + 10, 0x61);
    const declared = await rawRequest(t.url, {
      path: '/api/messages',
      headers: { 'content-type': 'application/json', 'content-length': big.length },
      body: big,
    });
    expect(declared.status).toBe(413);
    const chunked = await rawRequest(t.url, {
      path: '/api/messages',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: big,
    });
    expect(chunked.status).toBe(413);
    await healthy();
  });
});
