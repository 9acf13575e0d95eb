/**
 * What the services need from outside (an SMS gateway, the risk engine), as interfaces: the composition root
 * (bot/index.ts) supplies the implementations, tests supply fakes or the real ones.
 */

/** Sends text messages to mobile numbers. */
export interface SmsSender {
  /** `gateway` sends for real; `dev_outbox` keeps messages for developers and tests (never in production). */
  readonly kind: 'gateway' | 'dev_outbox';
  /** Resolves once the message was accepted; rejects when it could not be sent. */
  send(message: { to: string; text: string }): Promise<void>;
}

/** Keeps a customer's churn risk current after something that moves it (a complaint, a churn intent, a low score). */
export interface RiskService {
  recompute(customerId: number, why?: string): Promise<{ score: number; band: 'low' | 'medium' | 'high'; tier: string } | undefined>;
}
