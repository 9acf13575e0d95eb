import type { AddressInfo } from 'node:net';
import type { CloudAdapter, TurnContext } from 'botbuilder';
import restify, { type Request, type Response } from 'restify';
import type { Logger } from 'pino';
import { validateActivity } from './activityValidation';
import { bodyReader } from './bodyReader';
import { scrubRequest } from './inputScrub';
import { errorSummary } from './middleware/transcriptMiddleware';
import { maskPii } from '../retention/pii';
import { inMemoryMultipart } from './multipart';
import { upgradeRoutes } from './upgrades';

/** The only thing a client learns of a failure inside the service. */
export const INTERNAL_ERROR = Object.freeze({ code: 'InternalError', message: 'the request could not be processed' });

/**
 * The response as CloudAdapter writes to it, except that a failure's body (CloudAdapter sends the error's own
 * message, "endpoint.toLowerCase is not a function") becomes the generic one; the real message goes to the log.
 */
function guardedResponse(res: Response, logger: Logger): Response {
  let status = 200;
  const guard = {
    socket: res.socket,
    header: (name: string, value: unknown) => {
      res.header(name, value as string);
      return guard;
    },
    status: (code: number) => {
      status = code;
      res.status(code);
      return guard;
    },
    send: (body?: unknown) => {
      if (status >= 500) {
        logger.error({
          event: 'http.messages_failed',
          status,
          err: { message: maskPii(typeof body === 'string' ? body : JSON.stringify(body ?? null)).slice(0, 300) },
        });
        res.send(status, { error: INTERNAL_ERROR });
        return guard;
      }
      res.send(body);
      return guard;
    },
    end: (...args: unknown[]) => {
      (res.end as (...a: unknown[]) => void)(...args);
      return guard;
    },
  };
  return guard as unknown as Response;
}

/** What the HTTP layer needs from the rest of the service. */
export interface ServerDeps {
  adapter: CloudAdapter;
  logic: (context: TurnContext) => Promise<void>;
  logger: Logger;
  maxBodyBytes: number;
  /** How long a request's body may take to arrive. */
  bodyTimeoutMs: number;
  /** Reports whether the database answers. */
  databaseReachable: () => Promise<boolean>;
  version: string;
}

/** The HTTP server, with a count of requests in flight so shutdown can wait for them. */
export interface HttpServer {
  server: restify.Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops accepting requests and waits (at most `graceMs`) for those in flight. */
  close(graceMs: number): Promise<void>;
}

/** Builds the restify server with the bot endpoint and the health check. */
export function createHttpServer(deps: ServerDeps): HttpServer {
  const server = restify.createServer({ name: 'retention-assistant', handleUncaughtExceptions: false });
  // Every WebSocket upgrade is answered: by the endpoint that registers its path here, else with 404.
  upgradeRoutes(server.server);
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const startedAt = performance.now();

  server.use((_req, res, next) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) drained?.();
    });
    next();
  });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  // Multipart bodies are bounded too and kept in memory, never as temporary files (see bot/multipart.ts).
  const multipart = inMemoryMultipart(deps.maxBodyBytes);
  server.pre(multipart.limit);
  // Bodies are read (and inflated, bounded) by our reader; restify's parser then only parses them. CloudAdapter needs
  // the parsed body; restify answers 400 for malformed JSON.
  server.use(bodyReader({ maxBytes: deps.maxBodyBytes, compressedPaths: new Set(['/api/messages']), timeoutMs: deps.bodyTimeoutMs }));
  server.use(restify.plugins.bodyParser({ maxBodySize: deps.maxBodyBytes, mapParams: false, mapFiles: false, ...multipart.handlers }));
  server.use(scrubRequest);

  server.post('/api/messages', async (req: Request, res: Response) => {
    if (!req.is('json')) {
      res.send(415, { error: { code: 'UnsupportedMediaType', message: 'send the activity as application/json' } });
      return;
    }
    const problem = validateActivity(req.body);
    if (problem) {
      res.send(400, { error: problem });
      return;
    }
    try {
      await deps.adapter.process(req, guardedResponse(res, deps.logger), deps.logic);
    } catch (err) {
      deps.logger.error({ event: 'http.messages_failed', err: { name: (err as Error).name, message: (err as Error).message } });
      if (!res.headersSent) res.send(500, { error: INTERNAL_ERROR });
    }
  });

  server.get('/healthz', async (_req: Request, res: Response) => {
    const database = (await deps.databaseReachable()) ? 'ok' : 'unreachable';
    const body = {
      status: database === 'ok' ? 'ok' : 'degraded',
      database,
      version: deps.version,
      uptimeS: Math.round((performance.now() - startedAt) / 1000),
    };
    res.send(database === 'ok' ? 200 : 503, body);
  });

  server.on('restifyError', (req: Request, _res: Response, err: Error & { statusCode?: number }, cb: () => void) => {
    if ((err.statusCode ?? 500) >= 500) {
      deps.logger.error({ event: 'http.error', path: req.getPath(), err: errorSummary(err) });
      // restify would answer with the error's own message (a SQL statement, a driver's complaint): never to a client.
      const generic = () => INTERNAL_ERROR.message;
      Object.assign(err, { toString: generic, toJSON: () => ({ error: INTERNAL_ERROR }) });
    }
    return cb();
  });

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve(server.address() as AddressInfo));
      });
    },
    async close(graceMs) {
      const http = server.server;
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => {
            drained = resolve;
          }),
          new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref()),
        ]);
      }
      http.closeAllConnections();
      await closed;
    },
  };
}
