import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { BROWSER_PATH, describeWithBrowser, launchBrowser } from '../helpers/browser';
import { projectRoot } from '../../bot/paths';
import { startTestApp, type TestApp } from '../helpers/app';
import { TEST_DIRECT_LINE_SECRET } from '../helpers/directLine';

const RESULTS = path.join(projectRoot, 'test-results');
let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  if (!BROWSER_PATH) return;
  t = await startTestApp({ DIRECT_LINE_SECRET: TEST_DIRECT_LINE_SECRET, DEADLINE_CHECK_INTERVAL_S: '0' });
  browser = await launchBrowser();
  fs.mkdirSync(RESULTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const zh = (key: string) => t.app.texts.t('zh-CN', key);
const en = (key: string) => t.app.texts.t('en-US', key);

/** A phone-sized page that records script errors and Content-Security-Policy violations. */
async function phone(): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // Failed loads are taken from the responses below, with their address.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`console: ${msg.text()}`);
  });
  page.on('response', (res) => {
    // The speech SDK inside Web Chat starts a timer worker from a blob it has already revoked; speech is not used.
    if (res.status() >= 400 && !res.url().startsWith('blob:')) problems.push(`${res.status()} ${res.url()}`);
  });
  // Runs in the page (a string, since the tests are compiled without the DOM's types).
  await page.addInitScript(
    `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));`,
  );
  return { context, page, problems };
}

/** The message bubbles showing exactly this text (Web Chat's Markdown turns ' into ’). */
function bubbles(page: Page, text: string) {
  return page.locator('.webchat__bubble__content').getByText(text.replace(/'/g, '’'), { exact: true });
}

/** The suggested action (button under the last message) with this title. */
function suggestion(page: Page, title: string) {
  return page.locator('.webchat__suggested-actions__button', { hasText: title });
}

/** Types a message into Web Chat's send box and sends it. */
async function send(page: Page, text: string, placeholder: string): Promise<void> {
  const box = page.getByPlaceholder(placeholder);
  await box.fill(text);
  await box.press('Enter');
}

describeWithBrowser('the customer web chat page', () => {
  it('welcomes, answers Chinese, follows a suggested action, and resumes the same conversation after a reload', async () => {
    const { context, page, problems } = await phone();
    try {
      await page.goto(`${t.url}/chat`);
      await bubbles(page, zh('main:welcome')).waitFor();

      await send(page, '你好', zh('chat:inputPlaceholder'));
      await bubbles(page, zh('main:greeting')).waitFor();
      await suggestion(page, zh('main:suggestions.complaint')).click();
      await bubbles(page, zh('complaint:askDescription')).waitFor();
      await page.screenshot({ path: path.join(RESULTS, 'chat.png') });

      await page.reload();
      await bubbles(page, zh('complaint:askDescription')).waitFor();
      // The whole conversation is back, once, and nobody was welcomed twice.
      await expect(bubbles(page, zh('main:welcome')).count()).resolves.toBe(1);
      await expect(bubbles(page, zh('main:greeting')).count()).resolves.toBe(1);
      await expect(bubbles(page, '你好').count()).resolves.toBe(1);
      // And it goes on where it was: cancelling reaches the complaint the customer had started.
      await send(page, '取消', zh('chat:inputPlaceholder'));
      await bubbles(page, zh('main:cancelled')).waitFor();
      await page.screenshot({ path: path.join(RESULTS, 'chat-reloaded.png') });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('switches language: the page and the bot follow the chosen one', async () => {
    const { context, page, problems } = await phone();
    try {
      await page.goto(`${t.url}/chat?lang=en`);
      await bubbles(page, en('main:welcome')).waitFor();
      await page.getByRole('button', { name: '中文' }).click();
      await expect(page.locator('html').getAttribute('lang')).resolves.toBe('zh-CN');
      await expect(page.locator('#title').textContent()).resolves.toBe(zh('chat:pageTitle'));
      // English words, but the customer chose Chinese: the answer is Chinese.
      await send(page, 'hello there', zh('chat:inputPlaceholder'));
      await bubbles(page, zh('main:greeting')).waitFor();
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  // Last in the file: it uses up this address's chats for the minute.
  it('on a shared phone, a new chat ends the last one for good: no transcript, no verification, its token dead', async () => {
    const { context, page, problems } = await phone();
    try {
      await page.goto(`${t.url}/chat`);
      await bubbles(page, zh('main:welcome')).waitFor();
      // The first customer verifies and sees a balance.
      await send(page, '查余额', zh('chat:inputPlaceholder'));
      await bubbles(page, zh('verify:askMobile')).waitFor();
      await send(page, '13800000002', zh('chat:inputPlaceholder'));
      await page.locator('.webchat__bubble__content', { hasText: '138****0002' }).first().waitFor();
      const [sms] = await t.app.repositories.devSmsOutbox.latest('13800000002', 1);
      await send(page, /\b(\d{6})\b/.exec(sms.text)![1], zh('chat:inputPlaceholder'));
      await bubbles(page, zh('balance:askWhich')).waitFor();
      await send(page, '全部', zh('chat:inputPlaceholder'));
      await page.locator('.webchat__bubble__content', { hasText: '6688' }).first().waitFor();
      const first = JSON.parse((await page.evaluate("sessionStorage.getItem('retention.webchat.conversation')")) as string) as {
        conversationId: string;
        token: string;
      };

      // The next person presses "new chat" (and confirms).
      page.once('dialog', (d) => void d.accept());
      await page.locator('#new-chat').click();
      await page.waitForURL(`${t.url}/chat`);
      await bubbles(page, zh('main:welcome')).waitFor();
      await expect(page.locator('.webchat__bubble__content', { hasText: '6688' }).count()).resolves.toBe(0);
      const second = JSON.parse((await page.evaluate("sessionStorage.getItem('retention.webchat.conversation')")) as string) as { conversationId: string };
      expect(second.conversationId).not.toBe(first.conversationId);

      // A balance needs a new verification.
      await send(page, '查余额', zh('chat:inputPlaceholder'));
      await bubbles(page, zh('verify:askMobile')).waitFor();
      await expect(page.locator('.webchat__bubble__content', { hasText: '6688' }).count()).resolves.toBe(0);

      // The old conversation's token opens nothing any more.
      const refresh = await fetch(`${t.url}/v3/directline/tokens/refresh`, { method: 'POST', headers: { authorization: `Bearer ${first.token}` } });
      expect(refresh.status).toBe(404);
      const log = await fetch(`${t.url}/v3/directline/conversations/${first.conversationId}/activities`, {
        headers: { authorization: `Bearer ${first.token}` },
      });
      expect(log.status).toBe(404);
      await page.screenshot({ path: path.join(RESULTS, 'chat-new-chat.png') });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('tells the customer plainly, in their language, when too many chats were started from their network', async () => {
    /** Starts chats from this address until the service refuses one; how many it refused. */
    const exhaust = async (): Promise<number> => {
      for (let i = 0; i < 25; i++) {
        const res = await fetch(`${t.url}/chat/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        await res.arrayBuffer();
        if (res.status === 429) return 1;
      }
      return 0;
    };
    const { context, page, problems } = await phone();
    try {
      // One chat comes back every few seconds: the address is used up just before the page asks for its own, not
      // before the page loads (a slow load would otherwise find a chat free again).
      const refused: number[] = [];
      await page.route('**/chat/token', async (route) => {
        refused.push(await exhaust());
        await route.continue();
      });
      await page.goto(`${t.url}/chat?lang=zh`);
      const [before] = zh('chat:tooManyChats').split('{{seconds}}');
      await page.locator('#status', { hasText: before.trim() }).waitFor();
      expect(refused).toEqual([1]);
      // The page's own request was the one refused, and nothing else went wrong.
      expect(problems).toEqual([`429 ${t.url}/chat/token`]);
    } finally {
      await context.close();
    }
  });
});
