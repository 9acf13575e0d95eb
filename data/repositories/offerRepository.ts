import type { Knex } from 'knex';
import type { Locale } from '../../retention/locale';
import type { CatalogOffer, OfferHistoryEntry, OfferKind, OfferRule } from '../../retention/offers';
import type { Industry } from '../../retention/types';
import { parseJson, toBool, toNumOrNull } from '../rows';

/** What becomes of an offer shown. */
export type OfferOutcome = 'shown' | 'accepted' | 'declined' | 'later' | 'expired';

/** A catalog entry as stored: the rule's view, with its texts per locale. */
export interface CatalogEntry extends CatalogOffer {
  id: number;
  title: Record<Locale, string>;
  description: Record<Locale, string>;
}

/** A catalog entry to store (validated by the caller; see data/offerCatalog.ts). */
export interface CatalogInput {
  code: string;
  industry: Industry;
  productCode: string | null;
  kind: OfferKind;
  title: Record<Locale, string>;
  description: Record<Locale, string>;
  priceMinor: number | null;
  newCustomerPriceMinor: number | null;
  validFrom: number;
  validTo: number;
  stock: number | null;
  eligibility: OfferRule;
  active: boolean;
}

/** An offer shown to a customer and what became of it. */
export interface OfferPresentation {
  id: number;
  offerId: number;
  offerCode: string;
  /** Per-locale titles. */
  title: Record<string, string>;
  customerId: number;
  conversationId: number | null;
  outcome: OfferOutcome;
  relevance: string | null;
  channel: string;
  locale: string;
  shownAt: number;
  outcomeAt: number | null;
}

/** The offer catalog, presentations and their outcomes. */
export interface OfferRepository {
  /** Active catalog entries (of one industry when given), by code. */
  listCatalog(industry?: Industry): Promise<CatalogEntry[]>;
  findByCode(code: string): Promise<CatalogEntry | undefined>;
  /** Inserts or replaces an entry by code. */
  upsert(entry: CatalogInput, at: number): Promise<void>;
  /** Records offers as shown in a conversation; returns the presentations in the order given. */
  present(
    shown: Array<{ offerId: number; relevance: string | null }>,
    context: { customerId: number; conversationId: number | null; channel: string; locale: Locale; at: number },
  ): Promise<OfferPresentation[]>;
  findPresentation(id: number): Promise<OfferPresentation | undefined>;
  /** Sets the outcome when the presentation is still in one of `from`; false when it was not. */
  setOutcome(presentationId: number, outcome: OfferOutcome, at: number, from?: OfferOutcome[]): Promise<boolean>;
  /** The customer's latest presentations, newest first. */
  listPresentations(customerId: number, limit?: number): Promise<OfferPresentation[]>;
  /** The customer's offer history as the eligibility rules read it. */
  history(customerId: number): Promise<OfferHistoryEntry[]>;
  /**
   * Takes one unit of an offer that is active, valid at `at` and in stock (unlimited stock always has one);
   * atomic, so the last unit goes to one customer only. False when none is left or the offer is no longer valid.
   */
  takeOne(offerId: number, at: number): Promise<boolean>;
  /**
   * Accepts a presentation and takes its unit of stock, together or not at all. `already` when it was accepted
   * before (a double click, a retried turn: no second unit is taken); `unavailable` when the offer ran out or ended
   * (nothing recorded); `closed` when the presentation is in no state to be accepted (expired).
   */
  accept(presentationId: number, offerId: number, at: number): Promise<'accepted' | 'already' | 'unavailable' | 'closed'>;
  /** Marks offers shown before `shownBefore` and never answered as expired; returns how many. */
  expireStale(shownBefore: number, at: number): Promise<number>;
}

/** Creates the offer repository. */
export function createOfferRepository(knex: Knex): OfferRepository {
  const presentationQuery = () => knex('offer_presentations as op').join('offers as o', 'o.id', 'op.offer_id').select('op.*', 'o.code', 'o.title');
  const repo: OfferRepository = {
    async listCatalog(industry) {
      const q = knex('offers').where({ active: true }).orderBy('code');
      if (industry) q.andWhere({ industry });
      return (await q).map(toEntry);
    },
    async findByCode(code) {
      const row = await knex('offers').where({ code }).first();
      return row ? toEntry(row) : undefined;
    },
    async upsert(e, at) {
      const values = {
        industry: e.industry,
        product_code: e.productCode,
        kind: e.kind,
        title: JSON.stringify(e.title),
        description: JSON.stringify(e.description),
        price_minor: e.priceMinor,
        new_customer_price_minor: e.newCustomerPriceMinor,
        valid_from: e.validFrom,
        valid_to: e.validTo,
        stock: e.stock,
        eligibility: JSON.stringify(e.eligibility),
        active: e.active,
        updated_at: at,
      };
      await knex('offers')
        .insert({ code: e.code, ...values, created_at: at })
        .onConflict('code')
        .merge(values);
    },
    async present(shown, c) {
      const out: OfferPresentation[] = [];
      for (const s of shown) {
        const [row] = await knex('offer_presentations')
          .insert({
            offer_id: s.offerId,
            customer_id: c.customerId,
            conversation_id: c.conversationId,
            channel: c.channel,
            locale: c.locale,
            outcome: 'shown',
            relevance: s.relevance,
            shown_at: c.at,
          })
          .returning('id');
        out.push((await repo.findPresentation(Number(typeof row === 'object' ? row.id : row)))!);
      }
      return out;
    },
    async findPresentation(id) {
      const row = await presentationQuery().where('op.id', id).first();
      return row ? toPresentation(row) : undefined;
    },
    async setOutcome(id, outcome, at, from = ['shown', 'later']) {
      return (await knex('offer_presentations').where({ id }).whereIn('outcome', from).update({ outcome, outcome_at: at })) === 1;
    },
    async listPresentations(customerId, limit = 20) {
      const rows = await presentationQuery()
        .where('op.customer_id', customerId)
        .orderBy([
          { column: 'op.shown_at', order: 'desc' },
          { column: 'op.id', order: 'desc' },
        ])
        .limit(Math.min(limit, 200));
      return rows.map(toPresentation);
    },
    async history(customerId) {
      const rows = await presentationQuery().where('op.customer_id', customerId).orderBy('op.id');
      return rows.map((r) => ({ offerCode: r.code, outcome: r.outcome, at: Number(r.outcome_at ?? r.shown_at) }));
    },
    async takeOne(offerId, at) {
      const taken = await knex('offers')
        .where({ id: offerId, active: true })
        .andWhere('valid_from', '<=', at)
        .andWhere('valid_to', '>', at)
        .andWhere((q) => q.whereNull('stock').orWhere('stock', '>', 0))
        .update({ stock: knex.raw('case when stock is null then null else stock - 1 end'), updated_at: at });
      return taken === 1;
    },
    async accept(presentationId, offerId, at) {
      const unavailable = new Error('unavailable');
      try {
        return await knex.transaction(async (trx) => {
          const moved = await trx('offer_presentations')
            .where({ id: presentationId })
            .whereIn('outcome', ['shown', 'later', 'declined'])
            .update({ outcome: 'accepted', outcome_at: at });
          if (moved !== 1) {
            const current = await trx('offer_presentations').where({ id: presentationId }).first('outcome');
            return current?.outcome === 'accepted' ? 'already' : 'closed';
          }
          const taken = await trx('offers')
            .where({ id: offerId, active: true })
            .andWhere('valid_from', '<=', at)
            .andWhere('valid_to', '>', at)
            .andWhere((q) => q.whereNull('stock').orWhere('stock', '>', 0))
            .update({ stock: trx.raw('case when stock is null then null else stock - 1 end'), updated_at: at });
          // Rolled back: the presentation stays as it was, honestly not accepted.
          if (taken !== 1) throw unavailable;
          return 'accepted';
        });
      } catch (err) {
        if (err === unavailable) return 'unavailable';
        throw err;
      }
    },
    async expireStale(shownBefore, at) {
      return knex('offer_presentations').where({ outcome: 'shown' }).andWhere('shown_at', '<', shownBefore).update({ outcome: 'expired', outcome_at: at });
    },
  };
  return repo;
}

/** A row as the database returns it (`toEntry` maps it to the domain object). */
interface CatalogEntryRow {
  id: number | string;
  code: CatalogEntry['code'];
  industry: CatalogEntry['industry'];
  product_code: CatalogEntry['productCode'] | null | undefined;
  kind: CatalogEntry['kind'];
  title: string | null;
  description: string | null;
  price_minor: number | string | null;
  new_customer_price_minor: number | string | null;
  valid_from: number | string;
  valid_to: number | string;
  stock: number | string | null;
  eligibility: string | null;
  active: boolean | number;
}

function toEntry(r: CatalogEntryRow): CatalogEntry {
  return {
    id: Number(r.id),
    code: r.code,
    industry: r.industry,
    productCode: r.product_code ?? null,
    kind: r.kind,
    title: parseJson(r.title, {} as Record<Locale, string>),
    description: parseJson(r.description, {} as Record<Locale, string>),
    priceMinor: toNumOrNull(r.price_minor),
    newCustomerPriceMinor: toNumOrNull(r.new_customer_price_minor),
    validFrom: Number(r.valid_from),
    validTo: Number(r.valid_to),
    stock: toNumOrNull(r.stock),
    eligibility: parseJson(r.eligibility, {}),
    active: toBool(r.active),
  };
}

/** A row as the database returns it (`toPresentation` maps it to the domain object). */
interface OfferPresentationRow {
  id: number | string;
  offer_id: number | string;
  code: OfferPresentation['offerCode'];
  title: string | null;
  customer_id: number | string;
  conversation_id: number | string | null;
  outcome: OfferPresentation['outcome'];
  relevance: OfferPresentation['relevance'] | null | undefined;
  channel: OfferPresentation['channel'];
  locale: OfferPresentation['locale'];
  shown_at: number | string;
  outcome_at: number | string | null;
}

function toPresentation(r: OfferPresentationRow): OfferPresentation {
  return {
    id: Number(r.id),
    offerId: Number(r.offer_id),
    offerCode: r.code,
    title: parseJson<Record<string, string>>(r.title, {}),
    customerId: Number(r.customer_id),
    conversationId: toNumOrNull(r.conversation_id),
    outcome: r.outcome,
    relevance: r.relevance ?? null,
    channel: r.channel,
    locale: r.locale,
    shownAt: Number(r.shown_at),
    outcomeAt: toNumOrNull(r.outcome_at),
  };
}
