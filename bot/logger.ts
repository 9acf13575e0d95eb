import pino, { type Logger } from 'pino';

/**
 * The service's structured logger. Log events, not prose: `{ event: 'handoff.queued', conversationId }`. Never log
 * message text, balances or account numbers; error objects go through `errorSummary`.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'retention-assistant' },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.secret'], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
