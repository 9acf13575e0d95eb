import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { systemClock } from '../../../retention/clock';

/** What a conversation token says: which conversation, which user, until when. */
export interface ConversationClaims {
  conversationId: string;
  userId: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** Why a token was refused. */
export type TokenProblem = 'malformed' | 'signature' | 'expired';

/** The result of checking a token. */
export type TokenCheck = { ok: true; claims: ConversationClaims } | { ok: false; problem: TokenProblem };

// The JWT header every conversation token carries; comparing the encoded form refuses any other algorithm ("none").
const HEADER = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
const PART = /^[A-Za-z0-9_-]+$/;

/**
 * Stateless conversation tokens, signed with a key derived from the Direct Line secret, so that any instance sharing
 * the secret accepts them without a database read. They are shaped as JWTs (HS256, claims `conv`, `user`, `iat`,
 * `exp`) because Web Chat and botframework-directlinejs read the user id from a token's `user` claim and then send as
 * that user; a client never picks its own.
 */
export class ConversationTokens {
  private readonly key: Buffer;
  private readonly secret: Buffer;

  constructor(
    secret: string,
    /** Seconds a token lives. */
    readonly ttlS: number,
    private readonly now: () => number = systemClock,
  ) {
    this.secret = Buffer.from(secret, 'utf8');
    this.key = createHmac('sha256', secret).update('retention.directline.conversation-token.v1').digest();
  }

  /** Whether a bearer credential is the Direct Line secret itself. */
  isSecret(credential: string): boolean {
    const given = Buffer.from(credential, 'utf8');
    return given.length === this.secret.length && timingSafeEqual(given, this.secret);
  }

  /** A new token for the conversation's user, valid for the configured time. */
  issue(conversationId: string, userId: string): { token: string; expiresIn: number } {
    const iat = Math.floor(this.now() / 1000);
    return { token: this.sign({ conv: conversationId, user: userId, iat, exp: iat + this.ttlS }), expiresIn: this.ttlS };
  }

  /** Signs arbitrary claims (tests forge expired tokens with it). */
  sign(claims: { conv: string; user: string; iat: number; exp: number }): string {
    const body = `${HEADER}.${b64(JSON.stringify(claims))}`;
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /** Checks a token's form, signature and expiry. */
  verify(token: string): TokenCheck {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== HEADER || !PART.test(parts[1]) || !PART.test(parts[2]) || token.length > 2048)
      return { ok: false, problem: 'malformed' };
    const expected = this.mac(`${parts[0]}.${parts[1]}`);
    const given = Buffer.from(parts[2], 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, problem: 'signature' };
    let claims: Record<string, unknown>;
    try {
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return { ok: false, problem: 'malformed' };
    }
    const { conv, user, exp } = claims;
    if (typeof conv !== 'string' || typeof user !== 'string' || typeof exp !== 'number') return { ok: false, problem: 'malformed' };
    if (exp * 1000 <= this.now()) return { ok: false, problem: 'expired' };
    return { ok: true, claims: { conversationId: conv, userId: user, expiresAt: exp * 1000 } };
  }

  private mac(data: string): Buffer {
    return createHmac('sha256', this.key).update(data).digest();
  }
}

/** Why a customer token was not accepted. */
export type CustomerTokenProblem = 'malformed' | 'signature' | 'expired' | 'too_long_lived';

/** The longest a customer token may still have to live: they are minted per page view and used at once. */
export const CUSTOMER_TOKEN_MAX_LIFETIME_S = 600;

/**
 * Checks a signed customer token from the bank's own site: `<payload>.<signature>`, where payload is the base64url of
 * the JSON `{"sub": "<customer number>", "exp": <epoch seconds>}` and signature the base64url of
 * HMAC-SHA256(CUSTOMER_TOKEN_SECRET, payload). Returns the customer number and when the token expires, or why not.
 */
export function verifyCustomerToken(
  secret: string,
  token: string,
  now: number = systemClock(),
): { ok: true; customerNo: string; expiresAt: number } | { ok: false; problem: CustomerTokenProblem } {
  const parts = token.split('.');
  if (token.length > 1024 || parts.length !== 2 || !PART.test(parts[0]) || !PART.test(parts[1])) return { ok: false, problem: 'malformed' };
  const expected = createHmac('sha256', secret).update(parts[0]).digest();
  const given = Buffer.from(parts[1], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, problem: 'signature' };
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  } catch {
    return { ok: false, problem: 'malformed' };
  }
  const { sub, exp } = payload ?? {};
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 64 || typeof exp !== 'number' || !Number.isFinite(exp))
    return { ok: false, problem: 'malformed' };
  if (exp * 1000 <= now) return { ok: false, problem: 'expired' };
  if (exp * 1000 - now > CUSTOMER_TOKEN_MAX_LIFETIME_S * 1000) return { ok: false, problem: 'too_long_lived' };
  return { ok: true, customerNo: sub, expiresAt: exp * 1000 };
}

/** Signs a customer token as the bank's site would (used by tests and documented in the README). */
export function signCustomerToken(secret: string, customerNo: string, expSeconds: number): string {
  const payload = b64(JSON.stringify({ sub: customerNo, exp: expSeconds }));
  return `${payload}.${createHmac('sha256', secret).update(payload).digest('base64url')}`;
}

/** A new conversation id: unguessable, URL-safe. */
export function newConversationId(): string {
  return randomBytes(16).toString('base64url');
}

/** A new web chat user id; `dl_` marks ids that only a token may carry (Web Chat refuses them from a page). */
export function newUserId(): string {
  return `dl_${randomBytes(12).toString('base64url')}`;
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
