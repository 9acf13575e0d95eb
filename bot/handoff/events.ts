import { EventEmitter } from 'node:events';

/** What the agent hub tells its listeners (the staff console): ids only; listeners read the rest from the database. */
export type HubEvent =
  | { type: 'queue.changed' }
  | { type: 'handoff.updated'; handoffId: number; status: string; agentId: number | null }
  | { type: 'handoff.message'; handoffId: number; messageId: number; sender: 'customer' | 'agent' | 'system' }
  | { type: 'deadline.breached'; kind: 'complaint_first_contact' | 'complaint_resolution' | 'callback'; id: number };

/** A stream of hub events. Events are wake-up calls: a listener that missed one catches up from the database. */
export interface HubEvents {
  publish(event: HubEvent): void;
  /** Returns the function that stops listening. */
  subscribe(listener: (event: HubEvent) => void): () => void;
  close(): Promise<void>;
}

/** Events within this process (one instance, or the local half of a cross-instance stream). */
export function createLocalHubEvents(): HubEvents {
  const emitter = new EventEmitter();
  // Every open console page listens; the default limit of 10 is a warning meant for leaks, not for this.
  emitter.setMaxListeners(0);
  return {
    publish(event) {
      emitter.emit('event', event);
    },
    subscribe(listener) {
      emitter.on('event', listener);
      return () => emitter.off('event', listener);
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}
