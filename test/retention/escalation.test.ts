import {
  decideEscalation,
  DEFAULT_ESCALATION_POLICY,
  ESCALATION_REASONS,
  type EscalationInput,
  type EscalationReason,
  isRepeatComplaint,
} from '../../retention/escalation';
import { queuePriority } from '../../retention/queue';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 22, 2, 0);

/** A regular customer chatting calmly, nothing filed: no trigger at all. */
function input(change: Partial<EscalationInput> = {}, conversation: Partial<EscalationInput['conversation']> = {}): EscalationInput {
  return {
    now: NOW,
    customer: { tier: 'regular' },
    history: { complaintsAt: [] },
    verificationFailures: 0,
    ...change,
    conversation: { misunderstoodInARow: 0, churnIntent: false, explicitRequest: false, ...conversation },
  };
}

const mediumBilling = { severity: 'medium', category: 'billing' } as const;

describe('decideEscalation', () => {
  it('with no complaint and no trigger, leaves the conversation with the bot', () => {
    expect(decideEscalation(input())).toEqual({ escalate: false, route: 'none', priority: 0, reasons: [] });
  });

  it('with a medium complaint and no trigger, sends it to the back office', () => {
    expect(decideEscalation(input({ complaint: mediumBilling }))).toEqual({
      escalate: false,
      route: 'back_office',
      priority: queuePriority({ tier: 'regular', severity: 'medium' }),
      reasons: [],
    });
  });

  describe('hands over to an agent on each trigger alone', () => {
    it.each<[string, EscalationInput, EscalationReason]>([
      ['when the customer asks for a person', input({}, { explicitRequest: true }), 'explicit_request'],
      ['when the customer is vip', input({ customer: { tier: 'vip' } }), 'tier_vip'],
      ['when the customer is gold', input({ customer: { tier: 'gold' } }), 'tier_gold'],
      ['when a complaint is high', input({ complaint: { severity: 'high', category: 'billing' } }), 'severity_high'],
      ['when a complaint is critical', input({ complaint: { severity: 'critical', category: 'service' } }), 'severity_critical'],
      ['when a complaint is the 2nd within 30 days', input({ complaint: mediumBilling, history: { complaintsAt: [NOW - 10 * DAY] } }), 'repeat_complaint'],
      [
        'when an earlier complaint was exactly 30 days ago',
        input({ complaint: mediumBilling, history: { complaintsAt: [NOW - 30 * DAY] } }),
        'repeat_complaint',
      ],
      ['when the customer means to leave', input({}, { churnIntent: true }), 'churn_intent'],
      ['when verification failed 3 times', input({ verificationFailures: 3 }), 'verification_failures'],
      ['when verification failed more than 3 times', input({ verificationFailures: 4 }), 'verification_failures'],
      ['when the bot misunderstood twice in a row', input({}, { misunderstoodInARow: 2 }), 'misunderstood_twice'],
    ])('%s', (_name, given, reason) => {
      const decision = decideEscalation(given);
      expect(decision).toMatchObject({ escalate: true, route: 'agent', reasons: [reason] });
    });
  });

  describe('does not hand over when a trigger is absent or just short of its threshold', () => {
    it.each<[string, EscalationInput, 'none' | 'back_office']>([
      ['a silver customer', input({ customer: { tier: 'silver' } }), 'none'],
      ['a regular customer', input({ customer: { tier: 'regular' } }), 'none'],
      ['a customer not yet identified', input({ customer: undefined }), 'none'],
      ['a low complaint', input({ complaint: { severity: 'low', category: 'other' } }), 'back_office'],
      ['a medium complaint', input({ complaint: mediumBilling }), 'back_office'],
      ['a first complaint', input({ complaint: mediumBilling, history: { complaintsAt: [] } }), 'back_office'],
      ['an earlier complaint 30 days + 1 ms ago', input({ complaint: mediumBilling, history: { complaintsAt: [NOW - 30 * DAY - 1] } }), 'back_office'],
      [
        'several earlier complaints, all outside the window',
        input({ complaint: mediumBilling, history: { complaintsAt: [NOW - 31 * DAY, NOW - 60 * DAY] } }),
        'back_office',
      ],
      ['two recent complaints but none being filed now', input({ history: { complaintsAt: [NOW - DAY, NOW - 2 * DAY] } }), 'none'],
      ['2 failed verifications', input({ verificationFailures: 2 }), 'none'],
      ['1 misunderstanding', input({}, { misunderstoodInARow: 1 }), 'none'],
    ])('for %s', (_name, given, route) => {
      expect(decideEscalation(given)).toMatchObject({ escalate: false, route, reasons: [] });
    });
  });

  it('lists every trigger that fired, in the fixed order', () => {
    const decision = decideEscalation(
      input(
        { customer: { tier: 'vip' }, complaint: { severity: 'critical', category: 'sales' }, history: { complaintsAt: [NOW - DAY] }, verificationFailures: 3 },
        { explicitRequest: true, churnIntent: true, misunderstoodInARow: 2 },
      ),
    );
    expect(decision.reasons).toEqual([
      'explicit_request',
      'tier_vip',
      'severity_critical',
      'repeat_complaint',
      'churn_intent',
      'verification_failures',
      'misunderstood_twice',
    ]);
    expect(decision.reasons).toEqual(ESCALATION_REASONS.filter((r) => decision.reasons.includes(r)));
  });

  it('gives an escalated conversation its queue priority', () => {
    const decision = decideEscalation(input({ customer: { tier: 'gold' }, complaint: { severity: 'high', category: 'claims' } }));
    expect(decision.priority).toBe(queuePriority({ tier: 'gold', severity: 'high' }));
  });

  describe('follows the thresholds of the policy it is given', () => {
    it.each<[string, Partial<typeof DEFAULT_ESCALATION_POLICY>, EscalationInput, boolean]>([
      ['5 failures needed: 3 are not enough', { verificationFailures: 5 }, input({ verificationFailures: 3 }), false],
      ['only vip served at once: gold waits', { tiers: ['vip'] }, input({ customer: { tier: 'gold' } }), false],
      ['only critical served at once: high waits', { severities: ['critical'] }, input({ complaint: { severity: 'high', category: 'billing' } }), false],
      [
        'a 3rd complaint needed: the 2nd is not enough',
        { repeatComplaintCount: 3 },
        input({ complaint: mediumBilling, history: { complaintsAt: [NOW - DAY] } }),
        false,
      ],
      ['a 60-day window: 45 days ago counts', { repeatWindowDays: 60 }, input({ complaint: mediumBilling, history: { complaintsAt: [NOW - 45 * DAY] } }), true],
      ['3 misunderstandings needed: 2 are not enough', { misunderstoodInARow: 3 }, input({}, { misunderstoodInARow: 2 }), false],
    ])('%s', (_name, change, given, escalate) => {
      expect(decideEscalation(given, { ...DEFAULT_ESCALATION_POLICY, ...change }).escalate).toBe(escalate);
    });
  });
});

describe('isRepeatComplaint', () => {
  it.each<[string, number[], boolean]>([
    ['no earlier complaint', [], false],
    ['one earlier complaint yesterday', [NOW - DAY], true],
    ['one earlier complaint exactly 30 days ago', [NOW - 30 * DAY], true],
    ['one earlier complaint 30 days + 1 ms ago', [NOW - 30 * DAY - 1], false],
    ['one stamped a little after now by another clock', [NOW + 1000], true],
  ])('%s → %s', (_name, earlier, expected) => {
    expect(isRepeatComplaint(earlier, NOW)).toBe(expected);
  });
});
