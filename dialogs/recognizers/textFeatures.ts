import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';
import * as OpenCC from 'opencc-js/t2cn';

/** Only the start of a long message is classified: the intent is in the first sentences, and it bounds the cost. */
export const MAX_CLASSIFIED_CHARS = 300;

const HAN = /\p{Script=Han}/u;

let toSimplified: ((text: string) => string) | undefined;
let jieba: Jieba | undefined;

/** Traditional characters (and Taiwanese word forms: 網路 → 网络) to simplified, so both read the same. */
function simplified(text: string): string {
  toSimplified ??= OpenCC.Converter({ from: 'twp', to: 'cn' });
  return toSimplified(text);
}

/** Chinese words by dictionary only (no HMM guesses: they glue unrelated characters, "下花" in "查下花呗"). */
function words(run: string): string[] {
  jieba ??= Jieba.withDict(dict);
  return jieba.cut(run, false);
}

/**
 * Text shared by training and recognition: traditional characters become simplified, compatibility forms (full-width
 * letters and digits) fold, reference numbers and digit runs become placeholder words, so that "C20261122-0007 进度"
 * and "尾号6688" generalise over the numbers.
 */
export function prepareText(text: string): string {
  let t = text.slice(0, MAX_CLASSIFIED_CHARS).normalize('NFKC').toLowerCase();
  // 帳 converts to 帐, a simplified form customers rarely type: the training data (and most customers) write 账.
  if (HAN.test(t)) t = simplified(t).replace(/帐/g, '账');
  return t.replace(/(?<![a-z0-9])c[ -]?\d{8}[ -]?\d{4,6}(?!\d)/g, ' zzref ').replace(/\d+(?:[.,]\d+)*/g, ' zznum ');
}

/** Words so common in English requests that they say nothing about which request it is. */
const LATIN_STOP = new Set([
  'a',
  'an',
  'the',
  'to',
  'of',
  'for',
  'in',
  'on',
  'at',
  'is',
  'are',
  'be',
  'it',
  'my',
  'me',
  'i',
  'you',
  'your',
  'and',
  'or',
  'this',
  'that',
  'do',
  'can',
  'please',
  'pls',
  'would',
  'like',
  'with',
]);

/** A crude English stem: enough to join "charged", "charges" and "charging". */
export function stem(word: string): string {
  if (word.length <= 4) return word;
  return word.replace(/(?:ing|ed|es|s|ly)$/, '');
}

/** A word or character of a message, with the features it brings. */
export interface MessageUnit {
  /** A Chinese character or a Latin word. */
  unit: string;
  latin: boolean;
  /** Filler ("the", "please"): never counted when judging how much of a message was understood. */
  filler: boolean;
  /** For a Chinese character: itself and its pairs. For a Latin word: the word, its stem and its letter triples. */
  features: string[];
}

/** A message read as features. */
export interface MessageFeatures {
  /** Features of the message as a whole: Chinese dictionary words, pairs of Latin words, placeholders. */
  shared: string[];
  units: MessageUnit[];
}

/** All the features of a message, each once. */
export function allFeatures(m: MessageFeatures): string[] {
  return [...new Set([...m.shared, ...m.units.flatMap((u) => u.features)])];
}

/**
 * The features of a prepared text. Chinese is read three ways at once: dictionary words, single characters and pairs
 * of neighbouring characters — the pairs and characters keep product names the dictionary splits oddly (花呗 → 花/呗)
 * and typos; the words keep meaning that characters blur. Latin words are read whole, stemmed, and as letter
 * triples inside the word (so "balnce" still shares most of "balance"), and neighbouring words as pairs.
 */
export function messageFeatures(prepared: string): MessageFeatures {
  const shared = new Set<string>();
  const units: MessageUnit[] = [];
  const runs = prepared.match(/\p{Script=Han}+|[a-z]+(?:'[a-z]+)?|zznum|zzref/gu) ?? [];
  let previousLatin: string | undefined;
  for (const run of runs) {
    if (HAN.test(run)) {
      previousLatin = undefined;
      const chars = [...run];
      for (let i = 0; i < chars.length; i++) {
        const mine = [`c:${chars[i]}`];
        if (i > 0) mine.push(`b:${chars[i - 1]}${chars[i]}`);
        if (i + 1 < chars.length) mine.push(`b:${chars[i]}${chars[i + 1]}`);
        units.push({ unit: chars[i], latin: false, filler: false, features: mine });
      }
      for (const w of words(run)) if ([...w].length > 1) shared.add(`w:${w}`);
      continue;
    }
    if (run === 'zznum' || run === 'zzref') {
      shared.add(`w:${run}`);
      previousLatin = undefined;
      continue;
    }
    const word = run.replace(/'/g, '');
    const mine = [`w:${word}`, `s:${stem(word)}`];
    const padded = `#${word}#`;
    if (word.length > 2) for (let i = 0; i + 3 <= padded.length; i++) mine.push(`g:${padded.slice(i, i + 3)}`);
    if (previousLatin) shared.add(`p:${previousLatin}_${word}`);
    previousLatin = word;
    units.push({ unit: word, latin: true, filler: LATIN_STOP.has(word), features: mine });
  }
  return { shared: [...shared], units };
}
