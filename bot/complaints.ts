import type { Logger } from 'pino';
import type { Repositories } from '../data/repositories';
import type { ComplaintRecord } from '../data/repositories/complaintRepository';
import { maskPii } from '../retention/pii';
import type { RiskEngine } from './risk';
import type { SurveyService } from './surveys';

/** What staff do to a complaint, with what follows: audit, churn risk, and the survey after it is closed. */
export class ComplaintService {
  constructor(private readonly deps: { repos: Repositories; risk: RiskEngine; surveys: SurveyService; logger: Logger; now: () => number }) {}

  /** A person has been in touch: acknowledged (the first contact counts for its deadline). */
  async acknowledge(complaintId: number, staffId: number): Promise<ComplaintRecord | undefined> {
    const complaint = await this.deps.repos.complaints.acknowledge(complaintId, this.deps.now());
    if (complaint)
      await this.deps.repos.audit.record({
        actorType: 'staff',
        actorId: staffId,
        action: 'complaint.acknowledged',
        targetType: 'complaint',
        targetId: complaintId,
      });
    return complaint;
  }

  /**
   * Resolves with the resolution text (masked, at most 2,000 characters); the customer's churn risk is recomputed and a
   * satisfaction survey is scheduled for the complaint's conversation (the survey policy decides whether it is asked).
   */
  async resolve(complaintId: number, resolution: string, staffId: number): Promise<ComplaintRecord | undefined> {
    const text = maskPii(resolution.trim()).slice(0, 2000);
    if (!text) return undefined;
    const before = await this.deps.repos.complaints.findById(complaintId);
    if (!before || before.status === 'resolved' || before.status === 'closed') return before;
    const complaint = await this.deps.repos.complaints.resolve(complaintId, text, this.deps.now());
    if (!complaint) return undefined;
    await this.deps.repos.audit.record({ actorType: 'staff', actorId: staffId, action: 'complaint.resolved', targetType: 'complaint', targetId: complaintId });
    this.deps.logger.info({ event: 'complaint.resolved', complaintId, reference: complaint.reference });
    if (complaint.customerId !== null) await this.deps.risk.recompute(complaint.customerId, 'complaint_resolved');
    if (complaint.conversationId !== null) {
      await this.deps.surveys.schedule({
        trigger: 'complaint_closed',
        conversationId: complaint.conversationId,
        customerId: complaint.customerId,
        agentId: staffId,
        complaintId,
      });
    }
    return complaint;
  }
}
