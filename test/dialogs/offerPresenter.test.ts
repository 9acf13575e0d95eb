import { MemoryStorage, UserState } from 'botbuilder';
import { paths } from '../../bot/paths';
import type { Repositories } from '../../data/repositories';
import { ChurnDialog } from '../../dialogs/churnDialog';
import { HumanDialog } from '../../dialogs/humanDialog';
import { OfferPresenter } from '../../dialogs/offerPresenter';
import { Say } from '../../dialogs/say';
import type { UserProfile } from '../../dialogs/state';
import { VerificationDialog } from '../../dialogs/verificationDialog';
import { loadTexts } from '../../prompts/texts';
import type { OfferService } from '../../services/offers';
import { VerificationService } from '../../services/verification';

const texts = loadTexts({ localesDir: paths.locales, promptsDir: paths.prompts });
const say = new Say(texts);
// Reading words needs no repository.
const repos = {} as Repositories;
const presenter = new OfferPresenter({} as OfferService, say);

describe('reading an answer to offers', () => {
  it.each([
    ['接受 1', 3, { kind: 'accept', index: 0 }],
    ['接受第2个', 3, { kind: 'accept', index: 1 }],
    ['我要这个', 1, { kind: 'accept', index: 0 }],
    ['不需要 2', 2, { kind: 'decline', index: 1 }],
    ['不要', 1, { kind: 'decline', index: 0 }],
    ['稍后联系我 3', 3, { kind: 'later', index: 2 }],
    ['好的，稍后再说', 1, { kind: 'later', index: 0 }],
    ['都不需要', 3, { kind: 'decline_all' }],
    ['Accept 2', 2, { kind: 'accept', index: 1 }],
    ['not interested', 1, { kind: 'decline', index: 0 }],
    ['call me later 1', 2, { kind: 'later', index: 0 }],
    ['none of them', 2, { kind: 'decline_all' }],
  ] as const)('"%s" (of %d offers)', (text, count, expected) => {
    expect(presenter.parseAction(text, count)).toEqual(expected);
  });

  it.each([
    ['接受', 3],
    ['接受 4', 3],
    ['what is this', 1],
    ['', 1],
  ] as const)('"%s" is not an answer to %d offers', (text, count) => {
    expect(presenter.parseAction(text, count)).toBeUndefined();
  });
});

describe('reading why a customer wants to leave', () => {
  const verification = new VerificationDialog({
    service: new VerificationService({ ...repos, sms: { kind: 'dev_outbox', send: async () => undefined }, texts, now: () => 0 }),
    texts,
    userProfile: new UserState(new MemoryStorage()).createProperty<UserProfile>('profile'),
  });
  const human = new HumanDialog({
    handoff: { mode: 'internal' } as never,
    ...repos,
    escalation: {} as never,
    conversationData: {} as never,
    say,
    now: () => 0,
    workingHoursLabel: '08:00–22:00',
    callbackWithinHours: 2,
  });
  const churn = new ChurnDialog({
    ...repos,
    saveFlow: {} as never,
    offers: {} as never,
    conversationData: {} as never,
    presenter,
    verification,
    human,
    say,
  });

  it.each([
    ['费用太高', 'price'],
    ['你们的套餐太贵了', 'price'],
    ['别家利率更高', 'competitor'],
    ['服务太差了', 'service'],
    ['我要出国了', 'moving'],
    ['用不上了', 'no_need'],
    ['A better deal elsewhere', 'competitor'],
    ['your plans are too expensive', 'price'],
    ["I'm relocating to Canada", 'moving'],
    ['just because', 'other'],
  ] as const)('"%s" is %s', (text, reason) => {
    expect(churn.reasonOf(text)).toBe(reason);
  });
});
