import type { Texts } from '../prompts/texts';
import { SUPPORTED_LOCALES } from '../retention/locale';
import { normaliseForMatch } from './keywords';

/**
 * Recognises a reply that means one thing ("resend", "重新发送") from word lists of every locale, so a customer is
 * understood whichever language they answer in. A reply is the phrase when, case, width, spaces and punctuation aside,
 * it contains one of the words and is short: "没收到，重发一下" is a request to resend; a long story that happens to
 * mention "重发" is not.
 */
export class PhraseMatcher {
  private readonly words: string[];

  constructor(
    texts: Texts,
    key: string,
    private readonly maxLength = 24,
  ) {
    this.words = [
      ...new Set(
        SUPPORTED_LOCALES.flatMap((l) => texts.list(l, key))
          .map(normaliseForMatch)
          .filter(Boolean),
      ),
    ].sort((a, b) => b.length - a.length);
  }

  /** Whether the reply is one of the phrases. */
  matches(text: string): boolean {
    const n = normaliseForMatch(text);
    if (!n || n.length > this.maxLength) return false;
    return this.words.some((w) => n.includes(w));
  }
}
