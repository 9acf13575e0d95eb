import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Knex } from 'knex';
import pg from 'pg';
import type { Logger } from 'pino';
import { dialect } from '../../../data/db';
import { errorSummary } from '../../middleware/transcriptMiddleware';

/** Something new in a conversation: a stored activity (by its watermark), or one that is never stored (typing). */
export type Notice = { conversationId: string; seq: number } | { conversationId: string; ephemeral: Record<string, unknown> };

/** The PostgreSQL channel every instance listens on. */
const CHANNEL = 'directline_activity';
// NOTIFY payloads must stay under 8000 bytes; a typing indicator is far smaller, anything bigger is not sent across.
const MAX_PAYLOAD = 7000;

/**
 * Tells the streams that a conversation has something new. Within the process through an emitter; across instances on
 * PostgreSQL through LISTEN/NOTIFY on a connection of its own (a pooled one would be handed back and lose the LISTEN).
 * Notices are wake-up calls: a stream reads what is new from the table, so a notice lost while the LISTEN connection
 * was down only delays delivery (the streams re-read when it comes back, and on every keep-alive).
 */
export class ActivityNotifier {
  private readonly emitter = new EventEmitter();
  private readonly resync = new EventEmitter();
  /** Ours, so that our own notifications coming back through PostgreSQL are not taken twice. */
  private readonly instance = randomBytes(6).toString('base64url');
  private readonly pgConnection: unknown;
  private client?: pg.Client;
  private timer?: NodeJS.Timeout;
  private attempt = 0;
  private closed = false;

  constructor(
    private readonly knex: Knex,
    private readonly logger: Logger,
  ) {
    // Every open stream listens; the default limit of 10 is a leak warning, not meant for this.
    this.emitter.setMaxListeners(0);
    this.resync.setMaxListeners(0);
    this.pgConnection = dialect(knex) === 'pg' ? knex.client.config.connection : undefined;
  }

  /** Starts listening across instances (PostgreSQL); resolves once the first attempt is over, whatever its outcome. */
  async start(): Promise<void> {
    if (this.pgConnection !== undefined) await this.connect();
  }

  /** Announces a stored activity, inside the transaction that stores it: PostgreSQL delivers it on commit only. */
  readonly inTransaction = async (trx: Knex.Transaction, conversationId: string, seq: number): Promise<void> => {
    if (this.pgConnection === undefined) return;
    await trx.raw('select pg_notify(?, ?)', [CHANNEL, JSON.stringify({ i: this.instance, c: conversationId, s: seq })]);
  };

  /** Tells this instance's streams about a stored activity (after its commit). */
  stored(conversationId: string, seq: number): void {
    this.emitter.emit('notice', { conversationId, seq } satisfies Notice);
  }

  /** Sends an activity that is not stored (a typing indicator) to the conversation's streams on every instance. */
  async ephemeral(conversationId: string, activity: Record<string, unknown>): Promise<void> {
    this.emitter.emit('notice', { conversationId, ephemeral: activity } satisfies Notice);
    if (this.pgConnection === undefined) return;
    const payload = JSON.stringify({ i: this.instance, c: conversationId, a: activity });
    if (Buffer.byteLength(payload) > MAX_PAYLOAD) return;
    await this.knex.raw('select pg_notify(?, ?)', [CHANNEL, payload]);
  }

  /** Listens to notices; returns the function that stops listening. */
  subscribe(listener: (notice: Notice) => void): () => void {
    this.emitter.on('notice', listener);
    return () => this.emitter.off('notice', listener);
  }

  /** Called whenever notices may have been missed (the LISTEN connection came back). */
  onResync(listener: () => void): () => void {
    this.resync.on('resync', listener);
    return () => this.resync.off('resync', listener);
  }

  /** Stops listening and drops the connection. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.emitter.removeAllListeners();
    this.resync.removeAllListeners();
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client(this.pgConnection as pg.ClientConfig);
    // Only the connection in use counts: errors while connecting are handled below, and close() lets go first.
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      if (!this.closed) {
        this.logger.warn({ event: 'directline.listen_lost', err: err ? errorSummary(err) : undefined });
        this.schedule();
      }
    };
    client.on('notification', (msg) => this.take(msg.payload));
    client.on('error', (err) => {
      lost(err);
      client.end().catch(() => undefined);
    });
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      if (this.closed) {
        await client.end();
        return;
      }
      this.client = client;
      if (this.attempt > 0) this.logger.info({ event: 'directline.listen_restored' });
      this.attempt = 0;
      this.resync.emit('resync');
    } catch (err) {
      this.logger.warn({ event: 'directline.listen_failed', err: errorSummary(err) });
      client.end().catch(() => undefined);
      this.schedule();
    }
  }

  private schedule(): void {
    if (this.closed || this.timer) return;
    const delay = Math.min(30_000, 500 * 2 ** this.attempt);
    this.attempt++;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, delay);
    this.timer.unref();
  }

  private take(payload: string | undefined): void {
    if (!payload) return;
    let msg: { i?: unknown; c?: unknown; s?: unknown; a?: unknown };
    try {
      msg = JSON.parse(payload);
    } catch {
      return;
    }
    if (msg.i === this.instance || typeof msg.c !== 'string') return;
    if (typeof msg.s === 'number') this.emitter.emit('notice', { conversationId: msg.c, seq: msg.s } satisfies Notice);
    else if (msg.a && typeof msg.a === 'object')
      this.emitter.emit('notice', { conversationId: msg.c, ephemeral: msg.a as Record<string, unknown> } satisfies Notice);
  }
}
