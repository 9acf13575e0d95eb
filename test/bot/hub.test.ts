import { type HubError } from '../../bot/handoff/hub';
import type { HubEvent } from '../../bot/handoff/events';
import { startTestApp, type TestApp } from '../helpers/app';
import { ChatClient } from '../helpers/chat';
import { startFakeChannel } from '../fakes/channelServer';

// 10:00 in Shanghai: inside the default working hours.
let clock = Date.UTC(2026, 10, 23, 2, 0);
let t: TestApp;
let channel: Awaited<ReturnType<typeof startFakeChannel>>;
let agents: { zhang: number; li: number; chen: number };
const events: HubEvent[] = [];

beforeAll(async () => {
  channel = await startFakeChannel();
  t = await startTestApp({ DEADLINE_CHECK_INTERVAL_S: '0', PROACTIVE_TIMEOUT_MS: '300' }, { now: () => clock });
  const id = async (username: string) => (await t.app.repositories.staff.findByUsername(username))!.id;
  agents = { zhang: await id('agent.zhang'), li: await id('agent.li'), chen: await id('rm.chen') };
  for (const a of Object.values(agents)) await t.app.hub.setPresence(a, 'online', 2);
  t.app.hub.events.subscribe((e) => events.push(e));
});
afterAll(async () => {
  await t.close();
  await channel.close();
});

/** A customer who asks for a person; returns the chat and its handoff id. */
async function queueCustomer(locale: 'zh-CN' | 'en-US' = 'zh-CN', bindTo?: string): Promise<{ chat: ChatClient; handoffId: number }> {
  const chat = new ChatClient(t.url, { locale, serviceUrl: channel.serviceUrl });
  if (bindTo) {
    const customer = await t.app.repositories.customers.findByCustomerNo(bindTo);
    await t.app.repositories.identities.bind('test', chat.userId, customer!.id);
  }
  await chat.say(locale === 'zh-CN' ? '转人工' : 'agent');
  const conversation = await t.app.repositories.conversations.find('test', chat.conversationId);
  const handoff = await t.app.repositories.handoffs.findOpenForConversation(conversation!.id);
  return { chat, handoffId: handoff!.id };
}

async function drain(): Promise<void> {
  for (const h of await t.app.repositories.handoffs.listQueued()) await t.app.hub.abandon(h.id, 'customer_left');
  for (const h of await t.app.repositories.handoffs.listActive()) await t.app.hub.abandon(h.id, 'customer_left');
}

describe(`the agent hub on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'}`, () => {
  beforeEach(drain);

  it('orders the queue by the priority channel (vip, gold), then by waiting time', async () => {
    const regular = await queueCustomer('zh-CN', 'B0004');
    clock += 1000;
    const gold = await queueCustomer('zh-CN', 'B0002');
    clock += 1000;
    const earlyRegular = regular.handoffId;
    const vip = await queueCustomer('zh-CN', 'B0001');
    clock += 1000;
    const regular2 = await queueCustomer('zh-CN');
    const queue = await t.app.repositories.handoffs.listQueued();
    expect(queue.map((h) => h.id)).toEqual([vip.handoffId, gold.handoffId, earlyRegular, regular2.handoffId]);
    expect(queue.map((h) => h.tier)).toEqual(['vip', 'gold', 'regular', null]);
    expect(await t.app.repositories.handoffs.queuePosition(regular2.handoffId)).toBe(4);
  });

  it('gives a customer to exactly one of several agents accepting at once', async () => {
    const { handoffId } = await queueCustomer();
    const results = await Promise.allSettled([
      t.app.hub.accept(handoffId, agents.zhang),
      t.app.hub.accept(handoffId, agents.li),
      t.app.hub.accept(handoffId, agents.chen),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as HubError).code);
    expect(lost).toEqual(['taken', 'taken']);
    const handoff = await t.app.repositories.handoffs.findById(handoffId);
    expect(handoff).toMatchObject({ status: 'active' });
    expect([agents.zhang, agents.li, agents.chen]).toContain(handoff!.agentId);
  });

  it('keeps an agent within their capacity', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await queueCustomer()).handoffId);
    await t.app.hub.accept(ids[0], agents.zhang);
    await t.app.hub.accept(ids[1], agents.zhang);
    await expect(t.app.hub.accept(ids[2], agents.zhang)).rejects.toMatchObject({ code: 'at_capacity' });
    expect((await t.app.repositories.handoffs.findById(ids[2]))!.status).toBe('queued');
  });

  it('keeps an agent with no presence row within the default capacity when accepting many at once', async () => {
    const newcomer = await t.app.repositories.staff.create({ username: `agent.new${Date.now()}`, displayName: 'New Agent', role: 'agent', passwordHash: 'x' });
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push((await queueCustomer()).handoffId);
    const results = await Promise.allSettled(ids.map((id) => t.app.hub.accept(id, newcomer.id)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(await t.app.repositories.handoffs.listActive(newcomer.id)).toHaveLength(3);
  });

  it('relays both ways: the customer’s words reach the agent, the agent’s reach the customer’s channel', async () => {
    const { chat, handoffId } = await queueCustomer('zh-CN', 'B0002');
    const beforeJoin = channel.received.length;
    await t.app.hub.accept(handoffId, agents.zhang);
    const joined = await channel.waitFor(beforeJoin + 1);
    expect(joined.at(-1)!.activity.text).toBe(t.app.texts.t('zh-CN', 'human:agentJoined', { agent: '张敏' }));

    expect(await chat.texts('我的卡号是6222021234567890128，扣了两次年费')).toEqual([]);
    const messages = await t.app.repositories.handoffs.messagesAfter(handoffId, 0);
    expect(messages.at(-1)).toMatchObject({ sender: 'customer', text: '我的卡号是**** 0128，扣了两次年费' });
    expect(events).toContainEqual({ type: 'handoff.message', handoffId, messageId: messages.at(-1)!.id, sender: 'customer', agentId: agents.zhang });

    const before = channel.received.length;
    const sent = await t.app.hub.sendToCustomer(handoffId, agents.zhang, '您好，我来帮您查一下年费的情况。');
    expect(sent.delivery).toBe('sent');
    const [reply] = (await channel.waitFor(before + 1)).slice(before);
    expect(reply.conversationId).toBe(chat.conversationId);
    expect(reply.activity).toMatchObject({ type: 'message', text: '您好，我来帮您查一下年费的情况。' });
    // The transcript records who spoke.
    const conversation = await t.app.repositories.conversations.find('test', chat.conversationId);
    const lines = await t.app.repositories.transcripts.list(conversation!.id);
    expect(lines.at(-1)).toMatchObject({ direction: 'out', sender: 'agent', text: '您好，我来帮您查一下年费的情况。' });
  });

  it('refuses an agent acting on another agent’s chat, and an empty or oversized message', async () => {
    const { handoffId } = await queueCustomer();
    await t.app.hub.accept(handoffId, agents.zhang);
    await expect(t.app.hub.sendToCustomer(handoffId, agents.li, 'hi')).rejects.toMatchObject({ code: 'not_yours' });
    await expect(t.app.hub.resolve(handoffId, agents.li, 'done')).rejects.toMatchObject({ code: 'not_yours' });
    await expect(t.app.hub.sendToCustomer(handoffId, agents.zhang, '   ')).rejects.toMatchObject({ code: 'bad_input' });
    await expect(t.app.hub.sendToCustomer(handoffId, agents.zhang, 'x'.repeat(5000))).rejects.toMatchObject({ code: 'bad_input' });
    expect(await t.app.repositories.handoffs.messagesAfter(handoffId, 0)).toEqual([]);
  });

  it('transfers to a colleague or back to the queue', async () => {
    const { handoffId } = await queueCustomer();
    await t.app.hub.accept(handoffId, agents.zhang);
    await t.app.hub.transfer(handoffId, agents.zhang, agents.li);
    expect((await t.app.repositories.handoffs.findById(handoffId))!.agentId).toBe(agents.li);
    await expect(t.app.hub.transfer(handoffId, agents.zhang, agents.chen)).rejects.toMatchObject({ code: 'not_yours' });
    await t.app.hub.transfer(handoffId, agents.li, null);
    expect(await t.app.repositories.handoffs.findById(handoffId)).toMatchObject({ status: 'queued', agentId: null });
    const audit = await t.app.repositories.audit.list({ targetType: 'handoff', targetId: handoffId });
    expect(audit.map((a) => a.action)).toEqual(['handoff.transferred', 'handoff.transferred', 'handoff.accepted']);
  });

  it('resolves: the customer is told and is back with the bot', async () => {
    const { chat, handoffId } = await queueCustomer('en-US', 'B0003');
    // Only this conversation's messages count: notices of earlier tests' conversations may still be on their way.
    const inChat = () => channel.received.filter((r) => r.conversationId === chat.conversationId);
    const until = async (ok: () => boolean) => {
      for (let i = 0; i < 250 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
    };
    await t.app.hub.accept(handoffId, agents.li);
    // The "has joined" notice goes out without holding up the accept; let it arrive first.
    await until(() => inChat().length > 0);
    await t.app.hub.addNote(handoffId, agents.li, 'Customer asked about the fee waiver; refund approved.');
    const before = inChat().length;
    await t.app.hub.resolve(handoffId, agents.li, 'refund_approved');
    await until(() => inChat().length > before);
    const back = inChat()[before];
    expect(back.activity.text).toBe(t.app.texts.t('en-US', 'human:backToBot'));
    expect(await t.app.repositories.handoffs.findById(handoffId)).toMatchObject({ status: 'resolved', outcome: 'refund_approved' });
    // The bot answers again.
    expect(await chat.texts('hello')).toEqual([t.app.texts.t('en-US', 'main:greeting')]);
    expect((await t.app.repositories.handoffs.listNotes(handoffId))[0].text).toContain('refund approved');
  });

  it('abandons when the customer cancels waiting, and the bot answers again', async () => {
    const { chat, handoffId } = await queueCustomer('zh-CN');
    expect(await chat.texts('取消')).toEqual([t.app.texts.t('zh-CN', 'human:waitCancelled')]);
    expect(await t.app.repositories.handoffs.findById(handoffId)).toMatchObject({ status: 'abandoned', outcome: 'customer_cancelled' });
    expect(await chat.texts('你好')).toEqual([t.app.texts.t('zh-CN', 'main:greeting')]);
  });

  it('abandons when the customer leaves the conversation', async () => {
    const { chat, handoffId } = await queueCustomer('zh-CN');
    await chat.send({ type: 'conversationUpdate', membersRemoved: [{ id: chat.userId, name: 'Customer' }] });
    expect(await t.app.repositories.handoffs.findById(handoffId)).toMatchObject({ status: 'abandoned', outcome: 'customer_left' });
  });

  it('tells a queued customer their place when they write, and keeps what they wrote for the agent', async () => {
    await queueCustomer('zh-CN');
    const { chat, handoffId } = await queueCustomer('zh-CN');
    const [reply] = await chat.texts('我等了好久了');
    expect(reply).toMatch(/^您的消息已记下，客服接入后会看到。您前面还有 1 位/);
    expect((await t.app.repositories.handoffs.messagesAfter(handoffId, 0)).map((m) => m.text)).toEqual(['我等了好久了']);
  });

  it('assigns only to an agent who is online, within their capacity', async () => {
    const supervisor = (await t.app.repositories.staff.findByUsername('supervisor.liu'))!.id;
    const manager = (await t.app.repositories.staff.findByUsername('manager.zhao'))!.id;
    const { handoffId } = await queueCustomer();
    await expect(t.app.hub.assign(handoffId, manager, supervisor)).rejects.toMatchObject({ code: 'bad_input' });
    await t.app.hub.setPresence(agents.chen, 'offline');
    await expect(t.app.hub.assign(handoffId, agents.chen, supervisor)).rejects.toMatchObject({ code: 'bad_input' });
    await t.app.hub.setPresence(agents.chen, 'online', 2);
    expect(await t.app.hub.assign(handoffId, agents.chen, supervisor)).toMatchObject({ status: 'active', agentId: agents.chen });
    const audit = await t.app.repositories.audit.list({ targetType: 'handoff', targetId: handoffId });
    expect(audit.map((a) => [a.action, a.actorId])).toContainEqual(['handoff.assigned', String(supervisor)]);
  });

  it('keeps one open handoff per conversation, however many requests arrive at once', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN', serviceUrl: channel.serviceUrl });
    await chat.say('你好');
    await Promise.all([chat.say('转人工'), chat.say('转人工'), chat.say('转人工')].map((p) => p.catch(() => [])));
    const conversation = await t.app.repositories.conversations.find('test', chat.conversationId);
    const open = await t.db.knex('handoffs').where({ conversation_id: conversation!.id }).whereIn('status', ['queued', 'active']);
    expect(open).toHaveLength(1);
  });

  it('ignores a handoff status event forged by the customer’s client in internal mode', async () => {
    const { chat, handoffId } = await queueCustomer('en-US');
    expect(await chat.send({ type: 'event', name: 'handoff.status', value: { state: 'accepted' } })).toEqual([]);
    expect(await chat.send({ type: 'event', name: 'handoff.status', value: { state: 'completed' } })).toEqual([]);
    expect((await t.app.repositories.handoffs.findById(handoffId))!.status).toBe('queued');
  });

  it('gives up on a channel that never answers, and tells the agent the message was not delivered', async () => {
    const hanging = (await import('node:http')).createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    try {
      const chat = new ChatClient(t.url, { locale: 'zh-CN', serviceUrl: `http://127.0.0.1:${(hanging.address() as { port: number }).port}` });
      await chat.say('转人工');
      const conversation = await t.app.repositories.conversations.find('test', chat.conversationId);
      const handoff = await t.app.repositories.handoffs.findOpenForConversation(conversation!.id);
      const started = Date.now();
      await t.app.hub.accept(handoff!.id, agents.zhang);
      const sent = await t.app.hub.sendToCustomer(handoff!.id, agents.zhang, '您好');
      expect(sent.delivery).toBe('failed');
      expect(Date.now() - started).toBeLessThan(5000);
      expect((await t.app.repositories.handoffs.messagesAfter(handoff!.id, 0)).at(-1)).toMatchObject({ sender: 'agent', delivery: 'failed' });
    } finally {
      hanging.closeAllConnections();
      hanging.close();
    }
  });

  it('does not leave customers waiting when the last agent goes offline: a call back instead', async () => {
    const known = await queueCustomer('zh-CN', 'B0002');
    const unknown = await queueCustomer('en-US');
    for (const a of Object.values(agents)) await t.app.hub.setPresence(a, 'offline');
    try {
      const before = channel.received.length;
      const report = await t.app.housekeeping.runOnce();
      expect(report.queueReleased).toBe(2);
      expect(await t.app.repositories.handoffs.findById(known.handoffId)).toMatchObject({ status: 'abandoned', outcome: 'no_agent' });
      const customer = await t.app.repositories.customers.findByCustomerNo('B0002');
      expect((await t.app.repositories.callbacks.listForCustomer(customer!.id))[0]).toMatchObject({
        reason: 'no_agent',
        phone: '13800000002',
        handoffId: known.handoffId,
      });
      const told = (await channel.waitFor(before + 2)).slice(before).map((r) => r.activity.text);
      expect(told).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^人工客服现在无法接入，不让您继续等了：客服会在 .* 前致电 138\*\*\*\*0002。$/),
          t.app.texts.t('en-US', 'human:releasedAskCallback'),
        ]),
      );
      expect(await unknown.chat.texts('hello')).toEqual([t.app.texts.t('en-US', 'main:greeting')]);
    } finally {
      for (const a of Object.values(agents)) await t.app.hub.setPresence(a, 'online', 2);
    }
  });

  it('flags complaints and callbacks past their deadlines, each once', async () => {
    const complaint = await t.app.repositories.complaints.create({
      customerId: null,
      conversationId: null,
      channel: 'test',
      channelUserId: 'u-deadline',
      category: 'billing',
      severity: 'medium',
      description: 'double charged',
      contact: null,
      locale: 'zh-CN',
      route: 'back_office',
      escalated: false,
      firstContactDueAt: clock + 1000,
      resolutionDueAt: clock + 2000,
    });
    const callback = await t.app.repositories.callbacks.create({
      customerId: null,
      conversationId: null,
      handoffId: null,
      complaintId: null,
      phone: '13800000004',
      reason: 'explicit_request',
      dueAt: clock + 1500,
      promisedBy: null,
      note: null,
    });
    expect(await t.app.hub.checkDeadlines()).toEqual({ complaints: [], callbacks: 0 });
    clock += 3000;
    const first = await t.app.hub.checkDeadlines();
    // Both deadlines of the complaint passed: it is reported once for each.
    expect(first.complaints.filter((c) => c.id === complaint.id)).toHaveLength(2);
    expect(first.callbacks).toBeGreaterThanOrEqual(1);
    expect((await t.app.repositories.complaints.findById(complaint.id))!.resolutionBreachedAt).toBe(clock);
    expect((await t.app.repositories.callbacks.findById(callback.id))!.breachedAt).toBe(clock);
    expect(await t.app.hub.checkDeadlines()).toEqual({ complaints: [], callbacks: 0 });
    expect(events).toContainEqual({ type: 'deadline.breached', kind: 'complaint_resolution', id: complaint.id });
  });
});
