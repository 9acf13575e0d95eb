import { paths } from '../../bot/paths';
import { CommandMatcher } from '../../dialogs/keywords';
import { loadTexts } from '../../prompts/texts';

const matcher = new CommandMatcher(loadTexts({ localesDir: paths.locales, promptsDir: paths.prompts }));

describe('CommandMatcher', () => {
  it.each([
    ['取消', 'cancel'],
    ['算了，不办了', 'cancel'],
    ['转人工', 'human'],
    ['我要转人工！', 'human'],
    ['麻烦帮我转人工吧', 'human'],
    ['人工客服', 'human'],
    ['说中文', 'lang_zh'],
    ['请切换到英文', 'lang_en'],
    ['帮助', 'help'],
    ['Cancel', 'cancel'],
    ['never mind.', 'cancel'],
    ['agent', 'human'],
    ['I want to talk to a person', 'human'],
    ['talk to a real person please', 'human'],
    ['English please', 'lang_en'],
    ['can you speak Chinese', 'lang_zh'],
    ['Help!', 'help'],
  ])('"%s" is %s', (text, command) => {
    expect(matcher.match(text)).toBe(command);
  });

  it.each([
    ['stop charging me for things I never ordered'],
    ['stop charging me'],
    ['我上周打了好几次电话都没有人工客服接听，等了四十分钟，太过分了'],
    ['I asked the agent at the branch and she was rude'],
    ['余额多少'],
    ['我要销号，不用了'],
    ['我要退出这个套餐'],
    ['请'],
    [''],
    ['🙂'],
  ])('"%s" is not a command', (text) => {
    expect(matcher.match(text)).toBeUndefined();
  });
});
