import fs from 'node:fs';
import path from 'node:path';
import * as OpenCC from 'opencc-js/cn2t';
import { localRecognizer } from '../../../bot';
import { paths } from '../../../bot/paths';
import { evaluate, formatReport, parseLabelledJsonl, type EvaluationReport } from '../../../dialogs/recognizers/evaluation';
import { loadIntentCorpus, LocalRecognizer, prepareText, type IntentCorpus } from '../../../dialogs/recognizers/localRecognizer';
import { allFeatures, messageFeatures } from '../../../dialogs/recognizers/textFeatures';
import { INTENTS, type IntentRecognizer } from '../../../dialogs/recognizers/types';
import { SUPPORTED_LOCALES } from '../../../retention/locale';

const HELDOUT = path.join(__dirname, '..', '..', 'nlu', 'heldout.jsonl');
const HELDOUT2 = path.join(__dirname, '..', '..', 'nlu', 'heldout2.jsonl');
const corpus = loadIntentCorpus(paths.locales);
let recognizer: IntentRecognizer;
beforeAll(async () => {
  recognizer = await localRecognizer(0.6);
});

const squash = (t: string) =>
  t
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}\s]+/gu, '');
const trainingSet = () =>
  new Set(
    SUPPORTED_LOCALES.flatMap((l) =>
      Object.values(corpus[l])
        .flat()
        .map((u) => squash(u as string)),
    ),
  );

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

  it('hold several hundred out-of-scope examples and unsupported service requests per language', () => {
    for (const locale of SUPPORTED_LOCALES) {
      expect({ locale, none: (corpus[locale].none ?? []).length >= 300, unsupported: (corpus[locale].unsupported ?? []).length >= 200 }).toEqual({
        locale,
        none: true,
        unsupported: true,
      });
    }
  });
});

/** Each locale's accuracy and false-accept rate against floors; the report says what went wrong when one is missed. */
function expectFloors(report: EvaluationReport, minAccuracy: number, maxFalseAccepts: number): void {
  for (const l of report.locales) {
    const ok = l.accuracy >= minAccuracy && l.outOfScope.rate <= maxFalseAccepts;
    expect({ locale: l.locale, ok, report: ok ? '' : formatReport({ locales: [l] }) }).toEqual({ locale: l.locale, ok: true, report: '' });
  }
  expect(report.locales.map((l) => l.locale).sort()).toEqual([...SUPPORTED_LOCALES].sort());
}

describe('held-out evaluation (test/nlu/heldout.jsonl, written with the first training utterances)', () => {
  const samples = parseLabelledJsonl(fs.readFileSync(HELDOUT, 'utf8'));

  it('shares no utterance with the training data', () => {
    const training = trainingSet();
    expect(samples.filter((s) => training.has(squash(s.text))).map((s) => s.text)).toEqual([]);
  });

  it('has at least 20 examples of every intent it was written for in each locale', () => {
    for (const locale of SUPPORTED_LOCALES) {
      for (const intent of INTENTS.filter((i) => i !== 'unsupported')) {
        expect({ locale, intent, enough: samples.filter((s) => s.locale === locale && s.intent === intent).length >= 20 }).toEqual({
          locale,
          intent,
          enough: true,
        });
      }
    }
  });

  it('is recognised at 92% or better in each locale, taking at most 8% of out-of-scope messages for an intent', async () => {
    expectFloors(await evaluate(recognizer, samples), 0.92, 0.08);
  });
});

describe('second held-out evaluation (test/nlu/heldout2.jsonl, written apart from the training data)', () => {
  const samples = parseLabelledJsonl(fs.readFileSync(HELDOUT2, 'utf8'));

  it('shares no message with the training data or the first held-out set', () => {
    const seen = trainingSet();
    for (const s of parseLabelledJsonl(fs.readFileSync(HELDOUT, 'utf8'))) seen.add(squash(s.text));
    expect(samples.filter((s) => seen.has(squash(s.text))).map((s) => s.text)).toEqual([]);
  });

  it('has at least 300 messages per locale, covering every intent', () => {
    for (const locale of SUPPORTED_LOCALES) {
      const mine = samples.filter((s) => s.locale === locale);
      expect({ locale, enough: mine.length >= 300 }).toEqual({ locale, enough: true });
      expect(INTENTS.filter((i) => !mine.some((s) => s.intent === i))).toEqual([]);
    }
  });

  it('is recognised at 90% or better in each locale, taking at most 10% of out-of-scope messages for an intent', async () => {
    expectFloors(await evaluate(recognizer, samples), 0.9, 0.1);
  });

  it('reads traditional characters as well as simplified ones', async () => {
    const zh = samples.filter((s) => s.locale === 'zh-CN');
    const toTraditional = OpenCC.Converter({ from: 'cn', to: 'tw' });
    const simplified = (await evaluate(recognizer, zh)).locales[0].accuracy;
    const traditional = (
      await evaluate(
        recognizer,
        zh.map((s) => ({ ...s, text: toTraditional(s.text) })),
      )
    ).locales[0].accuracy;
    expect(simplified - traditional).toBeLessThanOrEqual(0.02);
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

  it.each([
    ['我要投訴你們的櫃員', 'complaint'],
    ['幫我查一下帳戶餘額', 'balance'],
    ['我要註銷這張卡', 'churn'],
    ['信用卡怎麼開卡', 'unsupported'],
  ])('reads traditional characters: "%s" is %s', async (text, intent) => {
    expect((await recognizer.recognize(text, 'zh-CN')).intent).toBe(intent);
  });

  it.each([
    ['帮我看看我那张Zorblax白金卡还有多少余额', 'balance'],
    ['我在Quuxbank的zorblax账户要销户', 'churn'],
    ['what is the balance on my Zorblaxian Quux card', 'balance'],
    ['my Frobnicator app keeps crashing, fix it', 'complaint'],
  ])('judges a message full of unseen names on the words it knows: "%s" is %s', async (text, intent) => {
    expect((await recognizer.recognize(text, 'zh-CN')).intent).toBe(intent);
  });

  it.each([
    ['信用卡怎么激活', 'unsupported'],
    ['贷款申请进度查一下', 'unsupported'],
    ['帮我取消那笔转账', 'unsupported'],
    ['how do I reset my PIN', 'unsupported'],
    ['what is my credit limit', 'unsupported'],
    ['我的投诉进度', 'complaint_status'],
  ])('tells service requests it does not handle from the ones it does: "%s" is %s', async (text, intent) => {
    expect((await recognizer.recognize(text, 'zh-CN')).intent).toBe(intent);
  });

  it.each([
    ['同一笔消费扣了我两次，气死了', 'complaint'],
    ['你们太让我失望了', 'complaint'],
    ['I was charged twice and nobody cares', 'complaint'],
    ['受够了，我要把钱全部转走销户', 'churn'],
    ["I'm so angry, close my account now", 'churn'],
  ])('reads complaints that never say "complaint", and churn mixed with anger: "%s" is %s', async (text, intent) => {
    expect((await recognizer.recognize(text, 'zh-CN')).intent).toBe(intent);
  });

  it.each([
    ['这张白金卡我不想要了，帮我销掉', 'churn'],
    ['那个分期功能我想永久关掉', 'churn'],
    ['please delete my account, i am fed up', 'churn'],
    ['最近刷信用卡有没有返现活动', 'offers'],
    ['what can i swap my miles for', 'offers'],
    ['我上周投诉的事到现在没人联系我', 'complaint_status'],
    ['i complained a week ago and nobody got back to me', 'complaint_status'],
    ['好的谢谢，没别的问题了，再见', 'goodbye'],
    ['thanks, that is all, bye', 'goodbye'],
    ['how are you doing today', 'greeting'],
    ['is there enough in my checking account for a new phone', 'balance'],
  ])('reads closing a product, promotions, follow-ups and farewells in plain words: "%s" is %s', async (text, intent) => {
    expect((await recognizer.recognize(text, 'zh-CN')).intent).toBe(intent);
  });

  it.each([['帮我转人工好吗'], ['能不能转人工，谢谢']])('"%s" is a request for a person, whatever else it says', async (text) => {
    expect((await recognizer.recognize(text, 'zh-CN')).intent).toBe('human');
  });

  it('takes a quoted reference number for a question about that complaint', async () => {
    expect((await recognizer.recognize('C20261122-0007 到现在还没人理我', 'zh-CN')).intent).toBe('complaint_status');
  });

  it.each([['asdfghjkl qwerty'], ['。。。'], ['12345'], ['🙂🙂🙂'], ['今天天氣怎麼樣'], ['what is the capital of France']])(
    '"%s" is not understood',
    async (text) => {
      expect((await recognizer.recognize(text, 'zh-CN')).intent).toBe('none');
    },
  );

  it('returns the entities it found with the intent, and how much of the message it read', async () => {
    const r = await recognizer.recognize('查下尾号6688的余额', 'zh-CN');
    expect(r).toMatchObject({ intent: 'balance', source: 'local', entities: { accountLast4: '6688' } });
    expect(r.score).toBeGreaterThanOrEqual(0.6);
    expect(r.understood).toBeGreaterThan(0.5);
  });
});

describe('rejection', () => {
  // A tiny model where "spam" and "eggs" each belong to one intent, and "ham" to both alike.
  const tiny: IntentCorpus = {
    'zh-CN': {},
    'en-US': {
      balance: ['spam', 'spam please', 'spam ham', 'more spam'],
      offers: ['eggs', 'eggs please', 'eggs ham', 'more eggs'],
      none: ['hello world', 'nothing here'],
    },
  };

  it('answers none when the two best intents are too close, and the intent when one is clearly ahead', async () => {
    const model = await LocalRecognizer.train(tiny, 0, { minMargin: 0.2, minUnderstood: 0 });
    expect((await model.recognize('ham')).intent).toBe('none');
    expect((await model.recognize('spam')).intent).toBe('balance');
    const { probs } = model.explain('ham');
    expect(Math.abs(probs.balance - probs.offers)).toBeLessThan(0.2);
  });

  it('answers none when too little of the message could be read', async () => {
    const model = await LocalRecognizer.train(tiny, 0, { minMargin: 0, minUnderstood: 0.5 });
    expect((await model.recognize('spam')).intent).toBe('balance');
    expect((await model.recognize('spam zork blorp quux')).intent).toBe('none');
    expect((await model.recognize('spam zork')).understood).toBe(0.5);
  });

  it('answers none below the threshold', async () => {
    const strict = await LocalRecognizer.train(tiny, 0.999, { minMargin: 0, minUnderstood: 0 });
    expect((await strict.recognize('spam')).intent).toBe('none');
  });
});

describe('text preparation', () => {
  it('turns reference numbers and digit runs into placeholder words', () => {
    expect(prepareText('C20261122-0007 进度')).toBe(' zzref  进度');
    expect(prepareText('尾号６６８８')).toBe('尾号 zznum ');
  });

  it('reads traditional characters and Taiwanese word forms as simplified', () => {
    expect(prepareText('帳戶餘額')).toBe('账户余额');
    expect(prepareText('我要投訴')).toBe('我要投诉');
    expect(prepareText('網路')).toBe('网络');
  });

  it('reads Chinese as words, characters and pairs, and Latin words whole, stemmed and as letter triples', () => {
    const features = allFeatures(messageFeatures(prepareText('查余额balance')));
    expect(features).toEqual(expect.arrayContaining(['c:查', 'b:查余', 'b:余额', 'w:余额', 'w:balance', 's:balance', 'g:#ba', 'g:ce#']));
  });
});
