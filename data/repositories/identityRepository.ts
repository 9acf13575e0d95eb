import type { Knex } from 'knex';
import { toNumOrNull } from '../rows';
import { systemClock } from '../../retention/clock';

/** A channel user (web user id, WeChat openid) and the customer it is bound to, if any. */
export interface ChannelIdentity {
  channel: string;
  channelUserId: string;
  customerId: number | null;
  boundAt: number | null;
  verifiedAt: number | null;
  /** The conversation the last verification was made in: it counts there only. */
  verifiedConversation: string | null;
}

/** Binds channel users to customers and records when they last proved who they are. */
export interface IdentityRepository {
  find(channel: string, channelUserId: string): Promise<ChannelIdentity | undefined>;
  /** Binds the channel user to the customer (replacing an earlier binding). */
  bind(channel: string, channelUserId: string, customerId: number): Promise<void>;
  /** Records a verification, made now in `conversationId` (where alone it counts). */
  markVerified(channel: string, channelUserId: string, conversationId: string, at?: number): Promise<void>;
  /** Forgets the verification (the conversation it was made in has ended); the binding stays. */
  clearVerified(channel: string, channelUserId: string): Promise<void>;
}

/** Creates the identity repository. */
export function createIdentityRepository(knex: Knex, now: () => number = systemClock): IdentityRepository {
  return {
    async find(channel, channelUserId) {
      const row = await knex('channel_identities').where({ channel, channel_user_id: channelUserId }).first();
      if (!row) return undefined;
      return {
        channel: row.channel,
        channelUserId: row.channel_user_id,
        customerId: toNumOrNull(row.customer_id),
        boundAt: toNumOrNull(row.bound_at),
        verifiedAt: toNumOrNull(row.verified_at),
        verifiedConversation: row.verified_conversation ?? null,
      };
    },
    async bind(channel, channelUserId, customerId) {
      const t = now();
      await knex('channel_identities')
        .insert({ channel, channel_user_id: channelUserId, customer_id: customerId, bound_at: t, created_at: t })
        .onConflict(['channel', 'channel_user_id'])
        .merge({ customer_id: customerId, bound_at: t, verified_at: null, verified_conversation: null });
    },
    async markVerified(channel, channelUserId, conversationId, at = now()) {
      await knex('channel_identities').where({ channel, channel_user_id: channelUserId }).update({ verified_at: at, verified_conversation: conversationId });
    },
    async clearVerified(channel, channelUserId) {
      await knex('channel_identities').where({ channel, channel_user_id: channelUserId }).update({ verified_at: null, verified_conversation: null });
    },
  };
}
