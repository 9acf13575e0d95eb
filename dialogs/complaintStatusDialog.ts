import type { TurnContext } from 'botbuilder';
import { ComponentDialog, type DialogTurnResult, TextPrompt, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { ComplaintRecord, ComplaintRepository } from '../data/repositories/complaintRepository';
import type { IdentityRepository } from '../data/repositories/identityRepository';
import { isOverdue } from '../retention/complaints';
import type { FeatureDialogOptions } from './mainDialog';
import { PhraseMatcher } from './phrases';
import { extractEntities } from './recognizers/entities';
import { type Say } from './say';
import type { Clock } from './services';
import { turnLocale } from './turn';
import type { VerificationDialog, VerificationResult } from './verificationDialog';

/** The dialog's id (stored in conversation state: never rename). */
export const COMPLAINT_STATUS_DIALOG = 'complaint_status';
const MAIN = 'complaint_status.main';
const REFERENCE_PROMPT = 'complaint_status.referencePrompt';

/** Something that looks like a reference the customer tried to type ("C2026-7", "c20261122"). */
const REFERENCE_ATTEMPT = /(?<![A-Za-z0-9])[Cc][ -]?\d[\d -]{2,}/;

/** What the dialog needs. */
export interface ComplaintStatusDialogDeps {
  complaints: ComplaintRepository;
  identities: IdentityRepository;
  verification: VerificationDialog;
  say: Say;
  now: Clock;
}

/**
 * Complaint status (投诉进度): by reference number, or all of the customer's ("my complaints"). A complaint is shown
 * to the channel user who filed it, or to its customer once the channel user is bound to them (verifying first when
 * they are not); to anyone else a reference reads as not found, so that a number tried at random tells nothing.
 */
export class ComplaintStatusDialog extends ComponentDialog {
  private readonly mine: PhraseMatcher;

  constructor(private readonly deps: ComplaintStatusDialogDeps) {
    super(COMPLAINT_STATUS_DIALOG);
    this.mine = new PhraseMatcher(deps.say.texts, 'complaint:myComplaintsWords');
    this.addDialog(new TextPrompt(REFERENCE_PROMPT));
    this.addDialog(deps.verification);
    this.addDialog(new WaterfallDialog(MAIN, [this.askStep.bind(this), this.whoStep.bind(this), this.answerStep.bind(this)]));
    this.initialDialogId = MAIN;
  }

  /** Reads the reference (or "all") from the words; asks when there is neither. */
  private async askStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = (step.options ?? {}) as Partial<FeatureDialogOptions>;
    const text = options.text ?? '';
    const refs = options.recognition?.entities.complaintRefs.length ? options.recognition.entities.complaintRefs : extractEntities(text).complaintRefs;
    if (refs.length > 0 || this.mine.matches(text)) return step.next(text);
    if (REFERENCE_ATTEMPT.test(text)) return step.next(text);
    return step.prompt(REFERENCE_PROMPT, this.deps.say.t(step.context, 'complaint:statusAskReference'));
  }

  /** Works out who may see what; verifies a channel user not bound to a customer when a customer's list is needed. */
  private async whoStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    const text = String(step.result ?? '');
    const refs = extractEntities(text).complaintRefs;
    const v = values(step);
    v.refs = refs;
    if (refs.length === 0 && !this.mine.matches(text)) {
      const attempt = REFERENCE_ATTEMPT.exec(text)?.[0]?.trim() ?? text.trim().slice(0, 40);
      await this.deps.say.key(context, 'complaint:statusBadReference', { text: attempt });
      return step.endDialog();
    }
    const identity = await this.deps.identities.find(context.activity.channelId, context.activity.from.id);
    if (identity?.customerId != null) return step.next({ verified: true, customerId: identity.customerId } satisfies VerificationResult);
    // Complaints this channel user filed are theirs to see without anything more.
    const own = await this.ownComplaints(context);
    if (refs.length > 0 && refs.every((r) => own.some((c) => c.reference === r))) return step.next({ verified: false } satisfies VerificationResult);
    return step.beginDialog(this.deps.verification.id, { purpose: 'complaint_status' });
  }

  private async answerStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    const result = (step.result ?? { verified: false }) as VerificationResult;
    const customerId = result.verified ? (result.customerId ?? null) : null;
    const own = await this.ownComplaints(context);
    const visible = (c: ComplaintRecord) => own.some((o) => o.id === c.id) || (customerId !== null && c.customerId === customerId);
    const refs = values(step).refs ?? [];
    if (refs.length > 0) {
      for (const reference of refs.slice(0, 5)) {
        const complaint = await this.deps.complaints.findByReference(reference);
        if (complaint && visible(complaint)) await this.deps.say.text(context, this.render(context, complaint));
        else await this.deps.say.key(context, 'complaint:statusNotFound', { reference });
      }
      return step.endDialog();
    }
    const list = [...(customerId !== null ? await this.deps.complaints.listForCustomer(customerId, 5) : []), ...own]
      .filter((c, i, all) => all.findIndex((o) => o.id === c.id) === i)
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, 5);
    if (list.length === 0) {
      await this.deps.say.key(context, 'complaint:statusNone');
      return step.endDialog();
    }
    await this.deps.say.text(context, [this.deps.say.t(context, 'complaint:statusListHeader'), ...list.map((c) => this.render(context, c))].join('\n\n'));
    return step.endDialog();
  }

  private async ownComplaints(context: TurnContext): Promise<ComplaintRecord[]> {
    return this.deps.complaints.listForChannelUser(context.activity.channelId, context.activity.from.id, 20);
  }

  private render(context: TurnContext, c: ComplaintRecord): string {
    const resolved = c.status === 'resolved' || c.status === 'closed';
    return this.deps.say.texts.render(turnLocale(context), 'complaint.status', {
      reference: c.reference,
      category: this.deps.say.t(context, `complaint:categories.${c.category}`),
      status: this.deps.say.t(context, `complaint:statuses.${c.status}`),
      createdAt: c.createdAt,
      resolutionDueAt: c.resolutionDueAt,
      resolved,
      resolution: c.resolution ?? '',
      overdue: !resolved && isOverdue(c, this.deps.now()).resolution,
    });
  }
}

interface StatusValues {
  refs?: string[];
}

function values(step: WaterfallStepContext): StatusValues {
  return step.values as StatusValues;
}
