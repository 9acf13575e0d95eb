import { type Activity, ActivityTypes, type Middleware, type ResourceResponse, TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { ConversationRepository } from '../../data/repositories/conversationRepository';
import type { TranscriptEntry, TranscriptRepository, TranscriptSender } from '../../data/repositories/transcriptRepository';
import { maskPii } from '../../retention/pii';
import { isInboundRedacted, outboundSender, setTurnConversationId, turnConversationId, turnLocale } from '../../dialogs/turn';
import { systemClock } from '../../retention/clock';

/** Activity types worth keeping in a transcript; typing indicators and traces are not. */
const RECORDED = new Set<string>([ActivityTypes.Message, ActivityTypes.Event, ActivityTypes.EndOfConversation, ActivityTypes.Handoff]);

/** The synthetic activity a proactive turn starts with: not something the customer sent. */
const PROACTIVE_EVENT = 'ContinueConversation';

/**
 * Writes every inbound and outbound activity of a turn to the transcript, with personal data masked first, in one
 * statement after the turn (all lines of a turn, or none). Also keeps the conversation's reference current, for
 * proactive messages later. A failure to write is logged and does not fail the customer's turn.
 */
export class TranscriptMiddleware implements Middleware {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly transcripts: TranscriptRepository,
    private readonly logger: Logger,
    private readonly maxTextChars: number,
    private readonly now: () => number = systemClock,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const receivedAt = this.now();
    await this.ensureConversation(context);
    const outbound: Array<{ activity: Partial<Activity>; at: number; sender: TranscriptSender }> = [];
    context.onSendActivities(async (ctx, activities, nextSend): Promise<ResourceResponse[]> => {
      const at = this.now();
      const sender = outboundSender(ctx);
      for (const activity of activities) outbound.push({ activity, at, sender });
      return nextSend();
    });
    try {
      await next();
    } finally {
      await this.flush(context, receivedAt, outbound);
    }
  }

  private async flush(
    context: TurnContext,
    receivedAt: number,
    outbound: Array<{ activity: Partial<Activity>; at: number; sender: TranscriptSender }>,
  ): Promise<void> {
    const inbound = context.activity;
    if (!inbound?.conversation?.id || !inbound.channelId) return;
    const isProactive = inbound.type === ActivityTypes.Event && inbound.name === PROACTIVE_EVENT;
    const lines: Array<Omit<TranscriptEntry, 'conversationId'>> = [];
    const locale = turnLocale(context);
    if (!isProactive && RECORDED.has(inbound.type)) {
      const redacted = isInboundRedacted(context);
      lines.push({
        direction: 'in',
        activityType: inbound.type,
        sender: 'customer',
        text: redacted ? null : this.text(inbound.text),
        meta: redacted ? { redacted: true } : describe(inbound),
        locale,
        createdAt: receivedAt,
      });
    }
    for (const { activity, at, sender } of outbound) {
      if (!activity.type || !RECORDED.has(activity.type)) continue;
      lines.push({ direction: 'out', activityType: activity.type, sender, text: this.text(activity.text), meta: describe(activity), locale, createdAt: at });
    }
    const conversationId = turnConversationId(context);
    if (lines.length === 0 || conversationId === undefined) return;
    try {
      await this.transcripts.append(lines.map((l) => ({ ...l, conversationId })));
      await this.conversations.noteLocale(conversationId, locale);
    } catch (err) {
      this.logger.error({ event: 'transcript.write_failed', channelId: inbound.channelId, conversationId: inbound.conversation.id, err: errorSummary(err) });
    }
  }

  /**
   * Stores the conversation on first sight (and its reference when it changed) before the dialogs run, so that what
   * they create (complaints, handoffs, verifications) can point at it. A failure here is logged; the turn goes on
   * without a transcript rather than failing the customer.
   */
  private async ensureConversation(context: TurnContext): Promise<void> {
    const inbound = context.activity;
    if (!inbound?.conversation?.id || !inbound.channelId) return;
    // A proactive turn runs on the stored reference; nothing about it is new.
    const isProactive = inbound.type === ActivityTypes.Event && inbound.name === PROACTIVE_EVENT;
    try {
      // Without the incoming activity's id: a proactive message does not need it, and it would make every turn look
      // like a changed reference (and cost a write).
      const { activityId: _activityId, ...reference } = TurnContext.getConversationReference(inbound);
      const id = isProactive
        ? (await this.conversations.find(inbound.channelId, inbound.conversation.id))?.id
        : await this.conversations.ensure({
            channelId: inbound.channelId,
            conversationKey: inbound.conversation.id,
            userId: inbound.from?.id,
            reference: reference as Record<string, unknown>,
          });
      if (id !== undefined) setTurnConversationId(context, id);
    } catch (err) {
      this.logger.error({
        event: 'transcript.conversation_failed',
        channelId: inbound.channelId,
        conversationId: inbound.conversation.id,
        err: errorSummary(err),
      });
    }
  }

  private text(text: string | undefined): string | null {
    if (!text) return null;
    return maskPii(text.length > this.maxTextChars ? text.slice(0, this.maxTextChars) : text);
  }
}

/** What a line shows besides its text: buttons offered, attachments, event names. Masked like the text. */
function describe(activity: Partial<Activity>): Record<string, unknown> | null {
  const meta: Record<string, unknown> = {};
  if (activity.name) meta.name = activity.name;
  const actions = activity.suggestedActions?.actions;
  if (actions?.length) meta.suggestions = actions.map((a) => maskPii(String(a.title ?? a.value ?? ''))).slice(0, 20);
  if (activity.attachments?.length) meta.attachments = activity.attachments.map((a) => String(a?.contentType ?? '')).slice(0, 20);
  return Object.keys(meta).length > 0 ? meta : null;
}

/** An error for the log: its kind and message, never the activity that caused it. */
export function errorSummary(err: unknown): Record<string, unknown> {
  // The stack's first line repeats the message, so it is masked too.
  if (err instanceof Error)
    return { name: err.name, message: maskPii(err.message), stack: err.stack ? maskPii(err.stack.split('\n').slice(0, 6).join('\n')) : undefined };
  return { message: maskPii(String(err)) };
}
