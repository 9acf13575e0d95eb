import type { Activity, CloudAdapter, ResourceResponse, TurnContext } from 'botbuilder';
import { type AuthenticateRequestResult, AuthenticationConstants, ClaimsIdentity, type ConnectorClient, ConnectorFactory } from 'botframework-connector';

/** Where an internal channel receives what the bot sends: its service URL is `internal://<name>`. */
export const INTERNAL_SCHEME = 'internal://';

/** A channel gateway of this service (Direct Line, WeChat) as the bot's replies reach it. */
export interface ChannelSink {
  /** Takes an activity the bot sends into a conversation (`replyToId` when it answers a customer's activity). */
  deliver(conversationId: string, activity: Partial<Activity>, replyToId?: string): Promise<ResourceResponse>;
}

/**
 * The channels this service hosts itself, and the plumbing that lets them use the Bot Framework pipeline without
 * going through HTTP and Azure: a gateway hands the customer's activity to the adapter directly (it has authenticated
 * the customer its own way: a WeChat signature, a Direct Line token), and the bot's replies — in the turn, and later,
 * proactively (an agent's messages, a survey) — come back to the gateway through a connector that calls the sink in
 * process. Conversation references keep `internal://<name>` as their service URL, so any instance can send to them.
 */
export class InternalChannels {
  private readonly sinks = new Map<string, ChannelSink>();

  constructor(private readonly botAppId: string) {}

  /** Registers a gateway; returns the service URL its activities carry. */
  register(name: string, sink: ChannelSink): string {
    this.sinks.set(name, sink);
    return `${INTERNAL_SCHEME}${name}`;
  }

  /** Whether a service URL is one of these channels'. */
  isInternal(serviceUrl: string | undefined): boolean {
    return typeof serviceUrl === 'string' && serviceUrl.startsWith(INTERNAL_SCHEME);
  }

  /** A connector client that hands activities to the channel's sink. */
  connector(serviceUrl: string): ConnectorClient {
    const name = serviceUrl.slice(INTERNAL_SCHEME.length).replace(/\/+$/, '');
    const sink = this.sinks.get(name);
    if (!sink) throw new Error(`no internal channel "${name}"`);
    const conversations = {
      sendToConversation: (conversationId: string, activity: Partial<Activity>) => sink.deliver(conversationId, activity),
      replyToActivity: (conversationId: string, replyToId: string, activity: Partial<Activity>) => sink.deliver(conversationId, activity, replyToId),
      // Neither WeChat nor our Direct Line lets a message be edited or withdrawn once sent.
      updateActivity: async () => ({ id: '' }),
      deleteActivity: async () => undefined,
    };
    return { conversations } as unknown as ConnectorClient;
  }

  /** A connector factory that serves internal service URLs and leaves every other to `fallback`. */
  connectorFactory(fallback?: ConnectorFactory): ConnectorFactory {
    const isInternal = (url: string) => this.isInternal(url);
    const internal = (url: string) => this.connector(url);
    return new (class extends ConnectorFactory {
      async create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
        if (isInternal(serviceUrl)) return internal(serviceUrl);
        if (!fallback) throw new Error(`no connector for ${serviceUrl}`);
        return fallback.create(serviceUrl, audience);
      }
    })();
  }

  /** Runs a turn for an activity a gateway received (and has authenticated itself). */
  async process(adapter: CloudAdapter, activity: Partial<Activity>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const claimsIdentity = new ClaimsIdentity(
      [
        { type: AuthenticationConstants.AudienceClaim, value: this.botAppId },
        { type: AuthenticationConstants.AppIdClaim, value: this.botAppId },
      ],
      true,
    );
    const result: AuthenticateRequestResult = {
      claimsIdentity,
      audience: AuthenticationConstants.ToChannelFromBotOAuthScope,
      callerId: '',
      connectorFactory: this.connectorFactory(),
    };
    await adapter.processActivityDirect(result, activity as Activity, logic);
  }
}
