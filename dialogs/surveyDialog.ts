import { ActionTypes, type CardAction, MessageFactory, type TurnContext } from 'botbuilder';
import { ComponentDialog, type DialogTurnResult, supportsSuggestedActions, TextPrompt, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { Repositories } from '../data/repositories';
import type { SurveyRecord } from '../data/repositories/surveyRepository';
import { formatDateTime } from '../prompts/format';
import { SUPPORTED_LOCALES } from '../retention/locale';
import { maskPii } from '../retention/pii';
import { type CsatLabels, decideSurvey, isLowScore, parseScore, recoveryCase, surveyExpiresAt, type SurveyKind } from '../retention/surveyPolicy';
import type { FeatureDialogOptions } from './mainDialog';
import { PhraseMatcher } from './phrases';
import type { Say } from './say';
import type { Clock, RiskService } from './services';
import { turnConversationId, turnLocale } from './turn';

/** The dialog's id (stored in conversation state: never rename); the `feedback` intent starts it. */
export const SURVEY_DIALOG = 'feedback';
const MAIN = 'feedback.main';
const SCORE_PROMPT = 'feedback.scorePrompt';
const NPS_PROMPT = 'feedback.npsPrompt';
const TEXT_PROMPT = 'feedback.textPrompt';
const MAX_COMMENT = 2000;
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
  repos: Repositories;
  risk: RiskService;
  say: Say;
  now: Clock;
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
      survey = await this.deps.repos.surveys.findById(options.surveyId);
      if (!survey || survey.status !== 'sent') return step.endDialog();
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
    if (v.low) v.recovery = await this.openRecovery(v.surveyId!, 'csat', score);
    return step.prompt(TEXT_PROMPT, this.deps.say.t(context, v.low ? 'survey:askCommentLow' : 'survey:askComment'));
  }

  /** The optional comment (masked, at most 2,000 characters); then the recovery promise or thanks; then NPS if due. */
  private async commentStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    const v = values(step);
    await this.saveText(context, v.surveyId!, String(step.result ?? ''));
    if (v.recovery) await this.deps.say.key(context, 'survey:recovery', v.recovery);
    else await this.deps.say.key(context, 'survey:thanks');
    const survey = await this.deps.repos.surveys.findById(v.surveyId!);
    if (!v.alsoNps || !survey) return step.endDialog();
    const nps = await this.deps.repos.surveys.create({
      customerId: survey.customerId,
      conversationId: survey.conversationId,
      handoffId: survey.handoffId,
      complaintId: survey.complaintId,
      kind: 'nps',
      trigger: 'relationship',
      agentId: survey.agentId,
      channel: survey.channel,
      locale: turnLocale(context),
      status: 'sent',
      at: this.deps.now(),
      expiresAt: surveyExpiresAt(this.deps.now()),
    });
    v.npsId = nps.id;
    return step.prompt(NPS_PROMPT, { prompt: this.deps.say.t(context, 'survey:askNps'), retryPrompt: this.deps.say.t(context, 'survey:askNpsRetry') });
  }

  private async npsStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const v = values(step);
    const score = await this.takeScore(step, v.npsId!, 'nps');
    if (score === undefined) return step.endDialog();
    if (isLowScore('nps', score) && !v.recovery) v.recovery = await this.openRecovery(v.npsId!, 'nps', score);
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
    const now = this.deps.now();
    const identity = await this.deps.repos.identities.find(context.activity.channelId, context.activity.from.id);
    const customerId = identity?.customerId ?? null;
    const conversationId = turnConversationId(context) ?? null;
    const decision = decideSurvey({
      trigger: 'customer_started',
      now,
      hasOpenComplaint: customerId !== null && (await this.deps.repos.complaints.listOpenForCustomer(customerId)).length > 0,
      surveyedInConversation: conversationId !== null && (await this.deps.repos.surveys.existsForConversation(conversationId)),
      lastNpsAskedAt: customerId !== null ? await this.deps.repos.surveys.lastNpsAskedAt(customerId) : now,
    });
    if (!decision.ask) {
      await this.deps.say.key(context, decision.reason === 'complaint_open' ? 'survey:openComplaint' : 'survey:alreadySurveyed');
      return undefined;
    }
    const survey = await this.deps.repos.surveys.create({
      customerId,
      conversationId,
      handoffId: null,
      complaintId: null,
      kind: 'csat',
      trigger: 'customer_started',
      agentId: null,
      channel: context.activity.channelId,
      locale: turnLocale(context),
      status: 'sent',
      at: now,
      expiresAt: surveyExpiresAt(now),
    });
    // The relationship question only for a known customer: an NPS nobody can be followed up on measures nothing.
    return { survey, alsoNps: decision.kind === 'csat' && decision.alsoNps === true && customerId !== null };
  }

  /** Reads the score; records it, or a refusal, or an expiry; undefined when the dialog should end. */
  private async takeScore(step: WaterfallStepContext, surveyId: number, kind: SurveyKind): Promise<number | undefined> {
    const context = step.context;
    const text = String(step.result ?? '');
    const survey = await this.deps.repos.surveys.findById(surveyId);
    const now = this.deps.now();
    if (!survey || survey.status !== 'sent' || (survey.expiresAt !== null && survey.expiresAt <= now)) {
      if (survey?.status === 'sent') await this.deps.repos.surveys.setStatus(surveyId, 'expired');
      await this.deps.say.key(context, 'survey:expired');
      return undefined;
    }
    const parsed = parseScore(text, kind, turnLocale(context), this.labels);
    if (!parsed.ok) {
      if (this.skip.matches(text)) {
        await this.deps.repos.surveys.setStatus(surveyId, 'declined');
        await this.deps.say.key(context, 'survey:declined');
      } else await this.deps.say.key(context, 'survey:gaveUp');
      return undefined;
    }
    if (!(await this.deps.repos.surveys.answer(surveyId, parsed.score, now))) {
      await this.deps.say.key(context, 'survey:expired');
      return undefined;
    }
    return parsed.score;
  }

  /** Stores the comment or reason unless skipped: masked, at most 2,000 characters (the customer is told when cut). */
  private async saveText(context: TurnContext, surveyId: number, text: string): Promise<void> {
    const trimmed = text.trim();
    if (!trimmed || this.skip.matches(trimmed)) return;
    if (trimmed.length > MAX_COMMENT) await this.deps.say.key(context, 'survey:commentTruncated', { max: MAX_COMMENT });
    const comment = maskPii(trimmed.slice(0, MAX_COMMENT));
    await this.deps.repos.surveys.comment(surveyId, comment);
    await this.deps.repos.recovery.setComment(surveyId, comment);
  }

  /** Opens the recovery case for a low score and raises the churn risk; returns what to tell the customer. */
  private async openRecovery(surveyId: number, kind: SurveyKind, score: number): Promise<{ who: string; time: string } | undefined> {
    const survey = (await this.deps.repos.surveys.findById(surveyId))!;
    const customer = survey.customerId !== null ? await this.deps.repos.customers.findById(survey.customerId) : undefined;
    const now = this.deps.now();
    const planned = recoveryCase({ kind, score, comment: null, customer: { relationshipManagerId: customer?.relationshipManagerId ?? null }, now });
    if (!planned) return undefined;
    await this.deps.repos.recovery.create(
      { customerId: survey.customerId, surveyId, ownerKind: planned.ownerKind, ownerId: planned.ownerId ?? null, dueAt: planned.dueAt, comment: null },
      now,
    );
    if (customer) await this.deps.risk.recompute(customer.id, 'low_satisfaction');
    const manager = planned.ownerId !== undefined ? await this.deps.repos.staff.findById(planned.ownerId) : undefined;
    const locale = (survey.locale ?? 'zh-CN') as 'zh-CN' | 'en-US';
    const who = manager
      ? this.deps.say.texts.t(locale, 'survey:yourManager', { name: manager.displayName })
      : this.deps.say.texts.t(locale, 'survey:ourSupervisor');
    return { who, time: formatDateTime(planned.dueAt, locale, this.deps.say.texts.timeZone) };
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
