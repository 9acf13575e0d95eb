import type { Activity } from 'botbuilder';
import { formatDateTime } from '../../prompts/format';
import { startTestApp, type TestApp } from '../helpers/app';
import { ChatClient } from '../helpers/chat';

const DAY = 86_400_000;
// 10:00 in Shanghai: working hours, so a handover queues.
let clock = Date.UTC(2026, 10, 23, 2, 0);
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ DEADLINE_CHECK_INTERVAL_S: '0' }, { now: () => clock });
  const agent = await t.app.repositories.staff.findByUsername('agent.zhang');
  await t.app.hub.setPresence(agent!.id, 'online', 50);
});
afterAll(() => t.close());

const zh = (key: string, args?: Record<string, unknown>) => t.app.texts.t('zh-CN', key, args);
const en = (key: string, args?: Record<string, unknown>) => t.app.texts.t('en-US', key, args);

async function bound(customerNo: string, options: { locale?: 'zh-CN' | 'en-US'; channelId?: string } = {}): Promise<{ chat: ChatClient; customerId: number }> {
  const chat = new ChatClient(t.url, { locale: options.locale ?? 'zh-CN', channelId: options.channelId });
  const customer = await t.app.repositories.customers.findByCustomerNo(customerNo);
  await t.app.repositories.identities.bind(options.channelId ?? 'test', chat.userId, customer!.id);
  return { chat, customerId: customer!.id };
}

describe('offers for me', () => {
  // A week apart, so that each test's customer may have an offer conversation.
  beforeEach(() => {
    clock += 8 * DAY;
  });

  it('shows a gold bank customer the offers they are eligible for, numbered, books the one accepted, and shows only what is still open within the week', async () => {
    const { chat, customerId } = await bound('B0002');
    const [offers] = await chat.texts('有什么适合我的优惠？');
    expect(offers).toContain(zh('offers:intro', { count: 2 }));
    expect(offers).toMatch(/^\d\. 稳健型理财新客同享$/m);
    expect(offers).toMatch(/^\d\. 白金信用卡首年免年费$/m);
    // Not eligible: needs a time deposit; a service-recovery gesture with no complaint to recover from; sold out.
    expect(offers).not.toContain('定期存款续存加息');
    expect(offers).not.toContain('服务补救');
    expect(offers).toContain(zh('offers:actionHelp'));
    const platinum = /^(\d)\. 白金信用卡首年免年费$/m.exec(offers)![1];
    const [accepted] = await chat.texts(`接受 ${platinum}`);
    expect(accepted).toBe(
      `好的，已为您登记「白金信用卡首年免年费」。您的客户经理陈静（客户经理）会在 ${formatDateTime(clock + 2 * DAY, 'zh-CN')} 前联系您办理。`,
    );

    const presentations = await t.app.repositories.offers.listPresentations(customerId);
    expect(presentations.map((p) => [p.offerCode, p.outcome, p.channel, p.locale])).toEqual(
      expect.arrayContaining([
        ['BANK_PLATINUM_FEE_WAIVER', 'accepted', 'test', 'zh-CN'],
        ['BANK_WEALTH_NEW_FUND', 'shown', 'test', 'zh-CN'],
      ]),
    );
    const rm = await t.app.repositories.staff.findByUsername('rm.chen');
    const [task] = await t.app.repositories.followUps.listForCustomer(customerId);
    expect(task).toMatchObject({ kind: 'offer_accepted', assigneeId: rm!.id, status: 'open', dueAt: clock + 2 * DAY });
    expect((await t.app.repositories.offers.findByCode('BANK_PLATINUM_FEE_WAIVER'))!.stock).toBe(99);

    clock += DAY;
    const [again] = await chat.texts('还有别的优惠吗');
    expect(again).toContain(zh('offers:recentlyShown'));
    expect(again).toContain('稳健型理财新客同享');
    expect(again).not.toContain('白金信用卡');
    expect(await chat.texts('不需要')).toEqual([zh('offers:declined', { title: '稳健型理财新客同享' })]);
    expect(await chat.texts('有优惠吗')).toEqual([zh('offers:recentlyShownNone')]);
  });

  it('says kindly that nothing fits a new customer without marketing consent, instead of pushing something', async () => {
    const { chat } = await bound('B0004');
    expect(await chat.texts('有什么优惠活动')).toEqual([zh('offers:noOffers')]);
  });

  it('books a call about an offer for later, in English', async () => {
    const { chat, customerId } = await bound('I0002', { locale: 'en-US' });
    const [offer] = await chat.texts('any offers for me?');
    expect(offer).toContain(en('offers:intro', { count: 1 }));
    expect(offer).toContain('1. 5% off when you renew');
    expect(await chat.texts('later')).toEqual([
      `All right, your relationship manager 陈静（客户经理） will contact you by ${formatDateTime(clock + DAY, 'en-US')} about "5% off when you renew".`,
    ]);
    const [task] = await t.app.repositories.followUps.listForCustomer(customerId);
    expect(task).toMatchObject({ kind: 'offer_later', dueAt: clock + DAY });
  });

  it('shows cards with accept, later and not-interested buttons on Web Chat', async () => {
    const { chat } = await bound('B0003', { channelId: 'webchat' });
    const [reply] = await chat.say('有什么优惠');
    expect(reply.attachmentLayout).toBe('carousel');
    const cards = (reply.attachments ?? []).map((a: NonNullable<Activity['attachments']>[number]) => a.content);
    expect(cards.length).toBeGreaterThan(0);
    expect(cards[0].buttons.map((b: { title: string }) => b.title)).toEqual(['接受', '稍后联系我', '不需要']);
  });

  it('answers honestly when the offer ran out between showing and accepting, and records nothing as accepted', async () => {
    const { chat, customerId } = await bound('B0003', { locale: 'en-US' });
    const [offer] = await chat.texts('show me offers');
    expect(offer).toContain('Steady wealth plan');
    await t.db.knex('offers').where({ code: 'BANK_WEALTH_NEW_FUND' }).update({ stock: 0 });
    expect(await chat.texts('accept 1')).toEqual([en('offers:soldOut', { title: 'Steady wealth plan, new-customer terms for you' })]);
    const presentations = await t.app.repositories.offers.listPresentations(customerId);
    expect(presentations.every((p) => p.outcome !== 'accepted')).toBe(true);
    expect(await t.app.repositories.followUps.listForCustomer(customerId)).toEqual([]);
    await t.db.knex('offers').where({ code: 'BANK_WEALTH_NEW_FUND' }).update({ stock: 200 });
  });
});

describe('a customer who wants to leave', () => {
  it('hears a regular customer out, records why, and offers the best retention offer', async () => {
    const { chat, customerId } = await bound('T0002', { locale: 'en-US' });
    const [ack] = await chat.say("I'm switching to another provider");
    expect(ack.text).toBe(en('churn:acknowledge'));
    expect(ack.suggestedActions?.actions.map((a) => a.title)).toContain('It costs too much');
    const [thanks, offer] = await chat.texts('your plans are too expensive');
    expect(thanks).toBe(en('churn:thanksReason'));
    expect(offer).toContain(en('churn:offerIntro'));
    expect(offer).toContain('Loyalty gift: 20 GB extra data a month');
    const [intent] = await t.app.repositories.churnIntents.listForCustomer(customerId);
    expect(intent).toMatchObject({ reason: 'price' });
    expect(intent.reasonText).toContain('switching to another provider');
    const customer = await t.app.repositories.customers.findById(customerId);
    expect(customer!.churnRiskScore).toBeGreaterThanOrEqual(45);

    expect(await chat.texts('accept')).toEqual([
      expect.stringMatching(/^Done: you've taken "Loyalty gift: 20 GB extra data a month"\. one of our staff will contact you by /),
    ]);
    const [presentation] = await t.app.repositories.offers.listPresentations(customerId);
    expect(presentation).toMatchObject({ offerCode: 'TEL_LOYALTY_DATA_20G', outcome: 'accepted', relevance: 'save_attempt' });
  });

  it('tells a customer who still wants to go how to, with the way to a person', async () => {
    const { chat, customerId } = await bound('T0002');
    // The same customer accepted the offer in the test before: start from a customer who never saw it.
    await t.db.knex('follow_ups').where({ customer_id: customerId }).delete();
    await t.db.knex('offer_presentations').where({ customer_id: customerId }).delete();
    expect(await chat.texts('我要销号，不用了')).toEqual([zh('churn:acknowledge')]);
    const [, offer] = await chat.texts('搬家了');
    expect(offer).toContain('老用户回馈');
    const [declined, bye] = await chat.say('不需要');
    expect(declined.text).toBe(zh('offers:declined', { title: '老用户回馈：每月加赠 20GB 流量' }));
    expect(bye.text).toBe(zh('churn:noOffer'));
    expect(bye.suggestedActions?.actions.map((a) => a.title)).toEqual(['转人工']);
    const replies = await chat.say('再见');
    expect(replies.map((r) => r.text)).toEqual([zh('main:goodbye')]);
  });

  it('hands a VIP to a person at once, with the reason on the handoff', async () => {
    const { chat, customerId } = await bound('B0001');
    const [ack] = await chat.texts('我准备把钱都转走');
    expect(ack).toBe(zh('churn:acknowledge'));
    const replies = await chat.texts('别家利率更高');
    expect(replies).toEqual([zh('churn:thanksReason'), zh('churn:handover'), zh('human:queuedNext')]);
    const conversation = await t.app.repositories.conversations.find('test', chat.conversationId);
    const handoff = await t.app.repositories.handoffs.findOpenForConversation(conversation!.id);
    expect(handoff!.reasons).toEqual(['tier_vip', 'churn_intent']);
    expect((handoff!.packet as { churnRisk: { signals: Array<{ code: string }> } }).churnRisk.signals.map((s) => s.code)).toContain('churn_intent');
    const [intent] = await t.app.repositories.churnIntents.listForCustomer(customerId);
    expect(intent.reason).toBe('competitor');
    await t.app.hub.abandon(handoff!.id, 'customer_left');
  });
});
