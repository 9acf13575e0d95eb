import { type Activity, type CardAction, CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { supportsCardActions } from 'botbuilder-dialogs';
import type { Repositories } from '../data/repositories';
import type { CatalogEntry, OfferPresentation } from '../data/repositories/offerRepository';
import { formatDateTime, formatMoney } from '../prompts/format';
import type { OfferCustomerContext } from '../retention/offers';
import { SUPPORTED_LOCALES, type Locale } from '../retention/locale';
import type { Customer } from '../retention/types';
import { normaliseForMatch } from './keywords';
import type { Say } from './say';
import { turnConversationId, turnLocale } from './turn';

const DAY = 86_400_000;
const WINDOW = 30 * DAY;

/** What the customer chose for an offer shown. */
export type OfferAction = { kind: 'accept' | 'decline' | 'later'; index: number } | { kind: 'decline_all' };

/** An offer as it is being shown: its catalog entry and its presentation record. */
export interface ShownOffer {
  entry: CatalogEntry;
  presentation: OfferPresentation;
}

/**
 * Shows offers and carries out the customer's answer, for the offers dialog and the save flow alike: cards with
 * accept / not interested / call me later buttons where the channel has cards (Web Chat), a numbered list and a line
 * on how to answer where it has not (WeChat); every outcome recorded; accepting takes a unit of stock (the last unit
 * goes to one customer only) and creates a follow-up for the relationship manager.
 */
export class OfferPresenter {
  private readonly words: Record<'accept' | 'decline' | 'later' | 'none', string[]>;

  constructor(
    private readonly repos: Repositories,
    private readonly say: Say,
    private readonly now: () => number,
  ) {
    const list = (key: string) =>
      [...new Set(SUPPORTED_LOCALES.flatMap((l) => say.texts.list(l, key)).map(normaliseForMatch))].sort((a, b) => b.length - a.length);
    this.words = { accept: list('offers:acceptWords'), decline: list('offers:declineWords'), later: list('offers:laterWords'), none: list('offers:noneWords') };
  }

  /** The facts the eligibility rules read about a customer. */
  async customerContext(customer: Customer, options: { saveFlow?: boolean; askedForProducts?: boolean } = {}): Promise<OfferCustomerContext> {
    const t = this.now();
    const [products, openComplaints, complaints, lowScoreAt] = await Promise.all([
      this.repos.customers.listProducts(customer.id),
      this.repos.complaints.listOpenForCustomer(customer.id),
      this.repos.complaints.listForCustomer(customer.id, 20),
      this.repos.risk
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

  /** Records the offers as shown in this conversation. */
  async record(context: TurnContext, customerId: number, offers: Array<{ entry: CatalogEntry; relevance: string | null }>): Promise<ShownOffer[]> {
    const presentations = await this.repos.offers.present(
      offers.map((o) => ({ offerId: o.entry.id, relevance: o.relevance })),
      { customerId, conversationId: turnConversationId(context) ?? null, channel: context.activity.channelId, locale: turnLocale(context), at: this.now() },
    );
    return presentations.map((p, i) => ({ entry: offers[i].entry, presentation: p }));
  }

  /** The message showing the offers, as cards or as text depending on the channel; `intro` goes first. */
  render(context: TurnContext, offers: ShownOffer[], intro: string): Partial<Activity> {
    const locale = turnLocale(context);
    const many = offers.length > 1;
    if (supportsCardActions(context.activity.channelId, 3)) {
      const cards = offers.map((o, i) => {
        const n = many ? ` ${i + 1}` : '';
        const buttons: CardAction[] = [
          { type: 'imBack', title: this.say.t(context, 'offers:accept'), value: `${this.say.t(context, 'offers:accept')}${n}` },
          { type: 'imBack', title: this.say.t(context, 'offers:later'), value: `${this.say.t(context, 'offers:later')}${n}` },
          { type: 'imBack', title: this.say.t(context, 'offers:decline'), value: `${this.say.t(context, 'offers:decline')}${n}` },
        ];
        return CardFactory.heroCard(
          text(o.entry.title, locale),
          [text(o.entry.description, locale), this.price(context, o.entry)].filter(Boolean).join('\n\n'),
          undefined,
          buttons,
        );
      });
      return MessageFactory.carousel(cards, intro);
    }
    const list = this.say.texts.render(locale, 'offers.list', {
      offers: offers.map((o) => ({ title: text(o.entry.title, locale), description: text(o.entry.description, locale), price: this.price(context, o.entry) })),
    });
    return MessageFactory.text(`${intro}\n${list}\n${this.say.t(context, many ? 'offers:actionHelp' : 'offers:actionHelpOne')}`);
  }

  /** Reads the customer's answer to `count` offers; undefined when it is not one. */
  parseAction(reply: string, count: number): OfferAction | undefined {
    const n = normaliseForMatch(reply);
    if (!n || n.length > 40) return undefined;
    if (this.words.none.some((w) => n.includes(w))) return { kind: 'decline_all' };
    const digits = /\d+/.exec(reply.normalize('NFKC'))?.[0];
    const index = digits ? Number(digits) - 1 : count === 1 ? 0 : undefined;
    if (index === undefined || index < 0 || index >= count) return undefined;
    // "不需要" holds "需要", "不要" holds "要": refusals and "later" are read before acceptance.
    for (const kind of ['later', 'decline', 'accept'] as const) {
      if (this.words[kind].some((w) => n.includes(w))) return { kind, index };
    }
    return undefined;
  }

  /** Carries out the answer, records the outcome and tells the customer. */
  async act(context: TurnContext, customer: Customer, offers: ShownOffer[], action: OfferAction): Promise<void> {
    const at = this.now();
    const locale = turnLocale(context);
    if (action.kind === 'decline_all') {
      for (const o of offers) await this.repos.offers.setOutcome(o.presentation.id, 'declined', at);
      await this.say.key(context, 'offers:declinedAll');
      return;
    }
    const shown = offers[action.index];
    const title = text(shown.entry.title, locale);
    if (action.kind === 'decline') {
      await this.repos.offers.setOutcome(shown.presentation.id, 'declined', at);
      await this.say.key(context, 'offers:declined', { title });
      return;
    }
    const manager = customer.relationshipManagerId !== null ? await this.repos.staff.findById(customer.relationshipManagerId) : undefined;
    const who = manager ? this.say.t(context, 'offers:yourManager', { name: manager.displayName }) : this.say.t(context, 'offers:ourStaff');
    if (action.kind === 'later') {
      await this.repos.offers.setOutcome(shown.presentation.id, 'later', at);
      const task = await this.followUp(context, customer, shown, 'offer_later', at + DAY);
      await this.say.key(context, 'offers:laterBooked', { who, time: formatDateTime(task.dueAt, locale, this.say.texts.timeZone), title });
      return;
    }
    const accepted = await this.repos.offers.accept(shown.presentation.id, shown.entry.id, at);
    if (accepted === 'unavailable' || accepted === 'closed') {
      // Honest and unrecorded as accepted: the offer ran out or ended since it was shown.
      const current = await this.repos.offers.findByCode(shown.entry.code);
      const ended = accepted === 'closed' || !current || !current.active || current.validTo <= at;
      if (ended) await this.repos.offers.setOutcome(shown.presentation.id, 'expired', at);
      await this.say.key(context, ended ? 'offers:expired' : 'offers:soldOut', { title });
      return;
    }
    // Accepted now or before (a repeat of the same answer): one follow-up either way.
    const task = await this.followUp(context, customer, shown, 'offer_accepted', at + 2 * DAY);
    await this.say.key(context, 'offers:accepted', { title, who, time: formatDateTime(task.dueAt, locale, this.say.texts.timeZone) });
  }

  private async followUp(context: TurnContext, customer: Customer, shown: ShownOffer, kind: 'offer_accepted' | 'offer_later', dueAt: number) {
    return this.repos.followUps.create({
      idempotencyKey: `offer:${shown.presentation.id}:${kind}`,
      customerId: customer.id,
      assigneeId: customer.relationshipManagerId,
      kind,
      offerPresentationId: shown.presentation.id,
      conversationId: turnConversationId(context) ?? null,
      dueAt,
      note: shown.entry.code,
    });
  }

  private price(context: TurnContext, entry: CatalogEntry): string {
    const locale = turnLocale(context);
    if (entry.priceMinor === null || entry.priceMinor === 0) return '';
    const price = formatMoney(entry.priceMinor, locale);
    return entry.newCustomerPriceMinor !== null && entry.newCustomerPriceMinor !== entry.priceMinor
      ? this.say.t(context, 'offers:priceWithReference', { price, reference: formatMoney(entry.newCustomerPriceMinor, locale) })
      : this.say.t(context, 'offers:price', { price });
  }
}

function text(texts: Record<string, string>, locale: Locale): string {
  return texts[locale] ?? Object.values(texts)[0] ?? '';
}
