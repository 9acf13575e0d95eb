import { randomInt } from 'node:crypto';
import { MessageFactory, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  type DialogTurnResult,
  type PromptValidatorContext,
  TextPrompt,
  WaterfallDialog,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import type { AuditRepository } from '../data/repositories/auditRepository';
import type { ConversationRepository } from '../data/repositories/conversationRepository';
import type { CustomerRepository } from '../data/repositories/customerRepository';
import type { IdentityRepository } from '../data/repositories/identityRepository';
import { type CodeScope, lockSubject, type VerificationRepository } from '../data/repositories/verificationRepository';
import type { Texts } from '../prompts/texts';
import { formatTime } from '../prompts/format';
import { maskMobile } from '../retention/pii';
import {
  codeSendAllowed,
  DEFAULT_VERIFICATION_POLICY,
  isVerifiedHere,
  knowledgeMatches,
  parseBirthday,
  parseIdLast4,
  parseMobile,
  parseOtp,
  type VerificationPolicy,
} from '../retention/verification';
import { PhraseMatcher } from './phrases';
import type { Clock, SmsSender } from './services';
import type { UserProfile } from './state';
import { redactInbound, turnConversationId, turnLocale } from './turn';

/** The verification dialog's id (stored in conversation state: never rename). */
export const VERIFICATION_DIALOG = 'verification';
const MAIN = 'verification.main';
const OTP = 'verification.otp';
const KNOWLEDGE = 'verification.knowledge';
const MOBILE_PROMPT = 'verification.mobilePrompt';
const CODE_PROMPT = 'verification.codePrompt';
const ID_PROMPT = 'verification.idPrompt';
const BIRTHDAY_PROMPT = 'verification.birthdayPrompt';

/** Invalid answers a prompt takes before the dialog gives up (a typo or two is normal; ten is not a customer). */
const MAX_INVALID_ANSWERS = 3;

/** How the verification ended. */
export interface VerificationResult {
  verified: boolean;
  customerId?: number;
  /** Why it did not succeed. */
  reason?: 'locked' | 'gave_up';
}

/** What the verification dialog needs. */
export interface VerificationDialogDeps {
  customers: CustomerRepository;
  identities: IdentityRepository;
  verification: VerificationRepository;
  conversations: ConversationRepository;
  audit: AuditRepository;
  sms: SmsSender;
  texts: Texts;
  userProfile: StatePropertyAccessor<UserProfile>;
  now: Clock;
  policy?: VerificationPolicy;
}

/** What the one-time-code and knowledge steps carry between turns. */
interface AttemptOptions {
  /** The number the code goes to: the bound customer's, or the one the customer typed. */
  mobile: string;
  /** The customer the number belongs to; null when none does (or is locked): a decoy, answered like the real thing. */
  customerId: number | null;
  bound: boolean;
  /** Set when returning to the code prompt without sending a new code. */
  skipSend?: boolean;
}

/**
 * Proves that the person in the conversation is the customer, before any personal data is shown. A channel user not
 * yet bound gives their registered mobile number first; the proof is a one-time code sent to that number, or, when
 * SMS cannot be used, two knowledge questions. Success binds the channel user to the customer and lasts 15 minutes;
 * three failures lock the feature for 30 minutes. Every answer reads the same whether or not a number is registered.
 *
 * Ends with a `VerificationResult`. Reusable by every feature that shows account data.
 */
export class VerificationDialog extends ComponentDialog {
  private readonly policy: VerificationPolicy;
  private readonly resend: PhraseMatcher;
  private readonly noSms: PhraseMatcher;

  constructor(private readonly deps: VerificationDialogDeps) {
    super(VERIFICATION_DIALOG);
    this.policy = deps.policy ?? DEFAULT_VERIFICATION_POLICY;
    this.resend = new PhraseMatcher(deps.texts, 'verify:resendWords');
    this.noSms = new PhraseMatcher(deps.texts, 'verify:noSmsWords');
    this.addDialog(new TextPrompt(MOBILE_PROMPT, (pc) => this.validate(pc, (t) => parseMobile(t) !== undefined)));
    this.addDialog(
      new TextPrompt(CODE_PROMPT, (pc) => {
        // The code is a secret: the transcript keeps that an answer came, not what it was.
        redactInbound(pc.context);
        return this.validate(pc, (t) => parseOtp(t, this.policy.codeDigits) !== undefined || this.resend.matches(t) || this.noSms.matches(t));
      }),
    );
    this.addDialog(
      new TextPrompt(ID_PROMPT, (pc) => {
        redactInbound(pc.context);
        return this.validate(pc, (t) => parseIdLast4(t) !== undefined);
      }),
    );
    this.addDialog(
      new TextPrompt(BIRTHDAY_PROMPT, (pc) => {
        redactInbound(pc.context);
        return this.validate(pc, (t) => parseBirthday(t) !== undefined);
      }),
    );
    this.addDialog(new WaterfallDialog(MAIN, [this.startStep.bind(this), this.mobileStep.bind(this), this.finishStep.bind(this)]));
    this.addDialog(new WaterfallDialog(OTP, [this.sendCodeStep.bind(this), this.checkCodeStep.bind(this)]));
    this.addDialog(new WaterfallDialog(KNOWLEDGE, [this.askIdStep.bind(this), this.askBirthdayStep.bind(this), this.checkKnowledgeStep.bind(this)]));
    this.initialDialogId = MAIN;
  }

  /** Already verified, locked, bound or not: decides where to start. */
  private async startStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { channel, channelUserId } = who(step.context);
    const identity = await this.deps.identities.find(channel, channelUserId);
    const customerId = identity?.customerId ?? null;
    const subjects = [lockSubject.user(channel, channelUserId), ...(customerId !== null ? [lockSubject.customer(customerId)] : [])];
    const lock = await this.deps.verification.lockState(subjects);
    if (lock.lockedUntil !== null) {
      await this.say(step.context, 'verify:stillLocked', { time: this.time(step.context, lock.lockedUntil) }, [this.t(step.context, 'main:suggestions.human')]);
      return step.endDialog({ verified: false, reason: 'locked' } satisfies VerificationResult);
    }
    if (customerId !== null && isVerifiedHere(identity, step.context.activity.conversation?.id, this.deps.now(), this.policy)) {
      return step.endDialog({ verified: true, customerId } satisfies VerificationResult);
    }
    values(step).boundCustomerId = customerId;
    if (customerId !== null) return step.next();
    return step.prompt(MOBILE_PROMPT, { prompt: this.t(step.context, 'verify:askMobile'), retryPrompt: this.t(step.context, 'verify:askMobileRetry') });
  }

  /** Finds whose number it is (silently: a number nobody has, or a locked customer's, becomes a decoy). */
  private async mobileStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const boundCustomerId = values(step).boundCustomerId as number | null;
    if (boundCustomerId !== null) {
      const customer = await this.deps.customers.findById(boundCustomerId);
      if (!customer) return step.replaceDialog(MAIN);
      return step.beginDialog(OTP, { mobile: customer.mobile, customerId: customer.id, bound: true } satisfies AttemptOptions);
    }
    const mobile = parseMobile(String(step.result ?? ''));
    if (!mobile) {
      await this.say(step.context, 'verify:mobileGaveUp');
      return step.endDialog({ verified: false, reason: 'gave_up' } satisfies VerificationResult);
    }
    const customer = await this.deps.customers.findByMobile(mobile);
    let customerId = customer?.id ?? null;
    if (customerId !== null && (await this.deps.verification.lockState([lockSubject.customer(customerId)])).lockedUntil !== null) customerId = null;
    return step.beginDialog(OTP, { mobile, customerId, bound: false } satisfies AttemptOptions);
  }

  /** On success: binds, marks verified, clears failures, and says so. */
  private async finishStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = (step.result ?? { verified: false, reason: 'gave_up' }) as VerificationResult;
    if (!result.verified || result.customerId === undefined) return step.endDialog(result);
    const context = step.context;
    const { channel, channelUserId } = who(context);
    const customerId = result.customerId;
    const identity = await this.deps.identities.find(channel, channelUserId);
    if (identity?.customerId !== customerId) await this.deps.identities.bind(channel, channelUserId, customerId);
    await this.deps.identities.markVerified(channel, channelUserId, context.activity.conversation.id, this.deps.now());
    await this.deps.verification.clearFailures([lockSubject.user(channel, channelUserId), lockSubject.customer(customerId)]);
    const conversationId = turnConversationId(context);
    if (conversationId !== undefined) await this.deps.conversations.setCustomer(conversationId, customerId);
    const customer = await this.deps.customers.findById(customerId);
    const profile = await this.deps.userProfile.get(context, {});
    profile.customerId = customerId;
    if (customer) profile.customerLocale = customer.locale;
    await this.deps.audit.record({
      actorType: 'customer',
      actorId: customerId,
      action: 'verification.succeeded',
      targetType: 'conversation',
      targetId: conversationId ?? null,
      detail: { channel },
    });
    await this.say(context, 'verify:success');
    return step.endDialog(result);
  }

  /** Sends a code (within the sending limits) and asks for it. */
  private async sendCodeStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as AttemptOptions;
    const context = step.context;
    // The question asked: "a code was sent to …" when one went out now, else a plain request for the code.
    let ask = this.t(context, 'verify:askCodeAgain');
    if (!options.skipSend) {
      const allowed = codeSendAllowed(await this.deps.verification.recentSends(options.mobile), this.deps.now(), this.policy);
      if (!allowed.allowed) {
        await this.say(context, 'verify:tooManyCodes', { time: this.time(context, allowed.retryAt) });
      } else {
        const code = String(randomInt(0, 10 ** this.policy.codeDigits)).padStart(this.policy.codeDigits, '0');
        await this.deps.verification.issueCode({ ...scope(context), mobile: options.mobile, customerId: options.customerId, code });
        if (options.customerId !== null && options.bound) {
          // A bound customer is known already: wait for the gateway, and switch to the questions when it fails.
          if (!(await this.sendCode(options.customerId, options.mobile, code))) {
            await this.say(context, 'verify:smsFailed');
            return step.replaceDialog(KNOWLEDGE, options);
          }
        } else if (options.customerId !== null) {
          // For a number typed by someone not yet bound, the answer must not wait on the gateway: how long it takes, and
          // whether it fails, would tell a stranger that the number is registered. A customer whose text does not
          // arrive says so ("收不到短信") and answers the questions instead. (The development outbox is awaited: it is
          // never used in production, and developers and tests read it right after the answer.)
          const sending = this.sendCode(options.customerId, options.mobile, code);
          if (this.deps.sms.kind === 'dev_outbox') await sending;
        }
        ask = this.t(context, options.bound ? 'verify:codeSentBound' : 'verify:codeSentUnbound', { mobile: maskMobile(options.mobile) });
      }
    }
    const suggestions = [this.t(context, 'verify:suggestions.resend'), this.t(context, 'verify:suggestions.noSms')];
    return step.prompt(CODE_PROMPT, {
      prompt: MessageFactory.suggestedActions(suggestions, ask),
      retryPrompt: MessageFactory.suggestedActions(suggestions, this.t(context, 'verify:askCodeRetry')),
    });
  }

  /** Checks the typed code; a wrong one counts against the customer and the channel user. */
  private async checkCodeStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as AttemptOptions;
    const text = String(step.result ?? '');
    const code = parseOtp(text, this.policy.codeDigits);
    if (!code) {
      if (this.resend.matches(text)) return step.replaceDialog(OTP, { ...options, skipSend: false });
      if (this.noSms.matches(text)) return step.replaceDialog(KNOWLEDGE, options);
      await this.say(step.context, 'verify:codeGaveUp');
      return step.endDialog({ verified: false, reason: 'gave_up' } satisfies VerificationResult);
    }
    if (await this.lockedNow(step, options)) return step.endDialog({ verified: false, reason: 'locked' } satisfies VerificationResult);
    const check = await this.deps.verification.checkCode(scope(step.context), code);
    if (check.outcome === 'ok') return step.endDialog({ verified: true, customerId: check.customerId } satisfies VerificationResult);
    if (check.outcome === 'wrong') return this.failed(step, options, 'verify:codeWrong', OTP);
    await this.say(step.context, 'verify:codeExpired');
    return step.replaceDialog(OTP, { ...options, skipSend: true });
  }

  private async askIdStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as AttemptOptions;
    // A bound customer is told plainly that the questions are closed for today. Someone not yet bound is asked as
    // usual and their answers are not judged: being told would show them the number is registered.
    if (options.bound && options.customerId !== null && !(await this.deps.verification.knowledgeAllowed(options.customerId))) {
      await this.say(step.context, 'verify:knowledgeClosed', {}, [this.t(step.context, 'main:suggestions.human')]);
      return step.endDialog({ verified: false, reason: 'locked' } satisfies VerificationResult);
    }
    return step.prompt(ID_PROMPT, { prompt: this.t(step.context, 'verify:askIdLast4'), retryPrompt: this.t(step.context, 'verify:askIdLast4Retry') });
  }

  private async askBirthdayStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    values(step).idLast4 = parseIdLast4(String(step.result ?? ''));
    if (!values(step).idLast4) return this.gaveUpKnowledge(step);
    return step.prompt(BIRTHDAY_PROMPT, { prompt: this.t(step.context, 'verify:askBirthday'), retryPrompt: this.t(step.context, 'verify:askBirthdayRetry') });
  }

  /** Both answers must match; the customer is not told which did not. */
  private async checkKnowledgeStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as AttemptOptions;
    const birthday = parseBirthday(String(step.result ?? ''));
    if (!birthday) return this.gaveUpKnowledge(step);
    if (await this.lockedNow(step, options)) return step.endDialog({ verified: false, reason: 'locked' } satisfies VerificationResult);
    const customerId = options.customerId;
    // Judged only while the customer's day of knowledge answers is not used up (else every answer is wrong).
    const judged = customerId !== null && (await this.deps.verification.knowledgeAllowed(customerId));
    const record = judged ? await this.deps.customers.findKnowledge(customerId) : undefined;
    if (record && customerId !== null && knowledgeMatches(record, { idLast4: values(step).idLast4 as string, birthday })) {
      return step.endDialog({ verified: true, customerId } satisfies VerificationResult);
    }
    if (customerId !== null) await this.deps.verification.recordKnowledgeFailure(customerId);
    return this.failed(step, options, 'verify:knowledgeWrong', KNOWLEDGE);
  }

  private async gaveUpKnowledge(step: WaterfallStepContext): Promise<DialogTurnResult> {
    await this.say(step.context, 'verify:knowledgeGaveUp');
    return step.endDialog({ verified: false, reason: 'gave_up' } satisfies VerificationResult);
  }

  /**
   * Whether a lock started since this attempt began (in another conversation, say): answers are judged only while
   * neither the channel user nor the customer is locked. Tells the customer when so.
   */
  private async lockedNow(step: WaterfallStepContext, options: AttemptOptions): Promise<boolean> {
    const { channel, channelUserId } = who(step.context);
    const subjects = [lockSubject.user(channel, channelUserId), ...(options.customerId !== null ? [lockSubject.customer(options.customerId)] : [])];
    const lock = await this.deps.verification.lockState(subjects);
    if (lock.lockedUntil === null) return false;
    await this.say(step.context, 'verify:stillLocked', { time: this.time(step.context, lock.lockedUntil) }, [this.t(step.context, 'main:suggestions.human')]);
    return true;
  }

  /** Counts a failure; locks after the last allowed one, else says how many tries are left and asks again. */
  private async failed(step: WaterfallStepContext, options: AttemptOptions, key: string, retryDialog: string): Promise<DialogTurnResult> {
    const context = step.context;
    const { channel, channelUserId } = who(context);
    const subjects = [lockSubject.user(channel, channelUserId), ...(options.customerId !== null ? [lockSubject.customer(options.customerId)] : [])];
    const outcome = await this.deps.verification.recordFailure(subjects);
    if (outcome.lockedUntil !== null) {
      await this.deps.audit.record({
        actorType: 'system',
        action: 'verification.locked',
        targetType: options.customerId !== null ? 'customer' : 'channel_user',
        targetId: options.customerId ?? `${channel}:${channelUserId}`,
        detail: { channel, until: outcome.lockedUntil },
      });
      await this.say(context, 'verify:locked', { time: this.time(context, outcome.lockedUntil) }, [this.t(context, 'main:suggestions.human')]);
      return step.endDialog({ verified: false, reason: 'locked' } satisfies VerificationResult);
    }
    // Someone not yet bound hears only their own count: the customer's would tell them the number is registered.
    const left = options.bound ? outcome.attemptsLeft : outcome.bySubject[lockSubject.user(channel, channelUserId)].attemptsLeft;
    await this.say(context, key, { count: left });
    return step.replaceDialog(retryDialog, { ...options, skipSend: true });
  }

  /** Sends the code in the customer's language; false when the gateway could not take it. */
  private async sendCode(customerId: number, mobile: string, code: string): Promise<boolean> {
    const customer = await this.deps.customers.findById(customerId);
    try {
      await this.deps.sms.send({ to: mobile, text: this.deps.texts.render(customer?.locale ?? 'zh-CN', 'verify.sms', { code }) });
      return true;
    } catch {
      return false;
    }
  }

  /** Accepts valid answers; after the allowed number of invalid ones, lets the answer through for the step to end. */
  private async validate(pc: PromptValidatorContext<string>, valid: (text: string) => boolean): Promise<boolean> {
    const text = pc.recognized.value ?? '';
    return valid(text) || pc.attemptCount >= MAX_INVALID_ANSWERS;
  }

  private time(context: TurnContext, ms: number): string {
    return formatTime(ms, turnLocale(context), this.deps.texts.timeZone);
  }

  private t(context: TurnContext, key: string, args?: Record<string, unknown>): string {
    return this.deps.texts.t(turnLocale(context), key, args);
  }

  private async say(context: TurnContext, key: string, args?: Record<string, unknown>, suggestions?: string[]): Promise<void> {
    const text = this.t(context, key, args);
    await context.sendActivity(suggestions?.length ? MessageFactory.suggestedActions(suggestions, text) : text);
  }
}

/** What the waterfalls keep between their steps. */
interface VerificationValues {
  boundCustomerId?: number | null;
  idLast4?: string;
}

function values(step: WaterfallStepContext): VerificationValues {
  return step.values as VerificationValues;
}

/** The channel user of the turn. */
function who(context: TurnContext): { channel: string; channelUserId: string } {
  return { channel: context.activity.channelId, channelUserId: context.activity.from.id };
}

/** Where a code asked for in this turn works: this channel user, in this conversation. */
function scope(context: TurnContext): CodeScope {
  return { ...who(context), conversationKey: context.activity.conversation.id };
}
