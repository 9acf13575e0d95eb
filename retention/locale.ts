/** The locales the assistant speaks; the first is the default. */
export const SUPPORTED_LOCALES = ['zh-CN', 'en-US'] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

/** Maps any language tag a channel sends ("zh", "zh-Hans-CN", "en-GB", "EN") to a supported locale, or undefined. */
export function toSupportedLocale(tag: string | undefined | null): Locale | undefined {
  if (!tag || typeof tag !== 'string') return undefined;
  const lower = tag.trim().toLowerCase().replace(/_/g, '-');
  if (lower === 'zh' || lower.startsWith('zh-')) {
    // Traditional-script tags are still served in Simplified Chinese: it is the only Chinese we have.
    return 'zh-CN';
  }
  if (lower === 'en' || lower.startsWith('en-')) return 'en-US';
  return undefined;
}

const HAN = /\p{Script=Han}/u;
const LATIN_WORD = /[A-Za-z]{2,}/g;

/**
 * Guesses the language of a message from its script, or undefined when the text gives no clear sign:
 * any Han character means Chinese; English needs two Latin words or one of four letters or more
 * (so "ok", "VIP" or a reference number do not switch a Chinese conversation to English).
 */
export function localeFromText(text: string): Locale | undefined {
  if (!text) return undefined;
  if (HAN.test(text)) return 'zh-CN';
  const words = (text.replace(/\b\w*\d\w*\b/g, ' ').match(LATIN_WORD) ?? []).filter(Boolean);
  if (words.length >= 2 || words.some((w) => w.length >= 4)) return 'en-US';
  return undefined;
}
