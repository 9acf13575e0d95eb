import { ActionTypes, type CardAction, MessageFactory, type TurnContext } from 'botbuilder';
import { ComponentDialog, type DialogTurnResult, supportsSuggestedActions, TextPrompt, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { IdentityRepository } from '../data/repositories/identityRepository';
import type { SurveyRecord } from '../data/repositories/surveyRepository';
import { formatDateTime } from '../prompts/format';
import { SUPPORTED_LOCALES } from '../retention/locale';
import { type CsatLabels, isLowScore, parseScore, type SurveyKind } from '../retention/surveyPolicy';
import { type FeedbackService, MAX_COMMENT_CHARS } from '../services/feedback';
import type { FeatureDialogOptions } from './mainDialog';
import { PhraseMatcher } from './phrases';
import type { Say } from './say';
import { turnConversationId, turnLocale } from './turn';

/** The dialog's id (stored in conversation state: never rename); the `feedback` intent starts it. */
export const SURVEY_DIALOG = 'feedback';
const MAIN = 'feedback.main';
const SCORE_PROMPT = 'feedback.scorePrompt';
const NPS_PROMPT = 'feedback.npsPrompt';
const TEXT_PROMPT = 'feedback.textPrompt';
/** Answers outside the scale taken (and asked again) before the survey gives up. */
const MAX_TRIES = 5;

/** How a proactive survey starts the dialog. */
export interface SurveyDialogOptions {
  surveyId?: number;
  /** Ask the relationship question after the CSAT (the survey service decided it is due). */
  alsoNps?: boolean;
}

/** What the survey dialog needs. */
export interface SurveyDialogDeps {
  feedback: FeedbackService;
  identities: IdentityRepository;
  say: Say;
}

/**
 * Satisfaction survey (满意度调查): CSAT 1–5 with an optional comment, then, when it is due (at most every 90 days),
 * the relationship question NPS 0–10 with an optional reason. Asked after an agent resolves a conversation or a
 * complaint is closed (the survey service sends it proactively), or when the customer asks to give feedback. Answers
 * outside the scale are asked again; "skip" declines; an answer to an expired survey is not taken. A low score opens a
 * recovery case for the relationship manager (else a supervisor), due within 24 hours, raises the churn risk, and the
 * customer is told who will contact them and by when.
 */
export class SurveyDialog extends ComponentDialog {
  private readonly skip: PhraseMatcher;
  private readonly labels: CsatLabels;

  constructor(private readonly deps: SurveyDialogDeps) {
    super(SURVEY_DIALOG);
    const texts = deps.say.texts;
    this.skip = new PhraseMatcher(texts, 'survey:skipWords');
    // The scale's words per locale ("非常满意" is 5), from the locale files: { "5": [words…], …, "1": [words…] }.
    this.labels = Object.fromEntries(
      SUPPORTED_LOCALES.map((l) => [
        l,
        Object.fromEntries(
          Object.entries(texts.raw(l, 'survey:csatLabels') as Record<string, string[]>).flatMap(([score, words]) => words.map((w) => [w, Number(score)])),
        ),
      ]),
    );
    const scored = (kind: SurveyKind) => async (pc: { context: TurnContext; recognized: { value?: string }; attemptCount: number }) => {
      const text = pc.recognized.value ?? '';
      return parseScore(text, kind, turnLocale(pc.context), this.labels).ok || this.skip.matches(text) || pc.attemptCount >= MAX_TRIES;
    };
    this.addDialog(new TextPrompt(SCORE_PROMPT, scored('csat')));
    this.addDialog(new TextPrompt(NPS_PROMPT, scored('nps')));
    this.addDialog(new TextPrompt(TEXT_PROMPT));
    this.addDialog(
      new WaterfallDialog(MAIN, [
        this.startStep.bind(this),
        this.scoreStep.bind(this),
        this.commentStep.bind(this),
        this.npsStep.bind(this),
        this.npsReasonStep.bind(this),
        this.finishStep.bind(this),
      ]),
    );
    this.initialDialogId = MAIN;
  }

  /** A proactive survey asks at once; one the customer starts is checked against the policy first. */
  private async startStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    const options = (step.options ?? {}) as SurveyDialogOptions & Partial<FeatureDialogOptions>;
    let survey: SurveyRecord | undefined;
    if (options.surveyId !== undefined) {
      survey = await this.deps.feedback.open(options.surveyId);
      if (!survey) return step.endDialog();
      values(step).alsoNps = options.alsoNps === true;
    } else {
      const started = await this.startedByCustomer(context);
      if (!started) return step.endDialog();
      survey = started.survey;
      values(step).alsoNps = started.alsoNps;
    }
    values(step).surveyId = survey.id;
    const key = survey.trigger === 'customer_started' ? 'survey:askCsatStarted' : 'survey:askCsat';
    return step.prompt(SCORE_PROMPT, {
      prompt: this.withButtons(context, this.deps.say.t(context, key)),
      retryPrompt: this.withButtons(context, this.deps.say.t(context, 'survey:askCsatRetry')),
    });
  }

  /** Takes the score (or the refusal); a low one opens a recovery case. */
  private async scoreStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    const v = values(step);
    const score = await this.takeScore(step, v.surveyId!, 'csat');
    if (score === undefined) return step.endDialog();
    v.low = isLowScore('csat', score);
    if (v.low) v.recovery = await this.recover(context, v.surveyId!, 'csat', score);
    return step.prompt(TEXT_PROMPT, this.deps.say.t(context, v.low ? 'survey:askCommentLow' : 'survey:askComment'));
  }

  /** The optional comment (masked, at most 2,000 characters); then the recovery promise or thanks; then NPS if due. */
  private async commentStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    const v = values(step);
    await this.saveText(context, v.surveyId!, String(step.result ?? ''));
    if (v.recovery) await this.deps.say.key(context, 'survey:recovery', v.recovery);
    else await this.deps.say.key(context, 'survey:thanks');
    const survey = v.alsoNps ? await this.deps.feedback.find(v.surveyId!) : undefined;
    if (!survey) return step.endDialog();
    v.npsId = (await this.deps.feedback.openNps(survey, turnLocale(context))).id;
    return step.prompt(NPS_PROMPT, { prompt: this.deps.say.t(context, 'survey:askNps'), retryPrompt: this.deps.say.t(context, 'survey:askNpsRetry') });
  }

  private async npsStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const v = values(step);
    const score = await this.takeScore(step, v.npsId!, 'nps');
    if (score === undefined) return step.endDialog();
    if (isLowScore('nps', score) && !v.recovery) v.recovery = await this.recover(step.context, v.npsId!, 'nps', score);
    return step.prompt(TEXT_PROMPT, this.deps.say.t(step.context, 'survey:askNpsReason'));
  }

  private async npsReasonStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const v = values(step);
    await this.saveText(step.context, v.npsId!, String(step.result ?? ''));
    if (v.recovery && !v.low) await this.deps.say.key(step.context, 'survey:recovery', v.recovery);
    else await this.deps.say.key(step.context, 'survey:thanks');
    return step.endDialog();
  }

  private async finishStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.endDialog();
  }

  /** A survey the customer asked for, when the policy allows one now; else says why not. */
  private async startedByCustomer(context: TurnContext): Promise<{ survey: SurveyRecord; alsoNps: boolean } | undefined> {
    const identity = await this.deps.identities.find(context.activity.channelId, context.activity.from.id);
    const started = await this.deps.feedback.startByCustomer({
      customerId: identity?.customerId ?? null,
      conversationId: turnConversationId(context) ?? null,
      channel: context.activity.channelId,
      locale: turnLocale(context),
    });
    if ('refused' in started) {
      await this.deps.say.key(context, started.refused === 'complaint_open' ? 'survey:openComplaint' : 'survey:alreadySurveyed');
      return undefined;
    }
    return started;
  }

  /** Reads the score; records it, or a refusal, or an expiry; undefined when the dialog should end. */
  private async takeScore(step: WaterfallStepContext, surveyId: number, kind: SurveyKind): Promise<number | undefined> {
    const context = step.context;
    const text = String(step.result ?? '');
    const parsed = parseScore(text, kind, turnLocale(context), this.labels);
    if (!parsed.ok) {
      if (!(await this.deps.feedback.open(surveyId))) {
        await this.deps.say.key(context, 'survey:expired');
      } else if (this.skip.matches(text)) {
        await this.deps.feedback.decline(surveyId);
        await this.deps.say.key(context, 'survey:declined');
      } else await this.deps.say.key(context, 'survey:gaveUp');
      return undefined;
    }
    const taken = await this.deps.feedback.takeScore(surveyId, parsed.score);
    if (taken.kind === 'expired') {
      await this.deps.say.key(context, 'survey:expired');
      return undefined;
    }
    return taken.score;
  }

  /** Stores the comment or reason unless skipped (the customer is told when it was cut). */
  private async saveText(context: TurnContext, surveyId: number, text: string): Promise<void> {
    const trimmed = text.trim();
    if (!trimmed || this.skip.matches(trimmed)) return;
    const { truncated } = await this.deps.feedback.comment(surveyId, trimmed);
    if (truncated) await this.deps.say.key(context, 'survey:commentTruncated', { max: MAX_COMMENT_CHARS });
  }

  /** Opens the recovery case for a low score; returns what to tell the customer (who, by when). */
  private async recover(context: TurnContext, surveyId: number, kind: SurveyKind, score: number): Promise<{ who: string; time: string } | undefined> {
    const promise = await this.deps.feedback.recover(surveyId, kind, score);
    if (!promise) return undefined;
    const texts = this.deps.say.texts;
    const locale = turnLocale(context);
    const who = promise.manager ? texts.t(locale, 'survey:yourManager', { name: promise.manager.displayName }) : texts.t(locale, 'survey:ourSupervisor');
    return { who, time: formatDateTime(promise.dueAt, locale, texts.timeZone) };
  }

  /** The 1–5 scale as buttons where the channel has them; on WeChat the question already says to reply a number. */
  private withButtons(context: TurnContext, text: string) {
    const buttons = this.deps.say.texts.list(turnLocale(context), 'survey:csatButtons');
    if (!supportsSuggestedActions(context.activity.channelId, buttons.length)) return MessageFactory.text(text);
    // The button shows "5 非常满意" and answers "5".
    const actions: CardAction[] = buttons.map((title) => ({ type: ActionTypes.ImBack, title, value: /^\d+/.exec(title)?.[0] ?? title }));
    return MessageFactory.suggestedActions(actions, text);
  }
}

interface SurveyValues {
  surveyId?: number;
  npsId?: number;
  alsoNps?: boolean;
  low?: boolean;
  recovery?: { who: string; time: string };
}

function values(step: WaterfallStepContext): SurveyValues {
  return step.values as SurveyValues;
}
