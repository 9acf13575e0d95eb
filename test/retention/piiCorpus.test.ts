import { maskPii } from '../../retention/pii';
import { decoys, piiSamples } from './piiCorpus';

// Masking measured on a corpus of the forms customers write (spaces, dashes, groups, full-width digits, Chinese around
// the number, country prefixes) and on figures that must stay readable. `PII_REPORT=1` prints the table.
const samples = piiSamples();
const figures = decoys();

function byForm<T extends { form: string }>(items: T[], ok: (item: T) => boolean): Map<string, { n: number; ok: number }> {
  const out = new Map<string, { n: number; ok: number }>();
  for (const item of items) {
    const row = out.get(item.form) ?? { n: 0, ok: 0 };
    row.n++;
    if (ok(item)) row.ok++;
    out.set(item.form, row);
  }
  return out;
}

const caught = (s: (typeof samples)[number]) => !maskPii(s.text).replace(/[\s-]/g, '').includes(s.secret.replace(/[\s-]/g, ''));
const recall = new Map<string, { n: number; ok: number }>();
for (const kind of ['idNumber', 'bankCard', 'mobile', 'email'] as const) {
  for (const [form, row] of byForm(
    samples.filter((s) => s.kind === kind),
    caught,
  ))
    recall.set(`${kind} · ${form}`, row);
}
const untouched = byForm(figures, (d) => maskPii(d.text) === d.text);

if (process.env.PII_REPORT) {
  const lines = ['recall (caught / written):'];
  for (const [form, row] of recall) lines.push(`  ${form.padEnd(52)} ${row.ok}/${row.n}`);
  lines.push('decoys left as written:');
  for (const [form, row] of untouched) lines.push(`  ${form.padEnd(52)} ${row.ok}/${row.n}`);
  const all = [...recall.values()].reduce((a, r) => ({ n: a.n + r.n, ok: a.ok + r.ok }), { n: 0, ok: 0 });
  const fp = [...untouched.values()].reduce((a, r) => ({ n: a.n + r.n, bad: a.bad + r.n - r.ok }), { n: 0, bad: 0 });
  lines.push(`overall recall ${all.ok}/${all.n}, decoys masked ${fp.bad}/${fp.n}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

describe('masking recall on the forms customers write', () => {
  it.each([...recall.entries()])('%s: every one masked', (_form, row) => {
    expect(row.ok).toBe(row.n);
  });
});

describe('figures that are not personal data', () => {
  it.each([...untouched.entries()])('%s: left as written', (_form, row) => {
    expect(row.ok).toBe(row.n);
  });
});
