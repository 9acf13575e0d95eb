import { formatDate } from '../../prompts/format';
import { generateSnapshots, snapshotDates, warehouseCustomers } from '../../data/seeds/churnSnapshots';
import { type ChurnModel, trainChurnModel } from '../../retention/churnModel';
import { startTestApp, type TestApp } from '../helpers/app';
import { StaffClient } from '../helpers/staff';

const DAY = 86_400_000;
const now = Date.now() + 60_000;
let t: TestApp;

const en = (key: string, args?: Record<string, unknown>) => t.app.texts.t('en-US', key, args);
const decode = (html: string) =>
  html
    .replace(/&#x3D;/g, '=')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** A model trained on generated snapshots; `renamed` renames the contract column (to check escaping). */
function trainedModel(industry: string, customers: number, renamed = 'contract'): ChurnModel {
  const records = generateSnapshots({ industry: 'telecom', customers: warehouseCustomers('R', customers, now, 6), dates: snapshotDates(now, 4), seed: 4 });
  const snapshots = records.map((r) => {
    const { contract, ...rest } = r.features;
    return { ...r, churned: null, tracksClosing: true, features: { ...rest, [renamed]: contract } };
  });
  const sources = new Map(Object.keys(snapshots[0].features).map((k) => [k, 'column' as const]));
  return trainChurnModel(snapshots, sources, industry, now, { excluded: ['gender'], maxPairs: 0, grid: [{ l2: 1, smooth: 3 }] });
}

async function manager(locale: 'zh-CN' | 'en-US' = 'en-US'): Promise<StaffClient> {
  await t.db.knex('staff').where({ username: 'manager.zhao' }).update({ locale });
  const c = new StaffClient(t.url);
  await c.login('manager.zhao');
  return c;
}

beforeAll(async () => {
  t = await startTestApp({ DEADLINE_CHECK_INTERVAL_S: '0', RISK_NIGHTLY_AT: 'off' }, { now: () => now });
});
afterAll(() => t.close());

describe('the churn model in the manager’s review', () => {
  it('is for managers: agents and supervisors get 403, the dashboard links to it', async () => {
    for (const username of ['agent.zhang', 'supervisor.liu']) {
      const c = new StaffClient(t.url);
      await c.login(username);
      expect((await c.get('/console/review/model')).status).toBe(403);
    }
    const m = await manager();
    expect((await m.get('/console/review')).body).toContain('href="/console/review/model"');
  });

  it('says the rule score serves while no model has been trained', async () => {
    const page = await (await manager()).get('/console/review/model');
    expect(page.status).toBe(200);
    expect(page.body.split(en('review:model.serving.no_model')).length - 1).toBe(3);
    expect(decode(page.body)).toContain(en('review:model.noSnapshots', { industry: 'bank' }));
  });

  it('says why the rule score serves when the latest model learned from too few customers who left', async () => {
    const model = trainedModel('insurance', 500);
    expect(model.training.churnedCustomers).toBeLessThan(200);
    const stored = await t.app.repositories.churnModels.save(model);
    const page = await (await manager()).get('/console/review/model');
    expect(decode(page.body)).toContain(
      en('review:model.serving.too_few_churners', { version: stored.version, churners: model.training.churnedCustomers, needed: 200 }),
    );
    // The figures of that model are shown all the same, for the manager to judge.
    expect(page.body).toContain(model.validation.auc!.toFixed(3));
  });

  it('shows the active model: validation, what the high band costs, real recall and drift with a warning', async () => {
    const model = trainedModel('telecom', 1500, '<b>套餐</b>');
    const repos = t.app.repositories;
    const stored = await repos.churnModels.save(model);
    await repos.churnModels.activate(stored.id, now - 60 * DAY);
    // T0002 left 10 days ago; the model had put it in its high band 20 days before that.
    const t2 = (await repos.customers.findByCustomerNo('T0002'))!.id;
    await repos.churnModels.recordScore(stored.id, t2, { score: 90, band: 'high', month: '2026-01', at: now - 30 * DAY });
    await t.db
      .knex('customers')
      .where({ id: t2 })
      .update({ closed_at: now - 10 * DAY });
    // Tonight's rescoring found everyone on a month-to-month contract.
    const counts = Object.fromEntries(model.scorecard.features.map((f) => [f.name, f.bins.map((b) => b.rows)]));
    counts['<b>套餐</b>'] = model.scorecard.features.find((f) => f.name === '<b>套餐</b>')!.bins.map((b) => (b.key === 'month-to-month' ? 1000 : 0));
    await repos.churnModels.saveCheck(stored.id, { checkedAt: now - DAY, customers: 1000, counts });

    const page = await (await manager()).get('/console/review/model');
    const html = decode(page.body);
    const pct = (v: number) => en('review:units.percent', { n: (v * 100).toFixed(1) });
    expect(html).toContain(en('review:model.serving.model', { version: stored.version, date: formatDate(now - 60 * DAY, 'en-US') }));
    expect(html).toContain(model.validation.auc!.toFixed(3));
    expect(html).toContain(
      `<td>≥ ${model.bands.high}</td><td>${pct(model.validation.high.recall)}</td><td>${pct(model.validation.high.precision)}</td><td>${pct(model.validation.high.flagged)}</td>`,
    );
    expect(html).toContain(en('review:model.realRecallValue', { warned: 1, churners: 1, recall: pct(1) }));
    expect(html).toContain(en('review:model.driftWarning', { features: '<b>套餐</b>' }));
    expect(html).toContain('gender (sensitive)');
    // The operator's column name is text on the page, never markup.
    expect(page.body).not.toContain('<b>套餐</b>');
    expect(page.body).toContain('&lt;b&gt;套餐&lt;/b&gt;');
    await t.db.knex('customers').where({ id: t2 }).update({ closed_at: null });
  });

  it('speaks the manager’s language', async () => {
    const page = await (await manager('zh-CN')).get('/console/review/model');
    expect(page.body).toContain(t.app.texts.t('zh-CN', 'review:model.heading'));
    expect(page.body).toContain(t.app.texts.t('zh-CN', 'review:labels.industries.telecom'));
  });
});
