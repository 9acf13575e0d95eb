import type { Middleware, StatePropertyAccessor, TurnContext } from 'botbuilder';
import { localeFromText, toSupportedLocale, type Locale } from '../../retention/locale';
import type { UserProfile } from '../../dialogs/state';
import { setTurnLocale } from '../../dialogs/turn';

/**
 * Chooses the language of the turn. A language the customer asked for ("English please") wins; then the locale the
 * channel sends with the activity; then the script of the message; then the bound customer's stored preference;
 * then the default.
 */
export class LocaleMiddleware implements Middleware {
  constructor(
    private readonly profile: StatePropertyAccessor<UserProfile>,
    private readonly defaultLocale: Locale,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    setTurnLocale(context, await this.choose(context));
    await next();
  }

  private async choose(context: TurnContext): Promise<Locale> {
    const activity = context.activity;
    const profile = await this.profile.get(context, {});
    return (
      profile.preferredLocale ??
      toSupportedLocale(activity.locale) ??
      (activity.type === 'message' ? localeFromText(activity.text ?? '') : undefined) ??
      profile.customerLocale ??
      this.defaultLocale
    );
  }
}
