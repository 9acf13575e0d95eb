import type { Logger } from 'pino';
import type { DevSmsOutboxRepository } from '../data/repositories/devSmsOutboxRepository';
import type { SmsSender } from '../dialogs/services';
import { maskMobile } from '../retention/pii';

/** The gateway refused or did not answer. */
export class SmsSendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmsSendError';
  }
}

/** Where the SMS gateway is. */
export interface SmsGatewayOptions {
  url: string;
  /** Sent as `Authorization: Bearer …` when set. */
  token?: string;
  timeoutMs: number;
}

/**
 * Sends through an HTTP SMS gateway: `POST {url}` with `{"to": "<mobile>", "text": "<message>"}`; any 2xx is
 * success. Operators put their carrier's or aggregator's API behind this small contract.
 */
export function createHttpSmsGateway(options: SmsGatewayOptions, logger: Logger): SmsSender {
  return {
    kind: 'gateway',
    async send(message) {
      let res: Response;
      try {
        res = await fetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
          body: JSON.stringify({ to: message.to, text: message.text }),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (err) {
        logger.warn({ event: 'sms.gateway_unreachable', to: maskMobile(message.to), reason: (err as Error).name });
        throw new SmsSendError('the SMS gateway did not answer');
      }
      // Drain the body so the connection can be reused; its content is the gateway's business.
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) {
        logger.warn({ event: 'sms.gateway_refused', to: maskMobile(message.to), status: res.status });
        throw new SmsSendError(`the SMS gateway answered ${res.status}`);
      }
      logger.info({ event: 'sms.sent', to: maskMobile(message.to) });
    },
  };
}

/**
 * Development only: keeps the message in the `dev_sms_outbox` table and writes it to the log, so a developer or a
 * test can read the code. Configuration refuses to run this in production.
 */
export function createDevSmsOutbox(outbox: DevSmsOutboxRepository, logger: Logger): SmsSender {
  return {
    kind: 'dev_outbox',
    async send(message) {
      await outbox.append(message.to, message.text);
      logger.info({ event: 'sms.dev_outbox', to: maskMobile(message.to), text: message.text, note: 'no SMS_GATEWAY_URL: the message was not sent' });
    },
  };
}
