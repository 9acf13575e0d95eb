import { randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder';
import { paths } from '../../bot/paths';
import { loadTexts } from '../../prompts/texts';
import { SUPPORTED_LOCALES } from '../../retention/locale';
import { disclosedAccountData } from './disclosure';

const texts = loadTexts({ localesDir: paths.locales, promptsDir: paths.prompts });
const VERIFIED = new Set(SUPPORTED_LOCALES.map((l) => texts.t(l, 'verify:success')));

/**
 * One customer talking to the service over /api/messages with `deliveryMode: expectReplies`.
 *
 * Every conversation a test holds through this client is also a disclosure check: until the bot has said the
 * customer is verified, no reply may contain a demo account's number or balance (the check throws, failing the test).
 * A client for a user verified in an earlier conversation says so with `verified: true`.
 */
export class ChatClient {
  readonly conversationId: string;
  readonly userId: string;
  private verified: boolean;

  constructor(
    private readonly baseUrl: string,
    private readonly options: { channelId?: string; locale?: string; userId?: string; conversationId?: string; verified?: boolean; serviceUrl?: string } = {},
  ) {
    this.conversationId = options.conversationId ?? `conv-${randomUUID()}`;
    this.userId = options.userId ?? `user-${randomUUID()}`;
    this.verified = options.verified ?? false;
  }

  /** Sends a message and returns the bot's message replies. */
  async say(text: string, extra: Partial<Activity> = {}): Promise<Activity[]> {
    return this.send({ type: 'message', text, ...extra });
  }

  /** Sends any activity; returns the message activities of the answer. */
  async send(activity: Partial<Activity>): Promise<Activity[]> {
    const res = await postActivity(this.baseUrl, this.activity(activity));
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${JSON.stringify(res.body)}`);
    const replies = ((res.body as { activities?: Activity[] })?.activities ?? []) as Activity[];
    const messages = replies.filter((a) => a.type === 'message');
    for (const reply of messages) this.checkDisclosure(reply);
    return messages;
  }

  /** Throws when a reply before verification gives away account data; notes when the bot says verification passed. */
  private checkDisclosure(reply: Activity): void {
    if (VERIFIED.has(reply.text ?? '')) this.verified = true;
    if (this.verified) return;
    const shown = [reply.text ?? '', ...(reply.suggestedActions?.actions ?? []).map((a) => `${a.title ?? ''} ${a.value ?? ''}`)].join('\n');
    const leaked = disclosedAccountData(shown);
    if (leaked.length > 0) throw new Error(`account data shown before verification: ${leaked.join(', ')}\n${shown}`);
  }

  /** The texts of the replies to a message. */
  async texts(text: string, extra: Partial<Activity> = {}): Promise<string[]> {
    return (await this.say(text, extra)).map((a) => a.text ?? '');
  }

  /** A complete activity from this customer. */
  activity(partial: Partial<Activity>): Partial<Activity> {
    return {
      channelId: this.options.channelId ?? 'test',
      // Where proactive messages (an agent's replies) go; nothing listens at the default.
      serviceUrl: this.options.serviceUrl ?? 'http://127.0.0.1:1',
      conversation: { id: this.conversationId } as Activity['conversation'],
      from: { id: this.userId, name: 'Customer', role: 'user' },
      recipient: { id: 'bot', name: 'Retention Assistant', role: 'bot' },
      id: randomUUID(),
      timestamp: new Date(),
      deliveryMode: 'expectReplies',
      ...(this.options.locale ? { locale: this.options.locale } : {}),
      ...partial,
    };
  }
}

/** Posts a body to /api/messages and returns the status and parsed body. */
export async function postActivity(baseUrl: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${baseUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* a plain-text body stays text */
  }
  return { status: res.status, body: parsed };
}
