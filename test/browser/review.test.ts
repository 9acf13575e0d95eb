import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { BROWSER_PATH, describeWithBrowser, launchBrowser } from '../helpers/browser';
import { projectRoot } from '../../bot/paths';
import { DEMO_STAFF_PASSWORD } from '../../data/seeds/demo';
import { startTestApp, type TestApp } from '../helpers/app';
import { type Fixture, FIXTURE_NOW, insertReviewFixture } from '../review/fixture';

const RESULTS = path.join(projectRoot, 'test-results');
let t: TestApp;
let fx: Fixture;
let browser: Browser;

beforeAll(async () => {
  if (!BROWSER_PATH) return;
  // The clock at the fixture's "now": the default period (the last 30 days) holds its surveys.
  t = await startTestApp({ DEADLINE_CHECK_INTERVAL_S: '0' }, { now: () => FIXTURE_NOW });
  fx = await insertReviewFixture(t.db.knex);
  browser = await launchBrowser();
  fs.mkdirSync(RESULTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const zh = (key: string, args?: Record<string, unknown>) => t.app.texts.t('zh-CN', key, args);

describeWithBrowser('the manager’s review in a browser', () => {
  it('signs in, opens the dashboard, drills into low CSAT, opens the transcript and saves a QA review', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`console: ${msg.text()}`);
    });
    page.on('response', (res) => {
      if (res.status() >= 400) problems.push(`${res.status()} ${res.url()}`);
    });
    await page.addInitScript(
      `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));`,
    );
    try {
      await page.goto(`${t.url}/console/login`);
      await page.locator('input[name="username"]').fill('manager.zhao');
      await page.locator('input[name="password"]').fill(DEMO_STAFF_PASSWORD);
      await page.locator('form[action="/console/login"] button[type="submit"]').click();
      await page.waitForURL(/\/console\/review$/);

      // The dashboard: figures, a chart drawn on the server, readable as text.
      await page.getByRole('heading', { level: 1, name: zh('review:dashboard.heading') }).waitFor();
      await page.locator('svg#chart-csat').waitFor();
      await page.screenshot({ path: path.join(RESULTS, 'review-dashboard.png'), fullPage: true });

      // Drill into the low scores.
      await page.locator('#csat .figures a', { hasText: zh('review:dashboard.csatLow') }).click();
      await page.waitForURL(/\/console\/review\/surveys\?.*score=1-2/);
      await page.getByRole('heading', { level: 1, name: zh('review:nav.surveys') }).waitFor();
      const masked = await page.locator('table.data').textContent();
      expect(masked).toContain('139****5678');
      expect(masked).not.toContain('13912345678');

      // Open the conversation behind the score of 1.
      await page.getByRole('link', { name: zh('review:lists.openConversation', { id: fx.lowCsatConversation }) }).click();
      await page.waitForURL(new RegExp(`/console/review/conversations/${fx.lowCsatConversation}`));
      await page.locator('.transcript').getByText('我的电话是 139****5678').waitFor();

      // Score it and sign it off.
      const qa = page.locator('form.qa-form');
      for (const [name, value] of [
        ['resolved', '2'],
        ['courtesy', '4'],
        ['accuracy', '3'],
        ['compliance', '5'],
      ])
        await qa.locator(`select[name="${name}"]`).selectOption(value);
      await qa.locator('textarea[name="comment"]').fill('等待时间过长，应主动致歉。');
      await qa.locator('input[name="signOff"]').check();
      await qa.locator('button[type="submit"]').click();
      await page.locator('#qa .notice[role="status"]').waitFor();
      await expect(page.locator('#qa').textContent()).resolves.toContain(zh('review:qa.saved'));
      await page.screenshot({ path: path.join(RESULTS, 'review-transcript-qa.png'), fullPage: true });

      const saved = await t.db.knex('qa_reviews').where({ conversation_id: fx.lowCsatConversation }).first();
      expect(saved).toMatchObject({ resolved: 2, courtesy: 4, accuracy: 3, compliance: 5, comment: '等待时间过长，应主动致歉。' });
      expect(saved.signed_off_at).not.toBeNull();
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
