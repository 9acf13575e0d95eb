import type { ComplaintRepository } from '../data/repositories/complaintRepository';
import type { CustomerRepository } from '../data/repositories/customerRepository';
import type { EscalationRepository } from '../data/repositories/escalationRepository';
import { lockSubject, type VerificationRepository } from '../data/repositories/verificationRepository';
import type { Clock } from '../retention/clock';
import type { ComplaintCategory, Severity } from '../retention/complaints';
import { decideEscalation, DEFAULT_ESCALATION_POLICY, type EscalationDecision, type EscalationPolicy } from '../retention/escalation';

const DAY = 86_400_000;

/** Why the question "a person now?" is asked. */
export type EscalationTrigger = 'explicit_request' | 'complaint' | 'misunderstood' | 'churn_intent' | 'verification';

/** The conversation the question is asked in, as the escalation reads it. */
export interface EscalationContext {
  trigger: EscalationTrigger;
  /** The conversation's row id (for the record), when it has one. */
  conversationId: number | null;
  channel: string;
  channelUserId: string;
  /** The customer the channel user is known to be; null while nobody is identified. */
  customerId: number | null;
  /** Messages in a row the bot did not understand. */
  misunderstoodInARow: number;
  /** The complaint being filed now (not yet stored: its own filing is not part of the history). */
  complaint?: { severity: Severity; category?: ComplaintCategory };
}

/**
 * "Should a person take this conversation now?" — the one place that asks the escalation policy. It gathers what the
 * policy reads the same way for every trigger: the customer's tier, their complaints in the repeat window (before this
 * one), failed verifications of the channel user and the customer, the conversation's misunderstandings, churn intent
 * and an explicit request. Every decision is recorded with its reasons (`escalation_decisions`).
 */
export class EscalationService {
  constructor(
    private readonly deps: {
      customers: CustomerRepository;
      complaints: ComplaintRepository;
      verification: VerificationRepository;
      escalations: EscalationRepository;
      now: Clock;
      policy?: EscalationPolicy;
    },
  ) {}

  /** Decides and records the decision. */
  async decide(c: EscalationContext): Promise<EscalationDecision> {
    const decision = await this.assess(c);
    await this.record(c, decision);
    return decision;
  }

  /** Records a decision made by `assess`, with the complaint it was about once that is filed. */
  async record(c: EscalationContext, decision: EscalationDecision, complaintId?: number): Promise<void> {
    await this.deps.escalations.record({
      conversationId: c.conversationId,
      customerId: c.customerId,
      complaintId: complaintId ?? null,
      trigger: c.trigger,
      decision,
    });
  }

  /** Decides, without recording (the caller records once it knows what the decision was about). */
  async assess(c: EscalationContext): Promise<EscalationDecision> {
    const now = this.deps.now();
    const policy = this.deps.policy ?? DEFAULT_ESCALATION_POLICY;
    const customer = c.customerId !== null ? await this.deps.customers.findById(c.customerId) : undefined;
    const history = customer ? await this.deps.complaints.filedSince(customer.id, now - policy.repeatWindowDays * DAY) : [];
    const subjects = [lockSubject.user(c.channel, c.channelUserId), ...(customer ? [lockSubject.customer(customer.id)] : [])];
    const failures = (await this.deps.verification.lockState(subjects)).failures;
    return decideEscalation(
      {
        now,
        customer: customer ? { tier: customer.tier } : undefined,
        history: { complaintsAt: history },
        verificationFailures: failures,
        conversation: {
          misunderstoodInARow: c.misunderstoodInARow,
          churnIntent: c.trigger === 'churn_intent',
          explicitRequest: c.trigger === 'explicit_request',
        },
        complaint: c.complaint,
      },
      policy,
    );
  }
}
