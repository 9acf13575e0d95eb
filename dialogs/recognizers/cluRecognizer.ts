import { AzureKeyCredential, ConversationAnalysisClient, type ConversationalTaskResult, type ConversationPrediction } from '@azure/ai-language-conversations';
import type { Locale } from '../../retention/locale';
import { extractEntities } from './entities';
import { INTENTS, type Intent, type IntentRecognizer, type Recognition } from './types';

/** Where the Conversational Language Understanding project is deployed. */
export interface CluOptions {
  endpoint: string;
  key: string;
  project: string;
  deployment: string;
  /** Scores below this count as not understood. */
  threshold: number;
}

/**
 * Azure CLU, for operators who train and host their own model. The project's intents carry the same names as the
 * local ones (`balance`, `complaint`, …); anything else counts as `none`. Entities still come from the local
 * extractor, so reference numbers and last digits read the same whichever recognizer answered.
 */
export class CluRecognizer implements IntentRecognizer {
  private readonly client: ConversationAnalysisClient;

  constructor(private readonly options: CluOptions) {
    this.client = new ConversationAnalysisClient(options.endpoint, new AzureKeyCredential(options.key), {
      apiVersion: '2023-04-01',
      // The fallback recognizer answers when CLU does not: no retries, which would only add delay.
      retryOptions: { maxRetries: 0 },
      allowInsecureConnection: options.endpoint.startsWith('http://'),
    });
  }

  async recognize(text: string, locale: Locale, signal?: AbortSignal): Promise<Recognition> {
    const response = (await this.client.analyzeConversation(
      {
        kind: 'Conversation',
        analysisInput: { conversationItem: { id: '1', participantId: 'customer', text, language: locale === 'zh-CN' ? 'zh-hans' : 'en' } },
        parameters: { projectName: this.options.project, deploymentName: this.options.deployment, stringIndexType: 'Utf16CodeUnit' },
      },
      { abortSignal: signal },
    )) as ConversationalTaskResult;
    const prediction = response.result?.prediction as ConversationPrediction | undefined;
    if (!prediction || prediction.projectKind !== 'Conversation') throw new Error('CLU answered without a conversation prediction');
    const ranked = (prediction.intents ?? []).map((i) => ({ intent: toIntent(i.category), score: i.confidence })).sort((a, b) => b.score - a.score);
    const best = ranked[0];
    const entities = extractEntities(text);
    if (!best || best.intent === 'none' || best.score < this.options.threshold) {
      return { intent: 'none', score: best?.score ?? 0, alternatives: ranked.slice(0, 2), entities, source: 'clu' };
    }
    return { intent: best.intent, score: best.score, alternatives: ranked.slice(1, 3), entities, source: 'clu' };
  }
}

function toIntent(category: string): Intent {
  const name = category.trim().toLowerCase();
  return (INTENTS as readonly string[]).includes(name) ? (name as Intent) : 'none';
}
