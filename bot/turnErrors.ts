import type { BotState, Middleware, TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { Texts } from '../prompts/texts';
import { turnLocale } from '../dialogs/turn';
import { errorSummary } from './middleware/transcriptMiddleware';

/** Handles a failed turn. */
export type TurnErrorHandler = (context: TurnContext, error: unknown) => Promise<void>;

/**
 * The one error funnel: log with the conversation's context (never the message), apologise in the customer's
 * language, and clear the conversation's state so a broken dialog cannot fail every following turn.
 */
export function createTurnErrorHandler(deps: { logger: Logger; texts: Texts; conversationState: BotState }): TurnErrorHandler {
  return async (context, error) => {
    deps.logger.error({
      event: 'turn.error',
      channelId: context.activity.channelId,
      conversationId: context.activity.conversation?.id,
      activityType: context.activity.type,
      err: errorSummary(error),
    });
    try {
      await context.sendActivity(deps.texts.t(turnLocale(context), 'common:error'));
      await deps.conversationState.delete(context);
    } catch (err) {
      deps.logger.error({ event: 'turn.error_reply_failed', conversationId: context.activity.conversation?.id, err: errorSummary(err) });
    }
  };
}

/** Runs the error funnel inside the middleware pipeline, so the apology is part of the turn (and its transcript). */
export class TurnErrorMiddleware implements Middleware {
  constructor(private readonly handle: TurnErrorHandler) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    try {
      await next();
    } catch (error) {
      await this.handle(context, error);
    }
  }
}
