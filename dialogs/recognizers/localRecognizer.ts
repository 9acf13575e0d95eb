import fs from 'node:fs';
import path from 'node:path';
import { SUPPORTED_LOCALES, type Locale } from '../../retention/locale';
import { extractEntities } from './entities';
import { DEFAULT_TRAINING, LinearModel, type TrainingOptions } from './linearModel';
import { allFeatures, messageFeatures, prepareText, type MessageUnit } from './textFeatures';
import { INTENTS, type Intent, type IntentRecognizer, type Recognition } from './types';

export { prepareText } from './textFeatures';

/** Training utterances by locale and intent, as in `locales/<locale>/intents.json`. */
export type IntentCorpus = Record<Locale, Partial<Record<Intent, string[]>>>;

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

/** When the recognizer says "not understood" instead of its best guess. */
export interface RejectionRule {
  /** The best intent's probability must reach this (`NLU_THRESHOLD`). */
  threshold: number;
  /** …and lead the runner-up by this much: two intents nearly tied means the message is not clear. */
  minMargin: number;
  /** …and this share of the message's words and characters must be ones the model can read. */
  minUnderstood: number;
  /** How much a word or character must say, summed over its features, to count as read. */
  unitInformativeness: number;
}

/** The rejection rule's defaults besides the threshold, chosen by cross-validation on the training utterances. */
export const DEFAULT_REJECTION: Omit<RejectionRule, 'threshold'> = { minMargin: 0.1, minUnderstood: 0.25, unitInformativeness: 1.0 };

// Certain without a model: asking for a person in so many words (the anywhere-commands catch the bare phrase; this
// catches it inside a sentence, "帮我转人工好吗").
const CERTAIN_HUMAN = /转人工|转接人工|转个人工|接人工/;

/**
 * The offline recognizer: one multinomial logistic regression over the features of both languages (Chinese words,
 * characters and character pairs; English words, stems, word pairs and letter triples), trained at start from the
 * locale files in well under a second. Traditional characters are read as simplified. It answers `none` unless the
 * best intent is probable enough, clearly ahead of the runner-up, and enough of the message was understood.
 */
export class LocalRecognizer implements IntentRecognizer {
  private constructor(
    private readonly model: LinearModel,
    private readonly rule: RejectionRule,
  ) {}

  /** Trains the model on every locale's utterances. */
  static async train(
    corpus: IntentCorpus,
    threshold: number,
    rejection: Partial<Omit<RejectionRule, 'threshold'>> = {},
    training: TrainingOptions = DEFAULT_TRAINING,
  ): Promise<LocalRecognizer> {
    const examples = [];
    for (const locale of SUPPORTED_LOCALES) {
      for (const [intent, utterances] of Object.entries(corpus[locale])) {
        const label = INTENTS.indexOf(intent as Intent);
        for (const u of utterances ?? []) {
          const features = allFeatures(messageFeatures(prepareText(u)));
          if (features.length > 0) examples.push({ features, label });
        }
      }
    }
    return new LocalRecognizer(LinearModel.train(examples, INTENTS.length, training), { threshold, ...DEFAULT_REJECTION, ...rejection });
  }

  /** Every intent's probability for a message and the share of it understood, before any rule: for tuning and logs. */
  explain(text: string): { probs: Record<Intent, number>; understood: number } {
    const { probs, understood } = this.read(prepareText(text));
    return { probs: Object.fromEntries(INTENTS.map((intent, i) => [intent, probs[i]])) as Record<Intent, number>, understood };
  }

  /**
   * Reads a message with what the model knows. A Latin word the model never saw is left out whole — a name ("Zorblax",
   * "Quux") says nothing, and its letter triples would only add noise — unless most of its triples are known, which
   * makes it a misspelling of a known word ("balnce"). Unknown Chinese characters and pairs carry no weight anyway.
   */
  private read(prepared: string): { probs: Float64Array; understood: number } {
    const { shared, units } = messageFeatures(prepared);
    const features = [...shared];
    let counted = 0;
    let read = 0;
    for (const unit of units) {
      const known = this.knows(unit);
      if (!unit.filler) {
        counted++;
        if (known) read++;
      }
      if (known || !unit.latin) features.push(...unit.features);
    }
    return { probs: this.model.predict(features), understood: counted === 0 ? 0 : read / counted };
  }

  /** Whether the model can read a word or character: it carries weight, or (a word) it is spelt mostly like one that does. */
  private knows(unit: MessageUnit): boolean {
    const [whole, stemmed, ...triples] = unit.features;
    if (this.model.informativeness([whole]) >= this.rule.unitInformativeness) return true;
    if (!unit.latin) return false;
    if (this.model.informativeness([stemmed]) >= this.rule.unitInformativeness) return true;
    return triples.length >= 3 && triples.filter((t) => this.model.informativeness([t]) > 0).length / triples.length >= 0.75;
  }

  async recognize(text: string): Promise<Recognition> {
    const entities = extractEntities(text);
    const prepared = prepareText(text);
    if (!/[\p{L}]/u.test(prepared.replace(/zz(?:num|ref)/g, ''))) {
      // Nothing but numbers and signs: a bare reference number is a status question, anything else is not understood.
      const intent: Intent = entities.complaintRefs.length > 0 ? 'complaint_status' : 'none';
      return { intent, score: intent === 'none' ? 0 : 1, alternatives: [], entities, source: 'local', understood: 0 };
    }
    const { probs, understood } = this.read(prepared);
    const ranked = INTENTS.map((intent, i) => ({ intent, score: probs[i] }))
      .filter((r) => r.intent !== 'none')
      .sort((a, b) => b.score - a.score);
    const [best, second] = ranked;
    const noneScore = probs[INTENTS.indexOf('none')];
    if (CERTAIN_HUMAN.test(prepared)) {
      return { intent: 'human', score: 1, alternatives: ranked.filter((r) => r.intent !== 'human').slice(0, 2), entities, source: 'local', understood };
    }
    if (entities.complaintRefs.length > 0 && !['human', 'churn', 'cancel', 'lang_zh', 'lang_en'].includes(best.intent)) {
      // A reference number is only ever quoted to ask about that complaint.
      return {
        intent: 'complaint_status',
        score: Math.max(best.score, probs[INTENTS.indexOf('complaint_status')]),
        alternatives: ranked.filter((r) => r.intent !== 'complaint_status').slice(0, 2),
        entities,
        source: 'local',
        understood,
      };
    }
    const rejected =
      noneScore >= best.score ||
      best.score < this.rule.threshold ||
      best.score - Math.max(second?.score ?? 0, noneScore) < this.rule.minMargin ||
      understood < this.rule.minUnderstood;
    if (rejected) return { intent: 'none', score: best.score, alternatives: ranked.slice(0, 2), entities, source: 'local', understood };
    return { intent: best.intent, score: best.score, alternatives: ranked.slice(1, 3), entities, source: 'local', understood };
  }
}
