import { formatDateTime } from '../../prompts/format';
import { startTestApp, type TestApp } from '../helpers/app';
import { ChatClient } from '../helpers/chat';
import { startFakeChannel } from '../fakes/channelServer';

const HOUR = 3_600_000;
// 10:00 in Shanghai.
const MORNING = Date.UTC(2026, 10, 23, 2, 0);
let clock = MORNING;
let t: TestApp;
let channel: Awaited<ReturnType<typeof startFakeChannel>>;
let agent: number;

beforeAll(async () => {
  channel = await startFakeChannel();
  t = await startTestApp({ DEADLINE_CHECK_INTERVAL_S: '0' }, { now: () => clock });
  agent = (await t.app.repositories.staff.findByUsername('agent.li'))!.id;
});
afterAll(async () => {
  await t.close();
  await channel.close();
});
beforeEach(async () => {
  clock = MORNING;
  await t.app.hub.setPresence(agent, 'online', 50);
});

const zh = (key: string, args?: Record<string, unknown>) => t.app.texts.t('zh-CN', key, args);
const en = (key: string, args?: Record<string, unknown>) => t.app.texts.t('en-US', key, args);

/** A bound customer's conversation with a person, resolved by the agent; returns the chat and how many activities the channel had before the survey. */
async function resolvedChat(customerNo: string, locale: 'zh-CN' | 'en-US'): Promise<{ chat: ChatClient; customerId: number; conversationId: number }> {
  const chat = new ChatClient(t.url, { locale, serviceUrl: channel.serviceUrl });
  const customer = await t.app.repositories.customers.findByCustomerNo(customerNo);
  await t.app.repositories.identities.bind('test', chat.userId, customer!.id);
  await chat.say(locale === 'zh-CN' ? '转人工' : 'agent');
  const conversation = await t.app.repositories.conversations.find('test', chat.conversationId);
  const handoff = await t.app.repositories.handoffs.findOpenForConversation(conversation!.id);
  await t.app.hub.accept(handoff!.id, agent);
  await t.app.hub.resolve(handoff!.id, agent, 'answered');
  return { chat, customerId: customer!.id, conversationId: conversation!.id };
}

/** The texts the fake channel received for a conversation, in order. */
function received(chat: ChatClient): string[] {
  return channel.received.filter((r) => r.conversationId === chat.conversationId).map((r) => r.activity.text as string);
}

async function waitForText(chat: ChatClient, text: string): Promise<void> {
  for (let i = 0; i < 100 && !received(chat).includes(text); i++) await new Promise((r) => setTimeout(r, 20));
  expect(received(chat)).toContain(text);
}

describe('the survey after an agent resolves', () => {
  it('is asked on the conversation, once, and a high score is thanked; the relationship question follows when due', async () => {
    const { chat, customerId, conversationId } = await resolvedChat('B0003', 'en-US');
    await waitForText(chat, en('survey:askCsat'));
    const [survey] = await t.app.repositories.surveys.listForCustomer(customerId);
    expect(survey).toMatchObject({ kind: 'csat', trigger: 'agent_resolved', agentId: agent, status: 'sent', conversationId, expiresAt: MORNING + 48 * HOUR });
    expect(await chat.texts('5')).toEqual([en('survey:askComment')]);
    expect(await chat.texts('The agent was quick and clear')).toEqual([en('survey:thanks'), en('survey:askNps')]);
    expect(await chat.texts('nine')).toEqual([en('survey:askNpsReason')]);
    expect(await chat.texts('skip')).toEqual([en('survey:thanks')]);
    const surveys = await t.app.repositories.surveys.listForCustomer(customerId);
    expect(surveys.map((s) => [s.kind, s.status, s.score])).toEqual([
      ['nps', 'answered', 9],
      ['csat', 'answered', 5],
    ]);
    // Never twice for one conversation.
    expect(await t.app.surveys.schedule({ trigger: 'agent_resolved', conversationId, customerId })).toBeUndefined();
  });

  it('turns a low score into a recovery case for the relationship manager, due in 24 hours, and raises the churn risk', async () => {
    const { chat, customerId } = await resolvedChat('B0002', 'zh-CN');
    await waitForText(chat, zh('survey:askCsat'));
    const riskBefore = (await t.app.repositories.customers.findById(customerId))!.churnRiskScore;
    expect(await chat.texts('不满意')).toEqual([zh('survey:askCommentLow')]);
    const replies = await chat.texts('等了很久才有人理我，我的卡号6222021234567890128');
    expect(replies[0]).toBe(zh('survey:recovery', { who: '您的客户经理陈静（客户经理）', time: formatDateTime(MORNING + 24 * HOUR, 'zh-CN') }));
    const survey = (await t.app.repositories.surveys.listForCustomer(customerId)).find((s) => s.trigger === 'agent_resolved');
    expect(survey).toMatchObject({ kind: 'csat', score: 2, comment: '等了很久才有人理我，我的卡号**** 0128' });
    const rm = (await t.app.repositories.staff.findByUsername('rm.chen'))!.id;
    const [recovery] = await t.app.repositories.recovery.listOpen(rm);
    expect(recovery).toMatchObject({
      customerId,
      ownerKind: 'relationship_manager',
      dueAt: MORNING + 24 * HOUR,
      comment: '等了很久才有人理我，我的卡号**** 0128',
    });
    const after = (await t.app.repositories.customers.findById(customerId))!;
    expect(after.churnRiskScore).toBeGreaterThan(riskBefore);
  });

  it('goes to the supervisors when the customer has no relationship manager', async () => {
    const { chat, customerId } = await resolvedChat('T0003', 'zh-CN');
    await waitForText(chat, zh('survey:askCsat'));
    await chat.say('1');
    expect((await chat.texts('跳过'))[0]).toBe(zh('survey:recovery', { who: '我们的服务主管', time: formatDateTime(MORNING + 24 * HOUR, 'zh-CN') }));
    const cases = await t.app.repositories.recovery.listOpen(null);
    expect(cases.find((c) => c.customerId === customerId)).toMatchObject({ ownerKind: 'supervisor', ownerId: null });
  });

  it('asks again for answers outside the scale, reads words and labels, and lets the customer decline', async () => {
    const { chat, customerId } = await resolvedChat('I0001', 'zh-CN');
    await waitForText(chat, zh('survey:askCsat'));
    for (const bad of ['六分', 'abc', '0', '11']) expect(await chat.texts(bad)).toEqual([zh('survey:askCsatRetry')]);
    expect(await chat.texts('不想评价')).toEqual([zh('survey:declined')]);
    expect((await t.app.repositories.surveys.listForCustomer(customerId))[0].status).toBe('declined');
  });

  it('does not take an answer to a survey that expired after 48 hours', async () => {
    const { chat, customerId } = await resolvedChat('T0001', 'zh-CN');
    await waitForText(chat, zh('survey:askCsat'));
    clock += 49 * HOUR;
    expect(await chat.texts('5')).toEqual([zh('survey:expired')]);
    expect((await t.app.repositories.surveys.listForCustomer(customerId))[0].status).toBe('expired');
  });

  it('is not asked while a complaint of the customer is open', async () => {
    const { customerId } = await resolvedChat('B0005', 'zh-CN');
    expect(await t.app.repositories.surveys.listForCustomer(customerId)).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ trigger: 'agent_resolved' })]),
    );
  });

  it('waits through the night and is asked in the morning', async () => {
    clock = Date.UTC(2026, 10, 23, 15, 30); // 23:30 in Shanghai
    await t.app.hub.setPresence(agent, 'online', 50);
    const chat = new ChatClient(t.url, { locale: 'en-US', serviceUrl: channel.serviceUrl });
    const customer = await t.app.repositories.customers.findByCustomerNo('I0002');
    await t.app.repositories.identities.bind('test', chat.userId, customer!.id);
    // Outside working hours the queue is closed; the handoff is made directly for this test.
    const conversation = await t.app.repositories.conversations.ensure({
      channelId: 'test',
      conversationKey: chat.conversationId,
      userId: chat.userId,
      reference: { ...chat.activity({}), bot: { id: 'bot' }, user: { id: chat.userId } } as never,
    });
    await chat.say('hello');
    const handoff = await t.app.repositories.handoffs.create({
      conversationId: conversation,
      customerId: customer!.id,
      complaintId: null,
      reasons: ['explicit_request'],
      priority: 1,
      severity: null,
      tier: 'vip',
      locale: 'en-US',
      mode: 'internal',
      packet: {},
      queuedAt: clock,
    });
    await t.app.hub.accept(handoff.id, agent);
    await t.app.hub.resolve(handoff.id, agent, 'answered');
    await t.app.surveys.processOutbox();
    expect(received(chat)).not.toContain(en('survey:askCsat'));
    const [waiting] = await t.db.knex('proactive_outbox').where({ conversation_id: conversation });
    expect(Number(waiting.not_before)).toBe(Date.UTC(2026, 10, 24, 0, 0)); // 08:00 in Shanghai
    clock = Date.UTC(2026, 10, 24, 0, 1);
    const report = await t.app.housekeeping.runOnce();
    expect(report.surveysSent).toBe(1);
    await waitForText(chat, en('survey:askCsat'));
  });
});

describe('feedback the customer starts', () => {
  it('is taken in their own words, in Chinese', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    const [ask] = await chat.say('我想评价一下');
    expect(ask.text).toBe(zh('survey:askCsatStarted'));
    expect(await chat.texts('非常满意')).toEqual([zh('survey:askComment')]);
    // 10,000 characters are more than any message the assistant reads: the customer is asked to shorten it…
    const huge = `很好${'好'.repeat(10_000)}`;
    expect(await chat.texts(huge)).toEqual([zh('common:tooLong', { length: huge.length, max: 4000 })]);
    // …and a comment over 2,000 characters is kept to its first 2,000, and the customer told so.
    const long = `很好${'好'.repeat(3000)}`;
    expect(await chat.texts(long)).toEqual([zh('survey:commentTruncated', { max: 2000 }), zh('survey:thanks')]);
    const conversation = await t.app.repositories.conversations.find('test', chat.conversationId);
    const row = await t.db.knex('surveys').where({ conversation_id: conversation!.id }).first();
    expect(row).toMatchObject({ kind: 'csat', trigger: 'customer_started', status: 'answered', score: 5 });
    expect(row.comment).toHaveLength(2000);
    expect(await chat.texts('我想再评价一次')).toEqual([zh('survey:alreadySurveyed')]);
  });

  it('shows the scale as buttons on Web Chat', async () => {
    const chat = new ChatClient(t.url, { locale: 'en-US', channelId: 'webchat' });
    const [ask] = await chat.say('I want to give feedback');
    expect(ask.suggestedActions?.actions.map((a) => [a.title, a.value])).toEqual([
      ['5 Very satisfied', '5'],
      ['4 Satisfied', '4'],
      ['3 Neutral', '3'],
      ['2 Dissatisfied', '2'],
      ['1 Very dissatisfied', '1'],
    ]);
    expect(await chat.texts('4')).toEqual([en('survey:askComment')]);
  });
});

describe('a complaint closed by staff', () => {
  it('is followed by a survey on the complaint’s conversation', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN', serviceUrl: channel.serviceUrl });
    await chat.say('我要投诉，网银转账失败了三次，手续费却扣了');
    const [receipt] = await chat.texts('1');
    const reference = /C\d{8}-\d{4}/.exec(receipt)![0];
    const complaint = await t.app.repositories.complaints.findByReference(reference);
    await t.app.complaints.resolve(complaint!.id, '已退还多扣的手续费 15 元。', agent);
    await waitForText(chat, zh('survey:askCsat'));
    const row = await t.db.knex('surveys').where({ complaint_id: complaint!.id }).first();
    expect(row).toMatchObject({ trigger: 'complaint_closed', status: 'sent' });
  });
});
