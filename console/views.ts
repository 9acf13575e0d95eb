import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { formatDate, formatDateTime, formatMoney } from '../prompts/format';
import type { Texts } from '../prompts/texts';
import type { Locale } from '../retention/locale';
import { maskPii } from '../retention/pii';
import { signalText } from './riskSignals';

/** Renders the console's pages. */
export interface Views {
  /** A page inside the layout (or a bare fragment when `fragment`). */
  render(name: string, locale: Locale, data: Record<string, unknown>, options?: { fragment?: boolean }): string;
}

/**
 * The console's Handlebars views (`console/views/*.hbs`, partials `_*.hbs`), compiled once. Escaping stays ON:
 * everything a customer wrote is untrusted and must reach a staff page as text. Helpers give the staff member's
 * language (`t`), times in China time, money, and masking of personal data on the way out (`mask`).
 */
export function loadViews(dir: string, texts: Texts): Views {
  const hbs = Handlebars.create();
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.hbs'));
  for (const f of files.filter((f) => f.startsWith('_'))) hbs.registerPartial(f.slice(1, -4), fs.readFileSync(path.join(dir, f), 'utf8'));
  // Partials are templates too ("_queueLive"), so a part of a page can be rendered alone for a live refresh.
  const templates = new Map(files.map((f) => [f.slice(0, -4), hbs.compile(fs.readFileSync(path.join(dir, f), 'utf8'), { strict: false })]));

  hbs.registerHelper('t', function (this: unknown, key: string, options: Handlebars.HelperOptions) {
    return texts.t(options.data.root.locale as Locale, key, options.hash);
  });
  hbs.registerHelper('datetime', (ms: unknown, options: Handlebars.HelperOptions) =>
    typeof ms === 'number' ? formatDateTime(ms, options.data.root.locale, texts.timeZone) : '',
  );
  hbs.registerHelper('date', (ms: unknown, options: Handlebars.HelperOptions) =>
    typeof ms === 'number' ? formatDate(ms, options.data.root.locale, texts.timeZone) : '',
  );
  hbs.registerHelper('money', (minor: unknown, options: Handlebars.HelperOptions) =>
    typeof minor === 'number' ? formatMoney(minor, options.data.root.locale) : '',
  );
  hbs.registerHelper('mask', (text: unknown) => (typeof text === 'string' ? maskPii(text) : ''));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('concat', (...parts: unknown[]) => parts.slice(0, -1).map(String).join(''));
  hbs.registerHelper('json', (value: unknown) => JSON.stringify(value ?? null));
  // A churn signal as staff read it, with its points (console/riskSignals.ts).
  hbs.registerHelper('signal', (signal: unknown, options: Handlebars.HelperOptions) =>
    signalText(texts, options.data.root.locale as Locale, (signal ?? {}) as { code?: unknown; weight?: unknown }),
  );
  hbs.registerHelper('minutes', (ms: unknown) => (typeof ms === 'number' ? String(Math.max(0, Math.floor(ms / 60_000))) : ''));

  return {
    render(name, locale, data, options = {}) {
      const template = templates.get(name);
      if (!template) throw new Error(`no console view ${name}`);
      const body = template({ ...data, locale });
      if (options.fragment) return body;
      return templates.get('layout')!({ ...data, locale, body: new hbs.SafeString(body) });
    },
  };
}
