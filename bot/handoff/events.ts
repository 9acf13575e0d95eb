import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from 'pino';

/** What the agent hub tells its listeners (the staff console): ids only; listeners read the rest from the database. */
export type HubEvent =
  | { type: 'queue.changed' }
  | { type: 'handoff.updated'; handoffId: number; status: string; agentId: number | null }
  | { type: 'handoff.message'; handoffId: number; messageId: number; sender: 'customer' | 'agent' | 'system'; agentId?: number | null }
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

/**
 * Events shared by every instance on one PostgreSQL database, through LISTEN/NOTIFY: an event published here is
 * delivered locally at once and to the other instances by the database; an instance ignores its own notifications.
 * A notification lost while reconnecting costs only a delay: listeners catch up from the tables.
 */
export async function createPgHubEvents(options: { connection: string | pg.ClientConfig; schema?: string; logger: Logger }): Promise<HubEvents> {
  const local = createLocalHubEvents();
  const origin = randomUUID();
  // One channel per schema: suites and tenants sharing a server do not hear each other.
  const channel = `retention_hub_${(options.schema ?? 'public').replace(/[^a-z0-9_]/gi, '_')}`.slice(0, 63).toLowerCase();
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    // Knex keeps a URL as it was given or parsed into its parts; pg takes either.
    const c = new pg.Client(typeof options.connection === 'string' ? { connectionString: options.connection } : options.connection);
    c.on('notification', (n) => {
      if (!n.payload) return;
      try {
        const { from, event } = JSON.parse(n.payload) as { from: string; event: HubEvent };
        if (from !== origin) local.publish(event);
      } catch {
        // Not ours to read.
      }
    });
    c.on('error', (err) => {
      options.logger.warn({ event: 'hub_events.connection_lost', err: err.message });
      client = undefined;
      void c.end().catch(() => undefined);
      if (!closed) retry = setTimeout(() => void connect().catch(() => undefined), 1000);
    });
    await c.connect();
    await c.query(`LISTEN ${channel}`);
    client = c;
  };
  await connect();

  return {
    publish(event) {
      local.publish(event);
      const payload = JSON.stringify({ from: origin, event });
      client
        ?.query('select pg_notify($1, $2)', [channel, payload])
        .catch((err: Error) => options.logger.warn({ event: 'hub_events.notify_failed', err: err.message }));
    },
    subscribe: local.subscribe,
    async close() {
      closed = true;
      clearTimeout(retry);
      await local.close();
      await client?.end().catch(() => undefined);
    },
  };
}
