import { ActivityHandler, MessageFactory, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import { type Dialog, DialogSet, type DialogStateManagerConfiguration, DialogTurnStatus, type DialogState } from 'botbuilder-dialogs';
import type { Texts } from '../prompts/texts';
import { type FeatureIntent, menuLabels, type StartFeature } from '../dialogs/mainDialog';
import type { ConversationData } from '../dialogs/state';
import { turnLocale } from '../dialogs/turn';

/** The turn-state key under which botbuilder-dialogs looks for a ready dialog memory configuration. */
const DIALOG_STATE_MANAGER_CONFIGURATION = 'DialogStateManagerConfiguration';

/** What the bot needs. */
export interface RetentionBotDeps {
  dialogState: StatePropertyAccessor<DialogState>;
  conversationData: StatePropertyAccessor<ConversationData>;
  mainDialog: Dialog;
  texts: Texts;
  maxMessageChars: number;
  /** The customer ended the conversation for good (a new chat): what was proved and asked in it is forgotten. */
  onConversationEnded?: (context: TurnContext) => Promise<void>;
}

/**
 * The assistant's activity handler: welcomes new members, guards message input (empty, attachments only, too long),
 * and runs the main dialog. State is loaded and saved around it by the state middleware.
 */
export class RetentionBot extends ActivityHandler {
  private readonly dialogs: DialogSet;
  /** The dialog memory's scopes and path resolvers, built on the first turn and lent to every later one. */
  private stateConfiguration?: DialogStateManagerConfiguration;

  constructor(private readonly deps: RetentionBotDeps) {
    super();
    this.dialogs = new DialogSet(deps.dialogState);
    this.dialogs.add(deps.mainDialog);

    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });

    this.onEndOfConversation(async (context, next) => {
      await this.deps.onConversationEnded?.(context);
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      const joined = (context.activity.membersAdded ?? []).filter((m) => m.id !== context.activity.recipient?.id);
      if (joined.length > 0) await this.welcome(context);
      await next();
    });
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const text = (context.activity.text ?? '').trim();
    const locale = turnLocale(context);
    if (!text) {
      const hasAttachments = (context.activity.attachments?.length ?? 0) > 0;
      const key = hasAttachments ? 'common:attachmentsUnsupported' : 'common:emptyMessage';
      await context.sendActivity(MessageFactory.suggestedActions(menuLabels(this.deps.texts, locale), this.deps.texts.t(locale, key)));
      return;
    }
    if (text.length > this.deps.maxMessageChars) {
      await context.sendActivity(this.deps.texts.t(locale, 'common:tooLong', { length: text.length, max: this.deps.maxMessageChars }));
      return;
    }
    context.activity.text = text;
    // The SDK builds this configuration afresh for every turn unless the turn already holds one (under this key); it is
    // the same every time, and building it was a visible share of a turn's allocations.
    if (this.stateConfiguration) context.turnState.set(DIALOG_STATE_MANAGER_CONFIGURATION, this.stateConfiguration);
    const dc = await this.dialogs.createContext(context);
    this.stateConfiguration ??= dc.state.configuration;
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(this.deps.mainDialog.id);
  }

  /**
   * Starts a feature in a proactive turn (a survey after an agent resolved): only when the customer is not in the
   * middle of something, so that a survey never cuts into a dialog. False when it did not start.
   */
  async startFeature(context: TurnContext, feature: FeatureIntent, options?: object): Promise<boolean> {
    if (this.stateConfiguration) context.turnState.set(DIALOG_STATE_MANAGER_CONFIGURATION, this.stateConfiguration);
    const dc = await this.dialogs.createContext(context);
    if (dc.activeDialog) return false;
    await dc.beginDialog(this.deps.mainDialog.id, { feature, options } satisfies StartFeature);
    return true;
  }

  private async welcome(context: TurnContext): Promise<void> {
    const session = await this.deps.conversationData.get(context, {});
    if (session.welcomed) return;
    session.welcomed = true;
    const locale = turnLocale(context);
    await context.sendActivity(MessageFactory.suggestedActions(menuLabels(this.deps.texts, locale), this.deps.texts.t(locale, 'main:welcome')));
  }
}
