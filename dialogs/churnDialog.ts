import { MessageFactory, type StatePropertyAccessor } from 'botbuilder';
import { ComponentDialog, type DialogTurnResult, TextPrompt, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { type ChurnReason } from '../data/repositories/churnIntentRepository';
import type { CustomerRepository } from '../data/repositories/customerRepository';
import type { IdentityRepository } from '../data/repositories/identityRepository';
import { SUPPORTED_LOCALES } from '../retention/locale';
import type { OfferService } from '../services/offers';
import type { SaveFlowService } from '../services/saveFlow';
import { HUMAN_DIALOG, type HumanDialog, type HumanDialogOptions } from './humanDialog';
import { normaliseForMatch } from './keywords';
import type { FeatureDialogOptions } from './mainDialog';
import type { OfferPresenter } from './offerPresenter';
import { showing } from './offersDialog';
import type { Say } from './say';
import type { ConversationData } from './state';
import type { VerificationDialog, VerificationResult } from './verificationDialog';

/** The dialog's id (stored in conversation state: never rename). */
export const CHURN_DIALOG = 'churn';
const MAIN = 'churn.main';
const REASON_PROMPT = 'churn.reasonPrompt';
const ACTION_PROMPT = 'churn.actionPrompt';
const REASONS = ['price', 'service', 'competitor', 'no_need', 'moving', 'other'] as const;

/** What the save flow needs. */
export interface ChurnDialogDeps {
  saveFlow: SaveFlowService;
  offers: OfferService;
  customers: CustomerRepository;
  identities: IdentityRepository;
  conversationData: StatePropertyAccessor<ConversationData>;
  presenter: OfferPresenter;
  verification: VerificationDialog;
  human: HumanDialog;
  say: Say;
}

/**
 * The save flow (挽留) for a customer who says they want to leave: not a form to process. Acknowledge, ask why, record
 * the reason (and let it raise the churn risk), then hand a high-value or high-risk customer to a person at once, and
 * offer anyone else the best retention offer they are eligible for. A customer who still wants to go is told how.
 */
export class ChurnDialog extends ComponentDialog {
  private readonly reasonWords: Array<{ reason: ChurnReason; word: string }>;

  constructor(private readonly deps: ChurnDialogDeps) {
    super(CHURN_DIALOG);
    const texts = deps.say.texts;
    this.reasonWords = SUPPORTED_LOCALES.flatMap((l) =>
      REASONS.flatMap((reason) => [
        { reason, word: normaliseForMatch(texts.t(l, `churn:reasons.${reason}`)) },
        ...(reason === 'other' ? [] : texts.list(l, `churn:reasonWords.${reason}`).map((w) => ({ reason, word: normaliseForMatch(w) }))),
      ]),
    ).sort((a, b) => b.word.length - a.word.length);
    this.addDialog(deps.verification);
    this.addDialog(deps.human);
    this.addDialog(new TextPrompt(REASON_PROMPT));
    this.addDialog(new TextPrompt(ACTION_PROMPT, async (pc) => deps.presenter.parseAction(pc.recognized.value ?? '', 1) !== undefined || pc.attemptCount >= 3));
    this.addDialog(new WaterfallDialog(MAIN, [this.identifyStep.bind(this), this.askWhyStep.bind(this), this.decideStep.bind(this), this.actStep.bind(this)]));
    this.initialDialogId = MAIN;
  }

  /** Reads which reason a customer's words give; `other` when none is recognised. */
  reasonOf(text: string): ChurnReason {
    const n = normaliseForMatch(text);
    return this.reasonWords.find((r) => r.word && n.includes(r.word))?.reason ?? 'other';
  }

  private async identifyStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { channelId, from } = step.context.activity;
    values(step).firstWords = ((step.options ?? {}) as Partial<FeatureDialogOptions>).text ?? '';
    const identity = await this.deps.identities.find(channelId, from.id);
    if (identity?.customerId != null) return step.next({ verified: true, customerId: identity.customerId } satisfies VerificationResult);
    await this.deps.say.key(step.context, 'churn:needIdentity');
    return step.beginDialog(this.deps.verification.id, { purpose: 'churn' });
  }

  /** Acknowledges, and asks why (with the usual reasons to tap, any words accepted). */
  private async askWhyStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as VerificationResult | undefined;
    if (!result?.verified || result.customerId === undefined) return step.endDialog();
    values(step).customerId = result.customerId;
    const context = step.context;
    const reasons = REASONS.map((r) => this.deps.say.t(context, `churn:reasons.${r}`));
    return step.prompt(REASON_PROMPT, { prompt: MessageFactory.suggestedActions(reasons, this.deps.say.t(context, 'churn:acknowledge')) });
  }

  /** Records the reason and what it does to the risk; a person for those who matter most, else the best offer. */
  private async decideStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    const v = values(step);
    const answer = String(step.result ?? '');
    const session = await this.deps.conversationData.get(context, {});
    const decided = await this.deps.saveFlow.leaving({
      customerId: v.customerId!,
      reason: this.reasonOf(answer),
      words: `${v.firstWords ?? ''}\n${answer}`,
      where: showing(context),
      channelUserId: context.activity.from.id,
      misunderstoodInARow: session.misunderstoodInARow ?? 0,
    });
    if (!decided) return step.endDialog();
    await this.deps.say.key(context, 'churn:thanksReason');
    if (decided.kind === 'person') {
      await this.deps.say.key(context, 'churn:handover');
      return step.beginDialog(HUMAN_DIALOG, {
        trigger: 'churn_intent',
        reasons: decided.decision.reasons,
        priority: decided.decision.priority,
      } satisfies HumanDialogOptions);
    }
    if (decided.kind === 'no_offer') {
      await this.deps.say.key(context, 'churn:noOffer', undefined, [this.deps.say.t(context, 'main:suggestions.human')]);
      return step.endDialog();
    }
    v.presentation = decided.offer.presentation.id;
    const retry = `${this.deps.say.t(context, 'offers:actionRetry')}${this.deps.say.t(context, 'offers:actionHelpOne')}`;
    return step.prompt(ACTION_PROMPT, {
      prompt: this.deps.presenter.render(context, [decided.offer], this.deps.say.t(context, 'churn:offerIntro')),
      retryPrompt: retry,
    });
  }

  /** The answer to the save offer; still going, they are told how. */
  private async actStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const v = values(step);
    // Back from the handover to a person: nothing more to say here.
    if (v.presentation === undefined) return step.endDialog();
    const shown = await this.deps.offers.reload([v.presentation]);
    const action = this.deps.presenter.parseAction(String(step.result ?? ''), 1);
    const customer = await this.deps.customers.findById(v.customerId!);
    if (action && customer && shown.length > 0) await this.deps.presenter.act(step.context, customer, shown, action);
    if (!action || action.kind === 'decline' || action.kind === 'decline_all') {
      await this.deps.say.key(step.context, 'churn:noOffer', undefined, [this.deps.say.t(step.context, 'main:suggestions.human')]);
    }
    return step.endDialog();
  }
}

interface ChurnValues {
  firstWords?: string;
  customerId?: number;
  presentation?: number;
}

function values(step: WaterfallStepContext): ChurnValues {
  return step.values as ChurnValues;
}
