import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Takes an HTTP upgrade request if it is for this handler's path, and then answers it itself (accepting the WebSocket
 * or refusing it, now or later); returns false, having touched nothing, when the path is not its.
 */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

/** The WebSocket endpoints of one HTTP server. */
export interface UpgradeRoutes {
  /** Adds a handler; returns the function that removes it. */
  add(handler: UpgradeHandler): () => void;
}

const routes = new WeakMap<Server, UpgradeRoutes>();

/**
 * The one `upgrade` listener of an HTTP server: it offers each upgrade request to the registered handlers in turn and
 * answers 404 (then closes the socket) when none takes it. With a listener per endpoint, each ignoring the paths that
 * were not its own, an upgrade to any other path was never answered and the client waited until it gave up. Every
 * WebSocket endpoint (the Direct Line streams, the console's live channel) registers here instead of listening itself.
 */
export function upgradeRoutes(server: Server): UpgradeRoutes {
  let found = routes.get(server);
  if (found) return found;
  const handlers: UpgradeHandler[] = [];
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node leaves an upgraded socket without an error listener; a handler that answers later (after a database read)
    // would otherwise let a client's reset crash the process.
    socket.on('error', () => socket.destroy());
    try {
      for (const handler of [...handlers]) if (handler(req, socket, head)) return;
    } catch {
      // A handler that throws has not answered: the client still gets one.
    }
    answer(socket, 404, 'NotFound', 'there is no WebSocket endpoint at this address');
  });
  found = {
    add(handler) {
      handlers.push(handler);
      return () => {
        const at = handlers.indexOf(handler);
        if (at >= 0) handlers.splice(at, 1);
      };
    },
  };
  routes.set(server, found);
  return found;
}

/** Refuses an upgrade with a JSON error and closes the socket once the answer is written. */
export function answer(socket: Duplex, status: number, code: string, message: string): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message } });
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' }[status] ?? 'Error';
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
