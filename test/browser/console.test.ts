import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { BROWSER_PATH, describeWithBrowser, launchBrowser } from '../helpers/browser';
import { projectRoot } from '../../bot/paths';
import { DEMO_STAFF_PASSWORD } from '../../data/seeds/demo';
import { startTestApp, type TestApp } from '../helpers/app';
import { ChatClient } from '../helpers/chat';
import { startFakeChannel } from '../fakes/channelServer';

const RESULTS = path.join(projectRoot, 'test-results');
// 10:00 in Shanghai: working hours.
const clock = Date.UTC(2026, 10, 23, 2, 0);
let t: TestApp;
let browser: Browser;
let channel: Awaited<ReturnType<typeof startFakeChannel>>;

beforeAll(async () => {
  if (!BROWSER_PATH) return;
  channel = await startFakeChannel();
  t = await startTestApp({ DEADLINE_CHECK_INTERVAL_S: '0' }, { now: () => clock });
  browser = await launchBrowser();
  fs.mkdirSync(RESULTS, { recursive: true });
});
afterEach(async () => {
  for (const context of browser.contexts()) await context.close();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await channel?.close();
});

/** A laptop-sized page for a staff member, signed in, set online; script errors are collected. */
async function signedIn(username: string): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()} ${msg.location().url}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  await page.goto(`${t.url}/console/login`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(DEMO_STAFF_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(`${t.url}/console`);
  // After sign-in the console speaks the staff member's own language.
  const staff = await t.app.repositories.staff.findByUsername(username);
  const label = (key: string) => t.app.texts.t(staff!.locale, key);
  await page.getByLabel(label('console:presence.label')).selectOption('online');
  await page.getByRole('button', { name: label('console:presence.set') }).click();
  await page.waitForURL(`${t.url}/console`);
  return { page, problems };
}

async function customerAsksForPerson(customerNo: string): Promise<ChatClient> {
  const chat = new ChatClient(t.url, { locale: 'zh-CN', serviceUrl: channel.serviceUrl });
  const customer = await t.app.repositories.customers.findByCustomerNo(customerNo);
  await t.app.repositories.identities.bind('test', chat.userId, customer!.id);
  await chat.say('年费扣了两次');
  await chat.say('转人工');
  return chat;
}

const received = (chat: ChatClient) => channel.received.filter((r) => r.conversationId === chat.conversationId).map((r) => r.activity.text as string);

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describeWithBrowser('the staff console in a browser', () => {
  it('an agent sees a customer arrive live, accepts, chats both ways, adds a note and resolves; the customer is back with the bot', async () => {
    const { page, problems } = await signedIn('agent.zhang');
    const row = page.locator('tr[data-handoff]', { hasText: '李娜' });
    await expect(row.count()).resolves.toBe(0);
    // The customer asks for a person after the page is open: the queue updates over the live channel.
    const chat = await customerAsksForPerson('B0002');
    await row.waitFor({ timeout: 5000 });
    await row.getByRole('button', { name: '接入' }).click();
    await page.waitForURL(/\/console\/chats\/\d+$/);
    await page.locator('.packet').getByText('138****0002').waitFor();

    // Agent → customer: Enter sends.
    await page.getByLabel('回复客户').fill('您好，我是张敏，马上为您核实年费。');
    await page.getByLabel('回复客户').press('Enter');
    await until(() => received(chat).includes('您好，我是张敏，马上为您核实年费。'));
    // Customer → agent: appears on the page without reloading; customer text stays text.
    await chat.say('好的，谢谢 <b>急</b>');
    await page.locator('#messages .line.from-customer', { hasText: '好的，谢谢 <b>急</b>' }).waitFor({ timeout: 5000 });

    // A canned reply goes into the box.
    await page.getByRole('button', { name: '请稍等，我帮您查询一下。' }).click();
    await expect(page.getByLabel('回复客户').inputValue()).resolves.toBe('请稍等，我帮您查询一下。');

    await page.getByLabel('内部备注').fill('已确认重复扣费，提交退款');
    await page.getByRole('button', { name: '添加备注' }).click();
    await page.getByText('已确认重复扣费，提交退款').waitFor();
    await page.screenshot({ path: path.join(RESULTS, 'console-chat.png'), fullPage: true });

    await page.getByLabel('结果').selectOption('refund_approved');
    await page.getByRole('button', { name: '结束并交还机器人' }).click();
    await page.waitForURL(`${t.url}/console`);
    await until(() => received(chat).includes(t.app.texts.t('zh-CN', 'human:backToBot')));
    // The satisfaction survey follows on the same conversation; declining it leaves the customer with the bot.
    await until(() => received(chat).includes(t.app.texts.t('zh-CN', 'survey:askCsat')));
    expect(await chat.texts('跳过')).toEqual([t.app.texts.t('zh-CN', 'survey:declined')]);
    expect(await chat.texts('你好')).toEqual([t.app.texts.t('zh-CN', 'main:greeting')]);
    expect(problems).toEqual([]);
  });

  it('a supervisor assigns a waiting customer to an agent', async () => {
    const { page: agentPage } = await signedIn('agent.li');
    const { page, problems } = await signedIn('supervisor.liu');
    await customerAsksForPerson('B0003');
    const row = page.locator('tr[data-handoff]', { hasText: 'Emily Chen' });
    await row.waitFor({ timeout: 5000 });
    const li = await t.app.repositories.staff.findByUsername('agent.li');
    await row.getByLabel('分配给').selectOption(String(li!.id));
    await row.getByRole('button', { name: '分配' }).click();
    await row.waitFor({ state: 'detached', timeout: 5000 });
    await page.locator('.chats', { hasText: 'Emily Chen' }).waitFor();
    // The agent's page lists the chat without a reload.
    await agentPage.locator('.chats a', { hasText: 'Emily Chen' }).waitFor({ timeout: 5000 });
    expect(problems).toEqual([]);
  });

  it('two agents accepting the same customer at once: exactly one gets it, the other is told', async () => {
    const first = await signedIn('agent.zhang');
    const second = await signedIn('rm.chen');
    await customerAsksForPerson('T0001');
    const rowA = first.page.locator('tr[data-handoff]', { hasText: '刘洋' });
    const rowB = second.page.locator('tr[data-handoff]', { hasText: '刘洋' });
    await Promise.all([rowA.waitFor({ timeout: 5000 }), rowB.waitFor({ timeout: 5000 })]);
    // Both click at once. When the winner's live update removes the row first, the loser's click finds nothing to
    // click: that is the other way of being told.
    const click = (row: typeof rowA) =>
      row
        .getByRole('button', { name: '接入' })
        .click({ timeout: 3000 })
        .catch(() => undefined);
    await Promise.all([click(rowA), click(rowB)]);
    const inChatNow = () => [first.page, second.page].filter((p) => /\/console\/chats\/\d+$/.test(p.url()));
    await until(() => inChatNow().length > 0);
    await new Promise((r) => setTimeout(r, 500));
    const inChat = inChatNow();
    expect(inChat).toHaveLength(1);
    const loser = inChat[0] === first.page ? second.page : first.page;
    // The other agent is told it was taken, or (when the live update came first) no longer sees the customer.
    const told = () => loser.locator('.form-error').isVisible();
    const gone = async () => (await loser.locator('tr[data-handoff]', { hasText: '刘洋' }).count()) === 0;
    const deadline = Date.now() + 5000;
    while (!((await told()) || (await gone())) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect((await told()) || (await gone())).toBe(true);
    const customer = await t.app.repositories.customers.findByCustomerNo('T0001');
    const active = (await t.app.repositories.handoffs.listActive()).filter((h) => h.customerId === customer!.id);
    expect(active).toHaveLength(1);
  });
});
