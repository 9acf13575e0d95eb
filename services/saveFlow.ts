import type { ChurnIntentRepository, ChurnReason } from '../data/repositories/churnIntentRepository';
import type { CustomerRepository } from '../data/repositories/customerRepository';
import { saveFlowNeedsPerson } from '../retention/churnRisk';
import type { Clock } from '../retention/clock';
import type { EscalationDecision } from '../retention/escalation';
import { maskPii } from '../retention/pii';
import type { Customer } from '../retention/types';
import type { EscalationService } from './escalation';
import type { OfferService, ShownOffer, Showing } from './offers';
import type { RiskService } from './ports';

/** What the save flow does for a customer who said why they are leaving. */
export type SaveDecision =
  | { kind: 'person'; customer: Customer; decision: EscalationDecision }
  | { kind: 'offer'; customer: Customer; offer: ShownOffer }
  | { kind: 'no_offer'; customer: Customer };

/**
 * The save flow (挽留): a customer who says they are leaving has the intent and reason recorded (masked), which moves
 * their churn risk; a high-value or high-risk customer goes to a person at once (the decision recorded like every
 * escalation); anyone else is offered the best retention offer they are eligible for.
 */
export class SaveFlowService {
  constructor(
    private readonly deps: {
      churnIntents: ChurnIntentRepository;
      customers: CustomerRepository;
      escalation: EscalationService;
      offers: OfferService;
      risk: RiskService;
      now: Clock;
    },
  ) {}

  /** Records why the customer wants to leave and decides: a person, an offer, or nothing to offer. */
  async leaving(c: {
    customerId: number;
    reason: ChurnReason;
    /** The customer's own words (first message and answer): kept masked, at most 2,000 characters. */
    words: string;
    where: Showing;
    channelUserId: string;
    misunderstoodInARow?: number;
  }): Promise<SaveDecision | undefined> {
    await this.deps.churnIntents.record({
      customerId: c.customerId,
      conversationId: c.where.conversationId,
      channel: c.where.channel,
      reason: c.reason,
      reasonText: maskPii(c.words.trim()).slice(0, 2000),
      createdAt: this.deps.now(),
    });
    const risk = await this.deps.risk.recompute(c.customerId, 'churn_intent');
    const customer = await this.deps.customers.findById(c.customerId);
    if (!customer) return undefined;
    if (saveFlowNeedsPerson({ tier: customer.tier, band: risk?.band })) {
      const decision = await this.deps.escalation.decide({
        trigger: 'churn_intent',
        conversationId: c.where.conversationId,
        channel: c.where.channel,
        channelUserId: c.channelUserId,
        customerId: customer.id,
        misunderstoodInARow: c.misunderstoodInARow ?? 0,
      });
      return { kind: 'person', customer, decision };
    }
    const offer = await this.deps.offers.bestRetention(customer, c.where);
    return offer ? { kind: 'offer', customer, offer } : { kind: 'no_offer', customer };
  }
}
