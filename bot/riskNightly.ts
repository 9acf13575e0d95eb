import type { Logger } from 'pino';
import type { ChurnModelRepository } from '../data/repositories/churnModelRepository';
import { INDUSTRIES } from '../retention/types';
import { wallClock } from '../retention/zonedTime';
import { errorSummary, type RiskEngine } from '../services/riskEngine';

/**
 * Rescores every customer once a night, after a set time of the service's day: churn models read the latest
 * snapshots and the day's complaints, surveys and churn words, and the drift figures for the review are refreshed.
 * Every instance checks every few minutes; a claim in the database per day lets exactly one of them do the work.
 */
export class NightlyRescoring {
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly deps: {
      risk: RiskEngine;
      /** Refreshes the drift figures of an industry's active model (services/churnModels.ts). */
      drift?: { checkDrift(industry: string): Promise<unknown> };
      claims: Pick<ChurnModelRepository, 'claimRun'>;
      logger: Logger;
      now: () => number;
      timeZone: string;
      at: string;
    },
  ) {}

  /** Rescores everyone when today's time has come and nobody has yet; true when this call did it. */
  async tick(): Promise<boolean> {
    if (this.running) return false;
    const t = this.deps.now();
    const w = wallClock(t, this.deps.timeZone);
    const [hh, mm] = this.deps.at.split(':').map(Number);
    if (w.hour * 60 + w.minute < hh * 60 + mm) return false;
    const day = `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
    this.running = true;
    try {
      if (!(await this.deps.claims.claimRun('risk.nightly', day, t))) return false;
      const report = await this.deps.risk.recomputeAll();
      for (const industry of INDUSTRIES) await this.deps.drift?.checkDrift(industry);
      this.deps.logger.info({ event: 'risk.nightly', day, ...report });
      return true;
    } finally {
      this.running = false;
    }
  }

  /** Checks every `intervalMs` until `stop`. */
  start(intervalMs = 5 * 60_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.tick().catch((err) => this.deps.logger.error({ event: 'risk.nightly_failed', err: errorSummary(err) }));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
