import {
  type Activity,
  ActivityTypes,
  type CloudAdapter,
  type ConversationReference,
  EventFactory,
  type StatePropertyAccessor,
  type TurnContext,
} from 'botbuilder';
import type { Logger } from 'pino';
import type { Repositories } from '../../data/repositories';
import type { ComplaintRecord } from '../../data/repositories/complaintRepository';
import type { AcceptOutcome, HandoffMessage, HandoffRecord } from '../../data/repositories/handoffRepository';
import type { PresenceStatus } from '../../data/repositories/presenceRepository';
import type { Availability, HandoffRequest, HandoffService, QueueTicket } from '../../dialogs/services';
import type { ConversationData } from '../../dialogs/state';
import { setOutboundSender, setTurnLocale, turnConversationId, turnLocale } from '../../dialogs/turn';
import type { Texts } from '../../prompts/texts';
import { toSupportedLocale, type Locale } from '../../retention/locale';
import { maskMobile, maskPii } from '../../retention/pii';
import { formatDateTime } from '../../prompts/format';
import { estimateWaitMinutes } from '../../retention/queue';
import { isWithinWorkingHours, nextOpening, type WorkingHours } from '../../retention/workingHours';
import { errorSummary } from '../middleware/transcriptMiddleware';
import type { HubEvents } from './events';
import { buildHandoffPacket } from './packet';

/** How the hub is run. */
export interface HubSettings {
  /** `internal`: this hub queues and agents answer in the console; `external`: another hub takes the handoff. */
  mode: 'internal' | 'external';
  workingHours: WorkingHours;
  timeZone: string;
  /** Conversations one agent holds at once, unless their presence says otherwise. */
  agentCapacity: number;
  /** For the customer's wait estimate. */
  averageHandleMinutes: number;
  /** Longest text an agent may send in one message. */
  maxMessageChars: number;
  /** How long a proactive message may take before it counts as not delivered. */
  deliveryTimeoutMs: number;
}

/** Why an agent's action was refused; the console turns it into the right HTTP status. */
export class HubError extends Error {
  constructor(
    readonly code: 'not_found' | 'not_yours' | 'not_active' | 'not_queued' | 'taken' | 'at_capacity' | 'bad_input',
    message: string,
  ) {
    super(message);
    this.name = 'HubError';
  }
}

/** What the hub needs. */
export interface HubDeps {
  repos: Repositories;
  adapter: CloudAdapter;
  botAppId: string;
  conversationData: StatePropertyAccessor<ConversationData>;
  texts: Texts;
  logger: Logger;
  now: () => number;
  events: HubEvents;
  settings: HubSettings;
}

/**
 * The built-in agent hub: queues conversations for people, lets agents accept them (one agent each, within their
 * capacity), relays messages both ways — customer to agent through the event stream and the `handoff_messages`
 * table, agent to customer as a proactive message on the conversation's stored reference — and ends them, handing the
 * customer back to the bot. Also keeps promised callbacks and flags what is past its deadline.
 */
export class AgentHub implements HandoffService {
  readonly mode: 'internal' | 'external';
  /** Told of every conversation an agent resolved (the survey service asks how it went). */
  onResolved?: (handoff: HandoffRecord) => Promise<unknown>;
  /** Notices sent without holding up the agent ("has joined"), awaited on shutdown. */
  private readonly background = new Set<Promise<unknown>>();

  constructor(private readonly deps: HubDeps) {
    this.mode = deps.settings.mode;
  }

  get events(): HubEvents {
    return this.deps.events;
  }

  // ---- what the dialogs ask -----------------------------------------------------------------------------------

  async availability(): Promise<Availability> {
    const t = this.deps.now();
    const { workingHours, timeZone } = this.deps.settings;
    const open = isWithinWorkingHours(workingHours, t, timeZone);
    const agents = await this.deps.repos.presence.listOnline();
    return { open, agentsOnline: agents.length, nextOpeningAt: nextOpening(workingHours, t, timeZone) };
  }

  async request(context: TurnContext, request: HandoffRequest): Promise<QueueTicket | { external: true; handoffId: number }> {
    const conversationId = turnConversationId(context);
    if (conversationId === undefined) throw new Error('the conversation of this turn was not stored');
    const existing = await this.deps.repos.handoffs.findOpenForConversation(conversationId);
    if (existing) return this.ticket(existing);
    const t = this.deps.now();
    const packet = await buildHandoffPacket(this.deps.repos, {
      conversationId,
      customerId: request.customerId,
      reasons: request.reasons,
      complaintId: request.complaintId ?? null,
      now: t,
    });
    const created = this.deps.repos.handoffs.create({
      conversationId,
      customerId: request.customerId,
      complaintId: request.complaintId ?? null,
      reasons: request.reasons,
      priority: request.priority,
      severity: request.severity ?? null,
      tier: (packet.customer?.tier as HandoffRecord['tier']) ?? null,
      locale: turnLocale(context),
      mode: this.mode,
      packet: packet as unknown as Record<string, unknown>,
      queuedAt: t,
    });
    let handoff: HandoffRecord;
    try {
      handoff = await created;
    } catch (err) {
      // The database allows one open handoff per conversation: a second request racing the first gets the first's.
      const open = await this.deps.repos.handoffs.findOpenForConversation(conversationId);
      if (!open) throw err;
      return open.mode === 'external' ? { external: true, handoffId: open.id } : this.ticket(open);
    }
    const session = await this.deps.conversationData.get(context, {});
    session.handoff = { id: handoff.id, mode: this.mode };
    this.deps.logger.info({
      event: 'handoff.queued',
      handoffId: handoff.id,
      conversationId,
      reasons: request.reasons,
      priority: request.priority,
      mode: this.mode,
    });
    this.deps.events.publish({ type: 'queue.changed' });
    if (this.mode === 'external') {
      // The Bot Framework handoff protocol: the channel's hub (e.g. Omnichannel) takes it from here and answers with
      // handoff.status events, which the handoff gate follows. The event goes down the customer's own channel, so it
      // carries only what the customer may see: the handoff's id, why, and their own conversation (masked, as stored).
      // The customer profile, risk and offers stay on the server, in the handoff row.
      const { transcript } = packet;
      const handoffContext = { handoffId: handoff.id, reasons: request.reasons, complaint: packet.complaint };
      const activities = transcript.map((l) => ({
        type: ActivityTypes.Message,
        text: l.text ?? '',
        timestamp: new Date(l.at),
        from: { id: l.sender === 'customer' ? context.activity.from.id : context.activity.recipient.id, role: l.sender === 'customer' ? 'user' : 'bot' },
      })) as Activity[];
      await context.sendActivity(EventFactory.createHandoffInitiation(context, handoffContext, { activities }));
      return { external: true, handoffId: handoff.id };
    }
    return this.ticket(handoff);
  }

  async openHandoff(context: TurnContext): Promise<{ id: number; status: 'queued' | 'active'; position?: number } | undefined> {
    const conversationId = turnConversationId(context);
    if (conversationId === undefined) return undefined;
    const open = await this.deps.repos.handoffs.findOpenForConversation(conversationId);
    if (!open) return undefined;
    return { id: open.id, status: open.status as 'queued' | 'active', position: await this.deps.repos.handoffs.queuePosition(open.id) };
  }

  async promiseCallback(
    context: TurnContext,
    callback: { customerId: number | null; phone: string | null; reason: string; complaintId?: number | null; dueAt: number; idempotencyKey?: string },
  ): Promise<{ id: number; dueAt: number }> {
    const record = await this.deps.repos.callbacks.create({
      idempotencyKey: callback.idempotencyKey,
      customerId: callback.customerId,
      conversationId: turnConversationId(context) ?? null,
      handoffId: null,
      complaintId: callback.complaintId ?? null,
      phone: callback.phone,
      reason: callback.reason,
      dueAt: callback.dueAt,
      promisedBy: null,
      note: null,
    });
    this.deps.logger.info({ event: 'callback.promised', callbackId: record.id, dueAt: record.dueAt, by: 'bot' });
    this.deps.events.publish({ type: 'queue.changed' });
    return { id: record.id, dueAt: record.dueAt };
  }

  // ---- the customer's side, from the handoff gate ----------------------------------------------------------------

  /** A customer's message while queued or with an agent: stored (masked) and announced to the console. */
  async customerMessage(handoff: HandoffRecord, text: string): Promise<HandoffMessage> {
    const message = await this.deps.repos.handoffs.appendMessage({
      handoffId: handoff.id,
      sender: 'customer',
      agentId: null,
      text: maskPii(text),
      delivery: null,
      createdAt: this.deps.now(),
    });
    this.deps.events.publish({ type: 'handoff.message', handoffId: handoff.id, messageId: message.id, sender: 'customer', agentId: handoff.agentId });
    return message;
  }

  /** Where a queued customer stands now. */
  async position(handoff: HandoffRecord): Promise<QueueTicket> {
    return this.ticket(handoff);
  }

  /** The customer cancelled waiting, ended the chat, or left. */
  async abandon(handoffId: number, outcome: 'customer_cancelled' | 'customer_left' | 'external_failed'): Promise<boolean> {
    const ended = await this.deps.repos.handoffs.end(handoffId, 'abandoned', outcome, this.deps.now(), ['queued', 'active']);
    if (ended) {
      const handoff = await this.deps.repos.handoffs.findById(handoffId);
      await this.systemMessage(handoffId, outcome);
      this.deps.logger.info({ event: 'handoff.abandoned', handoffId, outcome });
      this.deps.events.publish({ type: 'handoff.updated', handoffId, status: 'abandoned', agentId: handoff?.agentId ?? null });
      this.deps.events.publish({ type: 'queue.changed' });
    }
    return ended;
  }

  /** The external hub took the conversation: it relays the chat itself; the row records that someone has it. */
  async externalAccepted(handoffId: number): Promise<void> {
    if (await this.deps.repos.handoffs.activate(handoffId, this.deps.now())) {
      this.deps.events.publish({ type: 'handoff.updated', handoffId, status: 'active', agentId: null });
    }
  }

  /** The external hub finished: the customer is back with the bot. */
  async externalCompleted(handoffId: number): Promise<void> {
    if (await this.deps.repos.handoffs.end(handoffId, 'resolved', 'external_completed', this.deps.now(), ['queued', 'active'])) {
      this.deps.events.publish({ type: 'handoff.updated', handoffId, status: 'resolved', agentId: null });
    }
  }

  // ---- what agents do (the console calls these after checking the staff member's role) ---------------------------

  async setPresence(staffId: number, status: PresenceStatus, capacity = this.deps.settings.agentCapacity): Promise<void> {
    if (!['online', 'away', 'offline'].includes(status)) throw new HubError('bad_input', 'presence is online, away or offline');
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 50) throw new HubError('bad_input', 'capacity is 1 to 50 conversations');
    await this.deps.repos.presence.set(staffId, status, capacity, this.deps.now());
    await this.deps.repos.audit.record({
      actorType: 'staff',
      actorId: staffId,
      action: 'presence.set',
      targetType: 'staff',
      targetId: staffId,
      detail: { status, capacity },
    });
    this.deps.events.publish({ type: 'queue.changed' });
  }

  /** Takes a queued conversation: exactly one of several agents accepting at once gets it. */
  async accept(handoffId: number, agentId: number): Promise<HandoffRecord> {
    const presence = await this.deps.repos.presence.get(agentId);
    const capacity = presence?.capacity ?? this.deps.settings.agentCapacity;
    const outcome: AcceptOutcome = await this.deps.repos.handoffs.accept(handoffId, agentId, capacity, this.deps.now());
    if (outcome === 'not_found') throw new HubError('not_found', 'no such handoff');
    if (outcome === 'taken') throw new HubError('taken', 'another agent has taken this conversation, or it has ended');
    if (outcome === 'at_capacity') throw new HubError('at_capacity', `you already hold ${capacity} conversations`);
    const handoff = (await this.deps.repos.handoffs.findById(handoffId))!;
    await this.deps.repos.audit.record({ actorType: 'staff', actorId: agentId, action: 'handoff.accepted', targetType: 'handoff', targetId: handoffId });
    if (handoff.complaintId !== null) await this.deps.repos.complaints.acknowledge(handoff.complaintId, this.deps.now());
    this.deps.logger.info({ event: 'handoff.accepted', handoffId, agentId });
    this.deps.events.publish({ type: 'handoff.updated', handoffId, status: 'active', agentId });
    this.deps.events.publish({ type: 'queue.changed' });
    const agent = await this.deps.repos.staff.findById(agentId);
    // Not awaited: the agent has the conversation whether or not the customer's channel answers quickly.
    this.inBackground(this.notifyCustomer(handoff, 'human:agentJoined', { agent: agent?.displayName ?? '' }));
    return handoff;
  }

  /** A supervisor gives a waiting conversation to an agent (within the agent's capacity). */
  async assign(handoffId: number, agentId: number, supervisorId: number): Promise<HandoffRecord> {
    const [agent, presence] = await Promise.all([this.deps.repos.staff.findById(agentId), this.deps.repos.presence.get(agentId)]);
    if (!agent || !agent.active || (agent.role !== 'agent' && agent.role !== 'supervisor'))
      throw new HubError('bad_input', 'conversations go to agents (or supervisors)');
    if (presence?.status !== 'online') throw new HubError('bad_input', 'that agent is not online');
    const handoff = await this.accept(handoffId, agentId);
    await this.deps.repos.audit.record({
      actorType: 'staff',
      actorId: supervisorId,
      action: 'handoff.assigned',
      targetType: 'handoff',
      targetId: handoffId,
      detail: { agentId },
    });
    return handoff;
  }

  /** The agent's message to the customer, sent proactively on the conversation's reference. */
  async sendToCustomer(handoffId: number, agentId: number, text: string): Promise<HandoffMessage> {
    const body = text.trim();
    if (!body) throw new HubError('bad_input', 'the message is empty');
    if (body.length > this.deps.settings.maxMessageChars)
      throw new HubError('bad_input', `the message is longer than ${this.deps.settings.maxMessageChars} characters`);
    const handoff = await this.held(handoffId, agentId);
    // Stored masked like every transcript line; the customer receives what the agent wrote.
    const message = await this.deps.repos.handoffs.appendMessage({
      handoffId,
      sender: 'agent',
      agentId,
      text: maskPii(body),
      delivery: 'pending',
      createdAt: this.deps.now(),
    });
    this.deps.events.publish({ type: 'handoff.message', handoffId, messageId: message.id, sender: 'agent', agentId });
    const delivered = await this.deliver(handoff, 'agent', async (ctx) => {
      await ctx.sendActivity(body);
    });
    await this.deps.repos.handoffs.setDelivery(message.id, delivered ? 'sent' : 'failed');
    this.deps.events.publish({ type: 'handoff.message', handoffId, messageId: message.id, sender: 'agent', agentId });
    return { ...message, delivery: delivered ? 'sent' : 'failed' };
  }

  /** An internal note; by the agent who holds (or held) the conversation, or by a supervisor (`overseeing`). */
  async addNote(handoffId: number, agentId: number, text: string, overseeing = false) {
    const body = text.trim();
    if (!body || body.length > 4000) throw new HubError('bad_input', 'a note has 1 to 4,000 characters');
    await this.held(handoffId, agentId, ['active', 'queued', 'resolved', 'abandoned'], !overseeing);
    const note = await this.deps.repos.handoffs.addNote(handoffId, agentId, maskPii(body), this.deps.now());
    await this.deps.repos.audit.record({
      actorType: 'staff',
      actorId: agentId,
      action: 'handoff.note_added',
      targetType: 'handoff',
      targetId: handoffId,
      detail: { noteId: note.id },
    });
    return note;
  }

  /** The agent promises to call back by a time. */
  async promiseCallbackFor(handoffId: number, agentId: number, dueAt: number, note: string | null) {
    const handoff = await this.held(handoffId, agentId, ['active', 'resolved'], true);
    if (!Number.isFinite(dueAt) || dueAt <= this.deps.now() || dueAt > this.deps.now() + 30 * 86_400_000) {
      throw new HubError('bad_input', 'a call back is due within the next 30 days');
    }
    if (note && note.length > 1000) throw new HubError('bad_input', 'a call-back note has at most 1,000 characters');
    const conversation = await this.deps.repos.conversations.findById(handoff.conversationId);
    const customer = handoff.customerId !== null ? await this.deps.repos.customers.findById(handoff.customerId) : undefined;
    const callback = await this.deps.repos.callbacks.create({
      // The same promise posted twice (a double click) is one call back.
      idempotencyKey: `agent:${handoffId}:${dueAt}`,
      customerId: handoff.customerId,
      conversationId: conversation?.id ?? null,
      handoffId,
      complaintId: handoff.complaintId,
      phone: customer?.mobile ?? null,
      reason: 'agent_promise',
      dueAt,
      promisedBy: agentId,
      note: note ? maskPii(note) : null,
    });
    await this.deps.repos.audit.record({
      actorType: 'staff',
      actorId: agentId,
      action: 'callback.promised',
      targetType: 'handoff',
      targetId: handoffId,
      detail: { callbackId: callback.id, dueAt },
    });
    return callback;
  }

  /** Hands an active conversation to another agent, or back to the queue (`toAgentId` null). */
  async transfer(handoffId: number, fromAgentId: number, toAgentId: number | null): Promise<HandoffRecord> {
    await this.held(handoffId, fromAgentId);
    let capacity: number | undefined;
    if (toAgentId !== null) {
      const target = await this.deps.repos.presence.get(toAgentId);
      if (!target || target.status !== 'online') throw new HubError('bad_input', 'that colleague is not online');
      capacity = target.capacity;
    }
    const moved = await this.deps.repos.handoffs.transfer(handoffId, fromAgentId, toAgentId, this.deps.now(), capacity);
    if (moved === 'at_capacity') throw new HubError('at_capacity', 'that colleague has no room for another conversation');
    if (!moved) throw new HubError('not_active', 'the conversation is no longer yours to transfer');
    await this.deps.repos.audit.record({
      actorType: 'staff',
      actorId: fromAgentId,
      action: 'handoff.transferred',
      targetType: 'handoff',
      targetId: handoffId,
      detail: { toAgentId },
    });
    const handoff = (await this.deps.repos.handoffs.findById(handoffId))!;
    this.deps.events.publish({ type: 'handoff.updated', handoffId, status: handoff.status, agentId: handoff.agentId });
    this.deps.events.publish({ type: 'queue.changed' });
    this.inBackground(this.notifyCustomer(handoff, 'human:transferred'));
    return handoff;
  }

  /** Ends the conversation with the outcome; the customer is back with the bot. */
  async resolve(handoffId: number, agentId: number, outcome: string): Promise<HandoffRecord> {
    const handoff = await this.held(handoffId, agentId);
    const ended = await this.deps.repos.handoffs.end(handoffId, 'resolved', outcome.slice(0, 32) || 'resolved', this.deps.now(), ['active'], agentId);
    if (!ended) throw new HubError('not_active', 'the conversation has already ended');
    await this.deps.repos.audit.record({
      actorType: 'staff',
      actorId: agentId,
      action: 'handoff.resolved',
      targetType: 'handoff',
      targetId: handoffId,
      detail: { outcome },
    });
    this.deps.logger.info({ event: 'handoff.resolved', handoffId, agentId });
    this.deps.events.publish({ type: 'handoff.updated', handoffId, status: 'resolved', agentId });
    await this.deliver(handoff, 'system', async (ctx) => {
      const session = await this.deps.conversationData.get(ctx, {});
      delete session.handoff;
      await ctx.sendActivity(this.deps.texts.t(localeOf(handoff, ctx), 'human:backToBot'));
    });
    const resolved = (await this.deps.repos.handoffs.findById(handoffId))!;
    await this.onResolved?.(resolved).catch((err) => this.deps.logger.error({ event: 'handoff.after_resolve_failed', handoffId, err: errorSummary(err) }));
    return resolved;
  }

  // ---- deadlines ---------------------------------------------------------------------------------------------------

  /** Flags complaints and callbacks past their deadlines (each once) and tells the console; returns those flagged. */
  async checkDeadlines(): Promise<{ complaints: ComplaintRecord[]; callbacks: number }> {
    const t = this.deps.now();
    const complaints = await this.deps.repos.complaints.flagBreaches(t);
    const callbacks = await this.deps.repos.callbacks.flagBreaches(t);
    for (const c of complaints.firstContact) this.breached('complaint_first_contact', c.id, c.reference);
    for (const c of complaints.resolution) this.breached('complaint_resolution', c.id, c.reference);
    for (const c of callbacks) this.breached('callback', c.id);
    return { complaints: [...complaints.firstContact, ...complaints.resolution], callbacks: callbacks.length };
  }

  /**
   * Customers still waiting when working hours end or the last agent goes offline are not left waiting: each is
   * offered a call back instead — booked on the registered mobile of a known customer, suggested to anyone else —
   * and told so; their wait ends. Returns how many were released.
   */
  async releaseQueueIfUnattended(callbackWithinHours: number): Promise<number> {
    if (this.mode !== 'internal') return 0;
    const availability = await this.availability();
    if (availability.open && availability.agentsOnline > 0) return 0;
    const queued = await this.deps.repos.handoffs.listQueued();
    let released = 0;
    for (const handoff of queued) {
      if (!(await this.deps.repos.handoffs.end(handoff.id, 'abandoned', 'no_agent', this.deps.now(), ['queued']))) continue;
      released++;
      const customer = handoff.customerId !== null ? await this.deps.repos.customers.findById(handoff.customerId) : undefined;
      const dueAt = (availability.open ? this.deps.now() : availability.nextOpeningAt) + callbackWithinHours * 3_600_000;
      if (customer) {
        await this.deps.repos.callbacks.create({
          idempotencyKey: `no_agent:${handoff.id}`,
          customerId: customer.id,
          conversationId: handoff.conversationId,
          handoffId: handoff.id,
          complaintId: handoff.complaintId,
          phone: customer.mobile,
          reason: 'no_agent',
          dueAt,
          promisedBy: null,
          note: null,
        });
      }
      await this.systemMessage(handoff.id, 'no_agent');
      this.deps.events.publish({ type: 'handoff.updated', handoffId: handoff.id, status: 'abandoned', agentId: null });
      this.inBackground(
        this.deliver(handoff, 'system', async (ctx) => {
          const session = await this.deps.conversationData.get(ctx, {});
          delete session.handoff;
          const locale = localeOf(handoff, ctx);
          await ctx.sendActivity(
            customer
              ? this.deps.texts.t(locale, 'human:releasedWithCallback', {
                  time: formatDateTime(dueAt, locale, this.deps.texts.timeZone),
                  phone: maskMobile(customer.mobile),
                })
              : this.deps.texts.t(locale, 'human:releasedAskCallback'),
          );
        }),
      );
    }
    if (released > 0) {
      this.deps.logger.info({ event: 'handoff.queue_released', released, open: availability.open });
      this.deps.events.publish({ type: 'queue.changed' });
    }
    return released;
  }

  /** Waits for the notices still being sent (on shutdown, before the database closes). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.background]);
  }

  // ---- inside

  private inBackground(work: Promise<unknown>): void {
    const tracked = work.catch(() => undefined).finally(() => this.background.delete(tracked));
    this.background.add(tracked);
  }

  private breached(kind: 'complaint_first_contact' | 'complaint_resolution' | 'callback', id: number, reference?: string): void {
    this.deps.logger.warn({ event: 'deadline.breached', kind, id, reference });
    this.deps.events.publish({ type: 'deadline.breached', kind, id });
  }

  private async ticket(handoff: HandoffRecord): Promise<QueueTicket> {
    const position = (await this.deps.repos.handoffs.queuePosition(handoff.id)) ?? 0;
    const online = await this.deps.repos.presence.listOnline();
    const waitMinutes =
      position > 0 && online.length > 0
        ? estimateWaitMinutes({
            position,
            agentsOnline: online.length,
            averageHandleMinutes: this.deps.settings.averageHandleMinutes,
            capacityPerAgent: Math.max(1, Math.round(online.reduce((n, a) => n + a.capacity, 0) / online.length)),
          })
        : undefined;
    return { handoffId: handoff.id, position, waitMinutes };
  }

  /** The handoff, checked to be held by the agent (and in one of the statuses). */
  private async held(handoffId: number, agentId: number, statuses: string[] = ['active'], mustHold = true): Promise<HandoffRecord> {
    const handoff = await this.deps.repos.handoffs.findById(handoffId);
    if (!handoff) throw new HubError('not_found', 'no such handoff');
    if (!statuses.includes(handoff.status)) throw new HubError('not_active', `the conversation is ${handoff.status}`);
    if (mustHold && handoff.agentId !== agentId) throw new HubError('not_yours', 'another agent holds this conversation');
    return handoff;
  }

  private async systemMessage(handoffId: number, what: string): Promise<void> {
    const message = await this.deps.repos.handoffs.appendMessage({
      handoffId,
      sender: 'system',
      agentId: null,
      text: what,
      delivery: null,
      createdAt: this.deps.now(),
    });
    this.deps.events.publish({ type: 'handoff.message', handoffId, messageId: message.id, sender: 'system' });
  }

  private async notifyCustomer(handoff: HandoffRecord, key: string, args?: Record<string, unknown>): Promise<void> {
    await this.deliver(handoff, 'system', async (ctx) => {
      await ctx.sendActivity(this.deps.texts.t(localeOf(handoff, ctx), key, args));
    });
  }

  /**
   * Runs `send` in a proactive turn on the conversation's stored reference. True when it went out; a channel that
   * cannot be reached (a client that only takes replies in the HTTP response, a closed connection) is logged and
   * reported as false, never thrown at the agent.
   */
  private async deliver(handoff: HandoffRecord, sender: 'agent' | 'system', send: (ctx: TurnContext) => Promise<void>): Promise<boolean> {
    const conversation = await this.deps.repos.conversations.findById(handoff.conversationId);
    if (!conversation) return false;
    let failure: unknown;
    let timer: NodeJS.Timeout | undefined;
    try {
      const turn = this.deps.adapter.continueConversationAsync(this.deps.botAppId, conversation.reference as Partial<ConversationReference>, async (ctx) => {
        setOutboundSender(ctx, sender);
        if (handoff.locale) setTurnLocale(ctx, handoff.locale);
        try {
          await send(ctx);
        } catch (err) {
          failure = err;
        }
      });
      // A channel that takes the message but never answers must not hold the agent's action: it counts as not delivered.
      await Promise.race([
        turn,
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`the channel did not answer within ${this.deps.settings.deliveryTimeoutMs} ms`)),
            this.deps.settings.deliveryTimeoutMs,
          );
        }),
      ]);
    } catch (err) {
      failure = err;
    } finally {
      clearTimeout(timer);
    }
    if (failure) this.deps.logger.warn({ event: 'handoff.delivery_failed', handoffId: handoff.id, sender, err: errorSummary(failure) });
    return !failure;
  }
}

function localeOf(handoff: HandoffRecord, ctx: TurnContext): Locale {
  return toSupportedLocale(handoff.locale) ?? turnLocale(ctx);
}
