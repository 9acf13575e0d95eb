import { type Activity, ConnectionStatus, DirectLine, type DirectLineOptions } from 'botframework-directlinejs';
import { Observable } from 'rxjs/Observable';
import WebSocket from 'ws';
import { startTestApp, type TestApp } from '../helpers/app';
import { dl, say, TEST_DIRECT_LINE_SECRET, tokenUser } from '../helpers/directLine';

let t: TestApp;
const hadWebSocket = 'WebSocket' in globalThis;
beforeAll(async () => {
  // botframework-directlinejs only streams when a global WebSocket exists (Node 20 has none without a flag).
  if (!hadWebSocket) (globalThis as Record<string, unknown>).WebSocket = WebSocket;
  t = await startTestApp({ DIRECT_LINE_SECRET: TEST_DIRECT_LINE_SECRET, DEADLINE_CHECK_INTERVAL_S: '0' }, { now: () => Date.UTC(2026, 10, 23, 2, 0) });
});
afterAll(async () => {
  if (!hadWebSocket) delete (globalThis as Record<string, unknown>).WebSocket;
  await t.close();
});

const zh = (key: string, args?: Record<string, unknown>) => t.app.texts.t('zh-CN', key, args);

/** The client's HTTP calls through fetch (it expects rxjs's XMLHttpRequest-based ajax, which Node lacks). */
function fetchAjax(request: { url: string; method?: string; headers?: Record<string, string>; body?: unknown }) {
  return Observable.create((subscriber: { next(v: unknown): void; complete(): void; error(e: unknown): void }) => {
    const body = request.body === undefined || typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
    fetch(request.url, { method: request.method ?? 'GET', headers: request.headers, body: body as string | undefined }).then(
      async (res) => {
        const text = await res.text();
        const response = text ? JSON.parse(text) : null;
        if (res.status >= 400) subscriber.error({ status: res.status, response, xhr: { getResponseHeader: (h: string) => res.headers.get(h) } });
        else {
          subscriber.next({ status: res.status, response });
          subscriber.complete();
        }
      },
      (err) => subscriber.error({ status: 0, err }),
    );
  });
}

/** An official Direct Line client on the test app, recording what it receives. */
function connect(options: DirectLineOptions) {
  const client = new DirectLine({
    domain: `${t.url}/v3/directline`,
    webSocket: true,
    timeout: 5000,
    ...options,
    ajax: fetchAjax,
    WebSocket,
  } as DirectLineOptions);
  const received: Activity[] = [];
  const waiters: Array<() => void> = [];
  const subscription = client.activity$.subscribe((a) => {
    received.push(a);
    for (const w of waiters.splice(0)) w();
  });
  return {
    client,
    received,
    waitFor(predicate: (all: Activity[]) => boolean): Promise<Activity[]> {
      return new Promise((resolve) => {
        const check = () => (predicate(received) ? resolve(received) : waiters.push(check));
        check();
      });
    },
    post(activity: Partial<Activity>): Promise<string> {
      return new Promise((resolve, reject) =>
        client.postActivity({ type: 'message', from: { id: tokenUser(options.token!) }, ...activity } as Activity).subscribe(resolve, reject),
      );
    },
    /** The client's watermark and conversation (private fields of the library). */
    state: () => client as unknown as { watermark: string; conversationId: string; token: string },
    disconnect() {
      subscription.unsubscribe();
      client.end();
    },
  };
}

const texts = (activities: Activity[]) => activities.filter((a) => a.type === 'message').map((a) => (a as { text?: string }).text);

describe('botframework-directlinejs against the service', () => {
  it('starts, talks over the stream, and after a disconnection resumes from its watermark with exactly what it missed', async () => {
    const token = (await dl(t.url, 'POST', '/tokens/generate', TEST_DIRECT_LINE_SECRET)).body.token;
    const first = connect({ token, conversationStartProperties: { locale: 'zh-CN' } });
    await first.waitFor((all) => texts(all).includes(zh('main:welcome')));
    const id = await first.post({ text: '你好', locale: 'zh-CN', channelData: { clientActivityID: 'c-1' } } as Partial<Activity>);
    const seen = await first.waitFor((all) => texts(all).includes(zh('main:greeting')));
    expect(texts(seen)).toEqual([zh('main:welcome'), '你好', zh('main:greeting')]);
    // The echo carries the id the post returned and the client's own id, as Web Chat needs to mark it sent.
    expect(seen[1]).toMatchObject({ id, channelData: { clientActivityID: 'c-1' } });
    const { conversationId, watermark } = first.state();
    expect(watermark).toBe('3');
    first.disconnect();

    // While the client is away, the customer writes from elsewhere (REST) and the bot answers.
    const c = { conversationId, token: first.state().token, streamUrl: '', userId: tokenUser(token) };
    await say(t.url, c, '谢谢', { locale: 'zh-CN' });

    const second = connect({ token: first.state().token, conversationId, watermark });
    const missed = await second.waitFor((all) => all.length >= 2);
    expect(texts(missed)).toEqual(['谢谢', zh('main:thanks')]);
    // Nothing more arrives than what was missed: a further exchange follows directly.
    await second.post({ text: '再见', locale: 'zh-CN' } as Partial<Activity>);
    const all = await second.waitFor((a) => texts(a).includes(zh('main:goodbye')));
    expect(texts(all)).toEqual(['谢谢', zh('main:thanks'), '再见', zh('main:goodbye')]);
    expect(second.client.connectionStatus$.getValue()).toBe(ConnectionStatus.Online);
    second.disconnect();
  });

  it('delivers an agent’s proactive message to the Web Chat stream', async () => {
    const agent = (await t.app.repositories.staff.findByUsername('agent.zhang'))!.id;
    await t.app.hub.setPresence(agent, 'online', 5);
    const token = (await dl(t.url, 'POST', '/tokens/generate', TEST_DIRECT_LINE_SECRET)).body.token;
    const web = connect({ token, conversationStartProperties: { locale: 'zh-CN' } });
    await web.waitFor((all) => all.length >= 1);
    await web.post({ text: '转人工', locale: 'zh-CN' } as Partial<Activity>);
    const conversation = await t.app.repositories.conversations.find('webchat', web.state().conversationId);
    const handoff = await t.app.repositories.handoffs.findOpenForConversation(conversation!.id);
    await t.app.hub.accept(handoff!.id, agent);
    const sent = await t.app.hub.sendToCustomer(handoff!.id, agent, '您好，我是客服张敏。');
    expect(sent.delivery).toBe('sent');
    const all = await web.waitFor((a) => texts(a).includes('您好，我是客服张敏。'));
    expect(all.at(-1)).toMatchObject({ from: { role: 'bot' }, conversation: { id: web.state().conversationId } });
    web.disconnect();
  });
});
