import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A customer-service message the fake accepted. */
export interface SentMessage {
  touser: string;
  msgtype: string;
  content: string;
  accessToken: string;
}

/**
 * A loopback fake of WeChat's server API, as much as the gateway uses: `GET /cgi-bin/token` (checks the app id and
 * secret, hands out numbered tokens valid 7200 s) and `POST /cgi-bin/message/custom/send` (checks the token, records
 * the message). It can be told to refuse sends with an error code (45015: outside the 48-hour window) and to revoke
 * every token it gave (the next send gets 40001, as after another server fetched a new one).
 */
export async function startFakeWeChatApi(credentials: { appId: string; appSecret: string }): Promise<{
  url: string;
  sent: SentMessage[];
  tokenFetches(): number;
  refuseWith(errcode: number | undefined): void;
  revokeTokens(): void;
  /** While on, requests are taken and never answered. */
  hang(on: boolean): void;
  waitForSent(count: number, timeoutMs?: number): Promise<SentMessage[]>;
  close(): Promise<void>;
}> {
  const sent: SentMessage[] = [];
  const valid = new Set<string>();
  let fetches = 0;
  let refusal: number | undefined;
  let hanging = false;
  const json = (res: http.ServerResponse, body: unknown) => {
    // Not writeHead(...).end(...): restify, loaded in the same process, patches ServerResponse and writeHead stops chaining.
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (hanging) return;
      const url = new URL(req.url ?? '/', 'http://fake');
      if (req.method === 'GET' && url.pathname === '/cgi-bin/token') {
        if (
          url.searchParams.get('grant_type') !== 'client_credential' ||
          url.searchParams.get('appid') !== credentials.appId ||
          url.searchParams.get('secret') !== credentials.appSecret
        ) {
          return json(res, { errcode: 40013, errmsg: 'invalid appid' });
        }
        fetches++;
        const token = `token-${fetches}`;
        valid.add(token);
        return json(res, { access_token: token, expires_in: 7200 });
      }
      if (req.method === 'POST' && url.pathname === '/cgi-bin/message/custom/send') {
        const token = url.searchParams.get('access_token') ?? '';
        if (!valid.has(token)) return json(res, { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' });
        if (refusal !== undefined) return json(res, { errcode: refusal, errmsg: 'response out of time limit or subscription is canceled' });
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        sent.push({ touser: body.touser, msgtype: body.msgtype, content: body.text?.content, accessToken: token });
        return json(res, { errcode: 0, errmsg: 'ok' });
      }
      res.statusCode = 404;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent,
    tokenFetches: () => fetches,
    refuseWith(errcode) {
      refusal = errcode;
    },
    revokeTokens() {
      valid.clear();
    },
    hang(on) {
      hanging = on;
    },
    async waitForSent(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (sent.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} customer-service messages, got ${sent.length}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return sent;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
