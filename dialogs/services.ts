import type { TurnContext } from 'botbuilder';

/** Services from outside the bot that dialogs use, as interfaces; `bot/` supplies the implementations. */

export type { RiskService, SmsSender } from '../services/ports';

export type { Clock } from '../retention/clock';

/** Why the conversation is being handed to a person, and on what decision. */
export interface HandoffRequest {
  trigger: 'explicit_request' | 'complaint' | 'misunderstood' | 'churn_intent' | 'verification';
  /** The escalation policy's reasons, main one first, and the queue priority. */
  reasons: string[];
  priority: number;
  customerId: number | null;
  complaintId?: number | null;
  severity?: string | null;
}

/** Where a queued customer stands. */
export interface QueueTicket {
  handoffId: number;
  /** 1 for the next to be served. */
  position: number;
  /** Undefined when it cannot be estimated. */
  waitMinutes: number | undefined;
}

/** Whether people can take a conversation now. */
export interface Availability {
  /** Inside working hours. */
  open: boolean;
  /** Agents online (busy or not: a queue with an agent online moves). */
  agentsOnline: number;
  /** When working hours start next (now when open). */
  nextOpeningAt: number;
}

/** The agent hub as the dialogs see it: queue a conversation for a person, or promise a call back. */
export interface HandoffService {
  readonly mode: 'internal' | 'external';
  availability(): Promise<Availability>;
  /** Queues the conversation of this turn for an agent; in external mode hands it to the external hub instead. */
  request(context: TurnContext, request: HandoffRequest): Promise<QueueTicket | { external: true; handoffId: number }>;
  /** The open handoff (queued or with an agent) of this turn's conversation. */
  openHandoff(context: TurnContext): Promise<{ id: number; status: 'queued' | 'active'; position?: number } | undefined>;
  /** Records a promised call back. */
  promiseCallback(
    context: TurnContext,
    callback: { customerId: number | null; phone: string | null; reason: string; complaintId?: number | null; dueAt: number; idempotencyKey?: string },
  ): Promise<{ id: number; dueAt: number }>;
}
