import { ActivityTypes, type Middleware, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { HandoffRepository } from '../../data/repositories/handoffRepository';
import type { CommandMatcher } from '../../dialogs/keywords';
import type { ConversationData } from '../../dialogs/state';
import { turnConversationId, turnLocale } from '../../dialogs/turn';
import type { Texts } from '../../prompts/texts';
import type { AgentHub } from './hub';

/** The Bot Framework handoff protocol's status event from an external hub. */
const HANDOFF_STATUS = 'handoff.status';

/**
 * While a conversation is queued for a person or held by one, customer messages go to the hub instead of the dialogs:
 * the bot stays quiet with an agent, and answers a waiting customer with their place in the queue. "Cancel" ends the
 * wait or the chat and hands the customer back to the bot. A customer leaving ends it too. In external mode the bot
 * follows the external hub's `handoff.status` events (accepted, failed, completed).
 *
 * Whether a handoff is open is read from the database on every turn (concurrent turns share the query), so neither a
 * lost conversation state nor an agent's resolve that could not reach the customer's channel leaves them stuck.
 */
export class HandoffGate implements Middleware {
  constructor(
    private readonly hub: AgentHub,
    private readonly handoffs: HandoffRepository,
    private readonly conversationData: StatePropertyAccessor<ConversationData>,
    private readonly commands: CommandMatcher,
    private readonly texts: Texts,
    private readonly logger: Logger,
    private readonly maxMessageChars: number,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const activity = context.activity;
    const relevant =
      activity.type === ActivityTypes.Message ||
      activity.type === ActivityTypes.EndOfConversation ||
      (activity.type === ActivityTypes.ConversationUpdate && (activity.membersRemoved?.length ?? 0) > 0) ||
      (activity.type === ActivityTypes.Event && activity.name === HANDOFF_STATUS);
    const conversationId = turnConversationId(context);
    if (!relevant || conversationId === undefined) return next();
    // The database decides, not the conversation state (which a failed turn clears, and concurrent saves overwrite).
    const handoff = await this.handoffs.findOpenForConversation(conversationId);
    const session = await this.conversationData.get(context, {});
    if (!handoff) {
      delete session.handoff;
      return next();
    }
    session.handoff = { id: handoff.id, mode: handoff.mode };

    if (activity.type === ActivityTypes.Event) {
      // Only an external hub speaks the status protocol; in internal mode the customer's client cannot forge it.
      if (handoff.mode === 'external') return this.externalStatus(context, session, handoff.id);
      return;
    }
    if (activity.type !== ActivityTypes.Message) {
      const userLeft = activity.type === ActivityTypes.EndOfConversation || (activity.membersRemoved ?? []).some((m) => m.id !== activity.recipient?.id);
      if (userLeft) {
        await this.hub.abandon(handoff.id, 'customer_left');
        delete session.handoff;
      }
      // The end of the conversation still reaches the bot, which forgets what was proved and asked in it.
      if (activity.type === ActivityTypes.EndOfConversation) return next();
      return;
    }

    const text = (activity.text ?? '').trim();
    const locale = turnLocale(context);
    if (text && this.commands.matchExact(text) === 'cancel') {
      await this.hub.abandon(handoff.id, 'customer_cancelled');
      delete session.handoff;
      await context.sendActivity(this.texts.t(locale, handoff.status === 'queued' ? 'human:waitCancelled' : 'human:chatEnded'));
      return;
    }
    if (handoff.mode === 'external') return;

    const body = text ? text.slice(0, this.maxMessageChars) : this.texts.t(locale, 'human:attachmentPlaceholder');
    await this.hub.customerMessage(handoff, body);
    if (handoff.status === 'queued') {
      const ticket = await this.hub.position(handoff);
      await context.sendActivity(
        ticket.waitMinutes !== undefined
          ? this.texts.t(locale, 'human:stillQueued', { ahead: ticket.position - 1, minutes: ticket.waitMinutes })
          : this.texts.t(locale, 'human:stillQueuedNoEstimate', { ahead: ticket.position - 1 }),
      );
    }
  }

  /** The external hub's news: accepted (nothing to say), failed (apologise; back to the bot), completed (back). */
  private async externalStatus(context: TurnContext, session: ConversationData, handoffId: number): Promise<void> {
    const value = (context.activity.value ?? {}) as { state?: string; message?: string };
    const locale = turnLocale(context);
    this.logger.info({ event: 'handoff.external_status', handoffId, state: value.state });
    if (value.state === 'failed') {
      await this.hub.abandon(handoffId, 'external_failed');
      delete session.handoff;
      await context.sendActivity(this.texts.t(locale, 'human:externalFailed'));
    } else if (value.state === 'completed') {
      await this.hub.externalCompleted(handoffId);
      delete session.handoff;
      await context.sendActivity(this.texts.t(locale, 'human:backToBot'));
    } else if (value.state === 'accepted') {
      await this.hub.externalAccepted(handoffId);
    }
  }
}
