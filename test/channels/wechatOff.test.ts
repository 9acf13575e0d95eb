import { startTestApp, type TestApp } from '../helpers/app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ DEADLINE_CHECK_INTERVAL_S: '0' });
});
afterAll(() => t.close());

describe('without WECHAT_* settings', () => {
  it('there is no /wechat endpoint', async () => {
    expect(t.app.config.wechat).toBeUndefined();
    expect((await fetch(`${t.url}/wechat?echostr=x`)).status).toBe(404);
    expect((await fetch(`${t.url}/wechat`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<xml/>' })).status).toBe(404);
  });
});
