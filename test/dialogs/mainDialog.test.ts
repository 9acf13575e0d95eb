import { AutoSaveStateMiddleware, ConversationState, MemoryStorage, UserState } from 'botbuilder';
import { ComponentDialog, TextPrompt, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { DialogTestClient } from 'botbuilder-testing';
import { localRecognizer } from '../../bot';
import { LocaleMiddleware } from '../../bot/middleware/localeMiddleware';
import { paths } from '../../bot/paths';
import { CommandMatcher } from '../../dialogs/keywords';
import { type FeatureIntent, MainDialog } from '../../dialogs/mainDialog';
import type { IntentRecognizer } from '../../dialogs/recognizers/types';
import type { ConversationData, UserProfile } from '../../dialogs/state';
import { loadTexts } from '../../prompts/texts';

const texts = loadTexts({ localesDir: paths.locales, promptsDir: paths.prompts });
let recognizer: IntentRecognizer;
beforeAll(async () => {
  recognizer = await localRecognizer(0.6);
});

/** A stand-in feature: asks one question, then says what it heard. */
class AskNameDialog extends ComponentDialog {
  constructor(id = 'test.askName') {
    super(id);
    this.addDialog(new TextPrompt(`${id}.prompt`));
    this.addDialog(
      new WaterfallDialog(`${id}.steps`, [
        async (step: WaterfallStepContext) => step.prompt(`${id}.prompt`, 'What is your name?'),
        async (step: WaterfallStepContext) => {
          await step.context.sendActivity(`Hello ${step.result}`);
          return step.endDialog();
        },
      ]),
    );
    this.initialDialogId = `${id}.steps`;
  }
}

function client(options: { locale?: string; features?: Partial<Record<FeatureIntent, ComponentDialog>> } = {}) {
  const storage = new MemoryStorage();
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);
  const userProfile = userState.createProperty<UserProfile>('profile');
  const dialog = new MainDialog({
    recognizer,
    texts,
    commands: new CommandMatcher(texts),
    userProfile,
    conversationData: conversationState.createProperty<ConversationData>('session'),
    features: options.features,
  });
  const c = new DialogTestClient(
    'test',
    dialog,
    undefined,
    [new LocaleMiddleware(userProfile, 'zh-CN'), new AutoSaveStateMiddleware(userState, conversationState)],
    conversationState,
  );
  const say = async (text: string) => {
    const first = await c.sendActivity(options.locale ? { type: 'message', text, locale: options.locale } : text);
    const all = first ? [first] : [];
    for (let next = c.getNextReply(); next; next = c.getNextReply()) all.push(next);
    return all.map((a) => a.text);
  };
  return { client: c, say };
}

describe('MainDialog, small talk', () => {
  it('greets and offers the menu, in Chinese', async () => {
    const { client: c } = client();
    const reply = await c.sendActivity('你好');
    expect(reply.text).toBe(texts.t('zh-CN', 'main:greeting'));
    expect(reply.suggestedActions.actions.map((a: { title: string }) => a.title)).toEqual(['查询余额', '我要投诉', '看看优惠', '转人工']);
  });

  it('explains what it can do, in English', async () => {
    const { say } = client({ locale: 'en-US' });
    expect(await say('what can you do?')).toEqual([texts.render('en-US', 'main.help')]);
  });

  it('says goodbye and thanks', async () => {
    const { say } = client();
    expect(await say('谢谢啦')).toEqual([texts.t('zh-CN', 'main:thanks')]);
    expect(await say('拜拜')).toEqual([texts.t('zh-CN', 'main:goodbye')]);
  });

  it('says there is nothing to cancel when nothing is going on', async () => {
    const { say } = client();
    expect(await say('取消')).toEqual([texts.t('zh-CN', 'main:nothingToCancel')]);
  });

  it('when it does not understand twice in a row, says so more plainly the second time, then resets', async () => {
    const { say } = client();
    expect(await say('明天北京会下雨吗')).toEqual([texts.t('zh-CN', 'main:notUnderstood')]);
    expect(await say('给我讲个笑话吧')).toEqual([texts.t('zh-CN', 'main:notUnderstoodAgain')]);
    expect(await say('你好')).toEqual([texts.t('zh-CN', 'main:greeting')]);
    expect(await say('明天北京会下雨吗')).toEqual([texts.t('zh-CN', 'main:notUnderstood')]);
  });

  it('switches language on request and keeps it for the next turns', async () => {
    const { say } = client({ locale: 'zh-CN' });
    expect(await say('English please')).toEqual([texts.t('en-US', 'main:languageSwitched')]);
    expect(await say('你好')).toEqual([texts.t('en-US', 'main:greeting')]);
    expect(await say('说中文')).toEqual([texts.t('zh-CN', 'main:languageSwitched')]);
    expect(await say('hello')).toEqual([texts.t('zh-CN', 'main:greeting')]);
  });

  it.each([
    ['我卡里还有多少钱', 'balance'],
    ['我要投诉你们乱扣手续费', 'complaint'],
    ['C20261122-0007 处理得怎么样了', 'complaint_status'],
    ['有什么适合我的优惠', 'offers'],
    ['我想评价一下', 'feedback'],
    ['我要销户', 'churn'],
  ])('says plainly that "%s" (%s) is not available yet', async (text, intent) => {
    const { say } = client();
    expect(await say(text)).toEqual([texts.t('zh-CN', 'main:notYet', { feature: texts.t('zh-CN', `main:features.${intent}`) })]);
  });

  it('answers the menu buttons by their label, in either language', async () => {
    const { say } = client({ locale: 'en-US' });
    expect(await say('Talk to a person')).toEqual([texts.t('en-US', 'main:notYet', { feature: texts.t('en-US', 'main:features.human') })]);
    expect(await say('你能做什么')).toEqual([texts.render('en-US', 'main.help')]);
  });
});

describe('MainDialog, interruptions inside a feature dialog', () => {
  const feature = () => ({ features: { complaint: new AskNameDialog() } });

  it('starts the feature dialog that serves the intent', async () => {
    const { say } = client(feature());
    expect(await say('我要投诉')).toEqual(['What is your name?']);
    expect(await say('王五')).toEqual(['Hello 王五']);
  });

  it('"取消" cancels the dialog; the next message is routed afresh', async () => {
    const { say } = client(feature());
    await say('我要投诉');
    expect(await say('取消')).toEqual([texts.t('zh-CN', 'main:cancelled')]);
    // Had the question still been waiting, this would be taken as the name.
    expect(await say('你好')).toEqual([texts.t('zh-CN', 'main:greeting')]);
  });

  it('"help" explains and asks the same question again, keeping the dialog', async () => {
    const { say } = client(feature());
    await say('我要投诉');
    expect(await say('帮助')).toEqual([texts.t('zh-CN', 'main:helpInDialog'), 'What is your name?']);
    expect(await say('Li')).toEqual(['Hello Li']);
  });

  it('a language switch answers in the new language and keeps the dialog', async () => {
    const { say } = client(feature());
    await say('我要投诉');
    expect(await say('English please')).toEqual([texts.t('en-US', 'main:languageSwitched'), 'What is your name?']);
    expect(await say('Li')).toEqual(['Hello Li']);
  });

  it('"转人工" is not available yet: says so and keeps the dialog', async () => {
    const { say } = client(feature());
    await say('我要投诉');
    expect(await say('转人工')).toEqual([texts.t('zh-CN', 'main:notYet', { feature: texts.t('zh-CN', 'main:features.human') }), 'What is your name?']);
  });

  it('"转人工" starts the person feature when there is one, ending the dialog in progress', async () => {
    const { say } = client({ features: { complaint: new AskNameDialog(), human: new AskNameDialog('test.human') } });
    await say('我要投诉');
    expect(await say('我要转人工')).toEqual(['What is your name?']);
  });

  it('a long answer that mentions a person is an answer, not a command', async () => {
    const { say } = client(feature());
    await say('我要投诉');
    const answer = '上次打电话转人工等了四十分钟都没有人接，我非常不满意';
    expect(await say(answer)).toEqual([`Hello ${answer}`]);
  });
});
