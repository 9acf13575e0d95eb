import { type Activity, type CardAction, CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { supportsCardActions } from 'botbuilder-dialogs';
import type { CatalogEntry } from '../data/repositories/offerRepository';
import { formatDateTime, formatMoney } from '../prompts/format';
import { SUPPORTED_LOCALES, type Locale } from '../retention/locale';
import type { Customer } from '../retention/types';
import type { OfferAction, OfferOutcome, OfferService, ShownOffer } from '../services/offers';
import { normaliseForMatch } from './keywords';
import type { Say } from './say';
import { turnConversationId, turnLocale } from './turn';

export type { OfferAction, ShownOffer } from '../services/offers';

/**
 * Shows offers and reads the customer's answer, for the offers dialog and the save flow alike: cards with accept /
 * not interested / call me later buttons where the channel has cards (Web Chat), a numbered list and a line on how to
 * answer where it has not (WeChat). What an answer does is the offer service's.
 */
export class OfferPresenter {
  private readonly words: Record<'accept' | 'decline' | 'later' | 'none', string[]>;

  constructor(
    private readonly offers: OfferService,
    private readonly say: Say,
  ) {
    const list = (key: string) =>
      [...new Set(SUPPORTED_LOCALES.flatMap((l) => say.texts.list(l, key)).map(normaliseForMatch))].sort((a, b) => b.length - a.length);
    this.words = { accept: list('offers:acceptWords'), decline: list('offers:declineWords'), later: list('offers:laterWords'), none: list('offers:noneWords') };
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

  /** Carries out the answer (through the offer service) and tells the customer what became of it. */
  async act(context: TurnContext, customer: Customer, offers: ShownOffer[], action: OfferAction): Promise<OfferOutcome> {
    const outcome = await this.offers.act(customer, offers, action, turnConversationId(context) ?? null);
    const locale = turnLocale(context);
    if (outcome.kind === 'declined_all') {
      await this.say.key(context, 'offers:declinedAll');
      return outcome;
    }
    const title = text(outcome.offer.entry.title, locale);
    if (outcome.kind === 'declined') await this.say.key(context, 'offers:declined', { title });
    else if (outcome.kind === 'expired') await this.say.key(context, 'offers:expired', { title });
    else if (outcome.kind === 'sold_out') await this.say.key(context, 'offers:soldOut', { title });
    else {
      const who = outcome.manager ? this.say.t(context, 'offers:yourManager', { name: outcome.manager.displayName }) : this.say.t(context, 'offers:ourStaff');
      const time = formatDateTime(outcome.task.dueAt, locale, this.say.texts.timeZone);
      await this.say.key(context, outcome.kind === 'later' ? 'offers:laterBooked' : 'offers:accepted', { who, time, title });
    }
    return outcome;
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
