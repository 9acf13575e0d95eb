import type { Locale } from '../retention/locale';

const moneyFormats = new Map<string, Intl.NumberFormat>();

/**
 * Formats an amount of minor units (fen) in the locale's money format: `¥12,345.60` in Chinese, `CNY 12,345.60` in
 * English (the code, because `¥` alone also means yen to an English reader). Integer arithmetic until the last step.
 */
export function formatMoney(minor: number, locale: Locale, currency = 'CNY'): string {
  const key = `${locale}|${currency}`;
  let f = moneyFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: locale === 'zh-CN' ? 'symbol' : 'code' });
    moneyFormats.set(key, f);
  }
  return f.format(minor / 100).replace(/\u00a0/g, ' ');
}

const numberFormats = new Map<string, Intl.NumberFormat>();

/** Formats a whole number with the locale's grouping (12,800). */
export function formatNumber(n: number, locale: Locale): string {
  let f = numberFormats.get(locale);
  if (!f) {
    f = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
    numberFormats.set(locale, f);
  }
  return f.format(n);
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/** Formats an epoch-millisecond time as date and time in the given time zone (default China Standard Time). */
export function formatDateTime(ms: number, locale: Locale, timeZone = 'Asia/Shanghai'): string {
  const key = `${locale}|${timeZone}|dt`;
  let f = dateTimeFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      timeZone,
      year: 'numeric',
      month: locale === 'zh-CN' ? 'numeric' : 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    dateTimeFormats.set(key, f);
  }
  return f.format(new Date(ms));
}

/** Formats an epoch-millisecond time as a date only, in the given time zone. */
export function formatDate(ms: number, locale: Locale, timeZone = 'Asia/Shanghai'): string {
  const key = `${locale}|${timeZone}|d`;
  let f = dateTimeFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone, year: 'numeric', month: locale === 'zh-CN' ? 'numeric' : 'short', day: 'numeric' });
    dateTimeFormats.set(key, f);
  }
  return f.format(new Date(ms));
}

/** Formats an epoch-millisecond time as a time of day (09:35) in the given time zone. */
export function formatTime(ms: number, locale: Locale, timeZone = 'Asia/Shanghai'): string {
  const key = `${locale}|${timeZone}|t`;
  let f = dateTimeFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    dateTimeFormats.set(key, f);
  }
  return f.format(new Date(ms));
}

/**
 * Formats a balance in its unit: money in the locale's money format, data in GB from 1 GB up (15.0 GB) and in MB
 * below, points as a grouped number with the locale's word for them.
 */
export function formatBalance(balance: number, unit: 'CNY' | 'MB' | 'points', locale: Locale, pointsWord: string): string {
  if (unit === 'CNY') return formatMoney(balance, locale);
  if (unit === 'MB') return balance >= 1024 ? `${formatNumber(Math.round((balance / 1024) * 10) / 10, locale)} GB` : `${formatNumber(balance, locale)} MB`;
  return `${formatNumber(balance, locale)} ${pointsWord}`;
}
