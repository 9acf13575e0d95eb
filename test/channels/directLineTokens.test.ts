import { ConversationTokens, signCustomerToken, verifyCustomerToken } from '../../bot/channels/directLine/tokens';
import { ConfigError, loadConfig } from '../../bot/config';

describe('conversation tokens', () => {
  let clock = Date.UTC(2026, 10, 23, 2, 0);
  const tokens = new ConversationTokens('a-secret', 600, () => clock);

  it('carry the conversation and user, and expire after their lifetime', () => {
    const { token, expiresIn } = tokens.issue('conv-12345678', 'dl_user');
    expect(expiresIn).toBe(600);
    expect(tokens.verify(token)).toEqual({ ok: true, claims: { conversationId: 'conv-12345678', userId: 'dl_user', expiresAt: clock + 600_000 } });
    clock += 600_000;
    expect(tokens.verify(token)).toEqual({ ok: false, problem: 'expired' });
  });

  it('are JWTs whose user claim Web Chat reads', () => {
    const { token } = tokens.issue('conv-12345678', 'dl_user');
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString('utf8')));
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toMatchObject({ conv: 'conv-12345678', user: 'dl_user' });
  });

  it('tell the secret from a token without leaking timing on length', () => {
    expect(tokens.isSecret('a-secret')).toBe(true);
    expect(tokens.isSecret('a-secreT')).toBe(false);
    expect(tokens.isSecret('a-secret-longer')).toBe(false);
  });
});

describe('signed customer tokens', () => {
  const now = Date.UTC(2026, 10, 23, 2, 0);
  const exp = now / 1000 + 300;

  it('give the customer number when the signature and expiry are right', () => {
    expect(verifyCustomerToken('k', signCustomerToken('k', 'B0002', exp), now)).toEqual({ ok: true, customerNo: 'B0002', expiresAt: exp * 1000 });
  });

  it('live ten minutes at most: they are made per page view', () => {
    expect(verifyCustomerToken('k', signCustomerToken('k', 'B0002', now / 1000 + 600), now)).toMatchObject({ ok: true });
    expect(verifyCustomerToken('k', signCustomerToken('k', 'B0002', now / 1000 + 601), now)).toEqual({ ok: false, problem: 'too_long_lived' });
  });

  it('refuse a payload changed after signing', () => {
    const [, signature] = signCustomerToken('k', 'B0002', exp).split('.');
    const other = Buffer.from(JSON.stringify({ sub: 'B0001', exp })).toString('base64url');
    expect(verifyCustomerToken('k', `${other}.${signature}`, now)).toEqual({ ok: false, problem: 'signature' });
  });

  it('refuse what is not one', () => {
    for (const token of ['', 'a.b.c', 'no-dot', `${Buffer.from('[1]').toString('base64url')}.x`]) {
      expect(verifyCustomerToken('k', token, now)).toMatchObject({ ok: false });
    }
  });
});

describe('CHAT_FRAME_ANCESTORS', () => {
  it('defaults to the page’s own origin and takes self and origins, with or without quotes', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).directLine.frameAncestors).toBe("'self'");
    expect(loadConfig({ NODE_ENV: 'test', CHAT_FRAME_ANCESTORS: 'self https://www.bank.example https://*.bank.example' }).directLine.frameAncestors).toBe(
      "'self' https://www.bank.example https://*.bank.example",
    );
    expect(loadConfig({ NODE_ENV: 'test', CHAT_FRAME_ANCESTORS: "'none'" }).directLine.frameAncestors).toBe("'none'");
  });

  it.each(['*', 'https://bank.example/path', "'none' https://bank.example", 'javascript:alert(1)', "'unsafe-inline'"])('refuses %s', (value) => {
    expect(() => loadConfig({ NODE_ENV: 'test', CHAT_FRAME_ANCESTORS: value })).toThrow(ConfigError);
  });
});
