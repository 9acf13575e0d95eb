import { barChart, columnChart, stackedBar } from '../../console/review/charts';
import { csvDocument, neutralise } from '../../console/review/csv';
import { parseQuery, presetRange } from '../../console/review/filters';
import { maskContact } from '../../console/review/lists';

const at = (iso: string) => Date.parse(iso);

describe('CSV for spreadsheets', () => {
  it('neutralises cells that a spreadsheet would run as formulas', () => {
    for (const dangerous of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("http://x")']) expect(neutralise(dangerous)).toBe(`'${dangerous}`);
    for (const safe of ['普通文本', 'a=b', "'quoted", '', ' =x']) expect(neutralise(safe)).toBe(safe);
  });

  it('starts with a BOM, ends records with CRLF, and quotes commas, quotes and line breaks', () => {
    const doc = csvDocument(
      ['名称', 'n'],
      [
        ['a,b', 1],
        ['say "hi"', 2],
        ['line1\nline2', 3],
        ['cr\ronly', null],
        ['-5', -5],
      ],
    );
    expect(doc).toBe('\uFEFF名称,n\r\n"a,b",1\r\n"say ""hi""",2\r\n"line1\nline2",3\r\n"cr\ronly",\r\n\'-5,-5\r\n');
  });
});

describe('server-drawn charts', () => {
  it('escape every label and value, carry a title, and use no inline style', () => {
    const svg = barChart('c1', 'Title <b>', [
      { label: '<script>alert(1)</script>', value: 3, display: '3 "x"', href: '/console/review/surveys?a=1&b=2', pattern: 'hatch' },
    ]);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).toContain('<title id="c1-title">Title &lt;b&gt;</title>');
    expect(svg).toContain('href="/console/review/surveys?a=1&amp;b=2"');
    expect(svg).toContain('3 &quot;x&quot;');
    expect(svg).toContain('fill="url(#c1-hatch)"');
    for (const s of [
      svg,
      stackedBar('c2', 't', [{ label: 'a', value: 1, display: '1' }]),
      columnChart('c3', 't', [{ label: '11-01', value: 2, display: '2' }]),
    ]) {
      expect(s).not.toMatch(/ style=/);
      expect(s).toMatch(/^<svg class="chart" id="c\d" role="img"/);
    }
  });

  it('draws a zero as no bar but still writes its value', () => {
    const svg = barChart('z', 't', [{ label: 'none', value: 0, display: '0' }]);
    expect(svg).toContain('width="0"');
    expect(svg).toContain('>0</text>');
  });
});

describe('review filters', () => {
  const now = at('2026-11-22T21:30:00Z'); // 05:30 on 23 November in China

  it('counts presets in China days', () => {
    expect(presetRange('30d', now)).toEqual({ from: at('2026-10-24T16:00:00Z'), to: at('2026-11-23T16:00:00Z') });
    expect(presetRange('month', now)).toEqual({ from: at('2026-10-31T16:00:00Z'), to: at('2026-11-23T16:00:00Z') });
    expect(presetRange('lastMonth', now)).toEqual({ from: at('2026-09-30T16:00:00Z'), to: at('2026-10-31T16:00:00Z') });
  });

  it('takes dates over the preset and keeps the checked values for links', () => {
    const q = parseQuery(
      { period: '7d', from: '2026-11-01', to: '2026-11-22', tier: 'gold,vip', score: '1-2', agent: '7', channel: 'wechat', kind: 'csat' },
      now,
      'surveys',
    );
    expect(q.problems).toEqual([]);
    expect(q.preset).toBe('custom');
    expect(q.filters).toMatchObject({
      from: at('2026-10-31T16:00:00Z'),
      to: at('2026-11-22T16:00:00Z'),
      tiers: ['gold', 'vip'],
      score: { min: 1, max: 2 },
      agentId: 7,
      channel: 'wechat',
      kind: 'csat',
    });
    expect(q.params).toEqual({ from: '2026-11-01', to: '2026-11-22', tier: 'gold,vip', score: '1-2', agent: '7', channel: 'wechat', kind: 'csat' });
  });

  it('leaves out nonsense and names it, falling back to the last 30 days', () => {
    const q = parseQuery({ from: '2026-02-30', tier: ['vip', 'gold'], score: '0-11', page: '-2', breached: 'maybe', lost: '1' }, now, 'complaints');
    expect(q.problems.map((p) => p.param)).toEqual(['from', 'tier', 'score', 'breached', 'page']);
    expect(q.filters).toEqual(presetRange('30d', now));
    expect(q.page).toBe(1);
  });

  it('reads a page number past any list as an empty page, however long', () => {
    expect(parseQuery({ page: '999999999999999999999999' }, now, 'surveys').page).toBe(1_000_000);
    expect(parseQuery({ page: '3' }, now, 'surveys').page).toBe(3);
  });
});

describe('masking a complaint contact', () => {
  it('masks mobiles as usual and hides other numbers but their last four digits', () => {
    expect(maskContact('13900000007')).toBe('139****0007');
    expect(maskContact('021-6888 1234')).toBe('***-**** 1234');
    expect(maskContact('+44 20 7946 0958')).toBe('+** ** **** 0958');
    expect(maskContact('请在群里回复')).toBe('请在群里回复');
  });
});

describe('the period the filter form asks for', () => {
  const now = at('2026-11-22T21:30:00Z');

  it('takes a preset chosen in place of the dates shown, and dates typed while a preset was shown', () => {
    const chosen = parseQuery({ shown: 'custom', period: '7d', from: '2026-11-01', to: '2026-11-22' }, now);
    expect(chosen.preset).toBe('7d');
    expect(chosen.filters.from).toBe(presetRange('7d', now).from);
    const typed = parseQuery({ shown: '30d', period: '30d', from: '2026-11-01', to: '2026-11-22' }, now);
    expect(typed.preset).toBe('custom');
    expect(typed.fromDate).toBe('2026-11-01');
    expect(typed.params).toEqual({ from: '2026-11-01', to: '2026-11-22' });
  });
});
