import { localeFromText, toSupportedLocale } from '../../retention/locale';

describe('toSupportedLocale', () => {
  it.each([
    ['zh-CN', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['zh-Hans-CN', 'zh-CN'],
    ['zh_TW', 'zh-CN'],
    ['en-US', 'en-US'],
    ['EN-gb', 'en-US'],
    ['en', 'en-US'],
    ['fr-FR', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s → %s', (tag, expected) => {
    expect(toSupportedLocale(tag as string | undefined)).toBe(expected);
  });
});

describe('localeFromText', () => {
  it.each([
    ['我要查余额', 'zh-CN'],
    ['帮我查下balance', 'zh-CN'],
    ['what can you do', 'en-US'],
    ['help', 'en-US'],
    ['hi there', 'en-US'],
    ['ok', undefined],
    ['VIP', undefined],
    ['123456', undefined],
    ['C20261122-0007', undefined],
    ['👍', undefined],
    ['', undefined],
  ])('%s → %s', (text, expected) => {
    expect(localeFromText(text)).toBe(expected);
  });
});
