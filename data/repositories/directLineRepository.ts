import type { Knex } from 'knex';
import { parseJson } from '../rows';
import { systemClock } from '../../retention/clock';

/** A web chat conversation as the Direct Line endpoint keeps it. */
export interface DirectLineConversation {
  conversationId: string;
  userId: string;
  locale: string | null;
  lastSeq: number;
  startedAt: number | null;
  createdAt: number;
}

/** One stored activity and its place in the conversation (the watermark). */
export interface StoredActivity {
  seq: number;
  activity: Record<string, unknown>;
}

/** Where a new activity is told about, inside the transaction that stores it (PostgreSQL NOTIFY is transactional). */
export type AppendHook = (trx: Knex.Transaction, conversationId: string, seq: number) => Promise<void>;

/** The conversations and activity log of the self-hosted Direct Line. */
export interface DirectLineRepository {
  /** Records a conversation (its user is fixed here); an existing one is left as it is. */
  ensureConversation(conversationId: string, userId: string, locale?: string | null): Promise<void>;
  find(conversationId: string): Promise<DirectLineConversation | undefined>;
  /** Marks the conversation started; true only for the one caller that started it. */
  markStarted(conversationId: string): Promise<boolean>;
  /**
   * Stores an activity as the next of its conversation and returns its sequence number. `build` gets that number
   * (activity ids carry it). A conversation not recorded yet is recorded for `userId`.
   */
  append(conversationId: string, userId: string, build: (seq: number) => Record<string, unknown>, hook?: AppendHook): Promise<number>;
  /** Activities after `afterSeq`, oldest first, at most `limit`. */
  list(conversationId: string, afterSeq: number, limit: number): Promise<StoredActivity[]>;
  /** Replaces a stored activity (the customer's secret answer, once the bot has said it is one). */
  replace(conversationId: string, seq: number, activity: Record<string, unknown>): Promise<void>;
  /**
   * Deletes the conversations nothing has happened in since `cutoff` (epoch ms): created before it, with no activity
   * at or after it. Their activities go with them. Returns how many conversations were deleted.
   */
  purgeIdle(cutoff: number): Promise<number>;
  /**
   * Deletes one conversation and its log (the customer ended it: "new chat"); its tokens are worth nothing afterwards,
   * as every call first finds the conversation. True when there was one.
   */
  remove(conversationId: string): Promise<boolean>;
}

// Conversations deleted per statement: a first purge of a large table must not hold one huge transaction.
const PURGE_BATCH = 500;

/** Creates the Direct Line repository. */
export function createDirectLineRepository(knex: Knex, now: () => number = systemClock): DirectLineRepository {
  async function next(trx: Knex.Transaction, conversationId: string): Promise<number | undefined> {
    const updated = await trx('directline_conversations').where({ conversation_id: conversationId }).increment('last_seq', 1);
    if (!updated) return undefined;
    // On PostgreSQL the update holds the row lock until commit, so this reads our own increment.
    const row = await trx('directline_conversations').where({ conversation_id: conversationId }).first('last_seq');
    return Number(row.last_seq);
  }

  return {
    async ensureConversation(conversationId, userId, locale = null) {
      await knex('directline_conversations')
        .insert({ conversation_id: conversationId, user_id: userId, locale, last_seq: 0, created_at: now() })
        .onConflict('conversation_id')
        .ignore();
    },

    async find(conversationId) {
      const row = await knex('directline_conversations').where({ conversation_id: conversationId }).first();
      if (!row) return undefined;
      return {
        conversationId: row.conversation_id,
        userId: row.user_id,
        locale: row.locale ?? null,
        lastSeq: Number(row.last_seq),
        startedAt: row.started_at === null || row.started_at === undefined ? null : Number(row.started_at),
        createdAt: Number(row.created_at),
      };
    },

    async markStarted(conversationId) {
      const updated = await knex('directline_conversations').where({ conversation_id: conversationId }).whereNull('started_at').update({ started_at: now() });
      return updated > 0;
    },

    async append(conversationId, userId, build, hook) {
      return knex.transaction(async (trx) => {
        let seq = await next(trx, conversationId);
        if (seq === undefined) {
          // A proactive message to a conversation whose row is gone (or never written): record it and go on.
          await trx('directline_conversations')
            .insert({ conversation_id: conversationId, user_id: userId, locale: null, last_seq: 0, created_at: now() })
            .onConflict('conversation_id')
            .ignore();
          seq = (await next(trx, conversationId))!;
        }
        await trx('directline_activities').insert({ conversation_id: conversationId, seq, activity: JSON.stringify(build(seq)), created_at: now() });
        if (hook) await hook(trx, conversationId, seq);
        return seq;
      });
    },

    async list(conversationId, afterSeq, limit) {
      const rows = await knex('directline_activities')
        .where({ conversation_id: conversationId })
        .andWhere('seq', '>', afterSeq)
        .orderBy('seq', 'asc')
        .limit(limit)
        .select('seq', 'activity');
      return rows.map((r: { seq: unknown; activity: unknown }) => ({ seq: Number(r.seq), activity: parseJson<Record<string, unknown>>(r.activity, {}) }));
    },

    async replace(conversationId, seq, activity) {
      await knex('directline_activities')
        .where({ conversation_id: conversationId, seq })
        .update({ activity: JSON.stringify(activity) });
    },

    async purgeIdle(cutoff) {
      let total = 0;
      for (;;) {
        const idle = knex('directline_conversations as c')
          .where('c.created_at', '<', cutoff)
          .whereNotExists(
            knex('directline_activities as a').whereRaw('a.conversation_id = c.conversation_id').andWhere('a.created_at', '>=', cutoff).select(knex.raw('1')),
          )
          .select('c.conversation_id')
          .limit(PURGE_BATCH);
        // One statement per batch, so a message arriving meanwhile either keeps its conversation or goes with it. The
        // activities follow through ON DELETE CASCADE (SQLite connections are opened with foreign_keys = ON).
        const deleted = await knex('directline_conversations').whereIn('conversation_id', idle).del();
        total += deleted;
        if (deleted < PURGE_BATCH) return total;
      }
    },
    async remove(conversationId) {
      return (await knex('directline_conversations').where({ conversation_id: conversationId }).del()) > 0;
    },
  };
}
