import type { TurnContext } from 'botbuilder';
import { DEFAULT_LOCALE, type Locale } from '../retention/locale';

const LOCALE = Symbol('retention.locale');
const REDACT_INBOUND = Symbol('retention.redactInbound');
const OUTBOUND_SENDER = Symbol('retention.outboundSender');
const CONVERSATION_ID = Symbol('retention.conversationId');

/** The locale this turn is answered in (set by the locale middleware). */
export function turnLocale(context: TurnContext): Locale {
  return (context.turnState.get(LOCALE) as Locale | undefined) ?? DEFAULT_LOCALE;
}

/** Changes the locale for the rest of the turn (after a language switch). */
export function setTurnLocale(context: TurnContext, locale: Locale): void {
  context.turnState.set(LOCALE, locale);
}

/**
 * Marks the customer's message of this turn as secret (a one-time code, an answer to a knowledge question): the
 * transcript keeps that a message came, not what it said.
 */
export function redactInbound(context: TurnContext): void {
  context.turnState.set(REDACT_INBOUND, true);
}

/** Whether the inbound message of this turn must be kept out of the transcript. */
export function isInboundRedacted(context: TurnContext): boolean {
  return context.turnState.get(REDACT_INBOUND) === true;
}

/** Who the outbound messages of this turn come from, for the transcript: the bot unless a relay says otherwise. */
export function outboundSender(context: TurnContext): 'bot' | 'agent' | 'system' {
  return (context.turnState.get(OUTBOUND_SENDER) as 'agent' | 'system' | undefined) ?? 'bot';
}

/** Sets who the outbound messages of this turn come from. */
export function setOutboundSender(context: TurnContext, sender: 'bot' | 'agent' | 'system'): void {
  context.turnState.set(OUTBOUND_SENDER, sender);
}

/** The stored conversation's id (the `conversations` row), set by the transcript middleware when the turn starts. */
export function turnConversationId(context: TurnContext): number | undefined {
  return context.turnState.get(CONVERSATION_ID) as number | undefined;
}

/** Records the stored conversation's id for the rest of the turn. */
export function setTurnConversationId(context: TurnContext, id: number): void {
  context.turnState.set(CONVERSATION_ID, id);
}
