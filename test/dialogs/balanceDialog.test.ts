import { MemoryStorage, UserState } from 'botbuilder';
import { paths } from '../../bot/paths';
import type { Repositories } from '../../data/repositories';
import { BalanceDialog } from '../../dialogs/balanceDialog';
import type { UserProfile } from '../../dialogs/state';
import { VerificationDialog } from '../../dialogs/verificationDialog';
import { loadTexts } from '../../prompts/texts';
import { VerificationService } from '../../services/verification';

const texts = loadTexts({ localesDir: paths.locales, promptsDir: paths.prompts });
// The selector reads words only; the repositories are never called.
const repos = {} as Repositories;
const verification = new VerificationDialog({
  service: new VerificationService({ ...repos, sms: { kind: 'dev_outbox', send: async () => undefined }, texts, now: () => 0 }),
  texts,
  userProfile: new UserState(new MemoryStorage()).createProperty<UserProfile>('profile'),
});
const dialog = new BalanceDialog({ customers: repos.customers, identities: repos.identities, audit: repos.audit, texts, now: () => 0, verification });

describe('which accounts a message points at', () => {
  it.each([
    ['我卡里还有多少钱', { kinds: [], last4: undefined, all: false }],
    ['查下尾号6688的余额', { kinds: [], last4: '6688', all: false }],
    ['话费还剩多少', { kinds: ['phone_credit'], last4: undefined, all: false }],
    ['流量还有多少', { kinds: ['data'], last4: undefined, all: false }],
    ['我的积分', { kinds: ['points'], last4: undefined, all: false }],
    ['保单现金价值是多少', { kinds: ['cash_value'], last4: undefined, all: false }],
    ['定期存款到期了吗，还有多少', { kinds: ['time_deposit'], last4: undefined, all: false }],
    ['帮我查一下所有账户的余额', { kinds: [], last4: undefined, all: true }],
    ['how much data do I have left', { kinds: ['data'], last4: undefined, all: false }],
    ["what's in my savings", { kinds: ['savings'], last4: undefined, all: false }],
    ['balance of the account ending 1234', { kinds: [], last4: '1234', all: false }],
    ['6688', { kinds: [], last4: '6688', all: false }],
    ['show me all my balances', { kinds: [], last4: undefined, all: true }],
  ])('"%s"', (text, expected) => {
    expect(dialog.selectorFor(text)).toEqual(expected);
  });

  it('does not read a year or a long number in a long message as the last digits', () => {
    expect(dialog.selectorFor('我2026年存的那笔钱现在还有多少，是不是被扣了手续费').last4).toBeUndefined();
  });
});
