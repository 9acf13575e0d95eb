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
      await chat.say('13800000002');
      const sent = gateway.messages.at(-1)!;
      expect(sent.to).toBe('13800000002');
      expect(await t.app.repositories.devSmsOutbox.latest('13800000002')).toEqual([]);
      const replies = await chat.texts(/\d{6}/.exec(sent.text)![0]);
      expect(replies[0]).toBe(t.app.texts.t('zh-CN', 'verify:success'));

      gateway.behave('fail');
      const other = new ChatClient(t.url, { locale: 'zh-CN' });
      await other.say('查余额');
      expect(await other.texts('13800000005')).toEqual([t.app.texts.t('zh-CN', 'verify:smsFailed'), t.app.texts.t('zh-CN', 'verify:askIdLast4')]);
    } finally {
      await t.close();
    }
  });
});
