import type { Knex } from 'knex';
import type { Locale } from '../../retention/locale';
import type { Tier } from '../../retention/types';
import { Batcher } from '../batching';
import { dialect } from '../db';
import { parseJson, toNumOrNull } from '../rows';

/** Where a handoff stands. */
export type HandoffStatus = 'queued' | 'active' | 'resolved' | 'abandoned';

/** A handoff as stored. */
export interface HandoffRecord {
  id: number;
  conversationId: number;
  customerId: number | null;
  complaintId: number | null;
  status: HandoffStatus;
  /** The main reason (the first of `reasons`). */
  reason: string;
  reasons: string[];
  priority: number;
  severity: string | null;
  tier: Tier | null;
  locale: Locale | null;
  mode: 'internal' | 'external';
  /** The handoff packet: who the customer is, why, open complaints, offers, risk, the conversation so far (masked). */
  packet: Record<string, unknown>;
  agentId: number | null;
  queuedAt: number;
  acceptedAt: number | null;
  endedAt: number | null;
  outcome: string | null;
}

/** A new handoff. */
export interface NewHandoff {
  conversationId: number;
  customerId: number | null;
  complaintId: number | null;
  reasons: string[];
  priority: number;
  severity: string | null;
  tier: Tier | null;
  locale: Locale;
  mode: 'internal' | 'external';
  packet: Record<string, unknown>;
  queuedAt: number;
}

/** A message of the live chat between customer and agent. */
export interface HandoffMessage {
  id: number;
  handoffId: number;
  sender: 'customer' | 'agent' | 'system';
  agentId: number | null;
  text: string;
  delivery: string | null;
  createdAt: number;
}

/** An agent's internal note on a handoff. */
export interface HandoffNote {
  id: number;
  handoffId: number;
  agentId: number;
  text: string;
  createdAt: number;
}

/** Why an accept did not give the agent the conversation. */
export type AcceptOutcome = 'accepted' | 'taken' | 'at_capacity' | 'not_found';

/** Handoffs, their live messages and notes. */
export interface HandoffRepository {
  create(handoff: NewHandoff): Promise<HandoffRecord>;
  findById(id: number): Promise<HandoffRecord | undefined>;
  /**
   * The conversation's handoff that is queued or with an agent, if any. Asked on every customer turn (the handoff gate),
   * so concurrent turns' questions share one statement.
   */
  findOpenForConversation(conversationId: number): Promise<HandoffRecord | undefined>;
  /** Queued handoffs in service order: priority, then waiting time, then id. */
  listQueued(limit?: number): Promise<HandoffRecord[]>;
  /** Handoffs with agents (one agent's, or all). */
  listActive(agentId?: number): Promise<HandoffRecord[]>;
  /** 1 for the next to be served; undefined when not queued. */
  queuePosition(id: number): Promise<number | undefined>;
  /**
   * Gives a queued handoff to the agent, atomically: of several agents accepting at once exactly one wins, and an
   * agent never holds more than `capacity` conversations.
   */
  accept(id: number, agentId: number, capacity: number, at: number): Promise<AcceptOutcome>;
  /** Marks a queued handoff as taken without one of our agents (an external hub took it). */
  activate(id: number, at: number): Promise<boolean>;
  /**
   * Moves an active handoff from one agent to another within the other's capacity (or back to the queue when
   * `toAgentId` is null); false when it is no longer the first agent's, 'at_capacity' when the other is full.
   */
  transfer(id: number, fromAgentId: number, toAgentId: number | null, at: number, capacity?: number): Promise<boolean | 'at_capacity'>;
  /**
   * Ends a handoff that is in one of `from` (resolved or abandoned, with its outcome) — and, when `agentId` is given,
   * still held by that agent; false when it was not.
   */
  end(id: number, status: 'resolved' | 'abandoned', outcome: string, at: number, from: HandoffStatus[], agentId?: number): Promise<boolean>;
  appendMessage(message: Omit<HandoffMessage, 'id'>): Promise<HandoffMessage>;
  setDelivery(messageId: number, delivery: string): Promise<void>;
  /** Messages after a given id (0 for all), in order: how a reconnecting console catches up without gaps or repeats. */
  messagesAfter(handoffId: number, afterId: number, limit?: number): Promise<HandoffMessage[]>;
  addNote(handoffId: number, agentId: number, text: string, at: number): Promise<HandoffNote>;
  listNotes(handoffId: number): Promise<HandoffNote[]>;
}

/** The advisory-lock namespace of "an agent's accepts" (any fixed number; the second key is the agent). */
const ACCEPT_LOCK_SPACE = 7_001;

/** Creates the handoff repository. */
export function createHandoffRepository(knex: Knex): HandoffRepository {
  const pg = dialect(knex) === 'pg';
  const byId = async (db: Knex | Knex.Transaction, id: number) => {
    const row = await db('handoffs').where({ id }).first();
    return row ? toHandoff(row) : undefined;
  };
  const openLookups = new Batcher<number, HandoffRecord | undefined>(
    async (ids) => {
      const rows = (
        await knex('handoffs')
          .whereIn('conversation_id', [...new Set(ids)])
          .whereIn('status', ['queued', 'active'])
      ).map(toHandoff);
      return ids.map((id) => rows.find((h) => h.conversationId === id));
    },
    { maxInFlight: pg ? 4 : 1, maxBatch: 200 },
  );
  const queuedOrder = (q: Knex.QueryBuilder) =>
    q.orderBy([
      { column: 'priority', order: 'desc' },
      { column: 'queued_at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ]);

  return {
    async create(h) {
      const [row] = await knex('handoffs')
        .insert({
          conversation_id: h.conversationId,
          customer_id: h.customerId,
          complaint_id: h.complaintId,
          status: 'queued',
          reason: h.reasons[0] ?? 'explicit_request',
          reasons: JSON.stringify(h.reasons),
          priority: h.priority,
          severity: h.severity,
          tier: h.tier,
          locale: h.locale,
          mode: h.mode,
          packet: JSON.stringify(h.packet),
          queued_at: h.queuedAt,
          updated_at: h.queuedAt,
        })
        .returning('id');
      return (await byId(knex, Number(typeof row === 'object' ? row.id : row)))!;
    },
    findById: (id) => byId(knex, id),
    findOpenForConversation: (conversationId) => openLookups.submit(conversationId),
    async listQueued(limit = 200) {
      return (await queuedOrder(knex('handoffs').where({ status: 'queued' })).limit(limit)).map(toHandoff);
    },
    async listActive(agentId) {
      const q = knex('handoffs').where({ status: 'active' }).orderBy('accepted_at');
      if (agentId !== undefined) q.andWhere({ agent_id: agentId });
      return (await q).map(toHandoff);
    },
    async queuePosition(id) {
      const me = await knex('handoffs').where({ id, status: 'queued' }).first('priority', 'queued_at');
      if (!me) return undefined;
      const [{ n }] = await knex('handoffs')
        .where({ status: 'queued' })
        .andWhere((q) =>
          q
            .where('priority', '>', me.priority)
            .orWhere((q2) => q2.where('priority', me.priority).andWhere('queued_at', '<', me.queued_at))
            .orWhere((q3) => q3.where('priority', me.priority).andWhere('queued_at', me.queued_at).andWhere('id', '<', id)),
        )
        .count({ n: '*' });
      return Number(n) + 1;
    },
    async accept(id, agentId, capacity, at) {
      return knex.transaction(async (trx) => {
        // Serialise one agent's accepts (PostgreSQL: a transaction-scoped advisory lock on the agent, which exists whether
        // or not they have a presence row; SQLite has one writer), so the capacity check and the update see one count.
        if (pg) await trx.raw('select pg_advisory_xact_lock(?, ?)', [ACCEPT_LOCK_SPACE, agentId]);
        const [{ n }] = await trx('handoffs').where({ agent_id: agentId, status: 'active' }).count({ n: '*' });
        const current = await trx('handoffs').where({ id }).first('status');
        if (!current) return 'not_found';
        if (current.status !== 'queued') return 'taken';
        if (Number(n) >= capacity) return 'at_capacity';
        // The status condition makes the race between agents safe: only one update finds it still queued.
        const updated = await trx('handoffs').where({ id, status: 'queued' }).update({ status: 'active', agent_id: agentId, accepted_at: at, updated_at: at });
        return updated === 1 ? 'accepted' : 'taken';
      });
    },
    async activate(id, at) {
      return (await knex('handoffs').where({ id, status: 'queued' }).update({ status: 'active', accepted_at: at, updated_at: at })) === 1;
    },
    async transfer(id, fromAgentId, toAgentId, at, capacity = Number.MAX_SAFE_INTEGER) {
      return knex.transaction(async (trx) => {
        if (toAgentId !== null) {
          // The same lock as accept: the receiving agent's count and this update see one state.
          if (pg) await trx.raw('select pg_advisory_xact_lock(?, ?)', [ACCEPT_LOCK_SPACE, toAgentId]);
          const [{ n }] = await trx('handoffs').where({ agent_id: toAgentId, status: 'active' }).count({ n: '*' });
          if (Number(n) >= capacity) return 'at_capacity' as const;
        }
        const values =
          toAgentId === null
            ? { status: 'queued', agent_id: null, accepted_at: null, updated_at: at }
            : { agent_id: toAgentId, accepted_at: at, updated_at: at };
        return (await trx('handoffs').where({ id, status: 'active', agent_id: fromAgentId }).update(values)) === 1;
      });
    },
    async end(id, status, outcome, at, from, agentId) {
      const q = knex('handoffs').where({ id }).whereIn('status', from);
      if (agentId !== undefined) q.andWhere({ agent_id: agentId });
      return (await q.update({ status, outcome, ended_at: at, updated_at: at })) === 1;
    },
    async appendMessage(m) {
      const [row] = await knex('handoff_messages')
        .insert({ handoff_id: m.handoffId, sender: m.sender, agent_id: m.agentId, text: m.text, delivery: m.delivery, created_at: m.createdAt })
        .returning('id');
      return { ...m, id: Number(typeof row === 'object' ? row.id : row) };
    },
    async setDelivery(messageId, delivery) {
      await knex('handoff_messages').where({ id: messageId }).update({ delivery });
    },
    async messagesAfter(handoffId, afterId, limit = 500) {
      const rows = await knex('handoff_messages').where({ handoff_id: handoffId }).andWhere('id', '>', afterId).orderBy('id').limit(Math.min(limit, 2000));
      return rows.map((r) => ({
        id: Number(r.id),
        handoffId: Number(r.handoff_id),
        sender: r.sender,
        agentId: toNumOrNull(r.agent_id),
        text: r.text,
        delivery: r.delivery ?? null,
        createdAt: Number(r.created_at),
      }));
    },
    async addNote(handoffId, agentId, text, at) {
      const [row] = await knex('handoff_notes').insert({ handoff_id: handoffId, agent_id: agentId, text, created_at: at }).returning('id');
      return { id: Number(typeof row === 'object' ? row.id : row), handoffId, agentId, text, createdAt: at };
    },
    async listNotes(handoffId) {
      const rows = await knex('handoff_notes').where({ handoff_id: handoffId }).orderBy('id');
      return rows.map((r) => ({
        id: Number(r.id),
        handoffId: Number(r.handoff_id),
        agentId: Number(r.agent_id),
        text: r.text,
        createdAt: Number(r.created_at),
      }));
    },
  };
}

/** A row as the database returns it (`toHandoff` maps it to the domain object). */
interface HandoffRow {
  id: number | string;
  conversation_id: number | string;
  customer_id: number | string | null;
  complaint_id: number | string | null;
  status: HandoffRecord['status'];
  reason: HandoffRecord['reason'];
  reasons: string | null;
  priority: number | string;
  severity: HandoffRecord['severity'] | null | undefined;
  tier: HandoffRecord['tier'] | null | undefined;
  locale: HandoffRecord['locale'] | null | undefined;
  mode: HandoffRecord['mode'] | null | undefined;
  packet: string | null;
  agent_id: number | string | null;
  queued_at: number | string;
  accepted_at: number | string | null;
  ended_at: number | string | null;
  outcome: HandoffRecord['outcome'] | null | undefined;
}

/** Maps a `handoffs` row to the record. */
export function toHandoff(row: HandoffRow): HandoffRecord {
  return {
    id: Number(row.id),
    conversationId: Number(row.conversation_id),
    customerId: toNumOrNull(row.customer_id),
    complaintId: toNumOrNull(row.complaint_id),
    status: row.status,
    reason: row.reason,
    reasons: parseJson(row.reasons, []),
    priority: Number(row.priority),
    severity: row.severity ?? null,
    tier: row.tier ?? null,
    locale: row.locale ?? null,
    mode: row.mode ?? 'internal',
    packet: parseJson(row.packet, {}),
    agentId: toNumOrNull(row.agent_id),
    queuedAt: Number(row.queued_at),
    acceptedAt: toNumOrNull(row.accepted_at),
    endedAt: toNumOrNull(row.ended_at),
    outcome: row.outcome ?? null,
  };
}
