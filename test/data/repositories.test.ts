import { createAuditRepository } from '../../data/repositories/auditRepository';
import { createConversationRepository } from '../../data/repositories/conversationRepository';
import { createCustomerRepository } from '../../data/repositories/customerRepository';
import { createIdentityRepository } from '../../data/repositories/identityRepository';
import { createReplayGuardRepository } from '../../data/repositories/replayGuardRepository';
import { createStaffRepository } from '../../data/repositories/staffRepository';
import { createTranscriptRepository } from '../../data/repositories/transcriptRepository';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ seed: true });
});
afterAll(() => db.destroy());

describe('customer repository', () => {
  it('finds a customer by number and by mobile, with typed fields', async () => {
    const repo = createCustomerRepository(db.knex);
    const byNo = await repo.findByCustomerNo('B0002');
    expect(byNo).toMatchObject({ name: '李娜', tier: 'gold', industry: 'bank', marketingConsent: true, locale: 'zh-CN' });
    expect(typeof byNo!.joinedAt).toBe('number');
    expect(await repo.findByMobile('13800000002')).toEqual(byNo);
    expect(await repo.findById(byNo!.id)).toEqual(byNo);
    expect(await repo.findByMobile('13999999999')).toBeUndefined();
  });

  it('lists accounts with integer balances', async () => {
    const repo = createCustomerRepository(db.knex);
    const customer = await repo.findByCustomerNo('B0002');
    const accounts = await repo.listAccounts(customer!.id);
    expect(accounts.map((a) => a.number.slice(-4))).toEqual(['6688', '1234']);
    expect(accounts[0]).toMatchObject({ kind: 'current', unit: 'CNY', balance: 1_234_560 });
  });
});

describe('conversation repository', () => {
  it('creates a conversation once and returns the same id after', async () => {
    const repo = createConversationRepository(db.knex);
    const touch = { channelId: 'test', conversationKey: 'c-1', userId: 'u-1', reference: { a: 1 } };
    const id = await repo.ensure(touch);
    expect(await repo.ensure(touch)).toBe(id);
    // Another instance (no cache) finds the same row.
    expect(await createConversationRepository(db.knex).ensure(touch)).toBe(id);
    expect(await repo.find('test', 'c-1')).toMatchObject({ id, userId: 'u-1', reference: { a: 1 } });
  });

  it('refreshes a changed reference', async () => {
    const repo = createConversationRepository(db.knex);
    const id = await repo.ensure({ channelId: 'test', conversationKey: 'c-2', reference: { serviceUrl: 'http://a' } });
    await repo.ensure({ channelId: 'test', conversationKey: 'c-2', reference: { serviceUrl: 'http://b' } });
    expect((await repo.findById(id))!.reference).toEqual({ serviceUrl: 'http://b' });
  });
});

describe('transcript repository', () => {
  it('appends lines in order and pages through them', async () => {
    const conversationId = await createConversationRepository(db.knex).ensure({ channelId: 'test', conversationKey: 't-1', reference: {} });
    const repo = createTranscriptRepository(db.knex);
    await repo.append(
      Array.from(
        { length: 5 },
        (_, i) =>
          ({
            conversationId,
            direction: i % 2 ? 'out' : 'in',
            activityType: 'message',
            sender: i % 2 ? 'bot' : 'customer',
            text: `line ${i}`,
            meta: i === 1 ? { suggestions: ['a'] } : null,
            locale: 'zh-CN',
            createdAt: 1000 + i,
          }) as const,
      ),
    );
    const all = await repo.list(conversationId);
    expect(all.map((l) => l.text)).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
    expect(all[1].meta).toEqual({ suggestions: ['a'] });
    expect((await repo.list(conversationId, { afterId: all[2].id, limit: 1 })).map((l) => l.text)).toEqual(['line 3']);
  });
});

describe('identity repository', () => {
  it('binds a channel user to a customer and records verification', async () => {
    const customer = await createCustomerRepository(db.knex).findByCustomerNo('B0001');
    const repo = createIdentityRepository(db.knex, () => 5000);
    expect(await repo.find('wechat', 'openid-1')).toBeUndefined();
    await repo.bind('wechat', 'openid-1', customer!.id);
    await repo.markVerified('wechat', 'openid-1', 'conversation-1', 6000);
    expect(await repo.find('wechat', 'openid-1')).toEqual({
      channel: 'wechat',
      channelUserId: 'openid-1',
      customerId: customer!.id,
      boundAt: 5000,
      verifiedAt: 6000,
      verifiedConversation: 'conversation-1',
    });
    // The conversation ended: the verification is forgotten, the binding stays.
    await repo.clearVerified('wechat', 'openid-1');
    expect(await repo.find('wechat', 'openid-1')).toMatchObject({ customerId: customer!.id, verifiedAt: null, verifiedConversation: null });
    await repo.markVerified('wechat', 'openid-1', 'conversation-1', 6000);
    // Binding again (to someone else) clears the old verification.
    const other = await createCustomerRepository(db.knex).findByCustomerNo('B0002');
    await repo.bind('wechat', 'openid-1', other!.id);
    expect(await repo.find('wechat', 'openid-1')).toMatchObject({ customerId: other!.id, verifiedAt: null });
  });
});

describe('staff repository', () => {
  it('creates staff and never returns the hash outside findCredentials', async () => {
    const repo = createStaffRepository(db.knex);
    const created = await repo.create({ username: 'new.agent', displayName: 'New', role: 'agent', passwordHash: 'scrypt$x' });
    expect(created).toMatchObject({ username: 'new.agent', role: 'agent', active: true });
    expect(created).not.toHaveProperty('passwordHash');
    expect((await repo.findCredentials('new.agent'))!.passwordHash).toBe('scrypt$x');
  });
});

describe('audit repository', () => {
  it('records who did what, with personal data in the details masked', async () => {
    const repo = createAuditRepository(db.knex);
    await repo.record({
      actorType: 'staff',
      actorId: 7,
      action: 'customer.reveal',
      targetType: 'customer',
      targetId: 3,
      detail: { reason: 'callback to 13812345678' },
    });
    const [entry] = await repo.list({ targetType: 'customer', targetId: 3 });
    expect(entry).toMatchObject({ actorType: 'staff', actorId: '7', action: 'customer.reveal', detail: { reason: 'callback to 138****5678' } });
  });
});

describe('replay guard repository', () => {
  it('tells a first claim from a repeat with the same or another fingerprint, and forgets keys once they expire', async () => {
    const guards = createReplayGuardRepository(db.knex);
    expect(await guards.claim('test:a', 'body-1', 1_000)).toBe('first');
    expect(await guards.claim('test:a', 'body-1', 1_000)).toBe('same');
    expect(await guards.claim('test:a', 'body-2', 1_000)).toBe('different');
    expect(await guards.claim('test:b', 'body-1', 2_000)).toBe('first');
    // Concurrent claims of one new key: exactly one is first.
    const verdicts = await Promise.all(Array.from({ length: 8 }, () => guards.claim('test:c', 'x', 3_000)));
    expect(verdicts.filter((v) => v === 'first')).toHaveLength(1);
    expect(await guards.forgetExpired(1_000)).toBe(1);
    expect(await guards.claim('test:a', 'body-2', 5_000)).toBe('first');
    expect(await guards.claim('test:b', 'body-2', 2_000)).toBe('different');
  });
});

describe('transcript repository under concurrency', () => {
  it('stores every line of many concurrent appends, each conversation in its own order', async () => {
    const conversations = createConversationRepository(db.knex);
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) => conversations.ensure({ channelId: 'test', conversationKey: `conc-${i}`, reference: {} })),
    );
    const repo = createTranscriptRepository(db.knex);
    await Promise.all(
      ids.flatMap((conversationId) =>
        [0, 1, 2].map((n) => repo.append([{ conversationId, direction: 'in', activityType: 'message', sender: 'customer', text: `m${n}`, createdAt: n }])),
      ),
    );
    for (const id of ids) expect((await repo.list(id)).map((l) => l.text).sort()).toEqual(['m0', 'm1', 'm2']);
  });

  it('keeps the lines of other conversations when one append in a shared statement is bad', async () => {
    const conversationId = await createConversationRepository(db.knex).ensure({ channelId: 'test', conversationKey: 'good-one', reference: {} });
    const repo = createTranscriptRepository(db.knex);
    const results = await Promise.allSettled([
      repo.append([{ conversationId, direction: 'in', activityType: 'message', sender: 'customer', text: 'first', createdAt: 1 }]),
      repo.append([{ conversationId: 999_999, direction: 'in', activityType: 'message', sender: 'customer', text: 'orphan', createdAt: 1 }]),
      repo.append([{ conversationId, direction: 'out', activityType: 'message', sender: 'bot', text: 'second', createdAt: 2 }]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await repo.list(conversationId)).map((l) => l.text)).toEqual(['first', 'second']);
  });
});
