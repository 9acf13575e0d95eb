import { AutoSaveStateMiddleware, ConversationState, MemoryStorage, UserState } from 'botbuilder';
import { ComponentDialog, type DialogTurnResult, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { DialogTestClient } from 'botbuilder-testing';
import { LocaleMiddleware } from '../../bot/middleware/localeMiddleware';
import { paths } from '../../bot/paths';
import { createRepositories, type Repositories } from '../../data/repositories';
import { lockSubject } from '../../data/repositories/verificationRepository';
import type { SmsSender } from '../../dialogs/services';
import type { UserProfile } from '../../dialogs/state';
import { VerificationDialog, type VerificationResult } from '../../dialogs/verificationDialog';
import { loadTexts } from '../../prompts/texts';
import { VerificationService } from '../../services/verification';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const texts = loadTexts({ localesDir: paths.locales, promptsDir: paths.prompts });
const zh = (key: string, args?: Record<string, unknown>) => texts.t('zh-CN', key, args);
const MINUTE = 60_000;

let db: TestDatabase;
let repos: Repositories;
let clock = Date.UTC(2026, 10, 22, 2, 0);
beforeAll(async () => {
  db = await createTestDatabase({ seed: true, now: clock });
  repos = createRepositories(db.knex, { now: () => clock, otpSecret: 'a-test-secret-of-at-least-32-characters' });
});
afterAll(() => db.destroy());

/** An SMS sender that remembers what it sent, or fails when told to. */
function recordingSms(fail = false): SmsSender & { sent: Array<{ to: string; text: string }> } {
  const sent: Array<{ to: string; text: string }> = [];
  return {
    kind: 'gateway',
    sent,
    async send(message) {
      if (fail) throw new Error('gateway down');
      sent.push(message);
    },
  };
}

/** Runs the verification dialog under a parent that reports its result as a message. */
function client(sms: SmsSender, userId = `user-${Math.random().toString(36).slice(2)}`) {
  const storage = new MemoryStorage();
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);
  const userProfile = userState.createProperty<UserProfile>('profile');
  const verification = new VerificationDialog({ service: new VerificationService({ ...repos, sms, texts, now: () => clock }), texts, userProfile });
  const parent = new ComponentDialog('parent');
  // The first dialog added is the one the parent starts with.
  parent.addDialog(
    new WaterfallDialog('parent.steps', [
      async (step: WaterfallStepContext): Promise<DialogTurnResult> => step.beginDialog(verification.id),
      async (step: WaterfallStepContext): Promise<DialogTurnResult> => {
        await step.context.sendActivity(`RESULT ${JSON.stringify(step.result as VerificationResult)}`);
        return step.endDialog();
      },
    ]),
  );
  parent.addDialog(verification);
  const c = new DialogTestClient(
    'test',
    parent,
    undefined,
    [new LocaleMiddleware(userProfile, 'zh-CN'), new AutoSaveStateMiddleware(userState, conversationState)],
    conversationState,
  );
  const say = async (text: string) => {
    const first = await c.sendActivity({ type: 'message', text, from: { id: userId, name: 'customer' } });
    const all = first ? [first] : [];
    for (let next = c.getNextReply(); next; next = c.getNextReply()) all.push(next);
    return all.map((a) => a.text ?? '');
  };
  return { say, userId };
}

/** Waits until `n` texts were sent: a code for a number typed by someone not yet bound goes out in the background. */
async function textsSent(sms: { sent: unknown[] }, n: number): Promise<void> {
  for (let waited = 0; sms.sent.length < n; waited += 5) {
    if (waited > 5000) throw new Error(`${n} texts were not sent`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
const codeOf = (sms: { sent: Array<{ text: string }> }) => /\d{6}/.exec(sms.sent.at(-1)!.text)![0];
const result = (reply: string) => JSON.parse(reply.replace(/^RESULT /, '')) as VerificationResult;

describe('VerificationDialog', () => {
  it('binds an unbound user who proves the registered number, and later verifies them without asking for it', async () => {
    clock += 2 * 60 * MINUTE;
    const sms = recordingSms();
    const { say, userId } = client(sms);
    expect(await say('开始')).toEqual([zh('verify:askMobile')]);
    expect(await say('13800000004')).toEqual([zh('verify:codeSentUnbound', { mobile: '138****0004' })]);
    await textsSent(sms, 1);
    expect(sms.sent).toEqual([{ to: '13800000004', text: expect.stringContaining('验证码') }]);
    const replies = await say(codeOf(sms));
    expect(replies[0]).toBe(zh('verify:success'));
    const customer = await repos.customers.findByCustomerNo('B0004');
    expect(result(replies[1])).toEqual({ verified: true, customerId: customer!.id });
    expect(await repos.identities.find('test', userId)).toMatchObject({ customerId: customer!.id, verifiedAt: clock });

    // Still fresh: no question at all.
    clock += 14 * MINUTE;
    const again = client(sms, userId);
    expect((await again.say('开始')).map((r) => (r.startsWith('RESULT') ? result(r) : r))).toEqual([{ verified: true, customerId: customer!.id }]);
  });

  it('refuses a code that was already used', async () => {
    clock += 2 * 60 * MINUTE;
    const sms = recordingSms();
    const { say } = client(sms);
    await say('开始');
    await say('13800000001');
    await textsSent(sms, 1);
    const code = codeOf(sms);
    expect((await say(code))[0]).toBe(zh('verify:success'));
    // The same code, in a new verification of the same conversation after the session ran out.
    clock += 16 * MINUTE;
    expect(await say('开始')).toEqual([zh('verify:codeSentBound', { mobile: '138****0001' })]);
    // A new code was sent; the old one is used up.
    expect(await say(code)).toEqual([zh('verify:codeExpired'), zh('verify:askCodeAgain')]);
    expect((await say(codeOf(sms)))[0]).toBe(zh('verify:success'));
  });

  it('falls back to the knowledge questions when the SMS gateway fails for a bound customer', async () => {
    clock += 2 * 60 * MINUTE;
    const { say, userId } = client(recordingSms(true));
    const customer = await repos.customers.findByCustomerNo('B0002');
    await repos.identities.bind('test', userId, customer!.id);
    expect(await say('开始')).toEqual([zh('verify:smsFailed'), zh('verify:askIdLast4')]);
    expect(await say('0428')).toEqual([zh('verify:askBirthday')]);
    expect(await say('1985-04-29')).toEqual([zh('verify:knowledgeWrong', { count: 2 }), zh('verify:askIdLast4')]);
    await say('0428');
    const replies = await say('1985/4/28');
    expect(replies[0]).toBe(zh('verify:success'));
    expect(result(replies[1]).verified).toBe(true);
  });

  it('locks after three wrong knowledge answers for the customer, not only for this user', async () => {
    clock += 2 * 60 * MINUTE;
    const { say } = client(recordingSms());
    await say('开始');
    await say('13800000013');
    expect(await say('收不到短信')).toEqual([zh('verify:askIdLast4')]);
    for (let i = 0; i < 2; i++) {
      await say('1111');
      await say('1990-01-01');
      await say('1111');
    }
    await say('1990-01-01');
    const customer = await repos.customers.findByCustomerNo('T0003');
    expect((await repos.verification.lockState([lockSubject.customer(customer!.id)])).lockedUntil).toBe(clock + 30 * MINUTE);
  });

  it('stops judging knowledge answers for a customer after six wrong ones in a day: a stranger sees no difference, the customer is told', async () => {
    clock += 2 * 60 * MINUTE;
    /** A stranger types T0001's number, says no text came, and gives these answers to the two questions. */
    const stranger = async (answers: Array<[string, string]>) => {
      const { say } = client(recordingSms());
      await say('开始');
      await say('13800000011');
      expect(await say('收不到短信')).toEqual([zh('verify:askIdLast4')]);
      const replies: string[][] = [];
      for (const [id, birthday] of answers) {
        await say(id);
        replies.push(await say(birthday));
      }
      return replies;
    };
    // Two rounds of three wrong answers, each ending in the 30-minute lock.
    for (let round = 0; round < 2; round++) {
      const replies = await stranger([
        ['1111', '1990-01-01'],
        ['2222', '1990-01-01'],
        ['3333', '1990-01-01'],
      ]);
      expect(replies[2][0].startsWith(zh('verify:locked', { time: '@' }).split('@')[0])).toBe(true);
      clock += 31 * MINUTE;
    }
    // The right answers now read exactly like wrong ones, and like those for a number nobody has.
    const [right] = await stranger([['5531', '1980-01-05']]);
    expect(right).toEqual([zh('verify:knowledgeWrong', { count: 2 }), zh('verify:askIdLast4')]);
    const { say: nobody } = client(recordingSms());
    await nobody('开始');
    await nobody('13899999999');
    await nobody('收不到短信');
    await nobody('5531');
    expect(await nobody('1980-01-05')).toEqual(right);

    // The customer, bound and with the SMS gateway down, is told plainly and offered a person.
    clock += 2 * MINUTE; // past the one-code-a-minute limit of the strangers' codes
    const customer = await repos.customers.findByCustomerNo('T0001');
    const bound = client(recordingSms(true));
    await repos.identities.bind('test', bound.userId, customer!.id);
    const closed = await bound.say('开始');
    expect(closed.slice(0, 2)).toEqual([zh('verify:smsFailed'), zh('verify:knowledgeClosed')]);
    expect(result(closed[2])).toEqual({ verified: false, reason: 'locked' });

    // A day after the last wrong answer, the questions are judged again.
    clock += 24 * 60 * MINUTE;
    const later = client(recordingSms(true));
    await repos.identities.bind('test', later.userId, customer!.id);
    expect(await later.say('开始')).toEqual([zh('verify:smsFailed'), zh('verify:askIdLast4')]);
    await later.say('5531');
    expect((await later.say('1980-01-05'))[0]).toBe(zh('verify:success'));
  });

  it('gives up after three answers that are not a code, without counting them as failures', async () => {
    clock += 2 * 60 * MINUTE;
    const sms = recordingSms();
    const { say, userId } = client(sms);
    await say('开始');
    await say('13800000021');
    expect(await say('abc')).toEqual([zh('verify:askCodeRetry')]);
    expect(await say('12')).toEqual([zh('verify:askCodeRetry')]);
    const replies = await say('不知道');
    expect(replies[0]).toBe(zh('verify:codeGaveUp'));
    expect(result(replies[1])).toEqual({ verified: false, reason: 'gave_up' });
    expect((await repos.verification.lockState([lockSubject.user('test', userId)])).failures).toBe(0);
  });
});
