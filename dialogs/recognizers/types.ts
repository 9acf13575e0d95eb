import type { Locale } from '../../retention/locale';
import { FEATURE_INTENTS } from '../features';

/** The intents of the conversation itself (small talk, commands, what is out of scope), served by MainDialog. */
export const CONVERSATION_INTENTS = [
  'greeting',
  'help',
  'goodbye',
  'thanks',
  'cancel',
  'lang_zh',
  'lang_en',
  /** A bank, telecom or insurance service request the assistant does not handle (card activation, PIN, transfers, loans). */
  'unsupported',
  'none',
] as const;

/** Every intent the assistant recognises: the conversation's, and those of the features (dialogs/features.ts). */
export const INTENTS = [...CONVERSATION_INTENTS, ...FEATURE_INTENTS] as const;
export type Intent = (typeof INTENTS)[number];

/** Things recognised inside a message. */
export interface Entities {
  /** Complaint reference numbers, upper-cased (C20261122-0007). */
  complaintRefs: string[];
  /** Amounts of money in fen. */
  amountsMinor: number[];
  /** The last digits of an account the customer named ("尾号6688", "ending 1234"). */
  accountLast4?: string;
}

/** What a recognizer made of a message. */
export interface Recognition {
  intent: Intent;
  /** 0–1; `none` when below the recognizer's threshold. */
  score: number;
  /** The runner-up, when there was one: useful for logs and the evaluation's confusions. */
  alternatives: Array<{ intent: Intent; score: number }>;
  entities: Entities;
  source: 'local' | 'clu';
  /** The local recognizer only: the share (0–1) of the message's words and characters that it could read. */
  understood?: number;
}

/** Turns a customer's message into an intent and entities. */
export interface IntentRecognizer {
  recognize(text: string, locale: Locale): Promise<Recognition>;
}
