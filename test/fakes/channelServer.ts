import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An activity a bot sent to the fake channel, with the path it was sent to. */
export interface ReceivedActivity {
  path: string;
  conversationId: string;
  replyToId?: string;
  activity: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * A loopback fake of a Bot Framework channel's connector service: accepts activities at
 * `POST /v3/conversations/{id}/activities[/{replyToId}]` and remembers them, as the Emulator or Azure would.
 */
export async function startFakeChannel(): Promise<{
  serviceUrl: string;
  received: ReceivedActivity[];
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedActivity[]>;
  close(): Promise<void>;
}> {
  const received: ReceivedActivity[] = [];
  const waiters: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
      if (req.method !== 'POST' || !m) {
        res.statusCode = 404;
        res.end();
        return;
      }
      const activity = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      received.push({ path: req.url!, conversationId: decodeURIComponent(m[1]), replyToId: m[2] ? decodeURIComponent(m[2]) : undefined, activity });
      // Not writeHead(...).end(...): restify, loaded in the same process, patches ServerResponse and writeHead stops chaining.
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id: `fake-${received.length}` }));
      waiters.splice(0).forEach((w) => w());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    serviceUrl: `http://127.0.0.1:${port}`,
    received,
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} activities, got ${received.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return received;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
