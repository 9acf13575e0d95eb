import { ComponentDialog, type DialogTurnResult, TextPrompt, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { Repositories } from '../data/repositories';
import { type CatalogOffer, eligibleOffers, offerConversationAllowed } from '../retention/offers';
import { type OfferPresenter, type ShownOffer } from './offerPresenter';
import type { Say } from './say';
import type { Clock } from './services';
import type { VerificationDialog, VerificationResult } from './verificationDialog';

/** The dialog's id (stored in conversation state: never rename). */
export const OFFERS_DIALOG = 'offers';
const MAIN = 'offers.main';
const ACTION_PROMPT = 'offers.actionPrompt';
const WEEK = 7 * 86_400_000;

/** What the offers dialog needs. */
export interface OffersDialogDeps {
  repos: Repositories;
  presenter: OfferPresenter;
  verification: VerificationDialog;
  say: Say;
  now: Clock;
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
    const identity = await this.deps.repos.identities.find(channelId, from.id);
    if (identity?.customerId != null) return step.next({ verified: true, customerId: identity.customerId } satisfies VerificationResult);
    return step.beginDialog(this.deps.verification.id, { purpose: 'offers' });
  }

  private async showStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    const result = step.result as VerificationResult | undefined;
    if (!result?.verified || result.customerId === undefined) return step.endDialog();
    const customer = await this.deps.repos.customers.findById(result.customerId);
    if (!customer) return step.endDialog();
    const now = this.deps.now();
    const previous = await this.deps.repos.offers.listPresentations(customer.id, 10);
    let shown: ShownOffer[];
    let intro: string;
    if (!offerConversationAllowed(previous[0]?.shownAt ?? null, now)) {
      // Within the week: what is still open from the last conversation, still available; nothing new.
      const catalog = await this.deps.repos.offers.listCatalog(customer.industry);
      const last = previous.filter((p) => p.shownAt === previous[0].shownAt && (p.outcome === 'shown' || p.outcome === 'later') && now - p.shownAt < WEEK);
      shown = last.flatMap((p) => {
        const entry = catalog.find((c) => c.id === p.offerId && c.validTo > now && (c.stock === null || c.stock > 0));
        return entry ? [{ entry, presentation: p }] : [];
      });
      if (shown.length === 0) {
        await this.deps.say.key(context, 'offers:recentlyShownNone');
        return step.endDialog();
      }
      intro = this.deps.say.t(context, 'offers:recentlyShown');
    } else {
      const catalog = await this.deps.repos.offers.listCatalog(customer.industry);
      const history = await this.deps.repos.offers.history(customer.id);
      const selection = eligibleOffers(
        await this.deps.presenter.customerContext(customer, { askedForProducts: true }),
        catalog as CatalogOffer[],
        history,
        now,
      );
      if (selection.offers.length === 0) {
        await this.deps.say.key(context, 'offers:noOffers');
        return step.endDialog();
      }
      const entries = selection.offers.map((o) => ({ entry: catalog.find((c) => c.code === o.offer.code)!, relevance: o.relevance[0] ?? null }));
      shown = await this.deps.presenter.record(context, customer.id, entries);
      intro = this.deps.say.t(context, 'offers:intro', { count: shown.length });
    }
    values(step).customerId = customer.id;
    values(step).presentations = shown.map((s) => s.presentation.id);
    const retry = `${this.deps.say.t(context, 'offers:actionRetry')}${this.deps.say.t(context, shown.length > 1 ? 'offers:actionHelp' : 'offers:actionHelpOne')}`;
    return step.prompt(ACTION_PROMPT, { prompt: this.deps.presenter.render(context, shown, intro), retryPrompt: retry, validations: { count: shown.length } });
  }

  private async actStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const v = values(step);
    const shown = await reload(this.deps.repos, v.presentations ?? []);
    const action = this.deps.presenter.parseAction(String(step.result ?? ''), shown.length);
    const customer = await this.deps.repos.customers.findById(v.customerId!);
    if (!action || !customer) return step.endDialog();
    await this.deps.presenter.act(step.context, customer, shown, action);
    return step.endDialog();
  }
}

/** The offers shown earlier in the dialog, read again (their stock and validity may have changed since). */
export async function reload(repos: Repositories, presentationIds: number[]): Promise<ShownOffer[]> {
  const out: ShownOffer[] = [];
  for (const id of presentationIds) {
    const presentation = await repos.offers.findPresentation(id);
    const entry = presentation && (await repos.offers.findByCode(presentation.offerCode));
    if (presentation && entry) out.push({ entry, presentation });
  }
  return out;
}

interface OffersValues {
  customerId?: number;
  presentations?: number[];
}

function values(step: WaterfallStepContext): OffersValues {
  return step.values as OffersValues;
}
