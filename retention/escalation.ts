/**
 * "Should this conversation go to a person now?" (DOMAIN.md, Complaints): the triggers for handing over to an agent,
 * and otherwise whether a complaint goes to the back-office queue with its deadline.
 */
import type { ComplaintCategory, Severity } from './complaints';
import { queuePriority } from './queue';
import type { Tier } from './types';

const DAY = 86_400_000;

/** Why a conversation is escalated, as stable codes; a decision lists them in this order, the first being the main one. */
export const ESCALATION_REASONS = [
  'explicit_request',
  'tier_vip',
  'tier_gold',
  'severity_high',
  'severity_critical',
  'repeat_complaint',
  'churn_intent',
  'verification_failures',
  'misunderstood_twice',
] as const;
export type EscalationReason = (typeof ESCALATION_REASONS)[number];

/** Where a conversation goes: an agent now, the back-office complaint queue, or nowhere (the bot carries on). */
export type EscalationRoute = 'agent' | 'back_office' | 'none';

/** The thresholds of the triggers. */
export interface EscalationPolicy {
  /** Tiers served by a person at once. */
  readonly tiers: readonly ('vip' | 'gold')[];
  /** Complaint severities served by a person at once. */
  readonly severities: readonly ('high' | 'critical')[];
  /** A complaint is a repeat when it makes this many within the window (itself included). */
  readonly repeatComplaintCount: number;
  readonly repeatWindowDays: number;
  /** Failed identity checks after which a person verifies instead. */
  readonly verificationFailures: number;
  /** Messages in a row the bot did not understand before it stops trying. */
  readonly misunderstoodInARow: number;
}

/** DOMAIN.md defaults: vip/gold, high/critical, 2nd complaint within 30 days, 3 failed verifications, 2 misunderstandings. */
export const DEFAULT_ESCALATION_POLICY: EscalationPolicy = Object.freeze({
  tiers: Object.freeze(['vip', 'gold'] as const),
  severities: Object.freeze(['high', 'critical'] as const),
  repeatComplaintCount: 2,
  repeatWindowDays: 30,
  verificationFailures: 3,
  misunderstoodInARow: 2,
});

/** Everything the decision looks at; time is epoch milliseconds. */
export interface EscalationInput {
  now: number;
  /** Absent while the customer is not identified: no tier counts before verification. */
  customer?: { tier: Tier };
  /** Filing times of the customer's earlier complaints, not including `complaint`. */
  history: { complaintsAt: readonly number[] };
  verificationFailures: number;
  conversation: {
    misunderstoodInARow: number;
    churnIntent: boolean;
    /** The customer asked for a person (转人工). */
    explicitRequest: boolean;
  };
  /** The complaint being filed in this conversation, if any; the category does not change the decision. */
  complaint?: { severity: Severity; category?: ComplaintCategory };
}

/** The outcome: where the conversation goes, its queue priority (0 for `none`) and every trigger that fired. */
export interface EscalationDecision {
  escalate: boolean;
  route: EscalationRoute;
  priority: number;
  reasons: EscalationReason[];
}

/**
 * True when a complaint filed at `now` is a repeat: with the earlier ones filed within the window (the window's first
 * millisecond included) it makes `repeatComplaintCount` or more. Exported so severity can use the same rule.
 */
export function isRepeatComplaint(earlierComplaintsAt: readonly number[], now: number, policy: EscalationPolicy = DEFAULT_ESCALATION_POLICY): boolean {
  const since = now - policy.repeatWindowDays * DAY;
  // Later than `now` still counts: another channel's clock may be a little ahead.
  const recent = earlierComplaintsAt.filter((t) => t >= since).length;
  return recent + 1 >= policy.repeatComplaintCount;
}

/**
 * Decides whether to hand over to an agent now. Any trigger escalates; with none, a complaint goes to the back office
 * with its deadline and anything else stays with the bot. A repeat only counts with a complaint in hand: a customer
 * with two recent complaints asking for a balance is not handed over for a month.
 */
export function decideEscalation(input: EscalationInput, policy: EscalationPolicy = DEFAULT_ESCALATION_POLICY): EscalationDecision {
  const fired = new Set<EscalationReason>();
  const tier = input.customer?.tier;
  const severity = input.complaint?.severity;
  if (input.conversation.explicitRequest) fired.add('explicit_request');
  if (tier === 'vip' || tier === 'gold') {
    if (policy.tiers.includes(tier)) fired.add(`tier_${tier}`);
  }
  if (severity === 'high' || severity === 'critical') {
    if (policy.severities.includes(severity)) fired.add(`severity_${severity}`);
  }
  if (input.complaint && isRepeatComplaint(input.history.complaintsAt, input.now, policy)) fired.add('repeat_complaint');
  if (input.conversation.churnIntent) fired.add('churn_intent');
  if (input.verificationFailures >= policy.verificationFailures) fired.add('verification_failures');
  if (input.conversation.misunderstoodInARow >= policy.misunderstoodInARow) fired.add('misunderstood_twice');

  const reasons = ESCALATION_REASONS.filter((r) => fired.has(r));
  if (reasons.length > 0) return { escalate: true, route: 'agent', priority: queuePriority({ tier, severity }), reasons };
  if (input.complaint) return { escalate: false, route: 'back_office', priority: queuePriority({ tier, severity }), reasons };
  return { escalate: false, route: 'none', priority: 0, reasons };
}
