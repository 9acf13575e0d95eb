import { startTestApp, type TestApp } from '../helpers/app';
import { ChatClient } from '../helpers/chat';

const HOUR = 3_600_000;
// 10:00 in Shanghai on a Monday: inside the default working hours (08:00-22:00).
const MORNING = Date.UTC(2026, 10, 23, 2, 0);
let clock = MORNING;
let t: TestApp;
let agentId: number;

beforeAll(async () => {
  t = await startTestApp({ DEADLINE_CHECK_INTERVAL_S: '0' }, { now: () => clock });
  agentId = (await t.app.repositories.staff.findByUsername('agent.zhang'))!.id;
});
afterAll(() => t.close());
beforeEach(async () => {
  clock = MORNING;
  await t.app.hub.setPresence(agentId, 'online', 50);
  // Each test starts with an empty queue, so positions read the same whatever ran before.
  for (const h of await t.app.repositories.handoffs.listQueued()) await t.app.hub.abandon(h.id, 'customer_left');
});

const zh = (key: string, args?: Record<string, unknown>) => t.app.texts.t('zh-CN', key, args);
const en = (key: string, args?: Record<string, unknown>) => t.app.texts.t('en-US', key, args);
const REFERENCE = /C\d{8}-\d{4}/;

async function bound(customerNo: string, locale: 'zh-CN' | 'en-US' = 'zh-CN'): Promise<ChatClient> {
  const chat = new ChatClient(t.url, { locale });
  const customer = await t.app.repositories.customers.findByCustomerNo(customerNo);
  await t.app.repositories.identities.bind('test', chat.userId, customer!.id);
  return chat;
}

async function openHandoff(chat: ChatClient) {
  const conversation = await t.app.repositories.conversations.find('test', chat.conversationId);
  return t.app.repositories.handoffs.findOpenForConversation(conversation!.id);
}

describe('filing a complaint in Chinese', () => {
  it('takes a complaint that says what happened in its first words, and sends it to the back office with its deadlines', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    const [start, contact] = await chat.say('我要投诉，你们乱扣我手续费，这个月多扣了30元');
    expect(start.text).toBe(zh('complaint:start'));
    expect(contact.text).toBe(`${zh('complaint:askContact')} (1) 在这里回复我 或 (2) 其他手机号`);
    const [receipt] = await chat.texts('1');
    const reference = REFERENCE.exec(receipt)![0];
    expect(receipt).toContain(`投诉编号：${reference}`);
    expect(receipt).toContain('类别：收费扣费');
    expect(receipt).toContain('联系方式：在线回复');
    expect(receipt).toContain('投诉已转给专门的处理人员');
    const complaint = await t.app.repositories.complaints.findByReference(reference);
    expect(complaint).toMatchObject({ category: 'billing', severity: 'medium', status: 'open', route: 'back_office', customerId: null, contact: null });
    // Regular tier: first contact within 24 hours, resolution within 7 days.
    expect(complaint!.firstContactDueAt - complaint!.createdAt).toBe(24 * HOUR);
    expect(complaint!.resolutionDueAt - complaint!.createdAt).toBe(7 * 24 * HOUR);
    expect(await openHandoff(chat)).toBeUndefined();
    const conversation = await t.app.repositories.conversations.find('test', chat.conversationId);
    const [decision] = await t.app.repositories.escalations.listForConversation(conversation!.id);
    expect(decision).toMatchObject({ trigger: 'complaint', route: 'back_office', escalate: false, reasons: [], complaintId: complaint!.id });
  });

  it('hands a VIP customer’s complaint to a person at once, with the complaint in the handoff', async () => {
    const chat = await bound('B0001');
    await chat.say('我要投诉，网点排队两个小时都没人管');
    const [receipt, queued] = await chat.texts('1');
    expect(receipt).toContain('联系方式：138****0001');
    expect(receipt).toContain('我们正在为您转接人工客服');
    expect(queued).toBe(zh('human:queuedNext'));
    const handoff = await openHandoff(chat);
    // vip raises a service complaint's severity one step, to high.
    expect(handoff).toMatchObject({ status: 'queued', tier: 'vip', reasons: ['tier_vip', 'severity_high'] });
    const complaint = await t.app.repositories.complaints.findById(handoff!.complaintId!);
    expect(complaint).toMatchObject({ category: 'service', severity: 'high', route: 'agent', escalated: true, contact: '13800000001' });
    // VIP: first contact within 2 hours, resolution within 3 days.
    expect(complaint!.firstContactDueAt - complaint!.createdAt).toBe(2 * HOUR);
    expect(complaint!.resolutionDueAt - complaint!.createdAt).toBe(3 * 24 * HOUR);
    expect(handoff!.packet).toMatchObject({
      customer: { customerNo: 'B0001', tier: 'vip', mobile: '138****0001', relationshipManager: '陈静（客户经理）' },
      complaint: { reference: complaint!.reference },
    });
    await t.app.hub.abandon(handoff!.id, 'customer_left');
  });

  it('hands over a repeat complaint (the second within 30 days)', async () => {
    const chat = await bound('B0004');
    await chat.say('我要投诉，转账手续费扣了两次，一共多扣了10块');
    await chat.say('1');
    clock += 3 * 24 * HOUR;
    const again = new ChatClient(t.url, { locale: 'zh-CN', userId: chat.userId });
    await again.say('我要投诉，上次说退手续费到现在也没退');
    const [receipt, queued] = await again.texts('1');
    expect(receipt).toContain('我们正在为您转接人工客服');
    expect(queued).toBe(zh('human:queuedNext'));
    const handoff = await openHandoff(again);
    // A repeat also raises the severity one step (medium to high).
    expect(handoff!.reasons).toEqual(['severity_high', 'repeat_complaint']);
    await t.app.hub.abandon(handoff!.id, 'customer_left');
  });

  it('asks what it is about when the words do not say, and how to reach the customer on another number', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    const replies = await chat.texts('我要投诉');
    expect(replies).toEqual([zh('complaint:start'), zh('complaint:askDescription')]);
    const [category] = await chat.texts('上周五下午打电话过来，说话很难听');
    expect(category.startsWith(zh('complaint:askCategory'))).toBe(true);
    expect(category).toContain('2. 服务态度与等待');
    expect((await chat.texts('2'))[0]).toContain(zh('complaint:askContact'));
    expect(await chat.texts('2')).toEqual([zh('complaint:askPhone')]);
    expect(await chat.texts('12345')).toEqual([zh('complaint:askPhoneRetry')]);
    const [receipt] = await chat.texts('139 1234 5678');
    expect(receipt).toContain('类别：服务态度与等待');
    expect(receipt).toContain('联系方式：139****5678');
    const complaint = await t.app.repositories.complaints.findByReference(REFERENCE.exec(receipt)![0]);
    expect(complaint).toMatchObject({ category: 'service', contact: '13912345678', description: '上周五下午打电话过来，说话很难听' });
  });

  it('answers an empty description clearly and keeps waiting for one', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    await chat.say('我要投诉');
    expect(await chat.texts('   ')).toEqual([zh('common:emptyMessage')]);
    expect((await chat.texts('信用卡年费明明说免了还是扣了'))[0]).toContain(zh('complaint:askContact'));
  });

  it('keeps the first 2,000 characters of a long description and says so', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    await chat.say('我要投诉');
    const long = `扣费问题：${'多扣了钱'.repeat(600)}`;
    const replies = await chat.texts(long);
    expect(replies[0]).toBe(zh('complaint:descriptionTruncated', { length: long.length, max: 2000 }));
    const [receipt] = await chat.texts('1');
    const complaint = await t.app.repositories.complaints.findByReference(REFERENCE.exec(receipt)![0]);
    expect(complaint!.description).toHaveLength(2000);
  });

  it('keeps a draft when the customer comes back later, and starts a stale one again', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    await chat.say('我要投诉');
    clock += 2 * HOUR;
    // Two hours later the draft is still there: the answer continues it.
    expect((await chat.texts('网银转账一直失败，app也登不上'))[0]).toContain(zh('complaint:askContact'));
    clock += 25 * HOUR;
    const replies = await chat.texts('1');
    expect(replies[0]).toBe(zh('complaint:draftExpired'));
    expect(replies[1]).toBe(zh('complaint:start'));
    const filed = await t.db.knex('complaints').where({ channel_user_id: chat.userId });
    expect(filed).toEqual([]);
  });
});

describe('filing a complaint in English', () => {
  it('asks what happened, recognises the category, and answers with the receipt', async () => {
    const chat = new ChatClient(t.url, { locale: 'en-US' });
    expect(await chat.texts('I want to complain about your app')).toEqual([en('complaint:start'), en('complaint:askDescription')]);
    const [contact] = await chat.texts('It crashes every time I log in, since Monday');
    expect(contact).toBe(`${en('complaint:askContact')}\n\n   1. Reply here in the chat\n   2. Another mobile number`);
    const [receipt] = await chat.texts('Reply here in the chat');
    expect(receipt).toMatch(/^Your complaint has been logged\.\nReference: C\d{8}-\d{4}\nCategory: App, online banking or system faults\n/);
    expect(receipt).toContain('Next: our complaints team has it');
  });

  it('treats regulator threats as critical and hands over at once', async () => {
    const chat = new ChatClient(t.url, { locale: 'en-US' });
    await chat.say('I want to make a complaint: you charged me 500 yuan without asking, I will go to the regulator');
    const [receipt, queued] = await chat.texts('1');
    expect(receipt).toContain("Next: I'm putting you through to a person now.");
    expect(queued).toBe(en('human:queuedNext'));
    const handoff = await openHandoff(chat);
    expect(handoff).toMatchObject({ severity: 'critical', reasons: ['severity_critical'] });
    await t.app.hub.abandon(handoff!.id, 'customer_left');
  });
});

describe('talking to a person', () => {
  it('hands over from the middle of a balance enquiry when the customer says 转人工', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    expect(await chat.texts('查余额')).toEqual([zh('verify:askMobile')]);
    expect(await chat.texts('转人工')).toEqual([zh('human:queuedNext')]);
    const handoff = await openHandoff(chat);
    expect(handoff).toMatchObject({ status: 'queued', reasons: ['explicit_request'] });
    // Messages now go to the hub, not to the balance dialog.
    expect((await chat.texts('13800000002'))[0]).toMatch(/^您的消息已记下/);
    await t.app.hub.abandon(handoff!.id, 'customer_left');
  });

  it('hands over after two messages in a row it did not understand', async () => {
    const chat = new ChatClient(t.url, { locale: 'en-US' });
    expect(await chat.texts('banana spaceship tuesday')).toEqual([en('main:notUnderstood')]);
    expect(await chat.texts('zxcv qwer asdf')).toEqual([en('main:handingOver'), en('human:queuedNext')]);
    const handoff = await openHandoff(chat);
    expect(handoff!.reasons).toEqual(['misunderstood_twice']);
    await t.app.hub.abandon(handoff!.id, 'customer_left');
  });

  it('offers a call back outside working hours instead of a queue, and books it', async () => {
    clock = Date.UTC(2026, 10, 23, 15, 0); // 23:00 in Shanghai
    const chat = await bound('B0002');
    const [offer] = await chat.texts('转人工');
    expect(offer).toBe(`${zh('human:closed', { hours: '08:00–22:00' })} (1) 安排回电 或 (2) 不用了`);
    expect(await openHandoff(chat)).toBeUndefined();
    expect((await chat.texts('安排回电'))[0]).toBe(`${zh('human:whichPhone')} (1) 登记的手机 138****0002 或 (2) 其他号码`);
    const [booked] = await chat.texts('1');
    // Tomorrow 08:00 opening + 2 hours = 10:00.
    expect(booked).toBe(zh('human:callbackBooked', { time: '2026/11/24 10:00', phone: '138****0002' }));
    const customer = await t.app.repositories.customers.findByCustomerNo('B0002');
    const [callback] = await t.app.repositories.callbacks.listForCustomer(customer!.id);
    expect(callback).toMatchObject({ status: 'open', phone: '13800000002', dueAt: Date.UTC(2026, 10, 24, 2, 0), reason: 'explicit_request' });
  });

  it('offers a call back when nobody is online, and takes no for an answer', async () => {
    await t.app.hub.setPresence(agentId, 'offline');
    const chat = new ChatClient(t.url, { locale: 'en-US' });
    const [offer] = await chat.texts('talk to a person');
    expect(offer).toBe(`${en('human:noAgents')} (1) Call me back or (2) No, thanks`);
    expect(await chat.texts('No, thanks')).toEqual([en('human:callbackDeclined')]);
  });
});

describe('complaint status', () => {
  it('shows the channel user their own complaint by reference, in any wording', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    await chat.say('我要投诉，营业厅的人态度很差，还让我等了一个小时');
    const [receipt] = await chat.texts('1');
    const reference = REFERENCE.exec(receipt)![0];
    const [status] = await chat.texts(`${reference} 处理得怎么样了`);
    expect(status).toContain(`投诉 ${reference}（服务态度与等待）`);
    expect(status).toContain('状态：已受理，待处理');
    // Lower case, no dash: the same complaint.
    const [again] = await chat.texts(`${reference.toLowerCase().replace('-', '')} 进度`);
    expect(again).toContain(`投诉 ${reference}`);
  });

  it('does not show someone else’s complaint, and says the same as for a number that does not exist', async () => {
    const owner = new ChatClient(t.url, { locale: 'en-US' });
    await owner.say('I want to complain, you charged me an annual fee that was supposed to be waived');
    const reference = REFERENCE.exec((await owner.texts('1'))[0])![0];
    const stranger = await bound('B0003', 'en-US');
    expect(await stranger.texts(`what's the status of ${reference}`)).toEqual([en('complaint:statusNotFound', { reference })]);
    expect(await stranger.texts('status of C20200101-0001')).toEqual([en('complaint:statusNotFound', { reference: 'C20200101-0001' })]);
  });

  it('asks a customer who is not bound to verify before listing their complaints', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    expect(await chat.texts('查一下投诉进度')).toEqual([zh('complaint:statusAskReference')]);
    expect(await chat.texts('我的投诉')).toEqual([zh('verify:askMobile')]);
    await chat.say('13800000005');
    const [message] = await t.app.repositories.devSmsOutbox.latest('13800000005', 1);
    const replies = await chat.texts(/\d{6}/.exec(message.text)![0]);
    expect(replies[0]).toBe(zh('verify:success'));
    expect(replies[1]).toContain(zh('complaint:statusListHeader'));
    expect(replies[1]).toContain('服务态度与等待');
  });

  it('explains the format of a malformed reference', async () => {
    const chat = new ChatClient(t.url, { locale: 'en-US' });
    expect(await chat.texts('where is my complaint C2026-77')).toEqual([en('complaint:statusBadReference', { text: 'C2026-77' })]);
  });
});
