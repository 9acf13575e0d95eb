import type { Knex } from 'knex';
import { Batcher } from '../batching';
import { dialect } from '../db';
import { parseJson } from '../rows';

/** Who said a line of a transcript. */
export type TranscriptSender = 'customer' | 'bot' | 'agent' | 'system';

/** One line of a transcript, already masked by the caller. */
export interface TranscriptEntry {
  conversationId: number;
  direction: 'in' | 'out';
  activityType: string;
  sender: TranscriptSender;
  text: string | null;
  meta?: Record<string, unknown> | null;
  locale?: string | null;
  createdAt: number;
}

/** A stored transcript line. */
export interface TranscriptLine extends TranscriptEntry {
  id: number;
}

/** Appends to and reads conversation transcripts. */
export interface TranscriptRepository {
  /** Appends the entries in one statement: all or none. */
  append(entries: TranscriptEntry[]): Promise<void>;
  /** The conversation's lines in order, at most `limit`, after line `afterId`. */
  list(conversationId: number, options?: { afterId?: number; limit?: number }): Promise<TranscriptLine[]>;
  /** The conversation's last `count` lines, in order. */
  tail(conversationId: number, count: number): Promise<TranscriptLine[]>;
  /**
   * When the customer last wrote in the conversation, and how many messages were sent to them since: what a channel
   * window (WeChat's 48 hours, 5 messages) is judged by.
   */
  customerActivity(conversationId: number): Promise<{ lastInboundAt: number | null; outboundSince: number }>;
}

/**
 * Creates the transcript repository. Appends of concurrent turns are written together, in one statement (a group
 * commit): each caller still waits until its own lines are stored. Should a shared statement fail, each caller's
 * lines are tried on their own, so one bad line cannot lose another conversation's.
 */
export function createTranscriptRepository(knex: Knex): TranscriptRepository {
  const insert = (entries: TranscriptEntry[]) => knex('transcript_activities').insert(entries.map(toRow));
  // Each caller's result is undefined, or the error that kept its own lines out.
  const appends = new Batcher<TranscriptEntry[], unknown>(
    async (batches) => {
      try {
        await insert(batches.flat());
        return batches.map(() => undefined);
      } catch (err) {
        if (batches.length === 1) return [err];
        // One by one, in the order they came, so each conversation's lines keep their order.
        const results: unknown[] = [];
        for (const b of batches)
          results.push(
            await insert(b).then(
              () => undefined,
              (e: unknown) => e,
            ),
          );
        return results;
      }
    },
    // 50 turns of up to ~10 lines stay far below SQLite's 32,766 bound variables.
    { maxInFlight: dialect(knex) === 'sqlite' ? 1 : 4, maxBatch: 50 },
  );
  return {
    async append(entries) {
      if (entries.length === 0) return;
      const error = await appends.submit(entries);
      if (error) throw error;
    },
    async list(conversationId, options = {}) {
      const rows = await knex('transcript_activities')
        .where('conversation_id', conversationId)
        .andWhere('id', '>', options.afterId ?? 0)
        .orderBy('id')
        .limit(Math.min(options.limit ?? 500, 5000));
      return rows.map(toLine);
    },
    async customerActivity(conversationId) {
      const last = await knex('transcript_activities')
        .where({ conversation_id: conversationId, direction: 'in', sender: 'customer', activity_type: 'message' })
        .orderBy('id', 'desc')
        .first('id', 'created_at');
      if (!last) return { lastInboundAt: null, outboundSince: 0 };
      const [{ n }] = await knex('transcript_activities')
        .where({ conversation_id: conversationId, direction: 'out', activity_type: 'message' })
        .andWhere('id', '>', last.id)
        .count({ n: '*' });
      return { lastInboundAt: Number(last.created_at), outboundSince: Number(n) };
    },
    async tail(conversationId, count) {
      const rows = await knex('transcript_activities').where('conversation_id', conversationId).orderBy('id', 'desc').limit(Math.min(count, 5000));
      return rows.reverse().map(toLine);
    },
  };
}

/** A row as the database returns it (`toLine` maps it to the domain object). */
interface TranscriptLineRow {
  id: number | string;
  conversation_id: number | string;
  direction: TranscriptLine['direction'];
  activity_type: TranscriptLine['activityType'];
  sender: TranscriptLine['sender'];
  text: TranscriptLine['text'];
  meta: string | null;
  locale: TranscriptLine['locale'];
  created_at: number | string;
}

function toLine(r: TranscriptLineRow): TranscriptLine {
  return {
    id: Number(r.id),
    conversationId: Number(r.conversation_id),
    direction: r.direction,
    activityType: r.activity_type,
    sender: r.sender,
    text: r.text,
    meta: parseJson(r.meta, null),
    locale: r.locale,
    createdAt: Number(r.created_at),
  };
}

function toRow(e: TranscriptEntry) {
  return {
    conversation_id: e.conversationId,
    direction: e.direction,
    activity_type: e.activityType,
    sender: e.sender,
    text: e.text,
    meta: e.meta ? JSON.stringify(e.meta) : null,
    locale: e.locale ?? null,
    created_at: e.createdAt,
  };
}
