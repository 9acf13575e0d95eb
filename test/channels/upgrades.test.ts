import type { Duplex } from 'node:stream';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { upgradeRoutes } from '../../bot/upgrades';
import { startTestApp, type TestApp } from '../helpers/app';
import { openStream, startConversation, TEST_DIRECT_LINE_SECRET } from '../helpers/directLine';
import { StaffClient } from '../helpers/staff';

/** What a raw WebSocket upgrade request to `path` gets back, and whether the server closed the connection after. */
function rawUpgrade(port: number, path: string, waitMs = 3000): Promise<{ response: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let response = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ response, closed: false });
    }, waitMs);
    socket.on('data', (chunk) => (response += chunk.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ response, closed: true });
    });
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    );
  });
}

/** The status of a WebSocket client's attempt, as the ws client reports it. */
function attempt(url: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.once('message', (data) => {
        resolve(`open: ${String(data)}`);
        ws.close();
      });
    });
    ws.on('error', (err) => resolve(`error: ${err.message}`));
    ws.on('unexpected-response', (_req, res) => resolve(`status ${res.statusCode}`));
  });
}

describe('WebSocket upgrades on the service', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp({ DIRECT_LINE_SECRET: TEST_DIRECT_LINE_SECRET, DEADLINE_CHECK_INTERVAL_S: '0' });
    port = Number(new URL(t.url).port);
  });
  afterAll(() => t.close());

  it.each(['/nope', '/v3/directline/conversations/short/stream', '/console/live/more', '/api/messages'])(
    'answers an upgrade to %s with 404, once, and closes the connection',
    async (path) => {
      const { response, closed } = await rawUpgrade(port, path);
      expect(closed).toBe(true);
      expect(response.match(/HTTP\/1\.1 /g)).toHaveLength(1);
      expect(response).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
      expect(JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4))).toEqual({ error: { code: 'NotFound', message: expect.any(String) } });
    },
  );

  it('still hands the console’s live channel and the Direct Line streams their own upgrades', async () => {
    const live = `${t.url.replace('http', 'ws')}/console/live`;
    expect(await attempt(live)).toBe('status 401');
    const zhang = new StaffClient(t.url);
    expect((await zhang.login('agent.zhang')).status).toBe(303);
    expect(await attempt(live, { cookie: zhang.cookie })).toBe('open: {"type":"hello"}');

    const c = await startConversation(t.url, { locale: 'zh-CN' });
    const stream = await openStream(c.streamUrl);
    try {
      expect(await stream.waitFor((a) => a.length === 1)).toHaveLength(1);
    } finally {
      await stream.close();
    }
    // A refusal by an endpoint is its own answer, not followed by the 404.
    const refused = await rawUpgrade(port, `/v3/directline/conversations/${c.conversationId}/stream`);
    expect(refused.response.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(refused.response).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
  });
});

describe('upgradeRoutes', () => {
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const takes = (path: string, status: number) => (req: http.IncomingMessage, socket: Duplex) => {
    if (req.url !== path) return false;
    socket.end(`HTTP/1.1 ${status} Taken\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    return true;
  };

  it('offers each upgrade to the handlers, answers 404 when none takes it, and forgets a handler removed', async () => {
    const routes = upgradeRoutes(server);
    expect(upgradeRoutes(server)).toBe(routes);
    const removeA = routes.add(takes('/a', 418));
    routes.add(takes('/b', 409));
    routes.add(() => {
      throw new Error('a broken handler');
    });
    expect((await rawUpgrade(port, '/a')).response).toMatch(/^HTTP\/1\.1 418 Taken/);
    expect((await rawUpgrade(port, '/b')).response).toMatch(/^HTTP\/1\.1 409 Taken/);
    expect((await rawUpgrade(port, '/c')).response).toMatch(/^HTTP\/1\.1 404 Not Found/);
    removeA();
    const after = await rawUpgrade(port, '/a');
    expect(after.closed).toBe(true);
    expect(after.response).toMatch(/^HTTP\/1\.1 404 Not Found/);
    expect(server.listenerCount('upgrade')).toBe(1);
  });
});
