import { SUPPORTED_LOCALES } from '../retention/locale';
import type { Texts } from '../prompts/texts';

/** The commands that work anywhere, even in the middle of a dialog. */
export const COMMANDS = ['cancel', 'help', 'human', 'lang_zh', 'lang_en'] as const;
export type Command = (typeof COMMANDS)[number];

const HAN = /\p{Script=Han}/u;

/** How messages and labels are compared: case, width, spaces and punctuation do not count. */
export function normaliseForMatch(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}\s]+/gu, '');
}

/**
 * Recognises the anywhere-commands from the keyword lists of both locales (`locales/<l>/keywords.json`), so a Chinese
 * conversation still understands "cancel".
 *
 * Polite filler ("请", "我要", "please", "I want to") is dropped first. Then a Chinese message is a command when it is
 * one of the phrases, or when it is short (ten characters or fewer) and nothing but that command's phrases is left
 * in it, give or take a character: "麻烦帮我转人工吧" and "算了，不办了" are; a complaint that mentions "人工" is not,
 * and neither is "我要销号，不用了" (the customer is asking for something, not stopping). An English message must be
 * the phrase itself once the filler is gone: "I want to talk to a person" is, "stop charging me" is not.
 */
export class CommandMatcher {
  private readonly exact = new Map<string, Command>();
  private readonly hanPhrases: Array<{ phrase: string; command: Command }> = [];
  private readonly hanFillers: string[];
  private readonly latinFillers: Set<string>;

  constructor(texts: Texts) {
    const fillers = SUPPORTED_LOCALES.flatMap((l) => texts.list(l, 'keywords:fillers').map((f) => f.normalize('NFKC').toLowerCase()));
    this.hanFillers = fillers.filter((f) => HAN.test(f)).sort((a, b) => b.length - a.length);
    this.latinFillers = new Set(fillers.filter((f) => !HAN.test(f)));
    for (const locale of SUPPORTED_LOCALES) {
      for (const command of COMMANDS) {
        for (const raw of texts.list(locale, `keywords:${command}`)) {
          const phrase = this.normalise(raw);
          if (!phrase) continue;
          this.exact.set(phrase, command);
          if (HAN.test(phrase)) this.hanPhrases.push({ phrase, command });
        }
      }
    }
    // Longest first: the most specific phrase decides.
    this.hanPhrases.sort((a, b) => b.phrase.length - a.phrase.length);
  }

  /** The command the message is, if any. */
  match(text: string): Command | undefined {
    if (!text || text.length > 200) return undefined;
    const normalised = this.normalise(text);
    if (!normalised) return undefined;
    const exact = this.exact.get(normalised);
    if (exact) return exact;
    const han = normalised.match(/\p{Script=Han}/gu)?.length ?? 0;
    if (han === 0 || han > 10) return undefined;
    for (const { phrase, command } of this.hanPhrases) {
      if (!normalised.includes(phrase)) continue;
      let rest = normalised;
      for (const p of this.hanPhrases) if (p.command === command) rest = rest.split(p.phrase).join('');
      if ([...rest].length <= 1) return command;
    }
    return undefined;
  }

  /**
   * The command the message is, only when it is one of the phrases itself (filler aside): where a mistaken command
   * costs a lot — ending a live chat with a person — "取消这张卡" must not count as "取消".
   */
  matchExact(text: string): Command | undefined {
    if (!text || text.length > 200) return undefined;
    return this.exact.get(this.normalise(text));
  }

  private normalise(text: string): string {
    const lower = text.normalize('NFKC').toLowerCase();
    if (HAN.test(lower)) {
      let stripped = lower;
      for (const f of this.hanFillers) stripped = stripped.split(f).join('');
      // Keep the filler when it was the whole message ("请" alone is not a command, but neither is it empty).
      return normaliseForMatch(stripped) || normaliseForMatch(lower);
    }
    const words = lower.match(/[\p{L}\p{N}']+/gu) ?? [];
    const kept = words.filter((w) => !this.latinFillers.has(w));
    return (kept.length > 0 ? kept : words).join(' ');
  }
}
