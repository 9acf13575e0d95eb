import type { Repositories } from '../data/repositories';
import type { Texts } from '../prompts/texts';
import type { Clock } from '../retention/clock';
import type { DeadlinePolicy } from '../retention/complaints';
import { ComplaintIntakeService, complaintLexicons } from './complaintIntake';
import { EscalationService } from './escalation';
import { FeedbackService } from './feedback';
import { OfferService } from './offers';
import type { RiskService, SmsSender } from './ports';
import { SaveFlowService } from './saveFlow';
import { VerificationService } from './verification';

/** The business flows the dialogs call: one of each, made once over the repositories and the clock. */
export interface Services {
  escalation: EscalationService;
  complaints: ComplaintIntakeService;
  verification: VerificationService;
  feedback: FeedbackService;
  offers: OfferService;
  saveFlow: SaveFlowService;
  risk: RiskService;
}

/** Builds the services (the composition root passes what is outside: the SMS gateway, the risk engine). */
export function createServices(deps: {
  repos: Repositories;
  texts: Texts;
  now: Clock;
  sms: SmsSender;
  risk: RiskService;
  deadlines?: DeadlinePolicy;
}): Services {
  const { repos, texts, now, risk } = deps;
  const escalation = new EscalationService({ ...repos, now });
  const offers = new OfferService({ ...repos, now });
  return {
    escalation,
    complaints: new ComplaintIntakeService({ ...repos, escalation, risk, severityWords: complaintLexicons(texts).severity, deadlines: deps.deadlines, now }),
    verification: new VerificationService({ ...repos, sms: deps.sms, texts, now }),
    feedback: new FeedbackService({ ...repos, risk, now }),
    offers,
    saveFlow: new SaveFlowService({ ...repos, escalation, offers, risk, now }),
    risk,
  };
}
