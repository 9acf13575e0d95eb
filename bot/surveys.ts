import { hostname } from 'node:os';
import type { CloudAdapter, ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import type { Repositories } from '../data/repositories';
import type { OutboxItem } from '../data/repositories/outboxRepository';
import { setOutboundSender, setTurnLocale } from '../dialogs/turn';
import type { SurveyDialogOptions } from '../dialogs/surveyDialog';
import { decideContact } from '../retention/contactPolicy';
import { toSupportedLocale } from '../retention/locale';
import { decideSurvey, surveyExpiresAt, type SurveyTrigger } from '../retention/surveyPolicy';
import { errorSummary } from './middleware/transcriptMiddleware';
import type { RetentionBot } from './retentionBot';

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
/** A survey not sent within a day of what it asks about is no longer worth sending. */
const SEND_WITHIN = 24 * HOUR;
/** When the customer is in the middle of a dialog, try again this much later. */
const BUSY_RETRY = 10 * 60_000;

/** Why a survey is asked, about which conversation. */
export interface SurveyRequest {
  trigger: Extract<SurveyTrigger, 'agent_resolved' | 'complaint_closed'>;
  conversationId: number;
  customerId: number | null;
  agentId?: number | null;
  handoffId?: number | null;
  complaintId?: number | null;
}

/**
 * Asks satisfaction surveys proactively, through a durable outbox. Scheduling applies the survey policy (not while a
 * complaint is open, once per conversation, the relationship question at most every 90 days) and queues the ask; the
 * worker claims due items (one instance each, `FOR UPDATE SKIP LOCKED` on PostgreSQL), applies the contact policy
 * (quiet hours in the customer's time zone, two proactive messages a week, the WeChat window) — waiting or dropping as
 * it says — and sends through the conversation's stored reference, starting the survey dialog there. An item is
 * claimed once: a survey is never sent twice.
 */
export class SurveyService {
  private readonly worker = `${hostname()}:${process.pid}`;
  private running?: Promise<number>;
  private stopped = false;

  constructor(
    private readonly deps: {
      repos: Repositories;
      adapter: CloudAdapter;
      bot: RetentionBot;
      botAppId: string;
      logger: Logger;
      now: () => number;
      deliveryTimeoutMs: number;
    },
  ) {}

  /** Queues a survey when the policy allows one; returns its id, or undefined with the reason logged. */
  async schedule(request: SurveyRequest): Promise<number | undefined> {
    const { repos, now } = this.deps;
    const t = now();
    const conversation = await repos.conversations.findById(request.conversationId);
    if (!conversation) return undefined;
    const decision = decideSurvey({
      trigger: request.trigger,
      now: t,
      hasOpenComplaint: request.customerId !== null && (await repos.complaints.listOpenForCustomer(request.customerId)).length > 0,
      surveyedInConversation: await repos.surveys.existsForConversation(request.conversationId),
      lastNpsAskedAt: request.customerId !== null ? await repos.surveys.lastNpsAskedAt(request.customerId) : t,
    });
    if (!decision.ask) {
      this.deps.logger.info({ event: 'survey.not_asked', conversationId: request.conversationId, trigger: request.trigger, reason: decision.reason });
      return undefined;
    }
    const survey = await repos.surveys.create({
      customerId: request.customerId,
      conversationId: request.conversationId,
      handoffId: request.handoffId ?? null,
      complaintId: request.complaintId ?? null,
      kind: 'csat',
      trigger: request.trigger,
      agentId: request.agentId ?? null,
      channel: conversation.channelId,
      locale: conversation.locale,
      status: 'pending',
      at: t,
      expiresAt: null,
    });
    await repos.outbox.enqueue(
      {
        kind: 'survey',
        refId: survey.id,
        conversationId: request.conversationId,
        customerId: request.customerId,
        purpose: 'survey',
        notBefore: t,
        expiresAt: t + SEND_WITHIN,
      },
      t,
    );
    this.deps.logger.info({
      event: 'survey.scheduled',
      surveyId: survey.id,
      conversationId: request.conversationId,
      trigger: request.trigger,
      alsoNps: decision.ask && decision.alsoNps === true,
    });
    // Send now if the policy allows; the periodic worker picks up whatever has to wait.
    setImmediate(() => {
      if (!this.stopped) void this.processOutbox().catch((err) => this.deps.logger.error({ event: 'outbox.failed', err: errorSummary(err) }));
    });
    return survey.id;
  }

  /** Sends what is due; returns how many were sent. One run at a time in this process. */
  processOutbox(): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Stops taking work and waits for the round in progress (on shutdown, before the database closes). */
  async close(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => undefined);
  }

  /** Unanswered surveys expire after 48 hours. */
  async expireSurveys(): Promise<number> {
    return this.deps.repos.surveys.expireUnanswered(this.deps.now());
  }

  private async drain(): Promise<number> {
    let sent = 0;
    for (;;) {
      const items = await this.deps.repos.outbox.claimDue(this.deps.now(), this.worker);
      if (items.length === 0) return sent;
      for (const item of items) {
        try {
          if (await this.handle(item)) sent++;
        } catch (err) {
          await this.deps.repos.outbox.finish(item.id, 'failed', this.deps.now(), (err as Error).message);
          this.deps.logger.error({ event: 'outbox.item_failed', outboxId: item.id, err: errorSummary(err) });
        }
      }
    }
  }

  /** Decides with the contact policy and sends, waits or drops; true when sent. */
  private async handle(item: OutboxItem): Promise<boolean> {
    const { repos, now } = this.deps;
    const t = now();
    const survey = await repos.surveys.findById(item.refId);
    const conversation = await repos.conversations.findById(item.conversationId);
    if (!survey || survey.status !== 'pending' || !conversation) {
      await repos.outbox.finish(item.id, 'dropped', t, 'nothing to send');
      return false;
    }
    const customer = item.customerId !== null ? await repos.customers.findById(item.customerId) : undefined;
    const activity = await repos.transcripts.customerActivity(conversation.id);
    const decision = decideContact({
      purpose: item.purpose,
      now: t,
      timeZone: customer?.timezone,
      marketingConsent: customer?.marketingConsent ?? false,
      previousSends: item.customerId !== null ? await repos.outbox.sentSince(item.customerId, t - WEEK) : [],
      channel: { id: conversation.channelId, lastCustomerMessageAt: activity.lastInboundAt, sentSinceCustomerMessage: activity.outboundSince },
      expiresAt: item.expiresAt,
    });
    if (decision.action === 'wait') {
      await repos.outbox.postpone(item.id, decision.until, decision.reason);
      this.deps.logger.info({ event: 'outbox.waiting', outboxId: item.id, until: decision.until, reason: decision.reason });
      return false;
    }
    if (decision.action === 'drop') {
      await repos.outbox.finish(item.id, 'dropped', t, decision.reason);
      await repos.surveys.setStatus(survey.id, 'dropped', decision.reason);
      this.deps.logger.info({ event: 'outbox.dropped', outboxId: item.id, reason: decision.reason });
      return false;
    }
    // Marked sent before the turn: the dialog only asks a survey that is open, and a crash mid-send loses it rather
    // than asking twice.
    await repos.surveys.markSent(survey.id, t, surveyExpiresAt(t));
    const alsoNps = decideSurvey({
      trigger: survey.trigger,
      now: t,
      hasOpenComplaint: false,
      surveyedInConversation: false,
      lastNpsAskedAt: customer ? await repos.surveys.lastNpsAskedAt(customer.id) : t,
    });
    const started = await this.startSurvey(conversation.reference as Partial<ConversationReference>, survey.locale, {
      surveyId: survey.id,
      alsoNps: customer !== undefined && alsoNps.ask && alsoNps.alsoNps === true,
    });
    if (started === 'busy') {
      // The customer is in the middle of something: back to pending, asked a little later.
      await repos.outbox.finish(item.id, 'dropped', t, 'busy');
      await repos.surveys.setStatus(survey.id, 'dropped', 'busy');
      const retry = await repos.surveys.create({ ...survey, status: 'pending', at: t, expiresAt: null });
      await repos.outbox.enqueue(
        {
          kind: 'survey',
          refId: retry.id,
          conversationId: conversation.id,
          customerId: item.customerId,
          purpose: item.purpose,
          notBefore: t + BUSY_RETRY,
          expiresAt: item.expiresAt,
        },
        t,
      );
      return false;
    }
    if (started === 'failed') {
      await repos.outbox.finish(item.id, 'failed', t, 'the channel could not be reached');
      await repos.surveys.setStatus(survey.id, 'dropped', 'send_failed');
      return false;
    }
    await repos.outbox.finish(item.id, 'sent', t);
    this.deps.logger.info({ event: 'survey.sent', surveyId: survey.id, conversationId: conversation.id });
    return true;
  }

  /** Runs the proactive turn that starts the survey dialog. */
  private async startSurvey(
    reference: Partial<ConversationReference>,
    locale: string | null,
    options: SurveyDialogOptions,
  ): Promise<'started' | 'busy' | 'failed'> {
    let outcome: 'started' | 'busy' | 'failed' = 'failed';
    let timer: NodeJS.Timeout | undefined;
    try {
      const turn = this.deps.adapter.continueConversationAsync(this.deps.botAppId, reference, async (ctx) => {
        setOutboundSender(ctx, 'bot');
        const supported = toSupportedLocale(locale);
        if (supported) setTurnLocale(ctx, supported);
        outcome = (await this.deps.bot.startFeature(ctx, 'feedback', options)) ? 'started' : 'busy';
      });
      await Promise.race([
        turn,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), this.deps.deliveryTimeoutMs);
        }),
      ]);
    } catch (err) {
      this.deps.logger.warn({ event: 'survey.delivery_failed', err: errorSummary(err) });
      return 'failed';
    } finally {
      clearTimeout(timer);
    }
    return outcome;
  }
}
