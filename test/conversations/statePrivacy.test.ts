import { findPii } from '../../retention/pii';
import { startTestApp, type TestApp } from '../helpers/app';
import { ChatClient } from '../helpers/chat';

// The dialog state (bot_state) keeps no personal data a customer typed: what a dialog needs later is kept masked, and a
// value it needs unmasked (the number a code was sent to) lives only until the dialog that needs it has ended.
const MINUTE = 60_000;
let clock = Date.UTC(2026, 10, 23, 2, 0);
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ DEADLINE_CHECK_INTERVAL_S: '0' }, { now: () => clock });
});
afterAll(() => t.close());

/** Every piece of personal data in the stored state of these conversations (and their users), by kind and value. */
async function piiInState(chats: ChatClient[]): Promise<string[]> {
  const rows: Array<{ key: string; data: string }> = await t.db.knex('bot_state').select('key', 'data');
  const ours = rows.filter((r) => chats.some((c) => r.key.includes(c.conversationId) || r.key.includes(c.userId)));
  return (
    ours
      .flatMap((r) => findPii(r.data).map((m) => `${m.kind}:${m.value} in ${r.key.split('/')[1]}`))
      // The prompts' own example ("for example 138 0000 0000"), kept with the prompt's text: not a customer's.
      .filter((p) => !p.startsWith('mobile:138 0000 0000'))
  );
}

async function latestCode(mobile: string): Promise<string> {
  const [message] = await t.app.repositories.devSmsOutbox.latest(mobile, 1);
  return /\b(\d{6})\b/.exec(message?.text ?? '')![1];
}

const CARD = '6222 0212 3456 7890 128';
const ID = '110101199003071234';
const MOBILE = '13912345678';
const EMAIL = 'li.na.home@example.com';

describe('personal data a customer types', () => {
  it('is not kept in the dialog state of a complaint, half way or filed', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    await chat.say(`我要投诉，我的卡${CARD}被扣了两次年费，身份证${ID}，邮箱${EMAIL}`);
    // Waiting for the contact: the draft holds the description, masked.
    expect(await piiInState([chat])).toEqual([]);
    await chat.say('2');
    await chat.say(MOBILE);
    expect(await piiInState([chat])).toEqual([]);
    const [complaint] = await t.db.knex('complaints').orderBy('id', 'desc').limit(1);
    expect(complaint.description).not.toContain('6222');
    expect(complaint.contact).toBe(MOBILE);
  });

  it('is not kept after a balance enquiry with a code, nor while the code is awaited beyond the number it went to', async () => {
    clock += 61 * MINUTE;
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    await chat.say(`查余额，顺便我的邮箱是${EMAIL}`);
    await chat.say('13800000002');
    // The code went to the number given; the state keeps it (to send again on "resend") and nothing else.
    expect((await piiInState([chat])).filter((p) => !p.startsWith('mobile:13800000002'))).toEqual([]);
    await chat.say(await latestCode('13800000002'));
    expect(await piiInState([chat])).toEqual([]);
  });

  it('is not kept when the customer says they are leaving, or books a call back with a number', async () => {
    const chat = new ChatClient(t.url, { locale: 'zh-CN' });
    await chat.say(`我要销户，卡号${CARD}，手机${MOBILE}`);
    expect(await piiInState([chat])).toEqual([]);
    const other = new ChatClient(t.url, { locale: 'zh-CN' });
    // 23:30 in Shanghai: outside working hours, so a person is offered as a call back.
    clock = Date.UTC(2026, 10, 23, 15, 30);
    await other.say('转人工');
    await other.say('1');
    await other.say(MOBILE);
    expect(await piiInState([other])).toEqual([]);
  });
});
