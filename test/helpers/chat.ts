import { randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder';

/** One customer talking to the service over /api/messages with `deliveryMode: expectReplies`. */
export class ChatClient {
  readonly conversationId: string;
  readonly userId: string;

  constructor(
    private readonly baseUrl: string,
    private readonly options: { channelId?: string; locale?: string; userId?: string; conversationId?: string } = {},
  ) {
    this.conversationId = options.conversationId ?? `conv-${randomUUID()}`;
    this.userId = options.userId ?? `user-${randomUUID()}`;
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
    return replies.filter((a) => a.type === 'message');
  }

  /** The texts of the replies to a message. */
  async texts(text: string, extra: Partial<Activity> = {}): Promise<string[]> {
    return (await this.say(text, extra)).map((a) => a.text ?? '');
  }

  /** A complete activity from this customer. */
  activity(partial: Partial<Activity>): Partial<Activity> {
    return {
      channelId: this.options.channelId ?? 'test',
      serviceUrl: 'http://127.0.0.1:1',
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
