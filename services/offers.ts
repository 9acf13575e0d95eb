import type { ComplaintRepository } from '../data/repositories/complaintRepository';
import type { CustomerRepository } from '../data/repositories/customerRepository';
import type { FollowUp, FollowUpRepository } from '../data/repositories/followUpRepository';
import type { CatalogEntry, OfferPresentation, OfferRepository } from '../data/repositories/offerRepository';
import type { RiskRepository } from '../data/repositories/riskRepository';
import type { StaffMember, StaffRepository } from '../data/repositories/staffRepository';
import type { Clock } from '../retention/clock';
import type { Locale } from '../retention/locale';
import { bestRetentionOffer, type CatalogOffer, eligibleOffers, type OfferCustomerContext, offerConversationAllowed } from '../retention/offers';
import type { Customer } from '../retention/types';

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const WINDOW = 30 * DAY;

/** An offer as it is being shown: its catalog entry and its presentation record. */
export interface ShownOffer {
  entry: CatalogEntry;
  presentation: OfferPresentation;
}

/** What the customer chose for an offer shown. */
export type OfferAction = { kind: 'accept' | 'decline' | 'later'; index: number } | { kind: 'decline_all' };

/** Where offers are shown: the conversation, for the record. */
export interface Showing {
  conversationId: number | null;
  channel: string;
  locale: Locale;
}

/** What a customer asking for offers gets. */
export type OfferSelection =
  | { kind: 'new'; shown: ShownOffer[] }
  /** Within the week of the last offer conversation: what is still open from it. */
  | { kind: 'recent'; shown: ShownOffer[] }
  /** Within the week, and nothing of it still open. */
  | { kind: 'recent_none' }
  | { kind: 'none' };

/** What an answer to an offer did. */
export type OfferOutcome =
  | { kind: 'declined_all' }
  | { kind: 'declined'; offer: ShownOffer }
  | { kind: 'later'; offer: ShownOffer; task: FollowUp; manager?: StaffMember }
  | { kind: 'accepted'; offer: ShownOffer; task: FollowUp; manager?: StaffMember }
  | { kind: 'expired'; offer: ShownOffer }
  | { kind: 'sold_out'; offer: ShownOffer };

/**
 * Offers and their outcomes (优惠推荐): which offers a customer may see now (eligibility, relevance, at most three, one
 * offer conversation a week), the best retention offer of the save flow, every presentation recorded, and the answer
 * carried out: accepting moves the presentation and takes a unit of stock together, and books a follow-up for the
 * relationship manager (once per answer); "later" books a call for tomorrow.
 */
export class OfferService {
  constructor(
    private readonly deps: {
      offers: OfferRepository;
      customers: CustomerRepository;
      complaints: ComplaintRepository;
      risk: RiskRepository;
      followUps: FollowUpRepository;
      staff: StaffRepository;
      now: Clock;
    },
  ) {}

  /** The facts the eligibility rules read about a customer. */
  async customerContext(customer: Customer, options: { saveFlow?: boolean; askedForProducts?: boolean } = {}): Promise<OfferCustomerContext> {
    const t = this.deps.now();
    const [products, openComplaints, complaints, lowScoreAt] = await Promise.all([
      this.deps.customers.listProducts(customer.id),
      this.deps.complaints.listOpenForCustomer(customer.id),
      this.deps.complaints.listForCustomer(customer.id, 20),
      this.deps.risk
        .facts(customer.id, t)
        .then((f) => (f.surveys ?? []).filter((s) => (s.kind === 'csat' ? s.score <= 2 : s.score <= 6)).map((s) => s.answeredAt)),
    ]);
    const resolved = complaints.map((c) => c.resolvedAt).filter((r): r is number => r !== null && t - r < WINDOW);
    return {
      industry: customer.industry,
      tier: customer.tier,
      stage: customer.lifecycleStage,
      joinedAt: customer.joinedAt,
      marketingConsent: customer.marketingConsent,
      products: products.map((p) => ({ code: p.code, maturesOn: p.maturesOn })),
      riskBand: customer.churnRiskBand,
      openComplaint: openComplaints.length > 0,
      lastComplaintResolvedAt: resolved.length ? Math.max(...resolved) : undefined,
      lastLowSatisfactionAt: lowScoreAt.length ? Math.max(...lowScoreAt) : undefined,
      askedForProducts: options.askedForProducts ?? false,
      saveFlow: options.saveFlow ?? false,
      timeZone: customer.timezone,
    };
  }

  /** The offers for a customer who asked, recorded as shown; within the week, what is still open from last time. */
  async select(customer: Customer, where: Showing): Promise<OfferSelection> {
    const now = this.deps.now();
    const previous = await this.deps.offers.listPresentations(customer.id, 10);
    const catalog = await this.deps.offers.listCatalog(customer.industry);
    if (!offerConversationAllowed(previous[0]?.shownAt ?? null, now)) {
      const last = previous.filter((p) => p.shownAt === previous[0].shownAt && (p.outcome === 'shown' || p.outcome === 'later') && now - p.shownAt < WEEK);
      const shown = last.flatMap((p) => {
        const entry = catalog.find((c) => c.id === p.offerId && c.validTo > now && (c.stock === null || c.stock > 0));
        return entry ? [{ entry, presentation: p }] : [];
      });
      return shown.length > 0 ? { kind: 'recent', shown } : { kind: 'recent_none' };
    }
    const selection = eligibleOffers(
      await this.customerContext(customer, { askedForProducts: true }),
      catalog as CatalogOffer[],
      await this.deps.offers.history(customer.id),
      now,
    );
    if (selection.offers.length === 0) return { kind: 'none' };
    const entries = selection.offers.map((o) => ({ entry: catalog.find((c) => c.code === o.offer.code)!, relevance: o.relevance[0] ?? null }));
    return { kind: 'new', shown: await this.record(customer.id, entries, where) };
  }

  /** The save flow's offer: the best retention offer the customer is eligible for, recorded as shown; or none. */
  async bestRetention(customer: Customer, where: Showing): Promise<ShownOffer | undefined> {
    const catalog = await this.deps.offers.listCatalog(customer.industry);
    const best = bestRetentionOffer(
      await this.customerContext(customer, { saveFlow: true }),
      catalog as CatalogOffer[],
      await this.deps.offers.history(customer.id),
      this.deps.now(),
    );
    const entry = best && catalog.find((c) => c.code === best.offer.code);
    if (!best || !entry) return undefined;
    return (await this.record(customer.id, [{ entry, relevance: best.relevance[0] ?? null }], where))[0];
  }

  /** The offers shown earlier, read again (their stock and validity may have changed since). */
  async reload(presentationIds: readonly number[]): Promise<ShownOffer[]> {
    const out: ShownOffer[] = [];
    for (const id of presentationIds) {
      const presentation = await this.deps.offers.findPresentation(id);
      const entry = presentation && (await this.deps.offers.findByCode(presentation.offerCode));
      if (presentation && entry) out.push({ entry, presentation });
    }
    return out;
  }

  /** Carries out the customer's answer and records its outcome. */
  async act(customer: Customer, offers: readonly ShownOffer[], action: OfferAction, conversationId: number | null): Promise<OfferOutcome> {
    const at = this.deps.now();
    if (action.kind === 'decline_all') {
      for (const o of offers) await this.deps.offers.setOutcome(o.presentation.id, 'declined', at);
      return { kind: 'declined_all' };
    }
    const offer = offers[action.index];
    if (action.kind === 'decline') {
      await this.deps.offers.setOutcome(offer.presentation.id, 'declined', at);
      return { kind: 'declined', offer };
    }
    const manager = customer.relationshipManagerId !== null ? await this.deps.staff.findById(customer.relationshipManagerId) : undefined;
    if (action.kind === 'later') {
      await this.deps.offers.setOutcome(offer.presentation.id, 'later', at);
      return { kind: 'later', offer, manager, task: await this.followUp(customer, offer, 'offer_later', at + DAY, conversationId) };
    }
    const accepted = await this.deps.offers.accept(offer.presentation.id, offer.entry.id, at);
    if (accepted === 'unavailable' || accepted === 'closed') {
      // Honest and unrecorded as accepted: the offer ran out or ended since it was shown.
      const current = await this.deps.offers.findByCode(offer.entry.code);
      const ended = accepted === 'closed' || !current || !current.active || current.validTo <= at;
      if (ended) await this.deps.offers.setOutcome(offer.presentation.id, 'expired', at);
      return ended ? { kind: 'expired', offer } : { kind: 'sold_out', offer };
    }
    // Accepted now or before (a repeat of the same answer): one follow-up either way.
    return { kind: 'accepted', offer, manager, task: await this.followUp(customer, offer, 'offer_accepted', at + 2 * DAY, conversationId) };
  }

  private async record(customerId: number, offers: Array<{ entry: CatalogEntry; relevance: string | null }>, where: Showing): Promise<ShownOffer[]> {
    const presentations = await this.deps.offers.present(
      offers.map((o) => ({ offerId: o.entry.id, relevance: o.relevance })),
      { customerId, conversationId: where.conversationId, channel: where.channel, locale: where.locale, at: this.deps.now() },
    );
    return presentations.map((p, i) => ({ entry: offers[i].entry, presentation: p }));
  }

  private followUp(
    customer: Customer,
    offer: ShownOffer,
    kind: 'offer_accepted' | 'offer_later',
    dueAt: number,
    conversationId: number | null,
  ): Promise<FollowUp> {
    return this.deps.followUps.create({
      idempotencyKey: `offer:${offer.presentation.id}:${kind}`,
      customerId: customer.id,
      assigneeId: customer.relationshipManagerId,
      kind,
      offerPresentationId: offer.presentation.id,
      conversationId,
      dueAt,
      note: offer.entry.code,
    });
  }
}
