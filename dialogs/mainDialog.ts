import { MessageFactory, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import { ComponentDialog, Dialog, type DialogContext, type DialogTurnResult, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { SUPPORTED_LOCALES, type Locale } from '../retention/locale';
import type { Texts } from '../prompts/texts';
import { maskPii } from '../retention/pii';
import { type Command, type CommandMatcher, normaliseForMatch } from './keywords';
import { type FeatureName, MENU_FEATURES } from './features';
import type { Intent, IntentRecognizer, Recognition } from './recognizers/types';
import type { ConversationData, UserProfile } from './state';
import { setTurnLocale, turnLocale } from './turn';

/** The root dialog's id (stored in conversation state: never rename). */
export const MAIN_DIALOG = 'main';
const MAIN_WATERFALL = 'main.waterfall';

/** A feature the bot can start itself (dialogs/features.ts). */
export type FeatureIntent = FeatureName;

/** How the bot starts a feature itself (a proactive survey) instead of from a message. */
export interface StartFeature {
  feature: FeatureIntent;
  options?: object;
}

/** What a feature dialog is started with. */
export interface FeatureDialogOptions {
  recognition: Recognition;
  text: string;
}

/** The suggestions offered after a greeting, help, or a message not understood. */
const MENU: readonly Intent[] = MENU_FEATURES;

/** What MainDialog needs. */
export interface MainDialogDeps {
  recognizer: IntentRecognizer;
  texts: Texts;
  commands: CommandMatcher;
  userProfile: StatePropertyAccessor<UserProfile>;
  conversationData: StatePropertyAccessor<ConversationData>;
  /** The dialog serving each feature intent; an intent without one is answered with "not available yet". */
  features?: Partial<Record<string, Dialog>>;
  /** Told of every recognition, for logs and metrics. */
  onRecognized?: (context: TurnContext, recognition: Recognition) => void;
}

/**
 * Routes each message: the anywhere-commands (cancel, help, talk to a person, language) first, in any dialog; then
 * the intent of a new request, answered directly for small talk or by starting the feature dialog that serves it.
 */
export class MainDialog extends ComponentDialog {
  private readonly quickReplies = new Map<string, Intent>();

  constructor(private readonly deps: MainDialogDeps) {
    super(MAIN_DIALOG);
    this.addDialog(new WaterfallDialog(MAIN_WATERFALL, [this.routeStep.bind(this), this.finalStep.bind(this)]));
    for (const dialog of Object.values(deps.features ?? {})) if (dialog) this.addDialog(dialog);
    this.initialDialogId = MAIN_WATERFALL;
    // The suggestion buttons send their label; map labels of both languages straight to their intents.
    for (const locale of SUPPORTED_LOCALES) {
      for (const intent of [...MENU, 'help'] as Intent[]) {
        this.quickReplies.set(normaliseForMatch(deps.texts.t(locale, `main:suggestions.${intent}`)), intent);
      }
    }
  }

  /** Commands interrupt whatever dialog is running. */
  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const text = innerDc.context.activity.type === 'message' ? (innerDc.context.activity.text ?? '') : '';
    const command = text ? this.deps.commands.match(text) : undefined;
    if (command) {
      const result = await this.interrupt(innerDc, command);
      if (result) return result;
    }
    return super.onContinueDialog(innerDc);
  }

  private async interrupt(innerDc: DialogContext, command: Command): Promise<DialogTurnResult | undefined> {
    const context = innerDc.context;
    switch (command) {
      case 'cancel':
        await this.say(context, 'main:cancelled');
        return innerDc.cancelAllDialogs();
      case 'help':
        await this.say(context, 'main:helpInDialog');
        await innerDc.repromptDialog();
        return Dialog.EndOfTurn;
      case 'lang_zh':
      case 'lang_en':
        await this.switchLanguage(context, command === 'lang_zh' ? 'zh-CN' : 'en-US');
        await innerDc.repromptDialog();
        return Dialog.EndOfTurn;
      case 'human': {
        const human = this.deps.features?.human;
        if (human) {
          await innerDc.cancelAllDialogs();
          return innerDc.beginDialog(human.id, { trigger: 'explicit_request' });
        }
        await this.say(context, 'main:notYet', { feature: this.t(context, 'main:features.human') });
        await innerDc.repromptDialog();
        return Dialog.EndOfTurn;
      }
    }
  }

  private async routeStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    // A proactive turn (a survey after an agent resolved) starts its feature directly, without a message to read.
    const start = step.options as StartFeature | undefined;
    const started = start?.feature ? this.deps.features?.[start.feature] : undefined;
    if (started) return step.beginDialog(started.id, start!.options);
    const text = context.activity.text ?? '';
    const recognition = await this.recognize(text, turnLocale(context));
    this.deps.onRecognized?.(context, recognition);
    const session = await this.deps.conversationData.get(context, {});
    session.misunderstoodInARow = recognition.intent === 'none' ? (session.misunderstoodInARow ?? 0) + 1 : 0;

    switch (recognition.intent) {
      case 'greeting':
        await this.sayWithMenu(context, 'main:greeting');
        session.welcomed = true;
        return step.endDialog();
      case 'help':
        await this.sayWithMenu(context, this.deps.texts.render(turnLocale(context), 'main.help'), true);
        return step.endDialog();
      case 'goodbye':
        await this.say(context, 'main:goodbye');
        return step.endDialog();
      case 'thanks':
        await this.say(context, 'main:thanks');
        return step.endDialog();
      case 'cancel':
        await this.say(context, 'main:nothingToCancel');
        return step.endDialog();
      case 'lang_zh':
      case 'lang_en':
        await this.switchLanguage(context, recognition.intent === 'lang_zh' ? 'zh-CN' : 'en-US');
        return step.endDialog();
      case 'none': {
        const human = this.deps.features?.human;
        if (session.misunderstoodInARow >= 2 && human) {
          // DOMAIN.md: not understood twice in a row is a reason to hand over, not to keep guessing.
          await this.say(context, 'main:handingOver');
          const result = step.beginDialog(human.id, { trigger: 'misunderstood', misunderstoodInARow: session.misunderstoodInARow });
          session.misunderstoodInARow = 0;
          return result;
        }
        await this.sayWithMenu(context, session.misunderstoodInARow >= 2 ? 'main:notUnderstoodAgain' : 'main:notUnderstood');
        return step.endDialog();
      }
      case 'unsupported':
        // DOMAIN.md: a request the assistant does not handle is named as such, with where it can be done and the way
        // to a person; it is never routed into a feature that does not fit.
        await context.sendActivity(
          MessageFactory.suggestedActions(
            ['human', 'help'].map((i) => this.t(context, `main:suggestions.${i}`)),
            this.t(context, 'main:unsupported'),
          ),
        );
        return step.endDialog();
      default: {
        const dialog = this.deps.features?.[recognition.intent];
        // The feature gets the words, masked: its state keeps them, and it needs no card or ID number from them.
        if (dialog) return step.beginDialog(dialog.id, { recognition, text: maskPii(text) } satisfies FeatureDialogOptions);
        await this.say(context, 'main:notYet', { feature: this.t(context, `main:features.${recognition.intent}`) });
        return step.endDialog();
      }
    }
  }

  private async finalStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.endDialog(step.result);
  }

  /** Suggestion labels and commands are matched exactly; everything else goes to the recognizer. */
  private async recognize(text: string, locale: Locale): Promise<Recognition> {
    const quick = this.quickReplies.get(normaliseForMatch(text));
    if (quick) return commandRecognition(quick);
    const command = this.deps.commands.match(text);
    if (command) return commandRecognition(command);
    return this.deps.recognizer.recognize(text, locale);
  }

  private async switchLanguage(context: TurnContext, locale: Locale): Promise<void> {
    const profile = await this.deps.userProfile.get(context, {});
    profile.preferredLocale = locale;
    setTurnLocale(context, locale);
    await this.say(context, 'main:languageSwitched');
  }

  private t(context: TurnContext, key: string, args?: Record<string, unknown>): string {
    return this.deps.texts.t(turnLocale(context), key, args);
  }

  private async say(context: TurnContext, key: string, args?: Record<string, unknown>): Promise<void> {
    await context.sendActivity(this.t(context, key, args));
  }

  /** Sends a text (a key, or already composed) with the main menu as suggested actions. */
  private async sayWithMenu(context: TurnContext, keyOrText: string, composed = false): Promise<void> {
    const text = composed ? keyOrText : this.t(context, keyOrText);
    await context.sendActivity(MessageFactory.suggestedActions(menuLabels(this.deps.texts, turnLocale(context)), text));
  }
}

/** The main menu's labels in a locale. */
export function menuLabels(texts: Texts, locale: Locale): string[] {
  return MENU.map((intent) => texts.t(locale, `main:suggestions.${intent}`));
}

function commandRecognition(intent: Intent): Recognition {
  return { intent, score: 1, alternatives: [], entities: { complaintRefs: [], amountsMinor: [] }, source: 'local' };
}
