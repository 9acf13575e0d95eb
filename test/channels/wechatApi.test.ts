import pino from 'pino';
import { WeChatApi, WeChatApiError, WeChatWindowClosedError } from '../../bot/channels/wechat/api';
import { createWeChatRepository, type WeChatRepository } from '../../data/repositories/wechatRepository';
import { startFakeWeChatApi } from '../fakes/wechatApi';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { TEST_ACCOUNT } from '../helpers/wechat';

let db: TestDatabase;
let repo: WeChatRepository;
let fake: Awaited<ReturnType<typeof startFakeWeChatApi>>;
let clock = Date.UTC(2026, 10, 23, 2, 0);

beforeAll(async () => {
  db = await createTestDatabase();
  repo = createWeChatRepository(db.knex);
  fake = await startFakeWeChatApi({ appId: TEST_ACCOUNT.appId, appSecret: TEST_ACCOUNT.appSecret });
});
afterAll(async () => {
  await fake.close();
  await db.destroy();
});
beforeEach(async () => {
  await db.knex('wechat_access_tokens').delete();
  fake.refuseWith(undefined);
  fake.hang(false);
});

function client(options: { appSecret?: string; timeoutMs?: number } = {}): WeChatApi {
  return new WeChatApi({
    apiBase: `${fake.url}/`,
    appId: TEST_ACCOUNT.appId,
    appSecret: options.appSecret ?? TEST_ACCOUNT.appSecret,
    timeoutMs: options.timeoutMs ?? 2000,
    repo,
    logger: pino({ level: 'silent' }),
    now: () => clock,
  });
}

describe('the access token', () => {
  it('is fetched once for many concurrent sends, and shared with other instances through the database', async () => {
    const fetches = fake.tokenFetches();
    const api = client();
    await Promise.all(Array.from({ length: 8 }, (_, i) => api.sendText('o-concurrent', `第 ${i + 1} 条`)));
    expect(fake.tokenFetches()).toBe(fetches + 1);
    const other = client();
    await other.sendText('o-concurrent', '另一个实例');
    expect(fake.tokenFetches()).toBe(fetches + 1);
    expect(fake.sent.at(-1)).toMatchObject({ touser: 'o-concurrent', content: '另一个实例' });
  });

  it('is fetched again shortly before WeChat’s expiry', async () => {
    const api = client();
    const first = await api.accessToken();
    clock += (7200 - 301) * 1000;
    expect(await api.accessToken()).toBe(first);
    clock += 2000;
    expect(await api.accessToken()).not.toBe(first);
  });

  it('is not given when WeChat refuses the credentials', async () => {
    await expect(client({ appSecret: 'wrong' }).accessToken()).rejects.toMatchObject({ name: 'WeChatApiError', errcode: 40013 });
  });
});

describe('customer-service sends', () => {
  it('report 45015 and 45047 as a closed window, other codes as API errors', async () => {
    const api = client();
    fake.refuseWith(45015);
    await expect(api.sendText('o-1', 'x')).rejects.toEqual(new WeChatWindowClosedError('window_closed'));
    fake.refuseWith(45047);
    await expect(api.sendText('o-1', 'x')).rejects.toEqual(new WeChatWindowClosedError('window_quota'));
    fake.refuseWith(45002);
    await expect(api.sendText('o-1', 'x')).rejects.toBeInstanceOf(WeChatApiError);
  });

  it('give up after the timeout when WeChat does not answer', async () => {
    const api = client({ timeoutMs: 200 });
    await api.accessToken();
    fake.hang(true);
    const started = Date.now();
    await expect(api.sendText('o-1', 'x')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('the WeChat repository', () => {
  it('takes a delivery key once, and forgets old keys and expired choices', async () => {
    expect(await repo.claimDelivery('msg:1', 1000)).toBe(true);
    expect(await repo.claimDelivery('msg:1', 2000)).toBe(false);
    expect(await repo.forgetDeliveriesBefore(1500)).toBe(1);
    expect(await repo.claimDelivery('msg:1', 3000)).toBe(true);

    await repo.setChoices('wechat:o-2', ['查询余额', '我要投诉'], 10_000);
    expect(await repo.findChoices('wechat:o-2', 9_999)).toEqual(['查询余额', '我要投诉']);
    expect(await repo.findChoices('wechat:o-2', 10_000)).toBeUndefined();
    expect(await repo.forgetChoicesBefore(10_000)).toBe(1);
  });

  it('counts messages since the follower’s last one, and starts again when they write', async () => {
    await repo.touchFollower('o-3', 1000);
    await repo.countSent('o-3', 2);
    expect(await repo.findFollower('o-3')).toEqual({ openid: 'o-3', lastMessageAt: 1000, sentSinceMessage: 2 });
    await repo.touchFollower('o-3', 5000);
    expect(await repo.findFollower('o-3')).toEqual({ openid: 'o-3', lastMessageAt: 5000, sentSinceMessage: 0 });
  });
});
