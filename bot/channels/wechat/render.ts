import type { Activity, CardAction } from 'botbuilder';
import type { Texts } from '../../../prompts/texts';
import { localeFromText, type Locale } from '../../../retention/locale';

/** WeChat's limit on one text message, passive or customer-service, in UTF-8 bytes. */
export const MAX_TEXT_BYTES = 2048;

const HERO_CARD = 'application/vnd.microsoft.card.hero';
const THUMBNAIL_CARD = 'application/vnd.microsoft.card.thumbnail';
/** Actions that send text back to the bot: the ones a numbered reply can stand for. */
const REPLY_ACTIONS = new Set(['imBack', 'postBack', 'messageBack']);

/** Some of the bot's messages as one text for WeChat, and what each numbered reply in it stands for. */
export interface RenderedText {
  text: string;
  /** `choices[0]` is what a reply of "1" means, and so on. */
  choices: string[];
}

interface CardContent {
  title?: string;
  subtitle?: string;
  text?: string;
  buttons?: CardAction[];
}

/**
 * Renders messages for a channel that shows only text: each message's text; hero and thumbnail cards as their title,
 * subtitle and text; suggested actions and card buttons as numbered lines ("回复 1 查询余额" / "Reply 1 for …") whose
 * numbers run on across the messages, so that one reply of a number is never ambiguous; links as "title: url".
 * Typing indicators, events and anything else without text are left out. The hints are in the language of the
 * messages' own text, else `fallbackLocale`.
 */
export function renderForText(activities: ReadonlyArray<Partial<Activity>>, texts: Texts, fallbackLocale: Locale): RenderedText {
  const messages = activities.filter((a) => (a.type ?? 'message') === 'message');
  const locale = localeFromText(messages.map((m) => m.text ?? '').join('\n')) ?? fallbackLocale;
  const choices: string[] = [];
  const actionLines = (actions: ReadonlyArray<CardAction> | undefined): string[] => {
    const lines: string[] = [];
    for (const action of actions ?? []) {
      const title = (action.title ?? '').trim();
      if (REPLY_ACTIONS.has(action.type)) {
        const value = typeof action.value === 'string' && action.value.trim() ? action.value.trim() : ((action as { text?: string }).text ?? title).trim();
        if (!value) continue;
        choices.push(value);
        lines.push(texts.t(locale, 'wechat:replyNumber', { n: choices.length, title: title || value }));
      } else if (action.type === 'openUrl' && typeof action.value === 'string') {
        lines.push(texts.t(locale, 'wechat:link', { title: title || action.value, url: action.value }));
      }
    }
    return lines;
  };

  const blocks: string[] = [];
  for (const message of messages) {
    const lines: string[] = [];
    if (message.text?.trim()) lines.push(message.text.trim());
    for (const attachment of message.attachments ?? []) {
      if (attachment.contentType !== HERO_CARD && attachment.contentType !== THUMBNAIL_CARD) continue;
      const card = (attachment.content ?? {}) as CardContent;
      for (const part of [card.title, card.subtitle, card.text]) if (typeof part === 'string' && part.trim()) lines.push(part.trim());
      lines.push(...actionLines(card.buttons));
    }
    lines.push(...actionLines(message.suggestedActions?.actions));
    if (lines.length > 0) blocks.push(lines.join('\n'));
  }
  return { text: blocks.join('\n\n'), choices };
}

/**
 * Splits a text into parts of at most `maxBytes` UTF-8 bytes, between lines where it can (blank lines between
 * messages included), inside a line only when the line alone is too long, and never inside a character.
 */
export function splitText(text: string, maxBytes = MAX_TEXT_BYTES): string[] {
  const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
  if (bytes(text) <= maxBytes) return text ? [text] : [];
  const parts: string[] = [];
  let current = '';
  const flush = () => {
    const trimmed = current.replace(/\n+$/, '');
    if (trimmed.trim()) parts.push(trimmed);
    current = '';
  };
  for (const line of text.split('\n')) {
    const candidate = current ? `${current}\n${line}` : line;
    if (bytes(candidate) <= maxBytes) {
      current = candidate;
      continue;
    }
    flush();
    if (bytes(line) <= maxBytes) {
      current = line;
      continue;
    }
    // One line longer than a message: cut it by characters (code points, so a surrogate pair stays whole).
    let piece = '';
    let pieceBytes = 0;
    for (const ch of line) {
      const n = bytes(ch);
      if (pieceBytes + n > maxBytes) {
        parts.push(piece);
        piece = '';
        pieceBytes = 0;
      }
      piece += ch;
      pieceBytes += n;
    }
    current = piece;
  }
  flush();
  return parts;
}
