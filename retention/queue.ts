/**
 * Order of the agents' queue and the wait a customer is told (DOMAIN.md, Agents and managers): priority channel
 * first (vip, gold), then severity, then waiting time.
 */
import type { Severity } from './complaints';
import type { Tier } from './types';

const PRIORITY_CHANNEL: readonly Tier[] = ['vip', 'gold'];
// No complaint (a plain "转人工") ranks below a low-severity complaint.
const SEVERITY_RANK: Readonly<Record<Severity, number>> = { low: 1, medium: 2, high: 3, critical: 4 };
const TIER_RANK: Readonly<Record<Tier, number>> = { vip: 3, gold: 2, silver: 1, regular: 0 };

/** What a queue position is ranked by; an unidentified customer has no tier, a plain request no severity. */
export interface PriorityInput {
  tier?: Tier;
  severity?: Severity;
}

/**
 * A queue priority, higher served first: 100 for the priority channel (vip, gold), plus 10 per severity step, plus
 * the tier as the last tie-break. Severity outranks tier inside a channel: a gold customer threatening the regulator
 * is called before a vip with a low complaint. Stored in `handoffs.priority`, so the scale must stay stable.
 */
export function queuePriority(input: PriorityInput): number {
  const channel = input.tier && PRIORITY_CHANNEL.includes(input.tier) ? 100 : 0;
  const severity = input.severity ? SEVERITY_RANK[input.severity] * 10 : 0;
  const tier = input.tier ? TIER_RANK[input.tier] : 0;
  return channel + severity + tier;
}

/** A waiting conversation as the queue sees it. */
export interface QueueEntry {
  id: number;
  priority: number;
  /** Epoch milliseconds. */
  queuedAt: number;
}

/** Sort comparator: higher priority first, then longest waiting, then lower id so the order never flickers. */
export function compareQueueEntries(a: QueueEntry, b: QueueEntry): number {
  return b.priority - a.priority || a.queuedAt - b.queuedAt || a.id - b.id;
}

/** What a wait is estimated from. */
export interface WaitInput {
  /** 1 for the next customer to be served. */
  position: number;
  agentsOnline: number;
  averageHandleMinutes: number;
  /** Conversations one agent handles at once. */
  capacityPerAgent: number;
}

/**
 * Whole minutes until a customer at `position` is likely served, assuming every agent slot is busy and slots free up
 * evenly over the average handle time; at least 1, as "0 minutes" reads as a promise. Undefined when no agent is
 * online: there is nothing to estimate from, and the customer is offered a callback instead.
 */
export function estimateWaitMinutes(input: WaitInput): number | undefined {
  const { position, agentsOnline, averageHandleMinutes, capacityPerAgent } = input;
  if (!Number.isInteger(position) || position < 1) throw new RangeError(`Queue position must be an integer from 1, got ${position}`);
  if (!(averageHandleMinutes > 0)) throw new RangeError(`Average handle time must be positive, got ${averageHandleMinutes}`);
  if (!(capacityPerAgent > 0)) throw new RangeError(`Capacity per agent must be positive, got ${capacityPerAgent}`);
  if (!(agentsOnline > 0)) return undefined;
  const slots = agentsOnline * capacityPerAgent;
  return Math.max(1, Math.ceil((position * averageHandleMinutes) / slots));
}
