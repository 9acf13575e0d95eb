import fs from 'node:fs';
import path from 'node:path';
import { localRecognizer } from '../../../bot';
import { paths } from '../../../bot/paths';
import { evaluate, formatReport, parseLabelledJsonl } from '../../../dialogs/recognizers/evaluation';
import { loadIntentCorpus, mixedTokens, prepareText } from '../../../dialogs/recognizers/localRecognizer';
import { INTENTS, type IntentRecognizer } from '../../../dialogs/recognizers/types';
import { SUPPORTED_LOCALES } from '../../../retention/locale';

const HELDOUT = path.join(__dirname, '..', '..', 'nlu', 'heldout.jsonl');
const corpus = loadIntentCorpus(paths.locales);
let recognizer: IntentRecognizer;
beforeAll(async () => {
  recognizer = await localRecognizer(0.6);
});

const squash = (t: string) => t.normalize('NFKC').toLowerCase().replace(/[\p{P}\p{S}\s]+/gu, '');

describe('training utterances', () => {
  it('cover every intent in both locales, with at least 40 distinct utterances each', () => {
    for (const locale of SUPPORTED_LOCALES) {
      for (const intent of INTENTS) {
        const utterances = corpus[locale][intent] ?? [];
        expect({ locale, intent, count: new Set(utterances.map(squash)).size >= 40 }).toEqual({ locale, intent, count: true });
      }
    }
  });

  it('never put one utterance under two intents', () => {
    for (const locale of SUPPORTED_LOCALES) {
      const seen = new Map<string, string>();
      for (const [intent, utterances] of Object.entries(corpus[locale])) {
        for (const u of utterances ?? []) {
          const prior = seen.get(squash(u));
          expect({ utterance: u, clash: prior && prior !== intent ? prior : undefined }).toEqual({ utterance: u, clash: undefined });
          seen.set(squash(u), intent);
        }
      }
    }
  });
});

describe('held-out evaluation (test/nlu/heldout.jsonl)', () => {
  const samples = parseLabelledJsonl(fs.readFileSync(HELDOUT, 'utf8'));

  it('shares no utterance with the training data', () => {
    const training = new Set(SUPPORTED_LOCALES.flatMap((l) => Object.values(corpus[l]).flat().map((u) => squash(u as string))));
    expect(samples.filter((s) => training.has(squash(s.text))).map((s) => s.text)).toEqual([]);
  });

  it('has at least 20 examples of every intent in each locale', () => {
    for (const locale of SUPPORTED_LOCALES) {
      for (const intent of INTENTS) {
        expect({ locale, intent, enough: samples.filter((s) => s.locale === locale && s.intent === intent).length >= 20 }).toEqual({ locale, intent, enough: true });
      }
    }
  });

  it('is recognised at 90% or better in each locale', async () => {
    const report = await evaluate(recognizer, samples);
    for (const l of report.locales) {
      // The report says what went wrong when the floor is not met.
      expect({ locale: l.locale, atLeast90: l.accuracy >= 0.9, report: l.accuracy >= 0.9 ? '' : formatReport({ locales: [l] }) }).toEqual({ locale: l.locale, atLeast90: true, report: '' });
    }
    expect(report.locales.map((l) => l.locale).sort()).toEqual([...SUPPORTED_LOCALES].sort());
  });
});

describe('LocalRecognizer', () => {
  it.each([
    ['帮我查下balance', 'balance'],
    ['我要complain你们的app', 'complaint'],
    ['C20261122-0007 处理得怎么样了', 'complaint_status'],
    ['C20261122-0007', 'complaint_status'],
    ['how much data do I have left', 'balance'],
    ['any offers for me?', 'offers'],
    ["I'm switching to another provider", 'churn'],
    ['我要销户', 'churn'],
  ])('"%s" is %s', async (text, intent) => {
    expect((await recognizer.recognize(text, 'zh-CN')).intent).toBe(intent);
  });

  it.each([['asdfghjkl qwerty'], ['。。。'], ['12345'], ['🙂🙂🙂']])('"%s" is not understood', async (text) => {
    expect((await recognizer.recognize(text, 'zh-CN')).intent).toBe('none');
  });

  it('returns the entities it found with the intent', async () => {
    const r = await recognizer.recognize('查下尾号6688的余额', 'zh-CN');
    expect(r).toMatchObject({ intent: 'balance', source: 'local', entities: { accountLast4: '6688' } });
    expect(r.score).toBeGreaterThanOrEqual(0.6);
  });
});

describe('text preparation', () => {
  it('turns reference numbers and digit runs into placeholder words', () => {
    expect(prepareText('C20261122-0007 进度')).toBe(' zzref  进度');
    expect(prepareText('尾号６６８８')).toBe('尾号 zznum ');
  });

  it('reads Chinese as characters and pairs, and keeps Latin words whole', () => {
    expect(mixedTokens('查余额balance')).toEqual(['查', '查余', '余', '余额', '额', 'balance']);
  });
});
