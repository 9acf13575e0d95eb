import type { StatePropertyAccessor } from 'botbuilder';
import type { Dialog } from 'botbuilder-dialogs';
import type { Repositories } from '../data/repositories';
import type { Texts } from '../prompts/texts';
import type { Clock } from '../retention/clock';
import type { Services } from '../services';
import { BalanceDialog } from './balanceDialog';
import { ChurnDialog } from './churnDialog';
import { ComplaintDialog } from './complaintDialog';
import { ComplaintStatusDialog } from './complaintStatusDialog';
import { HumanDialog } from './humanDialog';
import { OfferPresenter } from './offerPresenter';
import { OffersDialog } from './offersDialog';
import { Say } from './say';
import type { HandoffService } from './services';
import type { ConversationData, UserProfile } from './state';
import { SurveyDialog } from './surveyDialog';
import { VerificationDialog } from './verificationDialog';

/** What a feature's dialog may be built from. */
export interface FeatureContext {
  services: Services;
  repos: Repositories;
  texts: Texts;
  say: Say;
  now: Clock;
  handoff: HandoffService;
  userProfile: StatePropertyAccessor<UserProfile>;
  conversationData: StatePropertyAccessor<ConversationData>;
  /** How the working hours read to a customer ("08:00–22:00"), and how soon a promised call back is made. */
  workingHoursLabel: string;
  callbackWithinHours: number;
  /** The dialogs features share: one "talk to a person", a verification of their own, the offer cards. */
  shared: { human: HumanDialog; verification(): VerificationDialog; presenter: OfferPresenter };
}

/** One feature: its name (its dialog's id, stored in conversation state: never renamed), its intents, its dialog. */
export interface FeatureDefinition {
  readonly name: string;
  /** The recognizer's intents that start it (`locales/<locale>/intents.json` trains them). */
  readonly intents: readonly string[];
  /** Its place among the suggestions after a greeting, help or a message not understood (absent: not offered there). */
  readonly menu?: number;
  create(ctx: FeatureContext): Dialog;
}

/**
 * Every feature of the assistant, in one place. A new one (say "report a lost card") is its dialog file, its texts
 * (`locales/<locale>/<name>.json`), its training utterances, its tests — and one line here. test/dialogs/features.test.ts
 * checks that every feature has its dialog, texts and tests under one basename.
 */
export const FEATURES = [
  {
    name: 'balance',
    intents: ['balance'],
    menu: 1,
    create: (c) => new BalanceDialog({ ...c.repos, texts: c.texts, now: c.now, verification: c.shared.verification() }),
  },
  {
    name: 'complaint',
    intents: ['complaint'],
    menu: 2,
    create: (c) =>
      new ComplaintDialog({ ...c.repos, intake: c.services.complaints, conversationData: c.conversationData, human: c.shared.human, say: c.say, now: c.now }),
  },
  {
    name: 'complaint_status',
    intents: ['complaint_status'],
    create: (c) => new ComplaintStatusDialog({ ...c.repos, verification: c.shared.verification(), say: c.say, now: c.now }),
  },
  {
    name: 'offers',
    intents: ['offers'],
    menu: 3,
    create: (c) =>
      new OffersDialog({ ...c.repos, offers: c.services.offers, presenter: c.shared.presenter, verification: c.shared.verification(), say: c.say }),
  },
  { name: 'human', intents: ['human'], menu: 4, create: (c) => c.shared.human },
  {
    name: 'churn',
    intents: ['churn'],
    create: (c) =>
      new ChurnDialog({
        ...c.repos,
        saveFlow: c.services.saveFlow,
        offers: c.services.offers,
        conversationData: c.conversationData,
        presenter: c.shared.presenter,
        verification: c.shared.verification(),
        human: c.shared.human,
        say: c.say,
      }),
  },
  { name: 'feedback', intents: ['feedback'], create: (c) => new SurveyDialog({ ...c.repos, feedback: c.services.feedback, say: c.say }) },
] as const satisfies readonly FeatureDefinition[];

/** A feature's name. */
export type FeatureName = (typeof FEATURES)[number]['name'];

/** The intents features serve. */
export const FEATURE_INTENTS = FEATURES.flatMap((f) => f.intents) as Array<(typeof FEATURES)[number]['intents'][number]>;

/** The features offered as suggestions, in their order. */
export const MENU_FEATURES: readonly FeatureName[] = FEATURES.filter((f): f is Extract<(typeof FEATURES)[number], { menu: number }> => 'menu' in f)
  .sort((a, b) => a.menu - b.menu)
  .map((f) => f.name);

/** Builds every feature's dialog, with the dialogs they share, keyed by the intent that starts it. */
export function buildFeatures(ctx: Omit<FeatureContext, 'shared' | 'say'>): Record<string, Dialog> {
  const say = new Say(ctx.texts);
  const human = new HumanDialog({
    ...ctx.repos,
    handoff: ctx.handoff,
    escalation: ctx.services.escalation,
    conversationData: ctx.conversationData,
    say,
    now: ctx.now,
    workingHoursLabel: ctx.workingHoursLabel,
    callbackWithinHours: ctx.callbackWithinHours,
  });
  const shared = {
    human,
    verification: () => new VerificationDialog({ service: ctx.services.verification, texts: ctx.texts, userProfile: ctx.userProfile }),
    presenter: new OfferPresenter(ctx.services.offers, say),
  };
  const full: FeatureContext = { ...ctx, say, shared };
  const out: Record<string, Dialog> = {};
  for (const feature of FEATURES as readonly FeatureDefinition[]) {
    const dialog = feature.create(full);
    for (const intent of feature.intents) out[intent] = dialog;
  }
  return out;
}
