import { randomInt } from 'node:crypto';
import type { AuditRepository } from '../data/repositories/auditRepository';
import type { ConversationRepository } from '../data/repositories/conversationRepository';
import type { CustomerRepository } from '../data/repositories/customerRepository';
import type { Customer } from '../retention/types';
import type { IdentityRepository } from '../data/repositories/identityRepository';
import { lockSubject, type VerificationRepository } from '../data/repositories/verificationRepository';
import type { Texts } from '../prompts/texts';
import type { Clock } from '../retention/clock';
import { codeSendAllowed, DEFAULT_VERIFICATION_POLICY, isVerifiedHere, knowledgeMatches, type VerificationPolicy } from '../retention/verification';
import type { SmsSender } from './ports';

/** Who is proving who they are: the channel user, in one conversation (a code works there only). */
export interface Claimant {
  channel: string;
  channelUserId: string;
  /** The channel's conversation id (where a code and a verification count). */
  conversationKey: string;
  /** The conversation's row id, when it has one. */
  conversationId?: number;
}

/** One attempt: the number the code goes to and whose it is (null: nobody's, or a locked customer's: a decoy). */
export interface Attempt {
  mobile: string;
  customerId: number | null;
  /** The channel user was bound to the customer before (then they are told more: see the dialog). */
  bound: boolean;
}

/** Where a verification starts. */
export type VerificationStart =
  { kind: 'locked'; until: number } | { kind: 'verified'; customerId: number } | { kind: 'bound'; attempt: Attempt } | { kind: 'unbound' };

/** What sending a code did. */
export type CodeSent = { kind: 'sent' } | { kind: 'limited'; retryAt: number } | { kind: 'sms_failed' };

/** What a wrong answer did: locked, or how many tries are left (for this claimant to hear). */
export type FailureOutcome = { kind: 'locked'; until: number } | { kind: 'retry'; attemptsLeft: number };

/**
 * Identity verification (身份验证) before any account data: a one-time code to the registered mobile, or knowledge
 * questions (ID ending and birthday) where SMS cannot be used; 15 minutes in the conversation it was made in; three
 * failures lock the channel user and the customer for 30 minutes; at most 6 wrong knowledge answers a customer a day.
 * A number nobody has gets the same answers as a real one (a decoy attempt): nothing tells a stranger it is registered.
 */
export class VerificationService {
  private readonly policy: VerificationPolicy;

  constructor(
    private readonly deps: {
      customers: CustomerRepository;
      identities: IdentityRepository;
      verification: VerificationRepository;
      conversations: ConversationRepository;
      audit: AuditRepository;
      sms: SmsSender;
      texts: Texts;
      now: Clock;
      policy?: VerificationPolicy;
    },
  ) {
    this.policy = deps.policy ?? DEFAULT_VERIFICATION_POLICY;
  }

  /** The digits a code has. */
  get codeDigits(): number {
    return this.policy.codeDigits;
  }

  /** Locked, verified already in this conversation, bound (the code goes to the registered number), or unknown. */
  async start(who: Claimant): Promise<VerificationStart> {
    const identity = await this.deps.identities.find(who.channel, who.channelUserId);
    const customerId = identity?.customerId ?? null;
    const lock = await this.deps.verification.lockState(this.subjects(who, customerId));
    if (lock.lockedUntil !== null) return { kind: 'locked', until: lock.lockedUntil };
    if (customerId === null) return { kind: 'unbound' };
    if (isVerifiedHere(identity, who.conversationKey, this.deps.now(), this.policy)) return { kind: 'verified', customerId };
    const customer = await this.deps.customers.findById(customerId);
    if (!customer) return { kind: 'unbound' };
    return { kind: 'bound', attempt: { mobile: customer.mobile, customerId, bound: true } };
  }

  /** The attempt for a number someone typed: the customer's when it is theirs and they are not locked, else a decoy. */
  async attemptFor(mobile: string): Promise<Attempt> {
    const customer = await this.deps.customers.findByMobile(mobile);
    let customerId = customer?.id ?? null;
    if (customerId !== null && (await this.deps.verification.lockState([lockSubject.customer(customerId)])).lockedUntil !== null) customerId = null;
    return { mobile, customerId, bound: false };
  }

  /**
   * Issues a code (within the sending limits) and sends it. A bound customer's send is awaited (a failure switches to
   * the questions); for a number typed by someone not yet bound it is not, so neither its time nor its failure tells a
   * stranger the number is registered (the development outbox is awaited: developers and tests read it at once).
   */
  async sendCode(who: Claimant, attempt: Attempt): Promise<CodeSent> {
    const allowed = codeSendAllowed(await this.deps.verification.recentSends(attempt.mobile), this.deps.now(), this.policy);
    if (!allowed.allowed) return { kind: 'limited', retryAt: allowed.retryAt };
    const code = String(randomInt(0, 10 ** this.policy.codeDigits)).padStart(this.policy.codeDigits, '0');
    await this.deps.verification.issueCode({
      channel: who.channel,
      channelUserId: who.channelUserId,
      conversationKey: who.conversationKey,
      mobile: attempt.mobile,
      customerId: attempt.customerId,
      code,
    });
    if (attempt.customerId === null) return { kind: 'sent' };
    const sending = this.sms(attempt.customerId, attempt.mobile, code);
    if (attempt.bound) return (await sending) ? { kind: 'sent' } : { kind: 'sms_failed' };
    if (this.deps.sms.kind === 'dev_outbox') await sending;
    return { kind: 'sent' };
  }

  /** Locked since the attempt began (in another conversation, say)? Answers are judged only while nobody is. */
  async lockedUntil(who: Claimant, attempt: Attempt): Promise<number | null> {
    return (await this.deps.verification.lockState(this.subjects(who, attempt.customerId))).lockedUntil;
  }

  /** Checks a typed code of this claimant's conversation. */
  async checkCode(who: Claimant, code: string): Promise<{ outcome: 'ok'; customerId: number } | { outcome: 'wrong' | 'expired' }> {
    const check = await this.deps.verification.checkCode(
      { channel: who.channel, channelUserId: who.channelUserId, conversationKey: who.conversationKey },
      code,
    );
    if (check.outcome === 'ok') return { outcome: 'ok', customerId: check.customerId };
    return { outcome: check.outcome === 'wrong' ? 'wrong' : 'expired' };
  }

  /** Whether a bound customer may still answer the questions today (their day of wrong answers is not used up). */
  async knowledgeOpen(attempt: Attempt): Promise<boolean> {
    return attempt.customerId === null || (await this.deps.verification.knowledgeAllowed(attempt.customerId));
  }

  /** Both answers must match; judged only while the customer's day of knowledge answers is not used up. */
  async checkKnowledge(attempt: Attempt, answers: { idLast4: string; birthday: string }): Promise<boolean> {
    const customerId = attempt.customerId;
    if (customerId === null || !(await this.deps.verification.knowledgeAllowed(customerId))) return false;
    const record = await this.deps.customers.findKnowledge(customerId);
    if (record && knowledgeMatches(record, answers)) return true;
    await this.deps.verification.recordKnowledgeFailure(customerId);
    return false;
  }

  /** A wrong code or answer: counted for the channel user and the customer; locks after the last one allowed. */
  async recordFailure(who: Claimant, attempt: Attempt): Promise<FailureOutcome> {
    const outcome = await this.deps.verification.recordFailure(this.subjects(who, attempt.customerId));
    if (outcome.lockedUntil !== null) {
      await this.deps.audit.record({
        actorType: 'system',
        action: 'verification.locked',
        targetType: attempt.customerId !== null ? 'customer' : 'channel_user',
        targetId: attempt.customerId ?? `${who.channel}:${who.channelUserId}`,
        detail: { channel: who.channel, until: outcome.lockedUntil },
      });
      return { kind: 'locked', until: outcome.lockedUntil };
    }
    // Someone not yet bound hears only their own count: the customer's would tell them the number is registered.
    const left = attempt.bound ? outcome.attemptsLeft : outcome.bySubject[lockSubject.user(who.channel, who.channelUserId)].attemptsLeft;
    return { kind: 'retry', attemptsLeft: left };
  }

  /** Success: binds the channel user, marks the verification (for this conversation), clears failures, audits. */
  async succeed(who: Claimant, customerId: number): Promise<Customer | undefined> {
    const identity = await this.deps.identities.find(who.channel, who.channelUserId);
    if (identity?.customerId !== customerId) await this.deps.identities.bind(who.channel, who.channelUserId, customerId);
    await this.deps.identities.markVerified(who.channel, who.channelUserId, who.conversationKey, this.deps.now());
    await this.deps.verification.clearFailures([lockSubject.user(who.channel, who.channelUserId), lockSubject.customer(customerId)]);
    if (who.conversationId !== undefined) await this.deps.conversations.setCustomer(who.conversationId, customerId);
    await this.deps.audit.record({
      actorType: 'customer',
      actorId: customerId,
      action: 'verification.succeeded',
      targetType: 'conversation',
      targetId: who.conversationId ?? null,
      detail: { channel: who.channel },
    });
    return this.deps.customers.findById(customerId);
  }

  private subjects(who: Claimant, customerId: number | null): string[] {
    return [lockSubject.user(who.channel, who.channelUserId), ...(customerId !== null ? [lockSubject.customer(customerId)] : [])];
  }

  /** Sends the code in the customer's language; false when the gateway could not take it. */
  private async sms(customerId: number, mobile: string, code: string): Promise<boolean> {
    const customer = await this.deps.customers.findById(customerId);
    try {
      await this.deps.sms.send({ to: mobile, text: this.deps.texts.render(customer?.locale ?? 'zh-CN', 'verify.sms', { code }) });
      return true;
    } catch {
      return false;
    }
  }
}
