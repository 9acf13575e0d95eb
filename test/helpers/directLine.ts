import WebSocket from 'ws';
import { attachDirectLine, type DirectLineOptions } from '../../bot/channels/directLine/gateway';
import { createHttpServer } from '../../bot/server';
import type { TestApp } from './app';

/** The Direct Line secret the test apps run with. */
export const TEST_DIRECT_LINE_SECRET = 'test-direct-line-secret-0123456789';

/** A Direct Line activity as the endpoint returns it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field, as a client would
export type DlActivity = Record<string, any>;

/** A parsed HTTP answer. */
export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
  body: any;
  headers: Headers;
}

/** Calls the Direct Line endpoint with a bearer credential (or none). */
export async function dl(base: string, method: string, path: string, credential?: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (credential) headers.authorization = `Bearer ${credential}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}/v3/directline${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Left as text.
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** A started conversation: its id, token and stream address. */
export interface StartedConversation {
  conversationId: string;
  token: string;
  streamUrl: string;
  userId: string;
}

/** Generates a token with the secret and starts the conversation with it, as Web Chat does. */
export async function startConversation(base: string, body: Record<string, unknown> = {}): Promise<StartedConversation> {
  const generated = await dl(base, 'POST', '/tokens/generate', TEST_DIRECT_LINE_SECRET, body);
  if (generated.status !== 200) throw new Error(`generate answered ${generated.status}`);
  const started = await dl(base, 'POST', '/conversations', generated.body.token, { locale: body.locale });
  if (started.status !== 201) throw new Error(`start answered ${started.status}`);
  return { conversationId: started.body.conversationId, token: started.body.token, streamUrl: started.body.streamUrl, userId: tokenUser(started.body.token) };
}

/** The `user` claim of a conversation token. */
export function tokenUser(token: string): string {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).user;
}

/** Posts a message as the conversation's user; returns the activity id. */
export async function say(base: string, c: StartedConversation, text: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await dl(base, 'POST', `/conversations/${c.conversationId}/activities`, c.token, {
    type: 'message',
    text,
    from: { id: c.userId, role: 'user' },
    channelData: { clientActivityID: `client-${Math.random().toString(36).slice(2)}` },
    ...extra,
  });
  if (res.status !== 200) throw new Error(`post answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** Every activity of the conversation after a watermark, following the pages. */
export async function allActivities(base: string, c: StartedConversation, watermark = 0): Promise<{ activities: DlActivity[]; watermark: number }> {
  const out: DlActivity[] = [];
  let mark = watermark;
  for (;;) {
    const res = await dl(base, 'GET', `/conversations/${c.conversationId}/activities?watermark=${mark}`, c.token);
    if (res.status !== 200) throw new Error(`get answered ${res.status}`);
    out.push(...res.body.activities);
    const next = Number(res.body.watermark);
    if (res.body.activities.length === 0 || next === mark) return { activities: out, watermark: mark };
    mark = next;
  }
}

/** The bot's messages among activities. */
export function botTexts(activities: DlActivity[]): string[] {
  return activities.filter((a) => a.from?.role === 'bot' && a.type === 'message').map((a) => a.text);
}

/** A WebSocket stream that keeps every frame it gets. */
export interface StreamReader {
  frames: Array<{ activities: DlActivity[]; watermark?: string } | ''>;
  activities(): DlActivity[];
  /** Waits until the activities received satisfy the predicate (a test timeout ends a wait that never does). */
  waitFor(predicate: (activities: DlActivity[]) => boolean): Promise<DlActivity[]>;
  /** Settles when the server or the client closes the stream, with the close frame's code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

/** Opens a stream URL and records its frames. */
export function openStream(url: string): Promise<StreamReader> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const frames: StreamReader['frames'] = [];
    const waiters: Array<() => void> = [];
    const closed = new Promise<{ code: number; reason: string }>((done) => ws.once('close', (code, reason) => done({ code, reason: reason.toString() })));
    ws.on('message', (data) => {
      const text = data.toString();
      frames.push(text === '' ? '' : JSON.parse(text));
      for (const w of waiters.splice(0)) w();
    });
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`stream refused: ${res.statusCode}`), { statusCode: res.statusCode })));
    ws.once('error', reject);
    ws.once('open', () => {
      const reader: StreamReader = {
        frames,
        closed,
        activities: () => frames.flatMap((f) => (f === '' ? [] : f.activities)),
        waitFor(predicate) {
          return new Promise((done) => {
            const check = () => {
              const all = reader.activities();
              if (predicate(all)) done(all);
              else waiters.push(check);
            };
            check();
          });
        },
        close() {
          return new Promise((done) => {
            if (ws.readyState === WebSocket.CLOSED) return done();
            ws.once('close', () => done());
            ws.close();
          });
        },
      };
      resolve(reader);
    });
  });
}

/** A gateway of its own: its address, and how to stop it. */
export interface TestGateway {
  url: string;
  close(): Promise<void>;
}

/**
 * A second Direct Line gateway for the test app (its bot, database and settings) on its own HTTP server and loopback
 * port, built with options the app's own gateway is built without (other limits, a quick purge). It takes over the
 * app's web chat replies, so a suite that starts one talks to that one only.
 */
export async function startGateway(t: TestApp, options: DirectLineOptions): Promise<TestGateway> {
  const http = createHttpServer({
    adapter: t.app.adapter,
    logic: t.app.logic,
    logger: t.app.logger,
    maxBodyBytes: t.app.config.limits.maxBodyBytes,
    bodyTimeoutMs: t.app.config.limits.bodyTimeoutMs,
    databaseReachable: async () => true,
    version: 'test',
  });
  const gateway = await attachDirectLine(t.app, http.server, options);
  const address = await http.listen(0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${address.port}`,
    async close() {
      await gateway.close();
      await http.close(1000);
    },
  };
}
