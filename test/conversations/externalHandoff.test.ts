import type { Activity } from 'botbuilder';
import { startTestApp, type TestApp } from '../helpers/app';
import { ChatClient, postActivity } from '../helpers/chat';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ HANDOFF_MODE: 'external', DEADLINE_CHECK_INTERVAL_S: '0' });
});
afterAll(() => t.close());

const en = (key: string) => t.app.texts.t('en-US', key);

/** Everything the bot answered to an activity, events included. */
async function allReplies(chat: ChatClient, activity: Partial<Activity>): Promise<Activity[]> {
  const res = await postActivity(t.url, chat.activity(activity));
  return ((res.body as { activities?: Activity[] }).activities ?? []) as Activity[];
}

describe('handing over to an external hub (HANDOFF_MODE=external)', () => {
  it('raises handoff.initiate with the packet and transcript, stays quiet while the hub has the customer, and returns on completed', async () => {
    const chat = new ChatClient(t.url, { locale: 'en-US' });
    await chat.say('hello');
    const replies = await allReplies(chat, { type: 'message', text: 'agent' });
    const initiation = replies.find((a) => a.type === 'event');
    expect(initiation).toMatchObject({ name: 'handoff.initiate', value: { reasons: ['explicit_request'] } });
    // The customer's own channel carries the event: nothing of the internal profile, risk or offers goes with it.
    expect(Object.keys(initiation!.value).sort()).toEqual(['complaint', 'handoffId', 'reasons']);
    expect(initiation!.attachments?.[0]).toMatchObject({ name: 'Transcript', contentType: 'application/json' });
    const transcript = initiation!.attachments![0].content.activities as Activity[];
    expect(transcript.map((a) => a.text)).toContain('hello');
    expect(replies.filter((a) => a.type === 'message').map((a) => a.text)).toEqual([en('human:externalQueued')]);

    await allReplies(chat, { type: 'event', name: 'handoff.status', value: { state: 'accepted' } });
    const conversation = await t.app.repositories.conversations.find('test', chat.conversationId);
    expect(await t.app.repositories.handoffs.findOpenForConversation(conversation!.id)).toMatchObject({ status: 'active', mode: 'external' });
    expect(await chat.texts('my card was charged twice')).toEqual([]);

    expect(await chat.send({ type: 'event', name: 'handoff.status', value: { state: 'completed' } })).toEqual([
      expect.objectContaining({ text: en('human:backToBot') }),
    ]);
    expect(await chat.texts('hello')).toEqual([en('main:greeting')]);
  });

  it('apologises when the external hub fails, and the bot carries on', async () => {
    const chat = new ChatClient(t.url, { locale: 'en-US' });
    await chat.say('agent');
    const failed = await chat.send({ type: 'event', name: 'handoff.status', value: { state: 'failed', message: 'no agents' } });
    expect(failed.map((a) => a.text)).toEqual([en('human:externalFailed')]);
    const conversation = await t.app.repositories.conversations.find('test', chat.conversationId);
    expect(await t.app.repositories.handoffs.findOpenForConversation(conversation!.id)).toBeUndefined();
    expect(await chat.texts('hello')).toEqual([en('main:greeting')]);
  });
});
