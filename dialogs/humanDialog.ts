import { randomUUID } from 'node:crypto';
import type { StatePropertyAccessor } from 'botbuilder';
import {
  ChoicePrompt,
  ComponentDialog,
  type DialogTurnResult,
  type FoundChoice,
  ListStyle,
  TextPrompt,
  WaterfallDialog,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import type { CustomerRepository } from '../data/repositories/customerRepository';
import type { IdentityRepository } from '../data/repositories/identityRepository';
import { formatDateTime } from '../prompts/format';
import type { EscalationService } from '../services/escalation';
import { maskMobile } from '../retention/pii';
import { parseMobile } from '../retention/verification';
import type { Clock, HandoffRequest, HandoffService } from './services';
import { type Say } from './say';
import type { ConversationData } from './state';
import { turnConversationId, turnLocale } from './turn';

/** The dialog's id (stored in conversation state: never rename). */
export const HUMAN_DIALOG = 'human';
const MAIN = 'human.main';
const OFFER_PROMPT = 'human.offerPrompt';
const PHONE_CHOICE_PROMPT = 'human.phoneChoicePrompt';
const PHONE_PROMPT = 'human.phonePrompt';

/** How the dialog is started: by the customer asking, or by another dialog with the decision already made. */
export interface HumanDialogOptions {
  trigger?: HandoffRequest['trigger'];
  reasons?: string[];
  priority?: number;
  complaintId?: number | null;
  severity?: string | null;
  /** Messages in a row not understood, when that is why the conversation is handed over. */
  misunderstoodInARow?: number;
}

/** What the dialog needs. */
export interface HumanDialogDeps {
  handoff: HandoffService;
  customers: CustomerRepository;
  identities: IdentityRepository;
  /** Decides (and records) whether a person takes the conversation now, and why. */
  escalation: EscalationService;
  conversationData: StatePropertyAccessor<ConversationData>;
  say: Say;
  now: Clock;
  /** How the working hours read to a customer ("08:00–22:00"). */
  workingHoursLabel: string;
  /** Hours after the next opening (or now, when open) by which a promised call back is made. */
  callbackWithinHours: number;
}

/**
 * Talking to a person (转人工): decides with the escalation policy (and records why), then queues the conversation
 * for an agent — telling the customer their place and the expected wait — or, outside working hours or with nobody
 * online, offers a call back instead of leaving them waiting. Once queued, the handoff gate takes the customer's
 * messages; "cancel" stops waiting.
 */
export class HumanDialog extends ComponentDialog {
  constructor(private readonly deps: HumanDialogDeps) {
    super(HUMAN_DIALOG);
    this.addDialog(new WaterfallDialog(MAIN, [this.queueStep.bind(this), this.callbackStep.bind(this), this.phoneStep.bind(this), this.bookStep.bind(this)]));
    this.addDialog(new ChoicePrompt(OFFER_PROMPT).configure({ style: ListStyle.none }));
    this.addDialog(new ChoicePrompt(PHONE_CHOICE_PROMPT).configure({ style: ListStyle.none }));
    this.addDialog(new TextPrompt(PHONE_PROMPT, async (pc) => parseMobile(pc.recognized.value ?? '') !== undefined || pc.attemptCount >= 3));
    this.initialDialogId = MAIN;
  }

  /** Queues for an agent when someone can answer; otherwise offers a call back. */
  private async queueStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    const say = this.deps.say;
    const open = await this.deps.handoff.openHandoff(context);
    if (open) {
      if (open.status === 'active') await say.key(context, 'human:alreadyWithAgent');
      else await say.key(context, 'human:alreadyQueued', { ahead: Math.max(0, (open.position ?? 1) - 1) });
      return step.endDialog();
    }
    const request = await this.request(step);
    values(step).request = request;
    const availability = await this.deps.handoff.availability();
    if (this.deps.handoff.mode === 'external' || (availability.open && availability.agentsOnline > 0)) {
      const ticket = await this.deps.handoff.request(context, request);
      if ('external' in ticket) await say.key(context, 'human:externalQueued');
      else if (ticket.position <= 1) await say.key(context, 'human:queuedNext');
      else if (ticket.waitMinutes !== undefined) await say.key(context, 'human:queued', { ahead: ticket.position - 1, minutes: ticket.waitMinutes });
      else await say.key(context, 'human:queuedNoEstimate', { ahead: ticket.position - 1 });
      return step.endDialog();
    }
    values(step).nextOpeningAt = availability.open ? this.deps.now() : availability.nextOpeningAt;
    values(step).callbackKey = randomUUID();
    const question = availability.open ? say.t(context, 'human:noAgents') : say.t(context, 'human:closed', { hours: this.deps.workingHoursLabel });
    const choices = [say.t(context, 'human:offerCallback'), say.t(context, 'human:noThanks')].map((value) => ({ value }));
    return step.prompt(OFFER_PROMPT, { prompt: say.choices(context, choices, question), retryPrompt: say.choices(context, choices, question), choices });
  }

  /** Accepted call back: which number. */
  private async callbackStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    if ((step.result as FoundChoice | undefined)?.index !== 0) {
      await this.deps.say.key(context, 'human:callbackDeclined');
      return step.endDialog();
    }
    const customerId = values(step).request?.customerId ?? null;
    const customer = customerId !== null ? await this.deps.customers.findById(customerId) : undefined;
    if (!customer)
      return step.prompt(PHONE_PROMPT, { prompt: this.deps.say.t(context, 'human:askPhone'), retryPrompt: this.deps.say.t(context, 'human:askPhoneRetry') });
    values(step).hasRegistered = true;
    const choices = [
      this.deps.say.t(context, 'human:registeredPhone', { mobile: maskMobile(customer.mobile) }),
      this.deps.say.t(context, 'human:otherPhone'),
    ].map((value) => ({ value }));
    const prompt = this.deps.say.choices(context, choices, this.deps.say.t(context, 'human:whichPhone'));
    return step.prompt(PHONE_CHOICE_PROMPT, { prompt, retryPrompt: prompt, choices });
  }

  private async phoneStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (!values(step).hasRegistered) return step.next(step.result);
    if ((step.result as FoundChoice).index === 0) {
      // Read again, not kept in the dialog's state: the state holds no phone numbers.
      const customerId = values(step).request?.customerId ?? null;
      return step.next(customerId !== null ? (await this.deps.customers.findById(customerId))?.mobile : undefined);
    }
    return step.prompt(PHONE_PROMPT, {
      prompt: this.deps.say.t(step.context, 'human:askPhone'),
      retryPrompt: this.deps.say.t(step.context, 'human:askPhoneRetry'),
    });
  }

  /** Books the call back within the promised hours. */
  private async bookStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    const phone = parseMobile(String(step.result ?? ''));
    if (!phone) {
      await this.deps.say.key(context, 'human:phoneGaveUp');
      return step.endDialog();
    }
    const v = values(step);
    const dueAt = (v.nextOpeningAt ?? this.deps.now()) + this.deps.callbackWithinHours * 3_600_000;
    const booked = await this.deps.handoff.promiseCallback(context, {
      idempotencyKey: v.callbackKey ? `callback:${v.callbackKey}` : undefined,
      customerId: v.request?.customerId ?? null,
      phone,
      reason: v.request?.reasons[0] ?? 'explicit_request',
      complaintId: v.request?.complaintId ?? null,
      dueAt,
    });
    await this.deps.say.key(context, 'human:callbackBooked', {
      time: formatDateTime(booked.dueAt, turnLocale(context), this.deps.say.texts.timeZone),
      phone: maskMobile(phone),
    });
    return step.endDialog();
  }

  /** The decision to hand over: given by the dialog that started this one, or made here and recorded. */
  private async request(step: WaterfallStepContext): Promise<HandoffRequest> {
    const context = step.context;
    const options = (step.options ?? {}) as HumanDialogOptions;
    const { channelId, from } = context.activity;
    const identity = await this.deps.identities.find(channelId, from.id);
    const customerId = identity?.customerId ?? null;
    if (options.reasons && options.priority !== undefined) {
      return {
        trigger: options.trigger ?? 'explicit_request',
        reasons: options.reasons,
        priority: options.priority,
        customerId,
        complaintId: options.complaintId ?? null,
        severity: options.severity ?? null,
      };
    }
    const session = await this.deps.conversationData.get(context, {});
    const trigger = options.trigger ?? 'explicit_request';
    const decision = await this.deps.escalation.decide({
      trigger,
      conversationId: turnConversationId(context) ?? null,
      channel: channelId,
      channelUserId: from.id,
      customerId,
      misunderstoodInARow: options.misunderstoodInARow ?? session.misunderstoodInARow ?? 0,
    });
    return {
      trigger,
      reasons: decision.reasons.length ? decision.reasons : [trigger],
      priority: decision.priority,
      customerId,
      complaintId: null,
      severity: null,
    };
  }
}

/** What the waterfall keeps between steps. */
interface HumanValues {
  request?: HandoffRequest;
  nextOpeningAt?: number;
  /** The customer has a registered mobile to be called on (read again when chosen). */
  hasRegistered?: boolean;
  /** Identifies this call-back booking (its idempotency key). */
  callbackKey?: string;
}

function values(step: WaterfallStepContext): HumanValues {
  return step.values as HumanValues;
}
