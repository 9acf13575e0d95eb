import type { Activity } from 'botbuilder';
import { startTestApp, type TestApp } from '../helpers/app';

let t: TestApp;
const delivered: Array<{ conversationId: string; activity: Partial<Activity>; replyToId?: string }> = [];
let serviceUrl: string;

beforeAll(async () => {
  t = await startTestApp({ DEADLINE_CHECK_INTERVAL_S: '0' }, { now: () => Date.UTC(2026, 10, 23, 2, 0) });
  serviceUrl = t.app.channels.register('testgw', {
    async deliver(conversationId, activity, replyToId) {
      delivered.push({ conversationId, activity, replyToId });
      return { id: `out-${delivered.length}` };
    },
  });
});
afterAll(() => t.close());

function inbound(text: string, conversationId: string): Partial<Activity> {
  return {
    type: 'message',
    id: `in-${Math.random().toString(36).slice(2)}`,
    text,
    channelId: 'testgw',
    serviceUrl,
    conversation: { id: conversationId } as Activity['conversation'],
    from: { id: 'gw-user-1', name: 'Customer', role: 'user' },
    recipient: { id: 'bot', name: 'Retention Assistant', role: 'bot' },
    locale: 'zh-CN',
  };
}

describe('channels hosted by the service itself', () => {
  it('run turns through the whole pipeline and get the replies in process, with the customer’s activity id', async () => {
    const activity = inbound('你好', 'gw-conv-1');
    await t.app.channels.process(t.app.adapter, activity, t.app.logic);
    expect(delivered.at(-1)).toMatchObject({
      conversationId: 'gw-conv-1',
      replyToId: activity.id,
      activity: { text: t.app.texts.t('zh-CN', 'main:greeting') },
    });
    const conversation = await t.app.repositories.conversations.find('testgw', 'gw-conv-1');
    expect(conversation!.reference).toMatchObject({ serviceUrl: 'internal://testgw' });
  });

  it('receive proactive messages (an agent’s) through the same sink', async () => {
    const agent = (await t.app.repositories.staff.findByUsername('agent.zhang'))!.id;
    await t.app.hub.setPresence(agent, 'online', 5);
    await t.app.channels.process(t.app.adapter, inbound('转人工', 'gw-conv-2'), t.app.logic);
    const conversation = await t.app.repositories.conversations.find('testgw', 'gw-conv-2');
    const handoff = await t.app.repositories.handoffs.findOpenForConversation(conversation!.id);
    await t.app.hub.accept(handoff!.id, agent);
    const sent = await t.app.hub.sendToCustomer(handoff!.id, agent, '您好，我是客服张敏。');
    expect(sent.delivery).toBe('sent');
    expect(delivered.at(-1)).toMatchObject({ conversationId: 'gw-conv-2', activity: { text: '您好，我是客服张敏。' } });
  });
});
