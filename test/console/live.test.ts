import restify from 'restify';
import WebSocket from 'ws';
import { type ConsoleEvent, createLiveChannel, type LiveChannel } from '../../console/live';
import { startTestApp, type TestApp } from '../helpers/app';
import { StaffClient } from '../helpers/staff';

// The live channel on a server of its own, checking its sockets every 50 ms, over the service's database and sessions.
let t: TestApp;
let server: restify.Server;
let live: LiveChannel;
let url: string;
const listeners = new Set<(event: ConsoleEvent) => void>();
const emit = (event: ConsoleEvent) => listeners.forEach((l) => l(event));

beforeAll(async () => {
  t = await startTestApp({ DEADLINE_CHECK_INTERVAL_S: '0' });
  server = restify.createServer();
  const { repositories: repos, logger } = t.app;
  live = createLiveChannel(server, {
    sessions: repos.sessions,
    staff: repos.staff,
    handoffs: repos.handoffs,
    events: {
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    now: Date.now,
    logger,
    checkEveryMs: 50,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `ws://127.0.0.1:${(server.address() as { port: number }).port}/console/live`;
});
afterAll(async () => {
  await live.close();
  server.close();
  await t.close();
});

/** Signs in and opens the live channel with the session, from the page's own origin unless told otherwise. */
async function open(username: string, origin?: string): Promise<{ ws: WebSocket; events: ConsoleEvent[]; closed: Promise<number>; outcome: Promise<string> }> {
  const staff = new StaffClient(t.url);
  expect((await staff.login(username)).status).toBe(303);
  const host = new URL(url).host;
  const ws = new WebSocket(url, { headers: { cookie: staff.cookie, origin: origin ?? `http://${host}` } });
  const events: ConsoleEvent[] = [];
  ws.on('message', (data) => {
    const event = JSON.parse(String(data));
    if (event.type !== 'hello') events.push(event);
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  const outcome = new Promise<string>((resolve) => {
    ws.on('open', () => resolve('open'));
    ws.on('unexpected-response', (_req, res) => resolve(`status ${res.statusCode}`));
    ws.on('error', (err) => resolve(err.message));
  });
  return { ws, events, closed, outcome };
}

async function settle(ms = 300): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

describe('the console’s live channel', () => {
  it('refuses a socket opened by another site’s page, and takes the console’s own', async () => {
    const foreign = await open('agent.zhang', 'https://evil.example');
    await expect(foreign.outcome).resolves.toBe('status 403');
    const sibling = await open('agent.zhang', `http://console.127.0.0.1.nip.example:${new URL(url).port}`);
    await expect(sibling.outcome).resolves.toBe('status 403');
    const own = await open('agent.zhang');
    await expect(own.outcome).resolves.toBe('open');
    own.ws.close();
  });

  it('closes the socket of a staff member deactivated while the page is open', async () => {
    const { outcome, closed } = await open('agent.li');
    await expect(outcome).resolves.toBe('open');
    await t.db.knex('staff').where({ username: 'agent.li' }).update({ active: false });
    try {
      await expect(closed).resolves.toBe(4001);
    } finally {
      await t.db.knex('staff').where({ username: 'agent.li' }).update({ active: true });
    }
  });

  it('stops showing a supervisor’s view to one made an agent, and closes it for one made a manager', async () => {
    const { ws, events, outcome, closed } = await open('supervisor.liu');
    await expect(outcome).resolves.toBe('open');
    // Someone else's chat: a supervisor hears it.
    emit({ type: 'handoff.message', handoffId: 1, messageId: 1, sender: 'customer', agentId: 999_999 });
    await settle();
    expect(events).toEqual([{ type: 'handoff.message', handoffId: 1, messageId: 1, sender: 'customer', agentId: 999_999 }]);
    try {
      await t.db.knex('staff').where({ username: 'supervisor.liu' }).update({ role: 'agent' });
      await settle();
      emit({ type: 'handoff.message', handoffId: 1, messageId: 2, sender: 'customer', agentId: 999_999 });
      emit({ type: 'queue.changed' });
      await settle();
      // The queue, as any agent hears it; not the other agent's chat.
      expect(events.slice(1)).toEqual([{ type: 'queue.changed' }]);
      await t.db.knex('staff').where({ username: 'supervisor.liu' }).update({ role: 'manager' });
      await expect(closed).resolves.toBe(4001);
    } finally {
      await t.db.knex('staff').where({ username: 'supervisor.liu' }).update({ role: 'supervisor' });
      ws.close();
    }
  });
});
