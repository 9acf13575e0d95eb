import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import i18next, { type i18n } from 'i18next';
import { DEFAULT_TIME_ZONE } from '../retention/lifecycle';
import { SUPPORTED_LOCALES, type Locale } from '../retention/locale';
import { maskAccountNumber } from '../retention/pii';
import { formatDate, formatDateTime, formatMoney, formatNumber } from './format';

/** Namespaces that hold data for other parts (training utterances), not strings to show. */
const DATA_NAMESPACES = new Set(['intents']);

/** Every user-facing string and composed message, by locale. */
export interface Texts {
  /** The string for `namespace:key` in the locale, with `{{arguments}}` filled in. Unknown keys throw. */
  t(locale: Locale, key: string, args?: Record<string, unknown>): string;
  /** A list of strings (keywords, suggestions) for `namespace:key`. */
  list(locale: Locale, key: string): string[];
  /** An object of the locale files as it is (a table of labels to scores, say). Unknown keys throw. */
  raw(locale: Locale, key: string): Record<string, unknown>;
  /** Renders the template `prompts/<locale>/<name>.hbs`. */
  render(locale: Locale, name: string, data?: Record<string, unknown>): string;
  /** The names of the templates of a locale. */
  templates(locale: Locale): string[];
  /** The service's time zone (SERVICE_TIME_ZONE): the one times are shown in. */
  readonly timeZone: string;
}

/** Where texts are read from. */
export interface TextsOptions {
  localesDir: string;
  promptsDir: string;
  /** The time zone times are shown in; Asia/Shanghai unless the service says otherwise. */
  timeZone?: string;
}

/** Reads the locale files and compiles every template once, at start. */
export function loadTexts(options: TextsOptions): Texts {
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  const resources: Record<string, Record<string, unknown>> = {};
  const namespaces = new Set<string>();
  for (const locale of SUPPORTED_LOCALES) {
    resources[locale] = {};
    for (const file of fs.readdirSync(path.join(options.localesDir, locale)).filter((f) => f.endsWith('.json'))) {
      const ns = file.slice(0, -'.json'.length);
      if (DATA_NAMESPACES.has(ns)) continue;
      resources[locale][ns] = JSON.parse(fs.readFileSync(path.join(options.localesDir, locale, file), 'utf8'));
      namespaces.add(ns);
    }
  }
  const i18n: i18n = i18next.createInstance();
  void i18n.init({
    resources,
    lng: SUPPORTED_LOCALES[0],
    fallbackLng: false,
    supportedLngs: [...SUPPORTED_LOCALES],
    ns: [...namespaces],
    defaultNS: 'common',
    initAsync: false,
    returnNull: false,
    // Chat text is plain text; the HTML pages escape when they render.
    interpolation: { escapeValue: false },
    showSupportNotice: false,
  } as Parameters<i18n['init']>[0]);
  const fixed = new Map(SUPPORTED_LOCALES.map((l) => [l, i18n.getFixedT(l)]));

  // Strings without arguments are looked up once: i18next's lookup is a measurable part of a turn.
  const plain = new Map<string, string>();
  const t = (locale: Locale, key: string, args?: Record<string, unknown>): string => {
    const cacheKey = args ? undefined : `${locale}\u0000${key}`;
    const cached = cacheKey && plain.get(cacheKey);
    if (cached) return cached;
    if (!i18n.exists(key, { ...args, lng: locale })) throw new Error(`missing text ${key} for ${locale}`);
    const text = fixed.get(locale)!(key, args as never) as unknown as string;
    if (cacheKey) plain.set(cacheKey, text);
    return text;
  };

  const templates = new Map<Locale, Map<string, HandlebarsTemplateDelegate>>();
  for (const locale of SUPPORTED_LOCALES) {
    const hbs = Handlebars.create();
    registerHelpers(hbs, locale, t, timeZone);
    const dir = path.join(options.promptsDir, locale);
    const compiled = new Map<string, HandlebarsTemplateDelegate>();
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.hbs')) : [];
    for (const file of files) {
      const source = fs.readFileSync(path.join(dir, file), 'utf8');
      // Chat text: no HTML escaping; strict, so a missing field fails loudly instead of printing nothing.
      compiled.set(file.slice(0, -'.hbs'.length), hbs.compile(source.replace(/\n$/, ''), { noEscape: true, strict: true }));
    }
    templates.set(locale, compiled);
  }

  return {
    timeZone,
    t,
    list(locale, key) {
      const value = i18n.t(key, { lng: locale, returnObjects: true }) as unknown;
      if (!Array.isArray(value)) throw new Error(`text ${key} for ${locale} is not a list`);
      return value as string[];
    },
    raw(locale, key) {
      const value = i18n.t(key, { lng: locale, returnObjects: true }) as unknown;
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`text ${key} for ${locale} is not an object`);
      return value as Record<string, unknown>;
    },
    render(locale, name, data = {}) {
      const template = templates.get(locale)?.get(name);
      if (!template) throw new Error(`missing template ${name} for ${locale}`);
      return template(data);
    },
    templates(locale) {
      return [...(templates.get(locale)?.keys() ?? [])];
    },
  };
}

function registerHelpers(hbs: typeof Handlebars, locale: Locale, t: Texts['t'], timeZone: string): void {
  hbs.registerHelper('t', (key: string, options: Handlebars.HelperOptions) => t(locale, key, options.hash));
  hbs.registerHelper('money', (minor: number, currency?: unknown) => formatMoney(Number(minor), locale, typeof currency === 'string' ? currency : 'CNY'));
  hbs.registerHelper('number', (n: number) => formatNumber(Number(n), locale));
  hbs.registerHelper('datetime', (ms: number) => formatDateTime(Number(ms), locale, timeZone));
  hbs.registerHelper('date', (ms: number) => formatDate(Number(ms), locale, timeZone));
  hbs.registerHelper('maskAccount', (n: string) => maskAccountNumber(String(n)));
  hbs.registerHelper('inc', (n: number) => Number(n) + 1);
}
