import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A message the fake gateway accepted, with the authorization header it came with. */
export interface GatewayMessage {
  to: string;
  text: string;
  authorization?: string;
}

/**
 * A loopback fake of an SMS gateway speaking the service's small contract (`POST` JSON `{to, text}`, any 2xx is
 * success). It can be told to fail or to hang, to test what the customer is told then.
 */
export async function startFakeSmsGateway(): Promise<{
  url: string;
  messages: GatewayMessage[];
  behave(b: 'ok' | 'fail' | 'hang'): void;
  close(): Promise<void>;
}> {
  const messages: GatewayMessage[] = [];
  let behaviour: 'ok' | 'fail' | 'hang' = 'ok';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (behaviour === 'hang') return;
      if (behaviour === 'fail') {
        res.statusCode = 503;
        res.end('{"error":"carrier unavailable"}');
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      messages.push({ to: body.to, text: body.text, authorization: req.headers.authorization });
      res.setHeader('content-type', 'application/json');
      res.end('{"status":"queued"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms/send`,
    messages,
    behave(b) {
      behaviour = b;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
