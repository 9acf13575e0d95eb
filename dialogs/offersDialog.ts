import { ComponentDialog, type DialogTurnResult, TextPrompt, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { TurnContext } from 'botbuilder';
import type { CustomerRepository } from '../data/repositories/customerRepository';
import type { IdentityRepository } from '../data/repositories/identityRepository';
import type { OfferService, Showing } from '../services/offers';
import type { OfferPresenter } from './offerPresenter';
import type { Say } from './say';
import { turnConversationId, turnLocale } from './turn';
import type { VerificationDialog, VerificationResult } from './verificationDialog';

/** The dialog's id (stored in conversation state: never rename). */
export const OFFERS_DIALOG = 'offers';
const MAIN = 'offers.main';
const ACTION_PROMPT = 'offers.actionPrompt';

/** What the offers dialog needs. */
export interface OffersDialogDeps {
  offers: OfferService;
  customers: CustomerRepository;
  identities: IdentityRepository;
  presenter: OfferPresenter;
  verification: VerificationDialog;
  say: Say;
}

/**
 * Offers for me (优惠推荐): up to three offers the customer is really eligible for — tier, stage, products, consent,
 * stock, no open complaint, never worse than the new-customer price — each with accept / not interested / call me
 * later. Nothing that fits means a kind "nothing for now", never a generic push. One offer conversation a week: asked
 * again within it, the customer sees the offers still open from last time.
 */
export class OffersDialog extends ComponentDialog {
  constructor(private readonly deps: OffersDialogDeps) {
    super(OFFERS_DIALOG);
    this.addDialog(deps.verification);
    this.addDialog(
      new TextPrompt(ACTION_PROMPT, async (pc) => {
        const count = (pc.options.validations as { count: number }).count;
        return deps.presenter.parseAction(pc.recognized.value ?? '', count) !== undefined || pc.attemptCount >= 3;
      }),
    );
    this.addDialog(new WaterfallDialog(MAIN, [this.identifyStep.bind(this), this.showStep.bind(this), this.actStep.bind(this)]));
    this.initialDialogId = MAIN;
  }

  /** Offers are personal: a bound channel user is known; anyone else proves who they are first. */
  private async identifyStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { channelId, from } = step.context.activity;
    const identity = await this.deps.identities.find(channelId, from.id);
    if (identity?.customerId != null) return step.next({ verified: true, customerId: identity.customerId } satisfies VerificationResult);
    return step.beginDialog(this.deps.verification.id, { purpose: 'offers' });
  }

  private async showStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    const result = step.result as VerificationResult | undefined;
    if (!result?.verified || result.customerId === undefined) return step.endDialog();
    const customer = await this.deps.customers.findById(result.customerId);
    if (!customer) return step.endDialog();
    const selection = await this.deps.offers.select(customer, showing(context));
    if (selection.kind === 'none' || selection.kind === 'recent_none') {
      await this.deps.say.key(context, selection.kind === 'none' ? 'offers:noOffers' : 'offers:recentlyShownNone');
      return step.endDialog();
    }
    const { shown } = selection;
    const intro =
      selection.kind === 'recent' ? this.deps.say.t(context, 'offers:recentlyShown') : this.deps.say.t(context, 'offers:intro', { count: shown.length });
    values(step).customerId = customer.id;
    values(step).presentations = shown.map((s) => s.presentation.id);
    const retry = `${this.deps.say.t(context, 'offers:actionRetry')}${this.deps.say.t(context, shown.length > 1 ? 'offers:actionHelp' : 'offers:actionHelpOne')}`;
    return step.prompt(ACTION_PROMPT, { prompt: this.deps.presenter.render(context, shown, intro), retryPrompt: retry, validations: { count: shown.length } });
  }

  private async actStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const v = values(step);
    const shown = await this.deps.offers.reload(v.presentations ?? []);
    const action = this.deps.presenter.parseAction(String(step.result ?? ''), shown.length);
    const customer = await this.deps.customers.findById(v.customerId!);
    if (!action || !customer) return step.endDialog();
    await this.deps.presenter.act(step.context, customer, shown, action);
    return step.endDialog();
  }
}

/** Where offers are shown, for their record: this turn's conversation. */
export function showing(context: TurnContext): Showing {
  return { conversationId: turnConversationId(context) ?? null, channel: context.activity.channelId, locale: turnLocale(context) };
}

interface OffersValues {
  customerId?: number;
  presentations?: number[];
}

function values(step: WaterfallStepContext): OffersValues {
  return step.values as OffersValues;
}
