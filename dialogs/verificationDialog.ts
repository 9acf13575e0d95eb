import { MessageFactory, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  type DialogTurnResult,
  type PromptValidatorContext,
  TextPrompt,
  WaterfallDialog,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import type { Texts } from '../prompts/texts';
import { formatTime } from '../prompts/format';
import { maskMobile } from '../retention/pii';
import { parseBirthday, parseIdLast4, parseMobile, parseOtp } from '../retention/verification';
import type { Attempt, Claimant, VerificationService } from '../services/verification';
import { PhraseMatcher } from './phrases';
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
  service: VerificationService;
  texts: Texts;
  userProfile: StatePropertyAccessor<UserProfile>;
}

/** What the one-time-code and knowledge steps carry between turns: the attempt, and whether to send a new code. */
interface AttemptOptions extends Attempt {
  /** Set when returning to the code prompt without sending a new code. */
  skipSend?: boolean;
}

/**
 * Proves that the person in the conversation is the customer, before any personal data is shown (the rules are the
 * VerificationService's). A channel user not yet bound gives their registered mobile number first; the proof is a
 * one-time code sent to that number, or, when SMS cannot be used, two knowledge questions. Every answer reads the same
 * whether or not a number is registered. Ends with a `VerificationResult`; reused by every feature that shows account
 * data.
 */
export class VerificationDialog extends ComponentDialog {
  private readonly resend: PhraseMatcher;
  private readonly noSms: PhraseMatcher;

  constructor(private readonly deps: VerificationDialogDeps) {
    super(VERIFICATION_DIALOG);
    const digits = deps.service.codeDigits;
    this.resend = new PhraseMatcher(deps.texts, 'verify:resendWords');
    this.noSms = new PhraseMatcher(deps.texts, 'verify:noSmsWords');
    this.addDialog(new TextPrompt(MOBILE_PROMPT, (pc) => this.validate(pc, (t) => parseMobile(t) !== undefined)));
    this.addDialog(
      new TextPrompt(CODE_PROMPT, (pc) => {
        // The code is a secret: the transcript keeps that an answer came, not what it was.
        redactInbound(pc.context);
        return this.validate(pc, (t) => parseOtp(t, digits) !== undefined || this.resend.matches(t) || this.noSms.matches(t));
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
    const start = await this.deps.service.start(claimant(step.context));
    if (start.kind === 'locked') return this.lockedEnd(step, start.until, 'verify:stillLocked');
    if (start.kind === 'verified') return step.endDialog({ verified: true, customerId: start.customerId } satisfies VerificationResult);
    if (start.kind === 'bound') return step.beginDialog(OTP, start.attempt satisfies AttemptOptions);
    return step.prompt(MOBILE_PROMPT, { prompt: this.t(step.context, 'verify:askMobile'), retryPrompt: this.t(step.context, 'verify:askMobileRetry') });
  }

  /** Finds whose number it is (silently: a number nobody has, or a locked customer's, becomes a decoy). */
  private async mobileStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    // Back from a bound customer's attempt: its result goes on to the end.
    if (isResult(step.result)) return step.next(step.result);
    const mobile = parseMobile(String(step.result ?? ''));
    if (!mobile) {
      await this.say(step.context, 'verify:mobileGaveUp');
      return step.endDialog({ verified: false, reason: 'gave_up' } satisfies VerificationResult);
    }
    return step.beginDialog(OTP, (await this.deps.service.attemptFor(mobile)) satisfies AttemptOptions);
  }

  /** On success: binds, marks verified, clears failures, and says so. */
  private async finishStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = (step.result ?? { verified: false, reason: 'gave_up' }) as VerificationResult;
    if (!result.verified || result.customerId === undefined) return step.endDialog(result);
    const customer = await this.deps.service.succeed(claimant(step.context), result.customerId);
    const profile = await this.deps.userProfile.get(step.context, {});
    profile.customerId = result.customerId;
    if (customer) profile.customerLocale = customer.locale;
    await this.say(step.context, 'verify:success');
    return step.endDialog(result);
  }

  /** Sends a code (within the sending limits) and asks for it. */
  private async sendCodeStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as AttemptOptions;
    const context = step.context;
    // The question asked: "a code was sent to …" when one went out now, else a plain request for the code.
    let ask = this.t(context, 'verify:askCodeAgain');
    if (!options.skipSend) {
      const sent = await this.deps.service.sendCode(claimant(context), options);
      if (sent.kind === 'limited') await this.say(context, 'verify:tooManyCodes', { time: this.time(context, sent.retryAt) });
      else if (sent.kind === 'sms_failed') {
        await this.say(context, 'verify:smsFailed');
        return step.replaceDialog(KNOWLEDGE, options);
      } else ask = this.t(context, options.bound ? 'verify:codeSentBound' : 'verify:codeSentUnbound', { mobile: maskMobile(options.mobile) });
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
    const code = parseOtp(text, this.deps.service.codeDigits);
    if (!code) {
      if (this.resend.matches(text)) return step.replaceDialog(OTP, { ...options, skipSend: false });
      if (this.noSms.matches(text)) return step.replaceDialog(KNOWLEDGE, options);
      await this.say(step.context, 'verify:codeGaveUp');
      return step.endDialog({ verified: false, reason: 'gave_up' } satisfies VerificationResult);
    }
    const lockedUntil = await this.deps.service.lockedUntil(claimant(step.context), options);
    if (lockedUntil !== null) return this.lockedEnd(step, lockedUntil, 'verify:stillLocked');
    const check = await this.deps.service.checkCode(claimant(step.context), code);
    if (check.outcome === 'ok') return step.endDialog({ verified: true, customerId: check.customerId } satisfies VerificationResult);
    if (check.outcome === 'wrong') return this.failed(step, options, 'verify:codeWrong', OTP);
    await this.say(step.context, 'verify:codeExpired');
    return step.replaceDialog(OTP, { ...options, skipSend: true });
  }

  private async askIdStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as AttemptOptions;
    // A bound customer is told plainly that the questions are closed for today. Someone not yet bound is asked as
    // usual and their answers are not judged: being told would show them the number is registered.
    if (options.bound && !(await this.deps.service.knowledgeOpen(options))) {
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
    const lockedUntil = await this.deps.service.lockedUntil(claimant(step.context), options);
    if (lockedUntil !== null) return this.lockedEnd(step, lockedUntil, 'verify:stillLocked');
    const idLast4 = values(step).idLast4 as string;
    // Used: the ID ending is not kept past this answer.
    delete values(step).idLast4;
    if (await this.deps.service.checkKnowledge(options, { idLast4, birthday })) {
      return step.endDialog({ verified: true, customerId: options.customerId! } satisfies VerificationResult);
    }
    return this.failed(step, options, 'verify:knowledgeWrong', KNOWLEDGE);
  }

  private async gaveUpKnowledge(step: WaterfallStepContext): Promise<DialogTurnResult> {
    await this.say(step.context, 'verify:knowledgeGaveUp');
    return step.endDialog({ verified: false, reason: 'gave_up' } satisfies VerificationResult);
  }

  /** Counts a failure; locks after the last allowed one, else says how many tries are left and asks again. */
  private async failed(step: WaterfallStepContext, options: AttemptOptions, key: string, retryDialog: string): Promise<DialogTurnResult> {
    const outcome = await this.deps.service.recordFailure(claimant(step.context), options);
    if (outcome.kind === 'locked') return this.lockedEnd(step, outcome.until, 'verify:locked');
    await this.say(step.context, key, { count: outcome.attemptsLeft });
    return step.replaceDialog(retryDialog, { ...options, skipSend: true });
  }

  /** Says the verification is locked until when, with the way to a person. */
  private async lockedEnd(step: WaterfallStepContext, until: number, key: string): Promise<DialogTurnResult> {
    await this.say(step.context, key, { time: this.time(step.context, until) }, [this.t(step.context, 'main:suggestions.human')]);
    return step.endDialog({ verified: false, reason: 'locked' } satisfies VerificationResult);
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
  idLast4?: string;
}

function values(step: WaterfallStepContext): VerificationValues {
  return step.values as VerificationValues;
}

function isResult(value: unknown): value is VerificationResult {
  return !!value && typeof value === 'object' && typeof (value as VerificationResult).verified === 'boolean';
}

/** The channel user of the turn, in its conversation. */
function claimant(context: TurnContext): Claimant {
  return {
    channel: context.activity.channelId,
    channelUserId: context.activity.from.id,
    conversationKey: context.activity.conversation.id,
    conversationId: turnConversationId(context),
  };
}
