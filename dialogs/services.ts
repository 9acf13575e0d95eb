/** Services from outside the bot that dialogs use, as interfaces; `bot/` supplies the implementations. */

/** Sends text messages to mobile numbers. */
export interface SmsSender {
  /** `gateway` sends for real; `dev_outbox` keeps messages for developers and tests (never in production). */
  readonly kind: 'gateway' | 'dev_outbox';
  /** Resolves once the message was accepted; rejects when it could not be sent. */
  send(message: { to: string; text: string }): Promise<void>;
}

/** The current time in epoch milliseconds; tests pass a clock they can move. */
export type Clock = () => number;
