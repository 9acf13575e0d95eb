import type { ComplaintRepository } from '../data/repositories/complaintRepository';
import type { CustomerRepository } from '../data/repositories/customerRepository';
import type { RecoveryRepository } from '../data/repositories/recoveryRepository';
import type { StaffRepository } from '../data/repositories/staffRepository';
import type { SurveyRecord, SurveyRepository } from '../data/repositories/surveyRepository';
import type { Clock } from '../retention/clock';
import type { Locale } from '../retention/locale';
import { maskPii } from '../retention/pii';
import { decideSurvey, recoveryCase, surveyExpiresAt, type SurveyDecision, type SurveyKind, type SurveyTrigger } from '../retention/surveyPolicy';
import type { RiskService } from './ports';

/** Longest comment kept (masked). */
export const MAX_COMMENT_CHARS = 2000;

/** What became of an answer given as a score. */
export type ScoreTaken = { kind: 'answered'; score: number } | { kind: 'expired' };

/** A recovery case opened for a low score: who will contact the customer, and by when. */
export interface RecoveryPromise {
  /** The relationship manager; undefined when a supervisor will. */
  manager?: { id: number; displayName: string };
  dueAt: number;
}

/**
 * Satisfaction surveys and service recovery (服务补救): whether a survey may be asked now (the one place the survey
 * policy's input is gathered: open complaints, a survey already in the conversation, the last NPS), the answers,
 * comments (masked), and the recovery case a low score opens, which also raises the churn risk.
 */
export class FeedbackService {
  constructor(
    private readonly deps: {
      complaints: ComplaintRepository;
      customers: CustomerRepository;
      surveys: SurveyRepository;
      recovery: RecoveryRepository;
      staff: StaffRepository;
      risk?: RiskService;
      now: Clock;
    },
  ) {}

  /** The survey policy's decision for this customer and conversation now. */
  async decide(trigger: SurveyTrigger, customerId: number | null, conversationId: number | null): Promise<SurveyDecision> {
    const now = this.deps.now();
    return decideSurvey({
      trigger,
      now,
      hasOpenComplaint: customerId !== null && (await this.deps.complaints.listOpenForCustomer(customerId)).length > 0,
      surveyedInConversation: conversationId !== null && (await this.deps.surveys.existsForConversation(conversationId)),
      lastNpsAskedAt: customerId !== null ? await this.deps.surveys.lastNpsAskedAt(customerId) : now,
    });
  }

  /** Whether the NPS question may go along with a CSAT being sent now (the rest of the policy was checked before). */
  async npsAlongside(trigger: SurveyTrigger, customerId: number | null): Promise<boolean> {
    if (customerId === null) return false;
    const now = this.deps.now();
    const d = decideSurvey({
      trigger,
      now,
      hasOpenComplaint: false,
      surveyedInConversation: false,
      lastNpsAskedAt: await this.deps.surveys.lastNpsAskedAt(customerId),
    });
    return d.ask && d.alsoNps === true;
  }

  /**
   * A survey the customer asked for ("我想评价一下"): opened when the policy allows one now, else the reason. The
   * relationship question goes along only for a known customer: an NPS nobody can follow up measures nothing.
   */
  async startByCustomer(c: {
    customerId: number | null;
    conversationId: number | null;
    channel: string;
    locale: Locale;
  }): Promise<{ survey: SurveyRecord; alsoNps: boolean } | { refused: Exclude<SurveyDecision, { ask: true }>['reason'] }> {
    const decision = await this.decide('customer_started', c.customerId, c.conversationId);
    if (!decision.ask) return { refused: decision.reason };
    const now = this.deps.now();
    const survey = await this.deps.surveys.create({
      customerId: c.customerId,
      conversationId: c.conversationId,
      handoffId: null,
      complaintId: null,
      kind: 'csat',
      trigger: 'customer_started',
      agentId: null,
      channel: c.channel,
      locale: c.locale,
      status: 'sent',
      at: now,
      expiresAt: surveyExpiresAt(now),
    });
    return { survey, alsoNps: decision.kind === 'csat' && decision.alsoNps === true && c.customerId !== null };
  }

  /** The survey, whatever its state. */
  find(surveyId: number): Promise<SurveyRecord | undefined> {
    return this.deps.surveys.findById(surveyId);
  }

  /** The survey, when it is still open for an answer. */
  async open(surveyId: number): Promise<SurveyRecord | undefined> {
    const survey = await this.deps.surveys.findById(surveyId);
    return survey?.status === 'sent' ? survey : undefined;
  }

  /** Records a score; an answer to a survey that expired (or was answered meanwhile) is not taken. */
  async takeScore(surveyId: number, score: number): Promise<ScoreTaken> {
    const survey = await this.deps.surveys.findById(surveyId);
    const now = this.deps.now();
    if (!survey || survey.status !== 'sent' || (survey.expiresAt !== null && survey.expiresAt <= now)) {
      if (survey?.status === 'sent') await this.deps.surveys.setStatus(surveyId, 'expired');
      return { kind: 'expired' };
    }
    return (await this.deps.surveys.answer(surveyId, score, now)) ? { kind: 'answered', score } : { kind: 'expired' };
  }

  /** The customer declined ("跳过"). */
  async decline(surveyId: number): Promise<void> {
    await this.deps.surveys.setStatus(surveyId, 'declined');
  }

  /** Keeps a comment or reason, masked and cut at MAX_COMMENT_CHARS; the recovery case of the survey gets it too. */
  async comment(surveyId: number, text: string): Promise<{ truncated: boolean }> {
    const trimmed = text.trim();
    const comment = maskPii(trimmed.slice(0, MAX_COMMENT_CHARS));
    await this.deps.surveys.comment(surveyId, comment);
    await this.deps.recovery.setComment(surveyId, comment);
    return { truncated: trimmed.length > MAX_COMMENT_CHARS };
  }

  /** Opens the relationship question right after a CSAT, in the same conversation. */
  async openNps(after: SurveyRecord, locale: Locale): Promise<SurveyRecord> {
    const now = this.deps.now();
    return this.deps.surveys.create({
      customerId: after.customerId,
      conversationId: after.conversationId,
      handoffId: after.handoffId,
      complaintId: after.complaintId,
      kind: 'nps',
      trigger: 'relationship',
      agentId: after.agentId,
      channel: after.channel,
      locale,
      status: 'sent',
      at: now,
      expiresAt: surveyExpiresAt(now),
    });
  }

  /**
   * A low score (CSAT ≤ 2, NPS ≤ 6) opens a recovery case for the relationship manager, else a supervisor, due within
   * 24 hours (once per survey), and raises the churn risk. Undefined when the score is not low.
   */
  async recover(surveyId: number, kind: SurveyKind, score: number): Promise<RecoveryPromise | undefined> {
    const survey = await this.deps.surveys.findById(surveyId);
    if (!survey) return undefined;
    const customer = survey.customerId !== null ? await this.deps.customers.findById(survey.customerId) : undefined;
    const now = this.deps.now();
    const planned = recoveryCase({ kind, score, comment: null, customer: { relationshipManagerId: customer?.relationshipManagerId ?? null }, now });
    if (!planned) return undefined;
    await this.deps.recovery.create(
      { customerId: survey.customerId, surveyId, ownerKind: planned.ownerKind, ownerId: planned.ownerId ?? null, dueAt: planned.dueAt, comment: null },
      now,
    );
    if (customer) await this.deps.risk?.recompute(customer.id, 'low_satisfaction');
    const manager = planned.ownerId !== undefined ? await this.deps.staff.findById(planned.ownerId) : undefined;
    return { manager: manager ? { id: manager.id, displayName: manager.displayName } : undefined, dueAt: planned.dueAt };
  }
}
