import { createReviewRepository } from '../../data/repositories/reviewRepository';
import { startTestApp, type TestApp } from '../helpers/app';
import { StaffClient } from '../helpers/staff';
import { type Fixture, FIXTURE_NOW, insertReviewFixture, PERIOD, PERIOD_QUERY } from './fixture';

let t: TestApp;
let fx: Fixture;
const clock = FIXTURE_NOW;

beforeAll(async () => {
  t = await startTestApp({ DEADLINE_CHECK_INTERVAL_S: '0' }, { now: () => clock });
  fx = await insertReviewFixture(t.db.knex);
});
afterAll(() => t.close());

async function signIn(username: string): Promise<StaffClient> {
  const c = new StaffClient(t.url);
  await c.login(username);
  await c.refreshCsrf('/console/review');
  return c;
}

/** Raw GET, for headers and bytes. */
async function fetchAs(c: StaffClient, path: string): Promise<Response> {
  return fetch(`${t.url}${path}`, { redirect: 'manual', headers: { cookie: c.cookie } });
}

const zh = (key: string, args?: Record<string, unknown>) => t.app.texts.t('zh-CN', key, args);
const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** A page's HTML with the entities Handlebars writes turned back into characters (it escapes = and ' too). */
const decode = (html: string) =>
  html
    .replace(/&#x3D;/g, '=')
    .replace(/&#x27;/g, "'")
    .replace(/&#x60;/g, '`')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

describe('who may use the review', () => {
  const pages = () => [
    '/console/review',
    `/console/review/surveys?${PERIOD_QUERY}`,
    '/console/review/complaints',
    '/console/review/handoffs',
    '/console/review/offers',
    '/console/review/customers',
    '/console/review/retention',
    '/console/review/qa',
    `/console/review/conversations/${fx.lowCsatConversation}`,
    `/console/review/reveal?field=complaint.contact&id=${fx.complaints.k2}`,
  ];

  it.each(['agent.zhang', 'supervisor.liu'])('refuses %s every review page, export, reveal and QA with 403', async (username) => {
    const c = await signIn(username);
    for (const path of pages()) expect({ path, status: (await c.get(path)).status }).toEqual({ path, status: 403 });
    expect((await c.get('/console/review/surveys?format=csv')).status).toBe(403);
    expect((await c.post('/console/review/reveal', { field: 'complaint.contact', id: String(fx.complaints.k2), reason: 'curious' })).status).toBe(403);
    expect(
      (await c.post(`/console/review/conversations/${fx.lowCsatConversation}/qa`, { resolved: '1', courtesy: '1', accuracy: '1', compliance: '1' })).status,
    ).toBe(403);
    const audit = await t.app.repositories.audit.list({ limit: 1000 });
    const id = String((await t.app.repositories.staff.findByUsername(username))!.id);
    expect(audit.filter((a) => a.actorId === id && a.action.startsWith('review.'))).toEqual([]);
  });

  it.each(['manager.zhao', 'admin'])('opens every review page and export to %s', async (username) => {
    const c = await signIn(username);
    for (const path of pages()) expect({ path, status: (await c.get(path)).status }).toEqual({ path, status: 200 });
    expect((await fetchAs(c, '/console/review/surveys?format=csv')).status).toBe(200);
  });

  it('sends a signed-out browser to the sign-in page', async () => {
    const res = await fetch(`${t.url}/console/review`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/login');
  });
});

describe('the dashboard', () => {
  it('shows the figures the repository computes, in the manager’s language, with charts readable without colour', async () => {
    const manager = await signIn('manager.zhao');
    const page = await manager.get(`/console/review?${PERIOD_QUERY}`);
    expect(page.status).toBe(200);
    const d = await createReviewRepository(t.db.knex).dashboard(PERIOD, FIXTURE_NOW);
    const html = page.body;
    expect(html).toContain(zh('review:dashboard.heading'));
    expect(html).toContain(`<span class="value">${d.surveys.csat.average!.toFixed(2)}</span>`);
    expect(html).toContain(`<span class="value">${d.surveys.nps.score}</span>`);
    expect(html).toContain(zh('review:units.percent', { n: (d.surveys.response.rate! * 100).toFixed(1) }));
    expect(html).toContain(zh('review:units.minutes', { n: (d.handoffs.waitMs.median! / 60_000).toFixed(1) }));
    expect(html).toContain(zh('review:units.minutes', { n: (d.handoffs.waitMs.p90! / 60_000).toFixed(1) }));
    expect(html).toContain(zh('review:units.percent', { n: (d.offers.takeUp! * 100).toFixed(1) }));
    expect(html).toContain(zh('review:units.percent', { n: (d.retention.rate! * 100).toFixed(2) }));
    // Inline SVG with a title, patterns, and every bar's value in text; a table of the same figures.
    expect(html).toMatch(/<svg class="chart" id="chart-csat" role="img" aria-labelledby="chart-csat-title"/);
    expect(html).toContain('<pattern id="chart-nps-hatch"');
    expect(html).not.toMatch(/<svg[^>]* style=/);
    expect(html).toContain(`<summary>${zh('review:dashboard.table')}</summary>`);
    // Drill-down: the bar of score 1 leads to the answers scored 1, the period kept.
    expect(decode(html)).toContain('href="/console/review/surveys?from=2026-11-01&to=2026-11-22&kind=csat&status=answered&score=1"');
    expect(html).not.toMatch(/<script(?! src="\/console\/static\/console\.js")/);
  });

  it('keeps every filter in its drill-down links, and each list holds what its figure counts', async () => {
    const manager = await signIn('manager.zhao');
    const html = (await manager.get(`/console/review?${PERIOD_QUERY}&tier=vip,gold&channel=webchat`)).body;
    const links = [...decode(html).matchAll(/href="(\/console\/review\/(?:surveys|complaints|handoffs|offers|retention)\?[^"]*)"/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(10);
    for (const link of links) expect(link).toContain('from=2026-11-01&to=2026-11-22&tier=vip%2Cgold&channel=webchat');
    const d = await createReviewRepository(t.db.knex).dashboard({ ...PERIOD, tiers: ['vip', 'gold'], channel: 'webchat' }, FIXTURE_NOW);
    const list = await manager.get(`/console/review/surveys?${PERIOD_QUERY}&tier=vip,gold&channel=webchat&kind=csat&status=answered`);
    expect(list.body).toContain(zh('review:lists.rows', { n: d.surveys.csat.answered }));
  });

  it('shows the English dashboard to an English-speaking admin', async () => {
    const admin = await signIn('admin');
    const html = (await admin.get('/console/review')).body;
    expect(html).toContain('Net Promoter Score');
    expect(html).toContain('Period:');
  });
});

describe('lists and transcripts', () => {
  it('drills into low CSAT and shows the comments masked', async () => {
    const manager = await signIn('manager.zhao');
    const page = await manager.get(`/console/review/surveys?${PERIOD_QUERY}&kind=csat&status=answered&score=1-2`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('139****5678');
    expect(page.body).not.toContain('13912345678');
    expect(page.body).toContain(`/console/review/conversations/${fx.lowCsatConversation}`);
  });

  it('shows a transcript with personal data masked, and a reveal link for the customer’s mobile', async () => {
    const manager = await signIn('manager.zhao');
    const page = await manager.get(`/console/review/conversations/${fx.lowCsatConversation}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('我要投诉，网络老是断');
    expect(page.body).toContain('我的电话是 139****5678');
    expect(page.body).not.toContain('13912345678');
    expect(page.body).toContain('139****0002');
    expect(decode(page.body)).toContain(`/console/review/reveal?field=customer.mobile&id=${fx.customers.FX02}`);
    expect((await manager.get('/console/review/conversations/999999')).status).toBe(404);
    expect((await manager.get('/console/review/conversations/abc')).status).toBe(404);
  });

  it('masks complaint descriptions and contacts in the list', async () => {
    const manager = await signIn('manager.zhao');
    const page = await manager.get(`/console/review/complaints?${PERIOD_QUERY}&breached=1`);
    expect(page.body).toContain('CFX-k2');
    expect(page.body).not.toContain('CFX-k1');
    expect(page.body).toContain('**** 1238');
    expect(page.body).not.toContain('6222020200311238');
    expect(page.body).not.toContain('13900000007');
  });

  it('pages at 100 rows with previous and next, and a huge page number is an empty page', async () => {
    const knex = t.db.knex;
    const offerId = Number((await knex('offers').where({ code: 'FX_OFFER' }).first('id')).id);
    const rows = Array.from({ length: 130 }, (_, i) => ({
      offer_id: offerId,
      customer_id: fx.customers.FX09,
      channel: 'app',
      locale: 'zh-CN',
      outcome: 'declined',
      shown_at: PERIOD.from + 3_600_000 + i,
    }));
    await knex('offer_presentations').insert(rows);
    const manager = await signIn('manager.zhao');
    const first = await manager.get(`/console/review/offers?${PERIOD_QUERY}&channel=app`);
    expect(first.body).toContain(zh('review:lists.rows', { n: 130 }));
    expect(first.body.match(/<tr><td>/g)).toHaveLength(100);
    expect(decode(first.body)).toContain('rel="next" href="/console/review/offers?from=2026-11-01&to=2026-11-22&channel=app&page=2"');
    const second = await manager.get(`/console/review/offers?${PERIOD_QUERY}&channel=app&page=2`);
    expect(second.body.match(/<tr><td>/g)).toHaveLength(30);
    expect(second.body).toContain('rel="prev"');
    expect(second.body).not.toContain('rel="next"');
    for (const page of ['999999999', '99999999999999999999999999']) {
      const huge = await manager.get(`/console/review/offers?${PERIOD_QUERY}&channel=app&page=${page}`);
      expect(huge.status).toBe(200);
      expect(huge.body).not.toContain('<tr><td>');
      expect(huge.body).toContain(zh('review:lists.first'));
    }
  });
});

describe('bad input', () => {
  it.each([
    ['from=2026-13-45', 'from'],
    ['from=2026-02-30', 'from'],
    ['to=yesterday', 'to'],
    ['from=2026-11-20&to=2026-11-01', 'from'],
    ['from=1900-01-01', 'from'],
    ['period=forever', 'period'],
    ['tier=diamond', 'tier'],
    ['tier=vip&tier=gold', 'tier'],
    ['tier[x]=vip', 'tier'],
    ['category=%00', 'category'],
    ['score=11', 'score'],
    ['score=5-1', 'score'],
    ['agent=-1', 'agent'],
    ['agent=1e9', 'agent'],
    ['channel=%3Cscript%3Ealert(1)%3C%2Fscript%3E', 'channel'],
    ['page=abc', 'page'],
    ['kind=sms', 'kind'],
    ['status=everything', 'status'],
  ])('ignores %s with a clear message, never a 500', async (query, param) => {
    const manager = await signIn('manager.zhao');
    for (const path of ['/console/review', '/console/review/surveys']) {
      const page = await manager.get(`${path}?${query}`);
      if (path === '/console/review' && ['kind', 'status'].includes(param)) {
        expect(page.status).toBe(200);
        continue;
      }
      expect({ path, status: page.status }).toEqual({ path, status: 200 });
      expect(page.body).toContain('role="alert"');
      expect(page.body).toContain(escapeHtml(`“${param}”`));
      expect(page.body).not.toContain('<script>alert(1)');
    }
  });

  it('refuses an export with a nonsense filter (400) rather than exporting more than was asked', async () => {
    const manager = await signIn('manager.zhao');
    const res = await manager.get('/console/review/complaints?format=csv&from=2026-99-99');
    expect(res.status).toBe(400);
    expect(decode(res.body)).toContain(zh('review:filters.invalidExport', { param: 'from', value: '2026-99-99' }));
  });
});

describe('CSV export', () => {
  it('is UTF-8 with a BOM, CRLF, quoted, masked, neutralised against formulas, with headers in the manager’s language, and audited', async () => {
    const manager = await signIn('manager.zhao');
    const res = await fetchAs(manager, `/console/review/surveys?${PERIOD_QUERY}&kind=csat&status=answered&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="surveys-2026-11-01_2026-11-22.csv"');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    const [header] = text.split('\r\n');
    expect(header).toBe(
      ['time', 'kind', 'score', 'status', 'comment', 'agent', 'channel', 'customer', 'tier', 'complaint', 'conversation']
        .map((k) => zh(`review:columns.${k}`))
        .join(','),
    );
    // Every record ends with CRLF; the newline inside a comment is quoted, not a record end.
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text).toContain('"slow, ""very"" slow\nand rude"');
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(text).not.toContain(',=HYPERLINK');
    expect(text).toContain('等太久了，打我电话 139****5678');
    expect(text).not.toContain('13912345678');
    expect(text).toContain('2026-11-05 11:10');
    const records = text.split('\r\n').filter(Boolean);
    // The demo data's surveys fall in the period too: the count is the repository's.
    const rows = await createReviewRepository(t.db.knex).count('surveys', { ...PERIOD, kind: 'csat', surveyStatus: 'answered' }, FIXTURE_NOW);
    expect(rows).toBeGreaterThanOrEqual(7);
    expect(records).toHaveLength(1 + rows);

    const audit = (await t.app.repositories.audit.list({ targetType: 'review_list', targetId: 'surveys' }))[0];
    const managerId = (await t.app.repositories.staff.findByUsername('manager.zhao'))!.id;
    expect(audit).toMatchObject({
      action: 'review.exported',
      actorId: String(managerId),
      detail: { rows, complete: true, filters: { from: '2026-11-01', to: '2026-11-22', kind: 'csat', status: 'answered' } },
    });
  });

  it('exports every list', async () => {
    const manager = await signIn('manager.zhao');
    for (const list of ['complaints', 'handoffs', 'offers', 'customers', 'retention', 'qa']) {
      const res = await fetchAs(manager, `/console/review/${list}?${PERIOD_QUERY}&format=csv`);
      expect({ list, status: res.status }).toEqual({ list, status: 200 });
      const text = (await res.text()).replace(/^\uFEFF/, '');
      expect(text).not.toMatch(/1[3-9]\d{9}/);
      expect(text).not.toContain('6222020200311238');
    }
  });
});

describe('revealing a masked value', () => {
  it('shows the form with the masked value', async () => {
    const manager = await signIn('manager.zhao');
    const page = await manager.get(`/console/review/reveal?field=complaint.contact&id=${fx.complaints.k2}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('139****0007');
    expect(page.body).not.toContain('13900000007');
  });

  it('refuses without a reason (400), and nothing is audited', async () => {
    const manager = await signIn('manager.zhao');
    const before = (await t.app.repositories.audit.list({ targetType: 'complaint', targetId: fx.complaints.k2 })).length;
    const json = await manager.post('/console/review/reveal', { field: 'complaint.contact', id: String(fx.complaints.k2), reason: '   ' });
    expect(json).toEqual({ status: 400, body: { error: zh('review:reveal.noReason') } });
    const form = await fetch(`${t.url}/console/review/reveal`, {
      method: 'POST',
      headers: { cookie: manager.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: manager.csrf, field: 'complaint.contact', id: String(fx.complaints.k2) }).toString(),
    });
    expect(form.status).toBe(400);
    expect(await form.text()).not.toContain('13900000007');
    expect((await t.app.repositories.audit.list({ targetType: 'complaint', targetId: fx.complaints.k2 })).length).toBe(before);
  });

  it('reveals with a reason, once, and audits who, what and why', async () => {
    const manager = await signIn('manager.zhao');
    const res = await fetch(`${t.url}/console/review/reveal`, {
      method: 'POST',
      headers: { cookie: manager.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        _csrf: manager.csrf,
        field: 'complaint.contact',
        id: String(fx.complaints.k2),
        reason: '客户要求回电，需要核对号码',
      }).toString(),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('<output id="revealed-value">13900000007</output>');
    const [entry] = await t.app.repositories.audit.list({ targetType: 'complaint', targetId: fx.complaints.k2 });
    const managerId = (await t.app.repositories.staff.findByUsername('manager.zhao'))!.id;
    expect(entry).toMatchObject({
      action: 'review.revealed',
      actorId: String(managerId),
      detail: { field: 'complaint.contact', reason: '客户要求回电，需要核对号码' },
    });
    expect(JSON.stringify(entry.detail)).not.toContain('13900000007');
    expect((await manager.post('/console/review/reveal', { field: 'customer.mobile', id: String(fx.customers.FX02), reason: 'callback' })).body).toEqual({
      value: '13900000002',
    });
  });

  it('refuses a missing CSRF token, an unknown field and an unknown id', async () => {
    const manager = await signIn('manager.zhao');
    expect(
      (await manager.post('/console/review/reveal', { field: 'complaint.contact', id: String(fx.complaints.k2), reason: 'x' }, { csrf: false })).status,
    ).toBe(403);
    expect((await manager.post('/console/review/reveal', { field: 'staff.password_hash', id: '1', reason: 'x' })).status).toBe(400);
    expect((await manager.post('/console/review/reveal', { field: 'complaint.contact', id: '99999999', reason: 'x' })).status).toBe(404);
    expect((await manager.get('/console/review/reveal?field=complaint.contact&id=-3')).status).toBe(400);
  });
});

describe('QA review', () => {
  it('refuses scores out of 1–5, saves a review, signs it off, and then refuses changes', async () => {
    const manager = await signIn('manager.zhao');
    const path = `/console/review/conversations/${fx.conversations[0]}/qa`;
    const scores = { resolved: '4', courtesy: '5', accuracy: '4', compliance: '5' };
    expect((await manager.post(path, { ...scores, resolved: '6' })).status).toBe(400);
    expect((await manager.post(path, { ...scores, courtesy: '' })).status).toBe(400);
    expect((await manager.post('/console/review/conversations/999999/qa', scores)).status).toBe(404);
    expect(await manager.post(path, { ...scores, comment: '客户电话 13812345678，处理得当' })).toMatchObject({
      status: 200,
      body: { ok: true, status: 'saved' },
    });
    expect(await manager.post(path, { ...scores, signOff: '1' })).toMatchObject({ status: 200, body: { ok: true, status: 'signed' } });
    expect((await manager.post(path, { ...scores, resolved: '1' })).status).toBe(409);
    const page = await manager.get(`/console/review/conversations/${fx.conversations[0]}`);
    expect(page.body).toContain(zh('review:qa.signedOff', { name: '赵云', time: '' }).slice(0, 4));
    const actions = (await t.app.repositories.audit.list({ targetType: 'conversation', targetId: fx.conversations[0] })).map((a) => a.action);
    expect(actions).toEqual(['review.qa_signed_off', 'review.qa_saved']);
    const qa = await manager.get('/console/review/qa?signed=1');
    expect(qa.body).toContain(zh('review:lists.rows', { n: 1 }));
    expect(qa.body).not.toContain('13812345678');
  });
});
