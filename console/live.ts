import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Server } from 'restify';
import { WebSocketServer, type WebSocket } from 'ws';
import type { HandoffRepository } from '../data/repositories/handoffRepository';
import type { SessionRepository } from '../data/repositories/sessionRepository';
import type { StaffRepository } from '../data/repositories/staffRepository';
import { upgradeRoutes } from '../bot/upgrades';
import { can } from './permissions';
import { sameOrigin, signedIn } from './session';

/** An event of the agent hub, as the console's live channel forwards it (ids only; pages fetch what they show). */
export type ConsoleEvent =
  | { type: 'queue.changed' }
  | { type: 'handoff.updated'; handoffId: number; status: string; agentId: number | null }
  | { type: 'handoff.message'; handoffId: number; messageId: number; sender: string; agentId?: number | null }
  | { type: 'deadline.breached'; kind: string; id: number };

/** Where the events come from (the hub's event stream). */
export interface ConsoleEvents {
  subscribe(listener: (event: ConsoleEvent) => void): () => void;
}

/** The live channel: open sockets, closable on shutdown. */
export interface LiveChannel {
  /** Sockets open now (for tests and health). */
  size(): number;
  close(): Promise<void>;
}

/** The path of the live channel. */
export const LIVE_PATH = '/console/live';

/**
 * The console's WebSocket at /console/live: authenticated by the session cookie when it opens (and the session checked
 * again every minute), it forwards each hub event to the staff who may see it — the queue to everyone working it,
 * a chat's messages and changes to the agent holding it and to supervisors. Events carry ids only: the page fetches
 * what is new by message id, so a dropped and reopened socket catches up without gaps or repeats.
 */
export function createLiveChannel(
  server: Server,
  deps: {
    sessions: SessionRepository;
    staff: StaffRepository;
    handoffs: HandoffRepository;
    events: ConsoleEvents;
    now: () => number;
    logger: Logger;
    /** A proxy in front is believed about the host the browser asked for (X-Forwarded-Host). */
    trustProxy?: boolean;
    /** How often open sockets are checked against their session and staff member (default a minute). */
    checkEveryMs?: number;
  },
): LiveChannel {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  const clients = new Map<WebSocket, { staffId: number; supervising: boolean; cookie: string }>();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
    if (!req.url || new URL(req.url, 'http://x').pathname !== LIVE_PATH) return false;
    // Browsers always say where a page opening a socket came from; another site's page (even on a sibling host that
    // the SameSite cookie would reach) is refused.
    if (!sameOrigin(req, deps.trustProxy === true)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return true;
    }
    void (async () => {
      const who = await signedIn(req, deps.sessions, deps.staff, deps.now()).catch(() => undefined);
      if (!who || !can(who.staff.role, 'queue.view')) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        clients.set(ws, { staffId: who.staff.id, supervising: can(who.staff.role, 'supervise.view'), cookie: who.cookie });
        ws.on('close', () => clients.delete(ws));
        ws.on('error', () => clients.delete(ws));
        // The page says nothing over the socket; anything it sends is ignored.
        ws.on('message', () => undefined);
        ws.send(JSON.stringify({ type: 'hello' }));
      });
    })();
    return true;
  };
  const stopUpgrades = upgradeRoutes(server.server).add(onUpgrade);

  const send = (ws: WebSocket, event: ConsoleEvent) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
  };
  const unsubscribe = deps.events.subscribe((event) => {
    void (async () => {
      for (const [ws, who] of clients) {
        if (event.type === 'queue.changed' || event.type === 'deadline.breached') {
          send(ws, event);
          continue;
        }
        if (who.supervising) {
          send(ws, event);
          continue;
        }
        const agentId = 'agentId' in event && event.agentId !== undefined ? event.agentId : (await deps.handoffs.findById(event.handoffId))?.agentId;
        if (agentId === who.staffId) send(ws, event);
      }
    })().catch((err) => deps.logger.warn({ event: 'console.live_failed', err: (err as Error).message }));
  });

  // A session that ended (sign-out, idle expiry) or a staff member deactivated or given another role is seen within a
  // minute: the socket closes, or hears from then on what the new role may.
  const check = async () => {
    for (const [ws, who] of clients) {
      // Looked at, not touched: an open page alone does not keep a session from idling out.
      const session = await deps.sessions.find(who.cookie, deps.now(), false).catch(() => undefined);
      const member = session ? await deps.staff.findById(session.staffId).catch(() => undefined) : undefined;
      if (!member || !member.active || !can(member.role, 'queue.view')) {
        clients.delete(ws);
        ws.close(4001, 'session ended');
        continue;
      }
      who.supervising = can(member.role, 'supervise.view');
      if (ws.readyState === ws.OPEN) ws.ping();
    }
  };
  const sweep = setInterval(() => {
    check().catch((err) => deps.logger.warn({ event: 'console.live_check_failed', err: (err as Error).message }));
  }, deps.checkEveryMs ?? 60_000);
  sweep.unref();

  return {
    size: () => clients.size,
    async close() {
      clearInterval(sweep);
      unsubscribe();
      stopUpgrades();
      for (const ws of clients.keys()) ws.terminate();
      clients.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
