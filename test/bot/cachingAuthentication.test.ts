import type { Activity } from 'botbuilder';
import {
  type AuthenticateRequestResult,
  BotFrameworkAuthentication,
  ClaimsIdentity,
  type ConnectorClient,
  ConnectorFactory,
  type UserTokenClient,
} from 'botframework-connector';
import { CachingBotFrameworkAuthentication } from '../../bot/cachingAuthentication';

/** An inner authentication that counts the clients it builds; each client is a distinct object. */
class CountingAuthentication extends BotFrameworkAuthentication {
  connectorsBuilt = 0;
  userTokenClientsBuilt = 0;
  failNext = false;

  async authenticateRequest(activity: Activity): Promise<AuthenticateRequestResult> {
    const claimsIdentity = new ClaimsIdentity([{ type: 'aud', value: (activity.recipient?.id as string) ?? '' }], true);
    return { claimsIdentity, audience: 'https://api.botframework.com', callerId: '', connectorFactory: this.createConnectorFactory() };
  }

  async authenticateStreamingRequest(): Promise<AuthenticateRequestResult> {
    throw new Error('not used');
  }

  createConnectorFactory(): ConnectorFactory {
    const build = (serviceUrl: string): ConnectorClient => {
      if (this.failNext) {
        this.failNext = false;
        throw new Error('token service down');
      }
      this.connectorsBuilt++;
      return { serviceUrl, n: this.connectorsBuilt } as unknown as ConnectorClient;
    };
    return new (class extends ConnectorFactory {
      async create(serviceUrl: string): Promise<ConnectorClient> {
        return build(serviceUrl);
      }
    })();
  }

  async createUserTokenClient(): Promise<UserTokenClient> {
    this.userTokenClientsBuilt++;
    return { n: this.userTokenClientsBuilt } as unknown as UserTokenClient;
  }
}

const activity = (bot: string) => ({ recipient: { id: bot } }) as Activity;

async function connectorFor(auth: CachingBotFrameworkAuthentication, bot: string, serviceUrl: string): Promise<ConnectorClient> {
  const result = await auth.authenticateRequest(activity(bot), '');
  return result.connectorFactory!.create(serviceUrl, result.audience);
}

describe('CachingBotFrameworkAuthentication', () => {
  it('gives every turn to the same service URL the same connector client', async () => {
    const inner = new CountingAuthentication();
    const auth = new CachingBotFrameworkAuthentication(inner);
    const first = await connectorFor(auth, 'bot-a', 'https://channel.example/');
    const second = await connectorFor(auth, 'bot-a', 'https://channel.example/');
    expect(second).toBe(first);
    expect(inner.connectorsBuilt).toBe(1);
  });

  it('builds separate clients for another service URL or another bot id', async () => {
    const inner = new CountingAuthentication();
    const auth = new CachingBotFrameworkAuthentication(inner);
    const a = await connectorFor(auth, 'bot-a', 'https://one.example/');
    const b = await connectorFor(auth, 'bot-a', 'https://two.example/');
    const c = await connectorFor(auth, 'bot-b', 'https://one.example/');
    expect(new Set([a, b, c]).size).toBe(3);
    expect(inner.connectorsBuilt).toBe(3);
  });

  it('does not keep a failed creation: the next turn builds the client again', async () => {
    const inner = new CountingAuthentication();
    const auth = new CachingBotFrameworkAuthentication(inner);
    inner.failNext = true;
    await expect(connectorFor(auth, 'bot-a', 'https://one.example/')).rejects.toThrow('token service down');
    const client = await connectorFor(auth, 'bot-a', 'https://one.example/');
    expect(client).toMatchObject({ serviceUrl: 'https://one.example/' });
  });

  it('keeps at most 256 connector clients, dropping the least recently used', async () => {
    const inner = new CountingAuthentication();
    const auth = new CachingBotFrameworkAuthentication(inner);
    const first = await connectorFor(auth, 'bot-a', 'https://0.example/');
    for (let i = 1; i <= 256; i++) await connectorFor(auth, 'bot-a', `https://${i}.example/`);
    expect(inner.connectorsBuilt).toBe(257);
    const again = await connectorFor(auth, 'bot-a', 'https://0.example/');
    expect(again).not.toBe(first);
    expect(inner.connectorsBuilt).toBe(258);
  });

  it('reuses the user token client per bot id', async () => {
    const inner = new CountingAuthentication();
    const auth = new CachingBotFrameworkAuthentication(inner);
    const identity = (await auth.authenticateRequest(activity('bot-a'), '')).claimsIdentity;
    expect(await auth.createUserTokenClient(identity)).toBe(await auth.createUserTokenClient(identity));
    expect(inner.userTokenClientsBuilt).toBe(1);
  });
});
