import type { BotState, Middleware, StatePropertyAccessor, TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { ConversationData } from '../../dialogs/state';

/** Activity ids remembered per conversation: more than any channel retries. */
const REMEMBERED = 32;

/**
 * Drops an activity this conversation already handled (a channel's retry of the same activity id, after the first
 * attempt was answered): the customer did one thing, so it is done once. The ids live in conversation state, so they
 * are only remembered when the turn completed (a turn that failed may be retried) and any instance sees them. Runs
 * inside the turn's lock (TurnSerializer) and before the transcript, so a repeat leaves no second line.
 */
export class RepeatGuard implements Middleware {
  constructor(
    private readonly conversationState: BotState,
    private readonly conversationData: StatePropertyAccessor<ConversationData>,
    private readonly logger: Logger,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const { type, id, conversation, channelId } = context.activity;
    if (type !== 'message' || !id || !conversation?.id) return next();
    await this.conversationState.load(context);
    const session = await this.conversationData.get(context, {});
    const seen = session.recentActivityIds ?? [];
    if (seen.includes(id)) {
      this.logger.info({ event: 'turn.repeat_dropped', channelId, conversationId: conversation.id, where: 'activity_id' });
      return;
    }
    session.recentActivityIds = [...seen, id].slice(-REMEMBERED);
    return next();
  }
}
