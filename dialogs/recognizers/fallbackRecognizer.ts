import type { Locale } from '../../retention/locale';
import type { IntentRecognizer, Recognition } from './types';

/** A recognizer that can be told to give up. */
export interface AbortableRecognizer {
  recognize(text: string, locale: Locale, signal?: AbortSignal): Promise<Recognition>;
}

/** Reports when the primary recognizer failed or was too slow. */
export type FallbackListener = (reason: 'error' | 'timeout', error?: unknown) => void;

/**
 * Asks the primary recognizer (CLU) and, when it fails or has not answered within the timeout, the fallback (local)
 * one. The customer never waits longer than the timeout plus the local recognizer's half-millisecond.
 */
export class FallbackRecognizer implements IntentRecognizer {
  constructor(
    private readonly primary: AbortableRecognizer,
    private readonly fallback: IntentRecognizer,
    private readonly timeoutMs: number,
    private readonly onFallback: FallbackListener = () => undefined,
  ) {}

  async recognize(text: string, locale: Locale): Promise<Recognition> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
    });
    try {
      const outcome = await Promise.race([this.primary.recognize(text, locale, controller.signal), timeout]);
      if (outcome === 'timeout') {
        controller.abort();
        this.onFallback('timeout');
        return this.fallback.recognize(text, locale);
      }
      return outcome;
    } catch (error) {
      this.onFallback('error', error);
      return this.fallback.recognize(text, locale);
    } finally {
      clearTimeout(timer);
    }
  }
}
