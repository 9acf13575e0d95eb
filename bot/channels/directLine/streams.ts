import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import type { DirectLineRepository } from '../../../data/repositories/directLineRepository';
import { errorSummary } from '../../middleware/transcriptMiddleware';
import { answer } from '../../upgrades';
import type { ActivityNotifier, Notice } from './notifier';
import type { ConversationTokens } from './tokens';

/** The path of a conversation's stream; the conversation id is the first group. */
export const STREAM_PATH = /^\/v3\/directline\/conversations\/([A-Za-z0-9_-]{8,64})\/stream$/;

/** What the streams need. */
export interface StreamsDeps {
  /** The service's clock (a token's expiry is counted on it). */
  now: () => number;
  store: DirectLineRepository;
  notifier: ActivityNotifier;
  tokens: ConversationTokens;
  logger: Logger;
  /** How often an empty frame and a ping go out (and each stream re-reads the table, in case a notice was missed). */
  keepAliveMs: number;
  /** Activities per frame. */
  pageSize: number;
  /** The message refusing a stream of a conversation that is not kept, in the language the request asks for. */
  conversationEnded(req: IncomingMessage): string;
}

// A client that lets this much pile up unread is gone or hostile; its socket is dropped.
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
// The same conversation open in more tabs than this: the oldest streams are closed (each costs a read per notice).
const MAX_STREAMS_PER_CONVERSATION = 8;

// setTimeout's longest delay; a token never lives this long (DIRECT_LINE_TOKEN_TTL_S is at most a day).
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Stream {
  ws: WebSocket;
  conversationId: string;
  /** The last sequence number sent. */
  watermark: number;
  alive: boolean;
  busy: boolean;
  again: boolean;
  /** Closes the stream when the token that opened it expires. */
  expiry: NodeJS.Timeout;
}

/**
 * The WebSocket streams of Direct Line conversations. Each stream sends, from its watermark, what the table holds for
 * its conversation, as `{activities, watermark}` frames: on connecting, whenever a notice says something new was stored
 * (here or on another instance), and on every keep-alive. So a stream never depends on a notice arriving, and never
 * sends an activity twice.
 */
export class DirectLineStreams {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });
  private readonly open = new Map<string, Set<Stream>>();
  private readonly timer: NodeJS.Timeout;
  private readonly stopListening: Array<() => void>;

  constructor(private readonly deps: StreamsDeps) {
    this.stopListening = [deps.notifier.subscribe((notice) => this.onNotice(notice)), deps.notifier.onResync(() => this.sweep())];
    this.timer = setInterval(() => this.keepAlive(), deps.keepAliveMs);
    this.timer.unref();
  }

  /** Takes an HTTP upgrade if it is for a conversation stream (answering refusals itself); false when it is not ours. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = STREAM_PATH.exec(url.pathname);
    if (!match) return false;
    const conversationId = match[1];
    const token = url.searchParams.get('t') ?? bearer(req.headers.authorization);
    if (!token) return refuse(socket, 401, 'MissingToken', 'a conversation token is required (?t=)');
    const check = this.deps.tokens.verify(token);
    if (!check.ok) return refuse(socket, 403, check.problem === 'expired' ? 'TokenExpired' : 'BadToken', 'the token is not valid');
    if (check.claims.conversationId !== conversationId) return refuse(socket, 403, 'BadToken', 'the token is for another conversation');
    const watermark = parseWatermark(url.searchParams.get('watermark'));
    if (watermark === undefined) return refuse(socket, 400, 'BadArgument', 'the watermark must be a whole number');
    const { expiresAt } = check.claims;
    // A token can outlive its conversation (refreshed in a tab left open past DIRECT_LINE_KEEP_DAYS): that stream would
    // stay empty for ever, so it is refused as the other calls refuse a deleted conversation.
    this.deps.store.find(conversationId).then(
      (conversation) => {
        if (!conversation) return void refuse(socket, 404, 'NotFound', this.deps.conversationEnded(req));
        this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws, conversationId, watermark, expiresAt));
      },
      (err) => {
        this.deps.logger.warn({ event: 'directline.stream_read_failed', conversationId, err: errorSummary(err) });
        refuse(socket, 500, 'InternalError', 'the stream could not be opened');
      },
    );
    return true;
  }

  /** Closes every stream and stops the keep-alive. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const stop of this.stopListening) stop();
    const sockets = [...this.open.values()].flatMap((set) => [...set].map((s) => s.ws));
    const closed = Promise.all(
      sockets.map((ws) => new Promise<void>((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', () => resolve())))),
    );
    // 1001: going away; a client reconnects (to another instance behind the load balancer) and resumes from its watermark.
    for (const set of this.open.values()) for (const stream of set) clearTimeout(stream.expiry);
    for (const ws of sockets) ws.close(1001, 'server shutting down');
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 500).unref())]);
    for (const ws of sockets) ws.terminate();
    this.open.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private attach(ws: WebSocket, conversationId: string, watermark: number, tokenExpiresAt: number): void {
    // 1000 (normal closure) when the token that opened the stream expires: the client reconnects (GET
    // /conversations/{id}?watermark=) with the token it has refreshed meanwhile, and resumes from its watermark.
    const expiry = setTimeout(() => ws.close(1000, 'token expired'), Math.min(MAX_TIMER_MS, Math.max(0, tokenExpiresAt - this.deps.now())));
    expiry.unref();
    const stream: Stream = { ws, conversationId, watermark, alive: true, busy: false, again: false, expiry };
    let set = this.open.get(conversationId);
    if (!set) this.open.set(conversationId, (set = new Set()));
    set.add(stream);
    if (set.size > MAX_STREAMS_PER_CONVERSATION) {
      const oldest = set.values().next().value as Stream;
      oldest.ws.close(1008, 'too many streams for this conversation');
      set.delete(oldest);
    }
    ws.on('pong', () => {
      stream.alive = true;
    });
    // Clients send empty messages as their own keep-alive; nothing a client sends over the stream means anything.
    ws.on('message', () => {
      stream.alive = true;
    });
    ws.on('error', (err) => this.deps.logger.debug({ event: 'directline.stream_error', conversationId, err: errorSummary(err) }));
    ws.on('close', () => {
      clearTimeout(expiry);
      const current = this.open.get(conversationId);
      current?.delete(stream);
      if (current?.size === 0) this.open.delete(conversationId);
    });
    void this.pump(stream);
  }

  private onNotice(notice: Notice): void {
    const set = this.open.get(notice.conversationId);
    if (!set) return;
    for (const stream of set) {
      if ('seq' in notice) {
        if (notice.seq > stream.watermark) void this.pump(stream);
      } else if (notice.ephemeral.type === 'endOfConversation') {
        // The customer ended the conversation (a new chat): every stream of it, on every instance, ends here.
        stream.ws.close(1000, 'conversation ended');
      } else {
        this.send(stream, { activities: [notice.ephemeral] });
      }
    }
  }

  /** Sends each stream what it has not had yet. */
  private async pump(stream: Stream): Promise<void> {
    if (stream.busy) {
      stream.again = true;
      return;
    }
    stream.busy = true;
    try {
      do {
        stream.again = false;
        for (;;) {
          if (stream.ws.readyState !== WebSocket.OPEN) return;
          const rows = await this.deps.store.list(stream.conversationId, stream.watermark, this.deps.pageSize);
          if (rows.length === 0 || stream.ws.readyState !== WebSocket.OPEN) break;
          stream.watermark = rows[rows.length - 1].seq;
          this.send(stream, { activities: rows.map((r) => r.activity), watermark: String(stream.watermark) });
          if (rows.length < this.deps.pageSize) break;
        }
      } while (stream.again);
    } catch (err) {
      // The next notice or keep-alive tries again from the same watermark.
      this.deps.logger.warn({ event: 'directline.stream_read_failed', conversationId: stream.conversationId, err: errorSummary(err) });
    } finally {
      stream.busy = false;
    }
  }

  private send(stream: Stream, frame: unknown): void {
    if (stream.ws.readyState !== WebSocket.OPEN) return;
    if (stream.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      stream.ws.terminate();
      return;
    }
    stream.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  private keepAlive(): void {
    for (const set of this.open.values()) {
      for (const stream of set) {
        if (!stream.alive) {
          stream.ws.terminate();
          continue;
        }
        stream.alive = false;
        stream.ws.ping();
        // Direct Line's own keep-alive: an empty message, which clients ignore.
        this.send(stream, '');
        void this.pump(stream);
      }
    }
  }

  private sweep(): void {
    for (const set of this.open.values()) for (const stream of set) void this.pump(stream);
  }
}

/** A watermark from a query string: absent or empty means from the start; anything else must be a whole number. */
export function parseWatermark(raw: string | null | undefined): number | undefined {
  if (raw === null || raw === undefined || raw === '') return 0;
  if (!/^\d{1,12}$/.test(raw)) return undefined;
  return Number(raw);
}

/** The credential of an `Authorization: Bearer …` header. */
export function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

function refuse(socket: Duplex, status: number, code: string, message: string): true {
  answer(socket, status, code, message);
  return true;
}
