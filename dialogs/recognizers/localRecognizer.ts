import fs from 'node:fs';
import path from 'node:path';
import { containerBootstrap } from '@nlpjs/core';
import { LangEn } from '@nlpjs/lang-en-min';
import { Nlp } from '@nlpjs/nlp';
import { SUPPORTED_LOCALES, type Locale } from '../../retention/locale';
import { extractEntities } from './entities';
import { INTENTS, type Intent, type IntentRecognizer, type Recognition } from './types';

/** Training utterances by locale and intent, as in `locales/<locale>/intents.json`. */
export type IntentCorpus = Record<Locale, Partial<Record<Intent, string[]>>>;

/** Only the start of a long message is classified: the intent is in the first sentences, and it bounds the cost. */
const MAX_CLASSIFIED_CHARS = 300;

const HAN = /\p{Script=Han}/u;

/** Reads `locales/<locale>/intents.json` for every locale, checking that each intent is known. */
export function loadIntentCorpus(localesDir: string): IntentCorpus {
  const corpus = {} as IntentCorpus;
  for (const locale of SUPPORTED_LOCALES) {
    const data = JSON.parse(fs.readFileSync(path.join(localesDir, locale, 'intents.json'), 'utf8')) as Record<string, string[]>;
    for (const intent of Object.keys(data)) {
      if (!(INTENTS as readonly string[]).includes(intent)) throw new Error(`unknown intent "${intent}" in ${locale}/intents.json`);
    }
    corpus[locale] = data as Partial<Record<Intent, string[]>>;
  }
  return corpus;
}

/**
 * Text shared by training and recognition: reference numbers and digit runs become placeholder words, so that
 * "C20261122-0007 进度" and "尾号6688" generalise over the numbers; compatibility forms (full-width letters) fold.
 */
export function prepareText(text: string): string {
  return text
    .slice(0, MAX_CLASSIFIED_CHARS)
    .normalize('NFKC')
    .toLowerCase()
    .replace(/(?<![a-z0-9])c[ -]?\d{8}[ -]?\d{4,6}(?!\d)/g, ' zzref ')
    .replace(/\d+(?:[.,]\d+)*/g, ' zznum ');
}

/**
 * Tokens for text with Chinese in it: every Han character and every pair of neighbours (robust to the missing and
 * homophone characters customers type, and needing no dictionary), and Latin words whole ("帮我查下balance").
 */
export function mixedTokens(text: string): string[] {
  const tokens: string[] = [];
  for (const run of text.match(/\p{Script=Han}+|[a-z]+|zznum|zzref/gu) ?? []) {
    if (!HAN.test(run)) {
      tokens.push(run);
      continue;
    }
    const chars = [...run];
    for (let i = 0; i < chars.length; i++) {
      tokens.push(chars[i]);
      if (i + 1 < chars.length) tokens.push(chars[i] + chars[i + 1]);
    }
  }
  return tokens;
}

/** The nlp.js tokenizer for the Chinese model. */
class MixedTokenizer {
  readonly name = 'tokenizer-zh';
  tokenize(text: string): string[] {
    return mixedTokens(text);
  }
}

/** Which model reads a text: any Han character sends it to the Chinese one, whatever the conversation's locale. */
function modelFor(text: string): 'zh' | 'en' {
  return HAN.test(text) ? 'zh' : 'en';
}

/**
 * The offline recognizer: two nlp.js neural classifiers (one for text with Chinese characters, one for the rest)
 * trained at start from the locale files. Utterances are sorted into the models by the same script rule used at
 * recognition time, so a mixed "check my 余额" in the English file trains the model that will read such text.
 * nlp.js has no "none of these": low scores become `none`, and `none` is also trained on out-of-scope examples.
 */
export class LocalRecognizer implements IntentRecognizer {
  private constructor(
    private readonly nlp: Nlp,
    private readonly threshold: number,
  ) {}

  /** Trains the models (about a second for the project's corpus). */
  static async train(corpus: IntentCorpus, threshold: number): Promise<LocalRecognizer> {
    const container = await containerBootstrap();
    container.use(LangEn);
    container.register('tokenizer-zh', new MixedTokenizer(), true);
    const nlp = new Nlp({ autoSave: false, autoLoad: false, threshold: 0, nlu: { log: false, spellCheck: true } }, container);
    nlp.addLanguage('zh');
    nlp.addLanguage('en');
    for (const locale of SUPPORTED_LOCALES) {
      for (const [intent, utterances] of Object.entries(corpus[locale])) {
        for (const u of utterances ?? []) {
          const text = prepareText(u);
          if (text.trim()) nlp.addDocument(modelFor(text), text, intent);
        }
      }
    }
    await nlp.train();
    return new LocalRecognizer(nlp, threshold);
  }

  async recognize(text: string): Promise<Recognition> {
    const entities = extractEntities(text);
    const prepared = prepareText(text);
    if (!/[\p{L}]/u.test(prepared.replace(/zz(?:num|ref)/g, ''))) {
      // Nothing but numbers and signs: a bare reference number is a status question, anything else is not understood.
      const intent: Intent = entities.complaintRefs.length > 0 ? 'complaint_status' : 'none';
      return { intent, score: intent === 'none' ? 0 : 1, alternatives: [], entities, source: 'local' };
    }
    // The NLU manager alone: Nlp.process adds context, entity and answer handling this recognizer does not use, and
    // costs three times as much.
    const result = await this.nlp.nluManager.process({ locale: modelFor(prepared), utterance: prepared, settings: this.nlp.settings.nlu });
    const ranked = result.classifications
      .filter((c) => c.intent !== 'None' && (INTENTS as readonly string[]).includes(c.intent))
      .sort((a, b) => b.score - a.score) as Array<{ intent: Intent; score: number }>;
    const best = ranked[0];
    const alternatives = ranked.slice(1, 3);
    if (!best || result.intent === 'None' || best.score < this.threshold) {
      return { intent: 'none', score: best?.score ?? 0, alternatives: best ? ranked.slice(0, 2) : [], entities, source: 'local' };
    }
    return { intent: best.intent, score: best.score, alternatives, entities, source: 'local' };
  }
}
