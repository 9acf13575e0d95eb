import type { Knex } from 'knex';
import { parseJson } from '../rows';

/** A follower of the Official Account as the customer-service window sees them. */
export interface WeChatFollower {
  openid: string;
  /** When they last wrote (or followed, or clicked the menu): the 48-hour window runs from here. */
  lastMessageAt: number;
  /** Customer-service messages sent to them since then. */
  sentSinceMessage: number;
}

/** The access token shared by every instance. */
export interface StoredAccessToken {
  token: string;
  expiresAt: number;
}

/** The WeChat gateway's durable state (tables of migration 20261122_07_wechat). */
export interface WeChatRepository {
  /** Takes a delivery by its key; false when it was taken before (a retry, on this instance or another). */
  claimDelivery(key: string, at: number): Promise<boolean>;
  /** Gives a delivery up again (it could not be started), so that WeChat's retry is taken. */
  forgetDelivery(key: string): Promise<void>;
  /** Forgets delivery keys older than a time; returns how many. */
  forgetDeliveriesBefore(before: number): Promise<number>;
  /** Notes that the follower wrote at `at`: the window opens again and the count of messages starts afresh. */
  touchFollower(openid: string, at: number): Promise<void>;
  findFollower(openid: string): Promise<WeChatFollower | undefined>;
  /** Counts customer-service messages sent to the follower. */
  countSent(openid: string, messages: number): Promise<void>;
  /** Remembers what numbered replies stand for in a conversation, until `expiresAt`. */
  setChoices(conversationKey: string, choices: string[], expiresAt: number): Promise<void>;
  clearChoices(conversationKey: string): Promise<void>;
  /** The numbered choices still valid at `now`, if any. */
  findChoices(conversationKey: string, now: number): Promise<string[] | undefined>;
  /** Forgets choices that expired before `now`. */
  forgetChoicesBefore(now: number): Promise<number>;
  findAccessToken(appId: string): Promise<StoredAccessToken | undefined>;
  saveAccessToken(appId: string, token: StoredAccessToken, at: number): Promise<void>;
}

/** Creates the WeChat repository. */
export function createWeChatRepository(knex: Knex): WeChatRepository {
  return {
    async claimDelivery(key, at) {
      // The primary key decides: of several instances inserting the same key at once, exactly one gets a row back.
      const rows = await knex('wechat_deliveries').insert({ dedupe_key: key, created_at: at }).onConflict('dedupe_key').ignore().returning('dedupe_key');
      return rows.length === 1;
    },

    async forgetDelivery(key) {
      await knex('wechat_deliveries').where({ dedupe_key: key }).delete();
    },

    async forgetDeliveriesBefore(before) {
      return knex('wechat_deliveries').where('created_at', '<', before).delete();
    },

    async touchFollower(openid, at) {
      await knex('wechat_followers')
        .insert({ openid, last_message_at: at, sent_since_message: 0 })
        .onConflict('openid')
        .merge({ last_message_at: at, sent_since_message: 0 });
    },

    async findFollower(openid) {
      const row = await knex('wechat_followers').where({ openid }).first();
      return row ? { openid: row.openid, lastMessageAt: Number(row.last_message_at), sentSinceMessage: Number(row.sent_since_message) } : undefined;
    },

    async countSent(openid, messages) {
      await knex('wechat_followers').where({ openid }).increment('sent_since_message', messages);
    },

    async setChoices(conversationKey, choices, expiresAt) {
      const values = { choices: JSON.stringify(choices), expires_at: expiresAt };
      await knex('wechat_choices')
        .insert({ conversation_key: conversationKey, ...values })
        .onConflict('conversation_key')
        .merge(values);
    },

    async clearChoices(conversationKey) {
      await knex('wechat_choices').where({ conversation_key: conversationKey }).delete();
    },

    async findChoices(conversationKey, now) {
      const row = await knex('wechat_choices').where({ conversation_key: conversationKey }).where('expires_at', '>', now).first();
      if (!row) return undefined;
      const choices = parseJson<unknown>(row.choices, []);
      return Array.isArray(choices) ? choices.filter((c): c is string => typeof c === 'string') : undefined;
    },

    async forgetChoicesBefore(now) {
      return knex('wechat_choices').where('expires_at', '<=', now).delete();
    },

    async findAccessToken(appId) {
      const row = await knex('wechat_access_tokens').where({ app_id: appId }).first();
      return row ? { token: row.token, expiresAt: Number(row.expires_at) } : undefined;
    },

    async saveAccessToken(appId, token, at) {
      const values = { token: token.token, expires_at: token.expiresAt, updated_at: at };
      await knex('wechat_access_tokens')
        .insert({ app_id: appId, ...values })
        .onConflict('app_id')
        .merge(values);
    },
  };
}
