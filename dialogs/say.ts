import { type Activity, MessageFactory, type TurnContext } from 'botbuilder';
import { type Choice, ChoiceFactory } from 'botbuilder-dialogs';
import type { Texts } from '../prompts/texts';
import { turnLocale } from './turn';

/**
 * The small things every dialog does with text: look up a string in the turn's language, send it (with suggested
 * replies where the channel shows them), and render a choice list that reads right in that language — buttons on
 * Web Chat, numbered text where there are none (WeChat).
 */
export class Say {
  constructor(readonly texts: Texts) {}

  /** The string for the key in the turn's language. */
  t(context: TurnContext, key: string, args?: Record<string, unknown>): string {
    return this.texts.t(turnLocale(context), key, args);
  }

  /** Sends the string for the key, with suggested replies when given. */
  async key(context: TurnContext, key: string, args?: Record<string, unknown>, suggestions?: string[]): Promise<void> {
    await this.text(context, this.t(context, key, args), suggestions);
  }

  /** Sends a composed text, with suggested replies when given. */
  async text(context: TurnContext, text: string, suggestions?: string[]): Promise<void> {
    await context.sendActivity(suggestions?.length ? MessageFactory.suggestedActions(suggestions, text) : text);
  }

  /** A prompt activity listing choices for this channel, in the turn's language. */
  choices(context: TurnContext, choices: Choice[], text: string): Partial<Activity> {
    const locale = turnLocale(context);
    return ChoiceFactory.forChannel(context, choices, text, undefined, {
      inlineSeparator: this.texts.t(locale, 'common:choices.separator'),
      inlineOr: this.texts.t(locale, 'common:choices.or'),
      inlineOrMore: this.texts.t(locale, 'common:choices.orMore'),
      includeNumbers: true,
    });
  }
}
