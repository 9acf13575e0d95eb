import type { Activity } from 'botbuilder';
import {
  type AuthenticateRequestResult,
  AuthenticationConstants,
  BotFrameworkAuthentication,
  type BotFrameworkClient,
  type ClaimsIdentity,
  type ConnectorClient,
  ConnectorFactory,
  type UserTokenClient,
} from 'botframework-connector';
import type { InternalChannels } from './channels/internal';

/**
 * The SDK's authentication with one change: the clients a turn is given are kept and reused. `CloudAdapter` asks for
 * a new `ConnectorClient` and a new `UserTokenClient` on every turn, even when the replies go back in the HTTP
 * response, and building them (an HTTP pipeline of a dozen policies each) was the largest single cost of a turn in
 * the benchmark's profile. Neither holds per-turn state, and their credentials fetch and refresh their own tokens, so
 * reuse is safe. Clients are keyed by the bot's id in the claims, service URL and audience; the cache is bounded,
 * since without authentication anyone may post any `serviceUrl`.
 */
export class CachingBotFrameworkAuthentication extends BotFrameworkAuthentication {
  private readonly connectors = new BoundedCache<ConnectorClient>(256);
  private readonly userTokenClients = new BoundedCache<UserTokenClient>(16);

  constructor(
    private readonly inner: BotFrameworkAuthentication,
    /** The channels this service hosts itself: their `internal://` service URLs get in-process connectors. */
    private readonly internal?: InternalChannels,
  ) {
    super();
  }

  async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    return this.withCachingFactory(await this.inner.authenticateRequest(activity, authHeader));
  }

  async authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    return this.withCachingFactory(await this.inner.authenticateStreamingRequest(authHeader, channelIdHeader));
  }

  createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.cachingFactory(claimsIdentity, () => this.inner.createConnectorFactory(claimsIdentity));
  }

  createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.userTokenClients.get(botId(claimsIdentity), () => this.inner.createUserTokenClient(claimsIdentity));
  }

  override createBotFrameworkClient(): BotFrameworkClient {
    return this.inner.createBotFrameworkClient();
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.inner.authenticateChannelRequest(authHeader);
  }

  private withCachingFactory(result: AuthenticateRequestResult): AuthenticateRequestResult {
    const original = result.connectorFactory;
    if (!original) return result;
    return { ...result, connectorFactory: this.cachingFactory(result.claimsIdentity, () => original) };
  }

  private cachingFactory(claimsIdentity: ClaimsIdentity, innerFactory: () => ConnectorFactory): ConnectorFactory {
    const id = botId(claimsIdentity);
    const connectors = this.connectors;
    const internal = this.internal;
    return new (class extends ConnectorFactory {
      create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
        if (internal?.isInternal(serviceUrl)) return Promise.resolve(internal.connector(serviceUrl));
        return connectors.get(`${id}\u0000${serviceUrl}\u0000${audience ?? ''}`, () => innerFactory().create(serviceUrl, audience));
      }
    })();
  }
}

/** The bot's own id, found in the claims as the SDK's factories find it (audience, else appid). */
function botId(claimsIdentity: ClaimsIdentity): string {
  return claimsIdentity.getClaimValue(AuthenticationConstants.AudienceClaim) ?? claimsIdentity.getClaimValue(AuthenticationConstants.AppIdClaim) ?? '';
}

/** Promises of values by key, least recently used dropped first; a failed one is forgotten so the next call retries. */
class BoundedCache<T> {
  private readonly entries = new Map<string, Promise<T>>();

  constructor(private readonly max: number) {}

  get(key: string, create: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const created = create();
    this.entries.set(key, created);
    created.catch(() => {
      if (this.entries.get(key) === created) this.entries.delete(key);
    });
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
    return created;
  }
}
