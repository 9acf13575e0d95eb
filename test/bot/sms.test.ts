import pino from 'pino';
import { createHttpSmsGateway, SmsSendError } from '../../bot/sms';
import { startTestApp } from '../helpers/app';
import { ChatClient } from '../helpers/chat';
import { startFakeSmsGateway } from '../fakes/smsGateway';

const silent = pino({ level: 'silent' });
let gateway: Awaited<ReturnType<typeof startFakeSmsGateway>>;
beforeAll(async () => {
  gateway = await startFakeSmsGateway();
});
afterAll(() => gateway.close());

describe('the HTTP SMS gateway', () => {
  it('posts the number and text with the bearer token', async () => {
    gateway.behave('ok');
    const sms = createHttpSmsGateway({ url: gateway.url, token: 'secret-token', timeoutMs: 1000 }, silent);
    await sms.send({ to: '13800000002', text: 'hello' });
    expect(gateway.messages.at(-1)).toEqual({ to: '13800000002', text: 'hello', authorization: 'Bearer secret-token' });
  });

  it('fails clearly when the gateway refuses or does not answer in time', async () => {
    const sms = createHttpSmsGateway({ url: gateway.url, timeoutMs: 200 }, silent);
    gateway.behave('fail');
    await expect(sms.send({ to: '13800000002', text: 'x' })).rejects.toThrow(SmsSendError);
    gateway.behave('hang');
    await expect(sms.send({ to: '13800000002', text: 'x' })).rejects.toThrow(/did not answer/);
  });
});

describe('verification through a configured gateway', () => {
  it('sends the code through the gateway, not the development outbox, and falls back to questions when it is down', async () => {
    gateway.behave('ok');
    const t = await startTestApp({ SMS_GATEWAY_URL: gateway.url, SMS_TIMEOUT_MS: '500' });
    try {
      const chat = new ChatClient(t.url, { locale: 'zh-CN' });
      await chat.say('查余额');
      const before = gateway.messages.length;
      await chat.say('13800000002');
      // Sent without holding up the answer (for a number typed by someone not yet bound): wait for it to arrive.
      for (let i = 0; i < 50 && gateway.messages.length === before; i++) await new Promise((r) => setTimeout(r, 20));
      const sent = gateway.messages.at(-1)!;
      expect(sent.to).toBe('13800000002');
      expect(await t.app.repositories.devSmsOutbox.latest('13800000002')).toEqual([]);
      const replies = await chat.texts(/\d{6}/.exec(sent.text)![0]);
      expect(replies[0]).toBe(t.app.texts.t('zh-CN', 'verify:success'));

      // A bound customer whose code cannot be sent is switched to the security questions at once.
      gateway.behave('fail');
      const other = new ChatClient(t.url, { locale: 'zh-CN' });
      const customer = await t.app.repositories.customers.findByCustomerNo('B0005');
      await t.app.repositories.identities.bind('test', other.userId, customer!.id);
      expect(await other.texts('查余额')).toEqual([t.app.texts.t('zh-CN', 'verify:smsFailed'), t.app.texts.t('zh-CN', 'verify:askIdLast4')]);

      // Someone not yet bound gets the same answer whether the gateway works or not, and whether the number is
      // registered or not; they can ask for the questions themselves.
      const stranger = new ChatClient(t.url, { locale: 'zh-CN' });
      await stranger.say('查余额');
      expect(await stranger.texts('13800000001')).toEqual([t.app.texts.t('zh-CN', 'verify:codeSentUnbound', { mobile: '138****0001' })]);
      const nobody = new ChatClient(t.url, { locale: 'zh-CN' });
      await nobody.say('查余额');
      expect(await nobody.texts('13912340000')).toEqual([t.app.texts.t('zh-CN', 'verify:codeSentUnbound', { mobile: '139****0000' })]);
    } finally {
      await t.close();
    }
  });
});
