import { localRecognizer } from '../../../bot';
import { CluRecognizer } from '../../../dialogs/recognizers/cluRecognizer';
import { FallbackRecognizer } from '../../../dialogs/recognizers/fallbackRecognizer';
import type { IntentRecognizer } from '../../../dialogs/recognizers/types';
import { startFakeClu } from '../../fakes/cluServer';

let fake: Awaited<ReturnType<typeof startFakeClu>>;
let local: IntentRecognizer;

beforeAll(async () => {
  fake = await startFakeClu();
  local = await localRecognizer(0.6);
});
afterAll(() => fake.close());

function clu(threshold = 0.6) {
  return new CluRecognizer({ endpoint: fake.endpoint, key: 'test-key', project: 'retention', deployment: 'prod', threshold });
}

describe('CluRecognizer against a fake CLU service', () => {
  it('sends the project, deployment, key, language and API version CLU expects', async () => {
    fake.behave({
      kind: 'answer',
      intents: [
        { category: 'balance', confidenceScore: 0.93 },
        { category: 'offers', confidenceScore: 0.04 },
      ],
    });
    const result = await clu().recognize('查下尾号6688的余额', 'zh-CN');
    const request = fake.requests.at(-1)!;
    expect(request).toMatchObject({ path: '/language/:analyze-conversations', apiVersion: '2023-04-01', key: 'test-key' });
    expect(request.body).toMatchObject({
      kind: 'Conversation',
      analysisInput: { conversationItem: { text: '查下尾号6688的余额', language: 'zh-hans' } },
      parameters: { projectName: 'retention', deploymentName: 'prod' },
    });
    expect(result).toMatchObject({ intent: 'balance', source: 'clu', entities: { accountLast4: '6688' } });
    expect(result.score).toBeCloseTo(0.93);
    expect(result.alternatives[0]).toMatchObject({ intent: 'offers' });
  });

  it('treats intents it does not know, and low scores, as not understood', async () => {
    fake.behave({ kind: 'answer', intents: [{ category: 'BookFlight', confidenceScore: 0.99 }] });
    expect((await clu().recognize('book a flight', 'en-US')).intent).toBe('none');
    fake.behave({ kind: 'answer', intents: [{ category: 'complaint', confidenceScore: 0.3 }] });
    expect((await clu().recognize('hmm', 'en-US')).intent).toBe('none');
  });
});

describe('FallbackRecognizer', () => {
  it('answers with CLU when CLU answers in time', async () => {
    fake.behave({ kind: 'answer', intents: [{ category: 'human', confidenceScore: 0.9 }] });
    const reasons: string[] = [];
    const result = await new FallbackRecognizer(clu(), local, 2000, (r) => reasons.push(r)).recognize('get me an agent', 'en-US');
    expect(result).toMatchObject({ intent: 'human', source: 'clu' });
    expect(reasons).toEqual([]);
  });

  it('falls back to the local recognizer when CLU fails', async () => {
    fake.behave({ kind: 'fail', status: 500 });
    const reasons: string[] = [];
    const result = await new FallbackRecognizer(clu(), local, 2000, (r) => reasons.push(r)).recognize('我要投诉你们乱扣手续费', 'zh-CN');
    expect(result).toMatchObject({ intent: 'complaint', source: 'local' });
    expect(reasons).toEqual(['error']);
    expect(fake.requests.length).toBeGreaterThan(0);
  });

  it('falls back to the local recognizer when CLU is slower than the timeout, without waiting for it', async () => {
    fake.behave({ kind: 'slow', delayMs: 3000, intents: [{ category: 'offers', confidenceScore: 0.99 }] });
    const reasons: string[] = [];
    const answeredBefore = fake.answered();
    const result = await new FallbackRecognizer(clu(), local, 150, (r) => reasons.push(r)).recognize('I want to complain about your app', 'en-US');
    expect(result).toMatchObject({ intent: 'complaint', source: 'local' });
    expect(reasons).toEqual(['timeout']);
    // The customer's answer did not wait for CLU: the fake had not answered when the fallback did.
    expect(fake.answered()).toBe(answeredBefore);
  });
});
