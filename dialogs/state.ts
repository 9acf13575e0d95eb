import type { Locale } from '../retention/locale';

/** What the bot remembers of a channel user across conversations (user state). */
export interface UserProfile {
  /** The language the customer asked for ("English please"); wins over every other sign. */
  preferredLocale?: Locale;
  /** The bound customer's stored language, used when nothing else says. */
  customerLocale?: Locale;
  /** The customer this channel user is bound to, once they have verified. */
  customerId?: number;
}

/** What the bot remembers within one conversation (conversation state, beside the dialog stack). */
export interface ConversationData {
  /** Messages in a row the bot did not understand; reset by any understood one. */
  misunderstoodInARow?: number;
  /** Whether the welcome was already shown. */
  welcomed?: boolean;
  /** The ids of the last activities handled, so a channel's retry of one is not handled twice (RepeatGuard). */
  recentActivityIds?: string[];
  /** The handoff this conversation is in (queued or with an agent); while set, the handoff gate routes messages. */
  handoff?: { id: number; mode: 'internal' | 'external' };
}

export const USER_PROFILE_PROPERTY = 'profile';
export const CONVERSATION_DATA_PROPERTY = 'session';
export const DIALOG_STATE_PROPERTY = 'dialogState';
