import type { Logger } from 'pino';
import type { Repositories } from '../data/repositories';
import type { AgentHub } from './handoff/hub';
import { errorSummary } from './middleware/transcriptMiddleware';
import type { RiskEngine } from './risk';
import type { SurveyService } from './surveys';

const WEEK = 7 * 86_400_000;

/** What one round of the periodic work found. */
export interface HousekeepingReport {
  complaintsBreached: number;
  callbacksBreached: number;
  offersExpired: number;
  /** Customers still queued when nobody could take them any more, offered a call back instead. */
  queueReleased: number;
  /** Surveys sent from the outbox in this round, and unanswered ones expired. */
  surveysSent: number;
  surveysExpired: number;
  /** Single-use keys (customer tokens, WeChat callbacks) forgotten once they expired. */
  replayKeysForgotten: number;
  /** Conversation leases left behind by an instance that stopped mid-turn (PostgreSQL), forgotten once lapsed. */
  leasesForgotten: number;
}

/**
 * The periodic work of the service: deadlines of complaints and call backs (a breach also raises the customer's churn
 * risk), offers shown a week ago and never answered, which expire, customers still queued when nobody can take
 * them any more, who are offered a call back, the outbox of proactive surveys (and their 48-hour expiry), and
 * single-use keys that have expired. Each step is safe to run on every instance at once: flags are set once by a
 * conditional update, and outcomes move only from `shown`.
 */
export class Housekeeping {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly deps: {
      hub: AgentHub;
      repos: Repositories;
      risk: RiskEngine;
      surveys: SurveyService;
      logger: Logger;
      now: () => number;
      callbackWithinHours: number;
      leases: boolean;
    },
  ) {}

  async runOnce(): Promise<HousekeepingReport> {
    const deadlines = await this.deps.hub.checkDeadlines();
    const customers = new Set(deadlines.complaints.map((c) => c.customerId).filter((id): id is number => id !== null));
    for (const id of customers) await this.deps.risk.recompute(id, 'complaint_overdue');
    const offersExpired = await this.deps.repos.offers.expireStale(this.deps.now() - WEEK, this.deps.now());
    const queueReleased = await this.deps.hub.releaseQueueIfUnattended(this.deps.callbackWithinHours);
    const surveysExpired = await this.deps.surveys.expireSurveys();
    const surveysSent = await this.deps.surveys.processOutbox();
    const replayKeysForgotten = await this.deps.repos.replayGuards.forgetExpired(this.deps.now());
    const leasesForgotten = this.deps.leases ? await this.deps.repos.turnLocks.forgetLapsed() : 0;
    return {
      complaintsBreached: deadlines.complaints.length,
      callbacksBreached: deadlines.callbacks,
      offersExpired,
      queueReleased,
      surveysSent,
      surveysExpired,
      replayKeysForgotten,
      leasesForgotten,
    };
  }

  /** Runs every `intervalMs` until `stop`; 0 runs nothing. */
  start(intervalMs: number): void {
    if (this.timer || intervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.runOnce().catch((err) => this.deps.logger.error({ event: 'housekeeping.failed', err: errorSummary(err) }));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
