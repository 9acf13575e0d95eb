import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { paths } from '../../bot/paths';
import { formatDateTime, formatMoney, formatNumber } from '../../prompts/format';
import { loadTexts } from '../../prompts/texts';
import { SUPPORTED_LOCALES } from '../../retention/locale';
import { TEMPLATE_DATA } from './templateData';

/** Every leaf key of every namespace of a locale, as `namespace:a.b.c` (plural suffixes folded). */
function keysOf(locale: string): Set<string> {
  const out = new Set<string>();
  const dir = path.join(paths.locales, locale);
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const walk = (o: Record<string, unknown>, prefix: string) => {
      for (const [k, v] of Object.entries(o)) {
        const key = prefix ? `${prefix}.${k}` : k;
        if (v && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, key);
        else out.add(`${file.replace(/\.json$/, '')}:${key.replace(/_(zero|one|two|few|many|other)$/, '')}`);
      }
    };
    walk(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')), '');
  }
  return out;
}

describe('locales', () => {
  it('zh-CN and en-US have exactly the same keys', () => {
    const [zh, en] = SUPPORTED_LOCALES.map(keysOf);
    expect([...zh].filter((k) => !en.has(k))).toEqual([]);
    expect([...en].filter((k) => !zh.has(k))).toEqual([]);
  });

  it('has no empty strings', () => {
    for (const locale of SUPPORTED_LOCALES) {
      for (const file of fs.readdirSync(path.join(paths.locales, locale)).filter((f) => f.endsWith('.json'))) {
        const text = fs.readFileSync(path.join(paths.locales, locale, file), 'utf8');
        expect({ file: `${locale}/${file}`, empty: /:\s*""/.test(text) }).toEqual({ file: `${locale}/${file}`, empty: false });
      }
    }
  });

  it('uses the same {{placeholders}} in both languages', () => {
    const texts = loadTexts({ localesDir: paths.locales, promptsDir: paths.prompts });
    for (const key of keysOf('zh-CN')) {
      const [ns] = key.split(':');
      if (ns === 'intents') continue;
      const raw = (locale: 'zh-CN' | 'en-US') => {
        try {
          // A count resolves plural keys (codeWrong_one / codeWrong_other) as well as plain ones.
          return texts.t(locale, key, { count: 2 });
        } catch {
          return JSON.stringify(texts.list(locale, key));
        }
      };
      const vars = (s: string) => [...s.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]).sort();
      expect({ key, vars: vars(raw('en-US')) }).toEqual({ key, vars: vars(raw('zh-CN')) });
    }
  });
});

describe('prompt templates', () => {
  const texts = loadTexts({ localesDir: paths.locales, promptsDir: paths.prompts });

  it('exist for the same names in both languages', () => {
    expect(texts.templates('en-US').sort()).toEqual(texts.templates('zh-CN').sort());
  });

  it('each has sample data and renders in strict mode in both languages', () => {
    expect(Object.keys(TEMPLATE_DATA).sort()).toEqual(texts.templates('zh-CN').sort());
    for (const locale of SUPPORTED_LOCALES) {
      for (const name of texts.templates(locale)) {
        const out = texts.render(locale, name, TEMPLATE_DATA[name]);
        expect(out.trim().length).toBeGreaterThan(0);
        expect(out).not.toMatch(/\{\{|\}\}/);
      }
    }
  });

  it('refuses to render a template whose data lacks a field', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prompts-'));
    for (const l of SUPPORTED_LOCALES) {
      fs.mkdirSync(path.join(dir, l));
      fs.writeFileSync(path.join(dir, l, 'x.hbs'), 'Hello {{name}}, you owe {{money amount}}');
    }
    const custom = loadTexts({ localesDir: paths.locales, promptsDir: dir });
    expect(custom.render('zh-CN', 'x', { name: '<b>王</b>', amount: 123456 })).toBe('Hello <b>王</b>, you owe ¥1,234.56');
    expect(() => custom.render('en-US', 'x', { amount: 1 })).toThrow(/name/);
    fs.rmSync(dir, { recursive: true });
  });

  it('throws on an unknown text key instead of showing the key to a customer', () => {
    expect(() => texts.t('zh-CN', 'main:doesNotExist')).toThrow(/missing text/);
  });
});

describe('formats', () => {
  it.each([
    [1_234_560, 'zh-CN', '¥12,345.60'],
    [1_234_560, 'en-US', 'CNY 12,345.60'],
    [5, 'zh-CN', '¥0.05'],
    [-10_000, 'en-US', '-CNY 100.00'],
  ] as const)('money %d in %s is %s', (minor, locale, expected) => {
    expect(formatMoney(minor, locale)).toBe(expected);
  });

  it('formats numbers and times for the locale, in China time', () => {
    expect(formatNumber(12800, 'en-US')).toBe('12,800');
    const t = Date.UTC(2026, 10, 22, 1, 5);
    expect(formatDateTime(t, 'zh-CN')).toBe('2026/11/22 09:05');
    expect(formatDateTime(t, 'en-US')).toBe('Nov 22, 2026, 09:05');
  });
});
