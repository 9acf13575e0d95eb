import type { BotState, Middleware, TurnContext } from 'botbuilder';

/**
 * Loads conversation and user state together when a turn starts (the storage reads them in one query) and saves
 * what changed when it ends. A turn that throws saves nothing: the error funnel decides what becomes of its state.
 */
export class StateMiddleware implements Middleware {
  constructor(private readonly states: BotState[]) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    if (context.activity.conversation?.id && context.activity.channelId) {
      await Promise.all(this.states.map((s) => s.load(context)));
    }
    await next();
    await Promise.all(this.states.map((s) => s.saveChanges(context)));
  }
}
