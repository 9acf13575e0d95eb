import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * The service's structured logger. Log events, not prose: `{ event: 'handoff.queued', conversationId }`. Never log
 * message text, balances or account numbers; error objects go through `errorSummary`.
 */
export function createLogger(level: string, destination: DestinationStream = stdoutDestination()): Logger {
  return pino(
    {
      level,
      base: { service: 'retention-assistant' },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.secret'], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/**
 * Standard output that outlives its reader. Run as `npm start | grep …`, the reader may go away (the grep is
 * stopped); every later log line then failed with EPIPE, and the one written on SIGTERM threw before the shutdown
 * began, so the process no longer stopped. Once the pipe is gone, log lines are dropped and the service goes on.
 */
export function stdoutDestination(fd = 1): DestinationStream {
  const out = pino.destination({ dest: fd, sync: true });
  let gone = false;
  const isGone = (err: unknown) => (err as NodeJS.ErrnoException)?.code === 'EPIPE' || (err as NodeJS.ErrnoException)?.code === 'ERR_STREAM_DESTROYED';
  out.on('error', (err: unknown) => {
    if (isGone(err)) gone = true;
  });
  return {
    write(line: string) {
      if (gone) return;
      try {
        out.write(line);
      } catch (err) {
        if (!isGone(err)) throw err;
        gone = true;
      }
    },
  };
}
