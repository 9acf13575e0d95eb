import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake CLU service answers to the next requests. */
export type CluBehaviour =
  | { kind: 'answer'; intents: Array<{ category: string; confidenceScore: number }> }
  | { kind: 'fail'; status: number }
  | { kind: 'slow'; delayMs: number; intents: Array<{ category: string; confidenceScore: number }> };

/** A request the fake received. */
export interface CluRequest {
  path: string;
  apiVersion: string | null;
  key: string | undefined;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * A loopback fake of Azure CLU's runtime REST API (`POST {endpoint}/language/:analyze-conversations`), answering
 * in the wire format of api-version 2023-04-01.
 */
export async function startFakeClu(): Promise<{
  endpoint: string;
  requests: CluRequest[];
  answered(): number;
  behave(b: CluBehaviour): void;
  close(): Promise<void>;
}> {
  let answered = 0;
  let behaviour: CluBehaviour = { kind: 'answer', intents: [{ category: 'None', confidenceScore: 1 }] };
  const requests: CluRequest[] = [];
  // Slow answers still pending when the fake closes must not keep the test process alive.
  const pending = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      requests.push({
        path: url.pathname,
        apiVersion: url.searchParams.get('api-version'),
        key: req.headers['ocp-apim-subscription-key'] as string | undefined,
        body,
      });
      const answer = (intents: Array<{ category: string; confidenceScore: number }>) => {
        answered++;
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            kind: 'ConversationResult',
            result: {
              query: body.analysisInput?.conversationItem?.text,
              prediction: { projectKind: 'Conversation', topIntent: intents[0]?.category, intents, entities: [] },
            },
          }),
        );
      };
      if (behaviour.kind === 'fail') {
        res.statusCode = behaviour.status;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ error: { code: 'InternalServerError', message: 'fake failure' } }));
      } else if (behaviour.kind === 'slow') {
        const { delayMs, intents } = behaviour;
        const timer = setTimeout(() => {
          pending.delete(timer);
          if (!res.destroyed) answer(intents);
        }, delayMs);
        pending.add(timer);
      } else {
        answer(behaviour.intents);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    answered: () => answered,
    behave(b) {
      behaviour = b;
    },
    close: () =>
      new Promise((resolve) => {
        for (const timer of pending) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
