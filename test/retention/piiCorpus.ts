import type { PiiKind } from '../../retention/pii';

/**
 * A generated corpus of personal data as customers write it, and of figures that must stay readable. Seeded, so every
 * run is the same; built from rules (real region codes, check characters, card prefixes), not from anyone's data.
 */

/** One written piece of personal data, inside a sentence. */
export interface PiiSample {
  kind: PiiKind;
  form: string;
  text: string;
  /** The digits (or address) that must not survive masking. */
  secret: string;
}

/** A figure that is not personal data, inside a sentence; masking must leave the text as it was. */
export interface Decoy {
  form: string;
  text: string;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REGIONS = [
  '110101',
  '110105',
  '310104',
  '310115',
  '440305',
  '440106',
  '510107',
  '320102',
  '330106',
  '420111',
  '610113',
  '500103',
  '210102',
  '370202',
  '350203',
  '130102',
];
const CARD_PREFIXES = ['622202', '621700', '622848', '621483', '622588', '623668', '625800', '436742', '518710', '622700', '356833'];
const MOBILE_PREFIXES = [
  '130',
  '131',
  '132',
  '135',
  '136',
  '137',
  '138',
  '139',
  '147',
  '150',
  '151',
  '152',
  '155',
  '158',
  '166',
  '175',
  '177',
  '180',
  '183',
  '186',
  '187',
  '188',
  '189',
  '191',
  '198',
  '199',
];
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const digits = (r: () => number, n: number) => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function birth(r: () => number, from: number, to: number): { y: number; m: number; d: number } {
  const y = from + Math.floor(r() * (to - from));
  const m = 1 + Math.floor(r() * 12);
  const d = 1 + Math.floor(r() * 28);
  return { y, m, d };
}

export function id18(r: () => number): string {
  const b = birth(r, 1940, 2008);
  const body = `${pick(r, REGIONS)}${b.y}${pad(b.m)}${pad(b.d)}${digits(r, 3)}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * ID_WEIGHTS[i];
  return body + '10X98765432'[sum % 11];
}

export function id15(r: () => number): string {
  const b = birth(r, 1930, 1985);
  return `${pick(r, REGIONS)}${pad(b.y % 100)}${pad(b.m)}${pad(b.d)}${digits(r, 3)}`;
}

function luhnDigit(partial: string): string {
  let sum = 0;
  let double = true;
  for (let i = partial.length - 1; i >= 0; i--) {
    let d = Number(partial[i]);
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return String((10 - (sum % 10)) % 10);
}

export function card(r: () => number, length: 16 | 19): string {
  const prefix = pick(r, CARD_PREFIXES);
  const partial = prefix + digits(r, length - prefix.length - 1);
  return partial + luhnDigit(partial);
}

export function mobile(r: () => number): string {
  return pick(r, MOBILE_PREFIXES) + digits(r, 8);
}

function email(r: () => number): string {
  const names = ['li.na', 'wangjianguo', 'emily_chen', 'zhang.wei88', 'michael.wong', 'chen-jing', 'liu2026', 'zhao.yun'];
  const domains = ['qq.com', '163.com', 'gmail.com', 'example.com.cn', 'mail.example.org', 'sina.cn', 'outlook.com'];
  return `${pick(r, names)}${Math.floor(r() * 100)}@${pick(r, domains)}`;
}

const FULL_WIDTH = (s: string) => s.replace(/[0-9A-Za-z@.]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const group = (s: string, sizes: number[], sep: string) => {
  const out: string[] = [];
  let at = 0;
  for (const n of sizes) {
    out.push(s.slice(at, at + n));
    at += n;
  }
  if (at < s.length) out.push(s.slice(at));
  return out.filter(Boolean).join(sep);
};

const ZH_FRAMES = ['我的{}', '麻烦帮我查一下{}，谢谢', '{}', '号码是{}。', '（{}）', '就是这个：{}，帮忙看看', '{}这个对吗？'];
const EN_FRAMES = ['my number is {} thanks', '{}', 'it is {}.', 'pls check {} asap', '({})'];

/** Every kind in every written form, `perForm` times each, inside Chinese and English sentences. */
export function piiSamples(seed = 2026, perForm = 40): PiiSample[] {
  const r = rng(seed);
  const out: PiiSample[] = [];
  const add = (kind: PiiKind, form: string, make: () => { written: string; secret: string; label?: string }) => {
    for (let i = 0; i < perForm; i++) {
      const { written, secret, label } = make();
      const frame = i % 3 === 2 ? pick(r, EN_FRAMES) : pick(r, ZH_FRAMES);
      out.push({ kind, form, text: frame.replace('{}', (label ?? '') + written), secret });
    }
  };
  const idLabel = () => pick(r, ['身份证号', '身份证', '证件号码：', 'ID ', '', '']);
  add('idNumber', '18 digits', () => ({ written: id18(r), secret: '', label: idLabel() }));
  add('idNumber', '18, lower-case x', () => {
    let v = id18(r);
    while (!v.endsWith('X')) v = id18(r);
    return { written: v.toLowerCase(), secret: '', label: idLabel() };
  });
  add('idNumber', '18 as 6-8-4, spaces', () => ({ written: group(id18(r), [6, 8, 4], ' '), secret: '', label: idLabel() }));
  add('idNumber', '18 as 6-8-4, dashes', () => ({ written: group(id18(r), [6, 8, 4], '-'), secret: '', label: idLabel() }));
  add('idNumber', '18 as 6-4-4-4, spaces', () => ({ written: group(id18(r), [6, 4, 4, 4], ' '), secret: '', label: idLabel() }));
  add('idNumber', '18, full-width', () => ({ written: FULL_WIDTH(id18(r)), secret: '', label: idLabel() }));
  add('idNumber', '18 in Chinese, no spaces', () => ({ written: id18(r), secret: '', label: '身份证号码' }));
  add('idNumber', '15 digits', () => ({ written: id15(r), secret: '', label: idLabel() }));
  add('idNumber', '15 as 6-6-3, spaces', () => ({ written: group(id15(r), [6, 6, 3], ' '), secret: '', label: idLabel() }));
  add('idNumber', '15 as 6-6-3, dashes', () => ({ written: group(id15(r), [6, 6, 3], '-'), secret: '', label: idLabel() }));
  add('idNumber', '15, full-width', () => ({ written: FULL_WIDTH(id15(r)), secret: '', label: idLabel() }));
  const cardLabel = () => pick(r, ['卡号', '银行卡', '我的卡', 'card ', '', '']);
  add('bankCard', '16 digits', () => ({ written: card(r, 16), secret: '', label: cardLabel() }));
  add('bankCard', '19 digits', () => ({ written: card(r, 19), secret: '', label: cardLabel() }));
  add('bankCard', '16 as 4-4-4-4, spaces', () => ({ written: group(card(r, 16), [4, 4, 4, 4], ' '), secret: '', label: cardLabel() }));
  add('bankCard', '19 as 4-4-4-4-3, spaces', () => ({ written: group(card(r, 19), [4, 4, 4, 4], ' '), secret: '', label: cardLabel() }));
  add('bankCard', '19 as 6-13, space', () => ({ written: group(card(r, 19), [6], ' '), secret: '', label: cardLabel() }));
  add('bankCard', '16 as 4-4-4-4, dashes', () => ({ written: group(card(r, 16), [4, 4, 4, 4], '-'), secret: '', label: cardLabel() }));
  add('bankCard', '19, full-width', () => ({ written: FULL_WIDTH(card(r, 19)), secret: '', label: cardLabel() }));
  add('bankCard', '16, two spaces', () => ({ written: group(card(r, 16), [4, 4, 4, 4], '  '), secret: '', label: cardLabel() }));
  add('bankCard', 'a mistyped card after 卡号 (fails Luhn)', () => {
    const c = card(r, 19);
    const wrong = c.slice(0, -1) + String((Number(c.at(-1)) + 1) % 10);
    return { written: wrong, secret: '', label: pick(r, ['卡号', '银行卡号', 'card number ', '卡号是']) };
  });
  add('mobile', '11 digits', () => ({ written: mobile(r), secret: '' }));
  add('mobile', '3-4-4, spaces', () => ({ written: group(mobile(r), [3, 4, 4], ' '), secret: '' }));
  add('mobile', '3-4-4, dashes', () => ({ written: group(mobile(r), [3, 4, 4], '-'), secret: '' }));
  add('mobile', '+86', () => ({ written: `+86 ${mobile(r)}`, secret: '' }));
  add('mobile', '+86-', () => ({ written: `+86-${group(mobile(r), [3, 4, 4], '-')}`, secret: '' }));
  add('mobile', '0086', () => ({ written: `0086${mobile(r)}`, secret: '' }));
  add('mobile', '(+86)', () => ({ written: `(+86)${mobile(r)}`, secret: '' }));
  add('mobile', 'full-width', () => ({ written: FULL_WIDTH(mobile(r)), secret: '' }));
  add('mobile', 'in Chinese, no spaces', () => ({ written: `手机${mobile(r)}`, secret: '' }));
  add('email', 'plain', () => ({ written: email(r), secret: '' }));
  add('email', 'upper case', () => ({ written: email(r).toUpperCase(), secret: '' }));
  add('email', 'full-width @', () => ({ written: email(r).replace('@', '＠'), secret: '' }));
  add('email', 'in Chinese, no spaces', () => ({ written: `邮箱${email(r)}谢谢`, secret: '' }));
  // The secret is what must not survive: the digits of numbers (any separators), the local part of an address.
  for (const s of out) s.secret = secretOf(s);
  return out;
}

function secretOf(s: PiiSample): string {
  const halfWidth = s.text.replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\uFF20\uFF0E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  if (s.kind === 'email') return /([A-Za-z0-9._%+-]+)@/.exec(halfWidth)![1];
  const runs = halfWidth.match(/\d[\d\s-]*[\dXx]/g) ?? [];
  const longest = runs.map((x) => x.replace(/[\s-]/g, '')).sort((a, b) => b.length - a.length)[0];
  // The middle of the number: what a masked form never shows (it may keep a few digits at either end).
  return longest.slice(4, -4);
}

/** Figures a reviewer needs to read, as customers write them next to personal data. */
export function decoys(seed = 7, perForm = 40): Decoy[] {
  const r = rng(seed);
  const out: Decoy[] = [];
  const add = (form: string, make: () => string) => {
    for (let i = 0; i < perForm; i++) out.push({ form, text: make() });
  };
  const money = () => (Math.floor(r() * 9_000_000) + 1000).toLocaleString('en-US');
  add('amount with separators', () => `扣了我${money()}.${digits(r, 2)}元`);
  add('amount, plain', () => `转了${Math.floor(r() * 10_000_000)}元过去`);
  add('amount in English', () => `I was charged CNY ${money()}.${digits(r, 2)} twice`);
  add('date', () => `${2020 + Math.floor(r() * 7)}-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))}去的网点`);
  add(
    'compact date and time',
    () =>
      `交易时间${2020 + Math.floor(r() * 7)}${pad(1 + Math.floor(r() * 12))}${pad(1 + Math.floor(r() * 28))} ${pad(Math.floor(r() * 24))}:${pad(Math.floor(r() * 60))}`,
  );
  add(
    'complaint reference',
    () => `C${2020 + Math.floor(r() * 7)}${pad(1 + Math.floor(r() * 12))}${pad(1 + Math.floor(r() * 28))}-${digits(r, 4)} 处理得怎么样了`,
  );
  add('order number after 订单号', () => `订单号${pick(r, ['3', '4', '5', '6'])}${digits(r, 15 + Math.floor(r() * 4))}一直没发货`);
  add('order number after "order"', () => `order #${pick(r, ['3', '4', '5', '6'])}${digits(r, 15)} never arrived`);
  add('transaction serial after 流水号', () => `流水号${digits(r, 20)}`);
  add('parcel number', () => `快递单号SF${digits(r, 12)}`);
  add('verification code', () => `验证码${digits(r, 6)}收到了`);
  add('last four digits', () => `尾号${digits(r, 4)}的卡`);
  add('landline', () => `打了0${pick(r, ['10', '21', '755', '20'])}-${digits(r, 8)}没人接`);
  add('postal code', () => `邮编${digits(r, 6)}`);
  add('percentage and count', () => `利率${r().toFixed(2)}%，${Math.floor(r() * 100)}个月`);
  return out;
}
