import WebSocket from 'ws';
import { startTestApp, type TestApp } from '../helpers/app';
import { ChatClient } from '../helpers/chat';
import { StaffClient } from '../helpers/staff';
import { startFakeChannel } from '../fakes/channelServer';

// 10:00 in Shanghai: working hours.
const clock = Date.UTC(2026, 10, 23, 2, 0);
let t: TestApp;
let channel: Awaited<ReturnType<typeof startFakeChannel>>;

beforeAll(async () => {
  channel = await startFakeChannel();
  t = await startTestApp({ DEADLINE_CHECK_INTERVAL_S: '0' }, { now: () => clock });
});
afterAll(async () => {
  await t.close();
  await channel.close();
});

async function agent(username = 'agent.zhang'): Promise<StaffClient> {
  const c = new StaffClient(t.url);
  await c.login(username);
  expect((await c.post('/console/presence', { status: 'online' })).status).toBe(200);
  return c;
}

async function customerAsksForPerson(customerNo?: string): Promise<{ chat: ChatClient; handoffId: number }> {
  const chat = new ChatClient(t.url, { locale: 'zh-CN', serviceUrl: channel.serviceUrl });
  if (customerNo) {
    const customer = await t.app.repositories.customers.findByCustomerNo(customerNo);
    await t.app.repositories.identities.bind('test', chat.userId, customer!.id);
  }
  await chat.say('我的卡被多扣了年费');
  await chat.say('转人工');
  const conversation = await t.app.repositories.conversations.find('test', chat.conversationId);
  const handoff = await t.app.repositories.handoffs.findOpenForConversation(conversation!.id);
  return { chat, handoffId: handoff!.id };
}

/** Texts the fake channel got for a conversation. */
const received = (chat: ChatClient) => channel.received.filter((r) => r.conversationId === chat.conversationId).map((r) => r.activity.text as string);

describe('an agent in the console', () => {
  it('sees the customer in the queue, accepts, reads the packet, chats both ways, notes, and resolves', async () => {
    const zhang = await agent();
    const { chat, handoffId } = await customerAsksForPerson('B0002');
    const queue = await zhang.get('/console');
    expect(queue.status).toBe(200);
    expect(queue.body).toContain(`data-handoff="${handoffId}"`);
    expect(queue.body).toContain('李娜');
    expect(queue.body).toContain('客户要求');

    const accepted = await zhang.post(`/console/handoffs/${handoffId}/accept`);
    expect(accepted).toEqual({ status: 200, body: { ok: true, handoffId } });
    const page = await zhang.get(`/console/chats/${handoffId}`);
    expect(page.status).toBe(200);
    // The packet at a glance: who, tier, mobile masked, manager, products, the conversation so far.
    for (const text of ['李娜', 'B0002', 'gold', '138****0002', '陈静（客户经理）', '活期账户', '我的卡被多扣了年费']) expect(page.body).toContain(text);
    expect(page.body).not.toContain('13800000002');

    expect((await zhang.post(`/console/handoffs/${handoffId}/messages`, { text: '您好，我是张敏，马上为您核实年费。' })).body).toMatchObject({
      ok: true,
      delivery: 'sent',
    });
    await channel.waitFor(1);
    expect(received(chat)).toContain('您好，我是张敏，马上为您核实年费。');

    expect(await chat.texts('好的，谢谢')).toEqual([]);
    const api = await zhang.get(`/console/api/handoffs/${handoffId}/messages?after=0`, 'application/json');
    const messages = JSON.parse(api.body).messages as Array<{ sender: string; text: string; who: string }>;
    expect(messages.map((m) => [m.sender, m.text])).toEqual([
      ['agent', '您好，我是张敏，马上为您核实年费。'],
      ['customer', '好的，谢谢'],
    ]);
    expect(messages[0].who).toBe('张敏');

    expect((await zhang.post(`/console/handoffs/${handoffId}/notes`, { text: '年费应减免，已提交退款' })).status).toBe(200);
    expect((await zhang.post(`/console/handoffs/${handoffId}/resolve`, { outcome: 'refund_approved' })).status).toBe(200);
    expect(await t.app.repositories.handoffs.findById(handoffId)).toMatchObject({ status: 'resolved', outcome: 'refund_approved' });
    // Back with the bot, which asks how it went (on the customer's channel, as a proactive message) before anything else.
    const asked = t.app.texts.t('zh-CN', 'survey:askCsat');
    for (let i = 0; i < 250 && !received(chat).some((x) => x?.includes(asked)); i++) await new Promise((r) => setTimeout(r, 20));
    expect(received(chat).some((x) => x?.includes(asked))).toBe(true);
    expect((await chat.texts('5'))[0]).toBe(t.app.texts.t('zh-CN', 'survey:askComment'));
    const audit = await t.app.repositories.audit.list({ targetType: 'handoff', targetId: handoffId });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['handoff.accepted', 'handoff.note_added', 'handoff.resolved']));
  });

  it('shows customer text as text: script tags are escaped, long text is kept whole', async () => {
    const zhang = await agent();
    const { chat, handoffId } = await customerAsksForPerson();
    await zhang.post(`/console/handoffs/${handoffId}/accept`);
    await chat.say('<script>alert("x")</script><img src=x onerror=alert(1)>');
    await chat.say('长'.repeat(3000));
    const page = await zhang.get(`/console/chats/${handoffId}`);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(page.body).toContain('长'.repeat(3000));
    await zhang.post(`/console/handoffs/${handoffId}/resolve`, { outcome: 'resolved' });
  });

  it('refuses acting on another agent’s chat, and a supervisor action from an agent, changing nothing', async () => {
    const zhang = await agent();
    const li = await agent('agent.li');
    const { handoffId } = await customerAsksForPerson();
    await zhang.post(`/console/handoffs/${handoffId}/accept`);
    expect((await li.post(`/console/handoffs/${handoffId}/messages`, { text: 'hi' })).status).toBe(403);
    expect((await li.post(`/console/handoffs/${handoffId}/resolve`, { outcome: 'resolved' })).status).toBe(403);
    expect((await li.get(`/console/chats/${handoffId}`)).status).toBe(404);
    expect((await li.post(`/console/handoffs/${handoffId}/assign`, { agentId: '1' })).status).toBe(403);
    expect(await t.app.repositories.handoffs.messagesAfter(handoffId, 0)).toEqual([]);
    expect((await t.app.repositories.handoffs.findById(handoffId))!.status).toBe('active');
    await zhang.post(`/console/handoffs/${handoffId}/resolve`, { outcome: 'resolved' });
  });

  it('tells the second of two agents accepting the same customer that it is taken', async () => {
    const zhang = await agent();
    const li = await agent('agent.li');
    const { handoffId } = await customerAsksForPerson();
    const [a, b] = await Promise.all([zhang.post(`/console/handoffs/${handoffId}/accept`), li.post(`/console/handoffs/${handoffId}/accept`)]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? zhang : li;
    await winner.post(`/console/handoffs/${handoffId}/resolve`, { outcome: 'resolved' });
  });

  it('updates the customer’s complaint from the chat, and a callback with a due time', async () => {
    const zhang = await agent();
    const chat = new ChatClient(t.url, { locale: 'zh-CN', serviceUrl: channel.serviceUrl });
    const customer = await t.app.repositories.customers.findByCustomerNo('B0001');
    await t.app.repositories.identities.bind('test', chat.userId, customer!.id);
    await chat.say('我要投诉，理财经理误导我买了高风险基金，亏了很多钱');
    await chat.say('1');
    const conversation = await t.app.repositories.conversations.find('test', chat.conversationId);
    const handoff = await t.app.repositories.handoffs.findOpenForConversation(conversation!.id);
    await zhang.post(`/console/handoffs/${handoff!.id}/accept`);
    const complaint = (await t.app.repositories.complaints.listOpenForCustomer(customer!.id)).at(-1)!;
    expect(complaint.status).toBe('acknowledged');
    expect((await zhang.post(`/console/complaints/${complaint.id}/resolve`, { resolution: '已为客户办理赎回并补偿手续费。' })).status).toBe(200);
    expect(await t.app.repositories.complaints.findById(complaint.id)).toMatchObject({ status: 'resolved', resolution: '已为客户办理赎回并补偿手续费。' });
    expect((await zhang.post(`/console/handoffs/${handoff!.id}/callback`, { dueAt: '2026-11-23T15:30', note: '回访' })).status).toBe(200);
    const [callback] = await t.app.repositories.callbacks.listPromisedBy((await t.app.repositories.staff.findByUsername('agent.zhang'))!.id);
    expect(callback).toMatchObject({ dueAt: Date.UTC(2026, 10, 23, 7, 30), reason: 'agent_promise' });
    expect((await zhang.post(`/console/handoffs/${handoff!.id}/callback`, { dueAt: 'tomorrow' })).status).toBe(400);
    await zhang.post(`/console/handoffs/${handoff!.id}/resolve`, { outcome: 'resolved' });
  });
});

describe('a supervisor in the console', () => {
  it('sees every chat and the deadline breaches, and assigns a waiting customer to an agent', async () => {
    const zhang = await agent();
    const liu = await agent('supervisor.liu');
    const { handoffId } = await customerAsksForPerson('B0004');
    const zhangId = (await t.app.repositories.staff.findByUsername('agent.zhang'))!.id;
    expect((await liu.post(`/console/handoffs/${handoffId}/assign`, { agentId: String(zhangId) })).status).toBe(200);
    expect(await t.app.repositories.handoffs.findById(handoffId)).toMatchObject({ status: 'active', agentId: zhangId });
    const page = await liu.get('/console');
    expect(page.body).toContain(`/console/chats/${handoffId}`);
    expect(page.body).toContain(t.app.texts.t('zh-CN', 'console:breaches.heading'));
    expect((await liu.get(`/console/chats/${handoffId}`)).status).toBe(200);
    await zhang.post(`/console/handoffs/${handoffId}/resolve`, { outcome: 'resolved' });
  });
});

describe('the live channel', () => {
  it('refuses a socket without a session', async () => {
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/console/live`);
    const outcome = await new Promise<string>((resolve) => {
      ws.on('open', () => resolve('open'));
      ws.on('error', (err) => resolve(String(err.message)));
      ws.on('unexpected-response', (_req, res) => resolve(`status ${res.statusCode}`));
    });
    expect(outcome).toBe('status 401');
  });

  it('tells a signed-in agent at once when a customer joins the queue and when their customer writes', async () => {
    const zhang = await agent();
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/console/live`, { headers: { cookie: zhang.cookie } });
    const events: Array<Record<string, unknown>> = [];
    ws.on('message', (data) => events.push(JSON.parse(String(data))));
    await new Promise((resolve) => ws.once('open', resolve));
    try {
      const { chat, handoffId } = await customerAsksForPerson();
      await waitUntil(() => events.some((e) => e.type === 'queue.changed'));
      await zhang.post(`/console/handoffs/${handoffId}/accept`);
      await chat.say('还在吗？');
      await waitUntil(() => events.some((e) => e.type === 'handoff.message' && e.handoffId === handoffId && e.sender === 'customer'));
      // Another agent's socket does not hear this chat.
      await zhang.post(`/console/handoffs/${handoffId}/resolve`, { outcome: 'resolved' });
    } finally {
      ws.close();
    }
  });
});

async function waitUntil(condition: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
