import { randomUUID } from 'node:crypto';
import {
  ChoicePrompt,
  ComponentDialog,
  type DialogContext,
  type DialogTurnResult,
  type FoundChoice,
  ListStyle,
  TextPrompt,
  WaterfallDialog,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import type { CustomerRepository } from '../data/repositories/customerRepository';
import type { IdentityRepository } from '../data/repositories/identityRepository';
import { type CategoryLexicon, categoryFromText, COMPLAINT_CATEGORIES, type ComplaintCategory } from '../retention/complaints';
import { SUPPORTED_LOCALES } from '../retention/locale';
import { type ComplaintIntakeService, complaintLexicons } from '../services/complaintIntake';
import { maskMobile, maskPii } from '../retention/pii';
import { parseMobile } from '../retention/verification';
import { HUMAN_DIALOG, type HumanDialog, type HumanDialogOptions } from './humanDialog';
import { normaliseForMatch } from './keywords';
import type { FeatureDialogOptions } from './mainDialog';
import { type Say } from './say';
import type { Clock } from './services';
import type { ConversationData } from './state';
import { turnConversationId, turnLocale } from './turn';
import type { StatePropertyAccessor } from 'botbuilder';

/** The dialog's id (stored in conversation state: never rename). */
export const COMPLAINT_DIALOG = 'complaint';
const MAIN = 'complaint.main';
const DESCRIPTION_PROMPT = 'complaint.descriptionPrompt';
const CATEGORY_PROMPT = 'complaint.categoryPrompt';
const CONTACT_PROMPT = 'complaint.contactPrompt';
const PHONE_PROMPT = 'complaint.phonePrompt';
const DAY = 86_400_000;

/** What the complaint dialog needs. */
export interface ComplaintDialogDeps {
  customers: CustomerRepository;
  identities: IdentityRepository;
  /** Files what the customer said: severity, deadlines, the escalation decision, the record. */
  intake: ComplaintIntakeService;
  conversationData: StatePropertyAccessor<ConversationData>;
  human: HumanDialog;
  say: Say;
  now: Clock;
  /** Longest description kept (DOMAIN: 2,000 characters). */
  maxDescriptionChars?: number;
  /** A draft left longer than this is started again rather than filed with stale answers. */
  draftTtlMs?: number;
}

/**
 * Complaint intake (投诉受理), at once and in a few natural steps: what happened (taken from the first message when
 * it already says), what it is about (recognised from the words, else a choice), how to reach the customer. Then the
 * complaint is filed with severity, deadlines and a reference number, the escalation policy decides whether a person
 * takes over now (and why, recorded), and the customer gets the receipt. Nothing is stored until the last step: a
 * customer who leaves halfway leaves only the draft in the dialog's state, resumed when they come back or started
 * again once it is stale.
 */
export class ComplaintDialog extends ComponentDialog {
  private readonly categoryLexicon: CategoryLexicon;
  private readonly triggerWords: string[];
  private readonly maxChars: number;
  private readonly draftTtlMs: number;

  constructor(private readonly deps: ComplaintDialogDeps) {
    super(COMPLAINT_DIALOG);
    const texts = deps.say.texts;
    this.categoryLexicon = complaintLexicons(texts).categories;
    this.triggerWords = SUPPORTED_LOCALES.flatMap((l) => texts.list(l, 'complaint:triggerWords'))
      .map(normaliseForMatch)
      .sort((a, b) => b.length - a.length);
    this.maxChars = deps.maxDescriptionChars ?? 2000;
    this.draftTtlMs = deps.draftTtlMs ?? DAY;
    this.addDialog(
      new WaterfallDialog(MAIN, [
        this.describeStep.bind(this),
        this.categoryStep.bind(this),
        this.contactStep.bind(this),
        this.phoneStep.bind(this),
        this.fileStep.bind(this),
        this.finalStep.bind(this),
      ]),
    );
    this.addDialog(new TextPrompt(DESCRIPTION_PROMPT, async (pc) => (pc.recognized.value ?? '').trim().length > 0 || pc.attemptCount >= 3));
    this.addDialog(new ChoicePrompt(CATEGORY_PROMPT).configure({ style: ListStyle.none }));
    this.addDialog(new ChoicePrompt(CONTACT_PROMPT).configure({ style: ListStyle.none }));
    this.addDialog(new TextPrompt(PHONE_PROMPT, async (pc) => parseMobile(pc.recognized.value ?? '') !== undefined || pc.attemptCount >= 3));
    this.addDialog(deps.human);
    this.initialDialogId = MAIN;
  }

  override async beginDialog(outerDc: DialogContext, options?: object): Promise<DialogTurnResult> {
    touch(outerDc, this.deps.now());
    return super.beginDialog(outerDc, options);
  }

  /** A stale draft is started again with the customer's new message as its first words. */
  override async continueDialog(outerDc: DialogContext): Promise<DialogTurnResult> {
    const state = outerDc.activeDialog?.state as { touchedAt?: number } | undefined;
    const now = this.deps.now();
    // Once filed, the complaint is no draft: a handover or call-back question after it is not started again.
    const filed = this.createChildContext(outerDc)?.activeDialog?.id === HUMAN_DIALOG;
    if (!filed && state?.touchedAt !== undefined && now - state.touchedAt > this.draftTtlMs && outerDc.context.activity.type === 'message') {
      await this.deps.say.key(outerDc.context, 'complaint:draftExpired');
      return outerDc.replaceDialog(this.id, { text: maskPii(outerDc.context.activity.text ?? '') });
    }
    touch(outerDc, now);
    return super.continueDialog(outerDc);
  }

  /** Uses the first message as the description when it says what happened; asks otherwise. */
  private async describeStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const text = ((step.options ?? {}) as Partial<FeatureDialogOptions>).text ?? '';
    // Kept masked (the words matter here, not a card or ID number in them), with the key of this complaint: a step run
    // again after a crash or a repeat files the same complaint, not a second one.
    values(step).firstWords = maskPii(text);
    values(step).draftKey = randomUUID();
    await this.deps.say.key(step.context, 'complaint:start');
    if (this.saysWhatHappened(text)) return step.next(text);
    return step.prompt(DESCRIPTION_PROMPT, {
      prompt: this.deps.say.t(step.context, 'complaint:askDescription'),
      retryPrompt: this.deps.say.t(step.context, 'complaint:askDescriptionRetry'),
    });
  }

  /** Keeps the description (at most 2,000 characters) and finds the category in the words, or asks. */
  private async categoryStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    let description = String(step.result ?? '').trim();
    if (!description) {
      await this.deps.say.key(context, 'main:cancelled');
      return step.endDialog();
    }
    if (description.length > this.maxChars) {
      await this.deps.say.key(context, 'complaint:descriptionTruncated', { length: description.length, max: this.maxChars });
      description = description.slice(0, this.maxChars);
    }
    const v = values(step);
    // Kept masked, as the transcript keeps it: the complaints team needs what happened, not a card or ID number.
    v.description = maskPii(description);
    const words = v.firstWords === description ? description : `${v.firstWords ?? ''}\n${description}`;
    const category = categoryFromText(words, this.categoryLexicon);
    if (category) return step.next({ index: COMPLAINT_CATEGORIES.indexOf(category) });
    const choices = COMPLAINT_CATEGORIES.map((c) => ({ value: this.deps.say.t(context, `complaint:categories.${c}`) }));
    return step.prompt(CATEGORY_PROMPT, {
      prompt: this.deps.say.choices(context, choices, this.deps.say.t(context, 'complaint:askCategory')),
      retryPrompt: this.deps.say.choices(context, choices, this.deps.say.t(context, 'complaint:askCategoryRetry')),
      choices,
    });
  }

  /** How to reach the customer: the registered mobile when we know them, the chat, or another number. */
  private async contactStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    const v = values(step);
    v.category = COMPLAINT_CATEGORIES[(step.result as FoundChoice).index] ?? 'other';
    const identity = await this.deps.identities.find(context.activity.channelId, context.activity.from.id);
    const customer = identity?.customerId != null ? await this.deps.customers.findById(identity.customerId) : undefined;
    v.customerId = customer?.id ?? null;
    const options = [
      ...(customer
        ? [{ kind: 'registered' as const, value: this.deps.say.t(context, 'complaint:contactRegistered', { mobile: maskMobile(customer.mobile) }) }]
        : []),
      { kind: 'chat' as const, value: this.deps.say.t(context, 'complaint:contactHere') },
      { kind: 'other' as const, value: this.deps.say.t(context, 'complaint:contactOther') },
    ];
    v.contactKinds = options.map((o) => o.kind);
    const choices = options.map((o) => ({ value: o.value }));
    const prompt = this.deps.say.choices(context, choices, this.deps.say.t(context, 'complaint:askContact'));
    return step.prompt(CONTACT_PROMPT, { prompt, retryPrompt: prompt, choices });
  }

  private async phoneStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const v = values(step);
    const kind = v.contactKinds?.[(step.result as FoundChoice).index] ?? 'chat';
    // The registered number is read again rather than kept in the dialog's state.
    if (kind === 'registered') return step.next(v.customerId != null ? (await this.deps.customers.findById(v.customerId))?.mobile : undefined);
    if (kind === 'chat') return step.next('chat');
    return step.prompt(PHONE_PROMPT, {
      prompt: this.deps.say.t(step.context, 'complaint:askPhone'),
      retryPrompt: this.deps.say.t(step.context, 'complaint:askPhoneRetry'),
    });
  }

  /** Files the complaint and answers with the receipt; hands over to a person when the policy says so. */
  private async fileStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    const v = values(step);
    const answer = String(step.result ?? 'chat');
    const contact = answer === 'chat' ? null : (parseMobile(answer) ?? null);
    const session = await this.deps.conversationData.get(context, {});
    const { complaint, severity, decision } = await this.deps.intake.file({
      key: v.draftKey ?? `${context.activity.conversation.id}:${context.activity.id ?? ''}`,
      customerId: v.customerId ?? null,
      conversationId: turnConversationId(context) ?? null,
      channel: context.activity.channelId,
      channelUserId: context.activity.from.id,
      category: v.category ?? 'other',
      firstWords: v.firstWords ?? '',
      description: v.description ?? '',
      contact,
      locale: turnLocale(context),
      misunderstoodInARow: session.misunderstoodInARow ?? 0,
    });
    const receipt = this.deps.say.texts.render(turnLocale(context), 'complaint.receipt', {
      reference: complaint.reference,
      category: this.deps.say.t(context, `complaint:categories.${complaint.category}`),
      firstContactDueAt: complaint.firstContactDueAt,
      resolutionDueAt: complaint.resolutionDueAt,
      contact: contact ? maskMobile(contact) : this.deps.say.t(context, 'complaint:contactInChat'),
      toAgent: decision.escalate,
    });
    await this.deps.say.text(context, receipt);
    if (!decision.escalate) return step.endDialog({ complaintId: complaint.id });
    return step.beginDialog(HUMAN_DIALOG, {
      trigger: 'complaint',
      reasons: decision.reasons,
      priority: decision.priority,
      complaintId: complaint.id,
      severity,
    } satisfies HumanDialogOptions);
  }

  private async finalStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.endDialog();
  }

  /** Whether a first message already tells what happened, beyond "I want to complain". */
  private saysWhatHappened(text: string): boolean {
    let rest = normaliseForMatch(text);
    for (const w of this.triggerWords) rest = rest.split(w).join('');
    const han = rest.match(/\p{Script=Han}/gu)?.length ?? 0;
    return han >= 6 || rest.replace(/\p{Script=Han}/gu, '').length >= 15;
  }
}

/** What the waterfall keeps between steps: the draft. */
interface ComplaintValues {
  /** The first message, masked. */
  firstWords?: string;
  /** Identifies this complaint's filing (its idempotency key). */
  draftKey?: string;
  description?: string;
  category?: ComplaintCategory;
  customerId?: number | null;
  contactKinds?: Array<'registered' | 'chat' | 'other'>;
}

function values(step: WaterfallStepContext): ComplaintValues {
  return step.values as ComplaintValues;
}

function touch(dc: DialogContext, now: number): void {
  const state = dc.activeDialog?.state as { touchedAt?: number } | undefined;
  if (state) state.touchedAt = now;
}
