import type { Knex } from 'knex';
import type { Locale } from '../../retention/locale';
import { parseJson, toNumOrNull } from '../rows';
import { systemClock } from '../../retention/clock';

/** A conversation as stored: which channel and user, and the reference for proactive messages. */
export interface ConversationRecord {
  id: number;
  channelId: string;
  conversationKey: string;
  userId: string | null;
  customerId: number | null;
  locale: Locale | null;
  /** The Bot Framework conversation reference, as the channel gave it. */
  reference: Record<string, unknown>;
  startedAt: number;
}

/** What is known of a conversation when a turn starts. */
export interface ConversationTouch {
  channelId: string;
  conversationKey: string;
  userId?: string;
  locale?: Locale;
  reference: Record<string, unknown>;
}

/** Stores conversations and their references. */
export interface ConversationRepository {
  /** Creates the conversation on first sight, refreshes its reference when it changed; returns its id. */
  ensure(touch: ConversationTouch): Promise<number>;
  findById(id: number): Promise<ConversationRecord | undefined>;
  find(channelId: string, conversationKey: string): Promise<ConversationRecord | undefined>;
  setCustomer(id: number, customerId: number | null): Promise<void>;
  /** Records the language the conversation is now held in (for proactive messages); writes only when it changed. */
  noteLocale(id: number, locale: Locale): Promise<void>;
}

/**
 * Creates the conversation repository. `ensure` runs on every turn, so it remembers the conversations it has already
 * stored (with the reference they were stored with) and touches the database only for new or changed ones.
 */
export function createConversationRepository(knex: Knex, now: () => number = systemClock, cacheSize = 10_000): ConversationRepository {
  const known = new Map<string, { id: number; ref: string }>();
  const locales = new Map<number, Locale>();
  const remember = (key: string, value: { id: number; ref: string }) => {
    known.delete(key);
    known.set(key, value);
    if (known.size > cacheSize) known.delete(known.keys().next().value as string);
  };
  return {
    async ensure(touch) {
      const cacheKey = `${touch.channelId}\u0000${touch.conversationKey}`;
      const ref = JSON.stringify(touch.reference);
      const hit = known.get(cacheKey);
      if (hit && hit.ref === ref) return hit.id;
      const row = {
        channel_id: touch.channelId,
        conversation_key: touch.conversationKey,
        user_id: touch.userId ?? null,
        locale: touch.locale ?? null,
        reference: ref,
        started_at: now(),
      };
      const [inserted] = await knex('conversations').insert(row).onConflict(['channel_id', 'conversation_key']).merge(['reference', 'user_id']).returning('id');
      const id = Number(typeof inserted === 'object' ? inserted.id : inserted);
      remember(cacheKey, { id, ref });
      return id;
    },
    async findById(id) {
      const row = await knex('conversations').where({ id }).first();
      return row ? toConversation(row) : undefined;
    },
    async find(channelId, conversationKey) {
      const row = await knex('conversations').where({ channel_id: channelId, conversation_key: conversationKey }).first();
      return row ? toConversation(row) : undefined;
    },
    async setCustomer(id, customerId) {
      await knex('conversations').where({ id }).update({ customer_id: customerId });
    },
    async noteLocale(id, locale) {
      if (locales.get(id) === locale) return;
      await knex('conversations').where({ id }).update({ locale });
      locales.delete(id);
      locales.set(id, locale);
      if (locales.size > cacheSize) locales.delete(locales.keys().next().value as number);
    },
  };
}

/** A row as the database returns it (`toConversation` maps it to the domain object). */
interface ConversationRow {
  id: number | string;
  channel_id: ConversationRecord['channelId'];
  conversation_key: ConversationRecord['conversationKey'];
  user_id: ConversationRecord['userId'] | null | undefined;
  customer_id: number | string | null;
  locale: ConversationRecord['locale'] | null | undefined;
  reference: string | null;
  started_at: number | string;
}

function toConversation(row: ConversationRow): ConversationRecord {
  return {
    id: Number(row.id),
    channelId: row.channel_id,
    conversationKey: row.conversation_key,
    userId: row.user_id ?? null,
    customerId: toNumOrNull(row.customer_id),
    locale: (row.locale ?? null) as Locale | null,
    reference: parseJson(row.reference, {}),
    startedAt: Number(row.started_at),
  };
}
