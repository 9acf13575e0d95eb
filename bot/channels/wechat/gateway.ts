import { createHash, randomUUID } from 'node:crypto';
import type { Activity, ResourceResponse } from 'botbuilder';
import type { Request, Response, Server } from 'restify';
import { createWeChatRepository, type WeChatRepository } from '../../../data/repositories/wechatRepository';
import { checkChannelWindow } from '../../../retention/contactPolicy';
import type { WeChatConfig } from '../../config';
import type { App } from '../../index';
import { errorSummary } from '../../middleware/transcriptMiddleware';
import type { ChannelGateway } from '../index';
import type { ChannelSink } from '../internal';
import { WeChatApi, WeChatWindowClosedError } from './api';
import { aesKeyFrom, decryptMessage, encryptMessage, signatureMatches, type WeChatAesKey, wechatSignature } from './crypto';
import { renderForText, splitText } from './render';
import { encryptedReplyXml, MAX_XML_BYTES, parseWeChatXml, textReplyXml, type WeChatFields, type XmlProblem } from './xml';

/** The Bot Framework channel id of WeChat conversations. */
export const WECHAT_CHANNEL_ID = 'wechat';

/**
 * The Official Account's menu: a CLICK button's EventKey and the text it stands for (the main menu's suggestion in the
 * default language, so the click does what typing that suggestion does). Configure the account's menu buttons with
 * these keys.
 */
export const MENU_KEYS: Readonly<Record<string, string>> = Object.freeze({
  BALANCE: 'main:suggestions.balance',
  COMPLAINT: 'main:suggestions.complaint',
  OFFERS: 'main:suggestions.offers',
  HUMAN: 'main:suggestions.human',
  HELP: 'main:suggestions.help',
});

/**
 * The conversation id of a follower. Derived from the openid by a hash, not the openid itself: conversation ids are
 * written to logs all over the service, and an openid must not be. The same on every instance, so state, handoffs and
 * the transcript follow the follower.
 */
export function wechatConversationId(openid: string): string {
  return `${WECHAT_CHANNEL_ID}:${createHash('sha256').update(openid, 'utf8').digest('base64url').slice(0, 32)}`;
}

/** How the gateway runs; everything but `config` has a default. */
export interface WeChatGatewayOptions {
  config: WeChatConfig;
  /** After this long a turn's replies go through the customer-service API instead of the HTTP answer (WeChat waits 5 s). */
  replyDeadlineMs?: number;
  /** Timeout of each call to WeChat's API. */
  apiTimeoutMs?: number;
  /** The clock of timestamps, windows, tokens and choices: real time, since WeChat's timestamps are. */
  now?: () => number;
}

/** An openid or account id as WeChat writes them. */
const WECHAT_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** WeChat waits 5 s for an answer; the half second left is for the answer's way back. */
const REPLY_DEADLINE_MS = 4500;
/** A token fetch and a send together stay under the agent hub's delivery timeout (10 s by default). */
const API_TIMEOUT_MS = 4000;
/** A finished delivery's answer is kept this long for WeChat's retries (it retries 3 times, about 5 s apart). */
const RETRY_MEMORY_MS = 20_000;
/** Numbered choices mean something for this long after they were shown. */
const CHOICES_TTL_MS = 15 * 60_000;
/** Delivery keys are kept a day: far past WeChat's retries and the timestamp bound, so a replayed request stays dead. */
const DELIVERY_KEEP_MS = 24 * 3_600_000;
const CLEANUP_EVERY_MS = 10 * 60_000;
/** Event types that count as the follower turning to the account (they open the customer-service window). */
const INTERACTIONS = new Set(['subscribe', 'click', 'view', 'scan']);
const TEXT_PLAIN = 'text/plain; charset=utf-8';
const XML = 'application/xml; charset=utf-8';

type GatewayApp = Omit<App, 'listen' | 'close'>;

/** What WeChat gets for a delivery: one passive text message, or nothing (`success`). */
interface Outcome {
  content?: string;
}

/**
 * One delivery (a MsgId, or an event's sender and time), as its retries find it. Its outcome is settled once, by
 * whichever comes first: the turn's replies, or an HTTP answer that could wait no longer (which then said `success`).
 */
interface Delivery {
  outcome: Promise<Outcome>;
  /** Settles the outcome; false when it was settled before (the caller's content did not go out with the answer). */
  settle(outcome: Outcome): boolean;
}

/** A turn running for a delivery, and what became of its replies so far. */
interface InboundTurn {
  openid: string;
  conversationId: string;
  /** collecting: replies wait for the passive answer; late: they go through the API; done: the turn is over. */
  state: 'collecting' | 'late' | 'done';
  buffer: Array<Partial<Activity>>;
  /** Customer-service sends of a late turn, in order. */
  chain: Promise<void>;
  /** The follower left (unsubscribed): replies go nowhere. */
  silent: boolean;
}

/** An authenticated callback: its fields, and the nonce an encrypted answer must carry. */
interface Inbound {
  fields: WeChatFields;
  nonce: string;
  /** Plain mode: the signed query, and a fingerprint of the body it may come with (the signature does not cover it). */
  replay?: { key: string; fingerprint: string; expiresAt: number };
}

/**
 * Serves the Official Account's callback at `GET`/`POST /wechat` (see the README's "WeChat Official Account"). Returns
 * the gateway, whose `close()` stops its timers and waits for turns in flight.
 */
export function attachWeChat(app: GatewayApp, server: Server, options: WeChatGatewayOptions): ChannelGateway {
  const gateway = new WeChatGateway(app, options);
  server.get('/wechat', async (req: Request, res: Response) => gateway.verifyUrl(req, res));
  server.post('/wechat', async (req: Request, res: Response) => gateway.receive(req, res));
  return gateway;
}

/**
 * The WeChat gateway: checks each callback's signature and age, decrypts safe-mode messages, takes each delivery once
 * across instances, turns messages and events into activities for the bot, and answers within WeChat's 5 seconds —
 * with the turn's replies as one passive text message when the turn is done in time, else `success` and the replies
 * through the customer-service API. The bot's later messages (an agent's, a survey) go through that API too, inside the
 * 48-hour window only.
 */
class WeChatGateway implements ChannelGateway, ChannelSink {
  private readonly config: WeChatConfig;
  private readonly repo: WeChatRepository;
  private readonly api: WeChatApi;
  private readonly aes?: WeChatAesKey;
  private readonly serviceUrl: string;
  private readonly deadlineMs: number;
  private readonly now: () => number;
  private readonly byKey = new Map<string, Delivery>();
  private readonly byActivity = new Map<string, InboundTurn>();
  /** Per conversation, the end of its last turn: a follower's quick messages run one after another, as they were sent. */
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly work = new Set<Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly cleanup: NodeJS.Timeout;
  private sent = 0;

  constructor(
    private readonly app: GatewayApp,
    options: WeChatGatewayOptions,
  ) {
    this.config = options.config;
    this.now = options.now ?? app.now;
    this.deadlineMs = options.replyDeadlineMs ?? REPLY_DEADLINE_MS;
    this.repo = createWeChatRepository(app.knex);
    this.api = new WeChatApi({
      apiBase: this.config.apiBase,
      appId: this.config.appId,
      appSecret: this.config.appSecret,
      timeoutMs: options.apiTimeoutMs ?? API_TIMEOUT_MS,
      repo: this.repo,
      logger: app.logger,
      now: this.now,
    });
    this.aes = this.config.aesKey ? aesKeyFrom(this.config.aesKey) : undefined;
    this.serviceUrl = app.channels.register(WECHAT_CHANNEL_ID, this);
    this.cleanup = setInterval(() => this.track(this.forgetOld()), CLEANUP_EVERY_MS);
    this.cleanup.unref();
    app.logger.info({ event: 'wechat.attached', mode: this.aes ? 'safe' : 'plain', maxSkewS: this.config.maxSkewS });
  }

  /** `GET /wechat`: the URL check when the account's server settings are saved; answers `echostr` when signed. */
  async verifyUrl(req: Request, res: Response): Promise<void> {
    const q = queryOf(req);
    if (!this.fresh(q.timestamp)) return this.refuse(res, 403, 'wechat.stale');
    if (!signatureMatches([this.config.token, q.timestamp ?? '', q.nonce ?? ''], q.signature)) return this.refuse(res, 403, 'wechat.bad_signature');
    this.app.logger.info({ event: 'wechat.url_verified' });
    send(res, 200, q.echostr ?? '', TEXT_PLAIN);
  }

  /** `POST /wechat`: a message or event from a follower. */
  async receive(req: Request, res: Response): Promise<void> {
    const arrivedAt = this.now();
    try {
      const inbound = this.authenticate(req, res);
      if (!inbound) return;
      // WeChat retries a callback with the same query and body; the same query with another body was made by someone
      // who saw a signed query (a log, a proxy) and wants to speak as any follower.
      if (
        inbound.replay &&
        (await this.app.repositories.replayGuards.claim(inbound.replay.key, inbound.replay.fingerprint, inbound.replay.expiresAt)) === 'different'
      ) {
        return void this.refuse(res, 403, 'wechat.replayed');
      }
      await this.handle(inbound, res, arrivedAt);
    } catch (err) {
      this.app.logger.error({ event: 'wechat.failed', err: errorSummary(err) });
      if (!res.headersSent) send(res, 500, 'error', TEXT_PLAIN);
    }
  }

  /** The sink of the `wechat` channel: the bot's replies in a turn, and its later (proactive) messages. */
  async deliver(conversationId: string, activity: Partial<Activity>, replyToId?: string): Promise<ResourceResponse> {
    const id = `wechat-out-${++this.sent}`;
    const turn = replyToId ? this.byActivity.get(replyToId) : undefined;
    if (turn) {
      if (turn.state === 'collecting') turn.buffer.push(activity);
      else if (turn.state === 'late' && !turn.silent) this.enqueue(turn, [activity]);
      return { id };
    }
    // The reference the bot sends on names the follower as the recipient; the conversation id must be theirs.
    const openid = activity.recipient?.id;
    if (!openid || wechatConversationId(openid) !== conversationId) throw new Error('not a WeChat follower’s conversation');
    // No turn of the follower's is waiting for it: an agent's message, a survey. It throws when it cannot go, so
    // the sender (the agent hub) records it as not delivered.
    await this.sendRendered(openid, conversationId, [activity], 'proactive');
    return { id };
  }

  /** Stops the timers and waits (up to the shutdown grace) for turns and sends in flight. */
  async close(): Promise<void> {
    clearInterval(this.cleanup);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.work]),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.app.config.shutdownGraceMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** The callback's fields when its timestamp, signature (and in safe mode its encryption) are right; else answers. */
  private authenticate(req: Request, res: Response): Inbound | undefined {
    const q = queryOf(req);
    if (!this.fresh(q.timestamp)) return this.refuse(res, 403, 'wechat.stale');
    const timestamp = q.timestamp!;
    const nonce = q.nonce ?? '';
    const body = typeof req.body === 'string' ? req.body : Buffer.isBuffer(req.body) ? req.body.toString('utf8') : undefined;
    if (body === undefined || body.trim() === '') return this.refuse(res, 400, 'wechat.bad_xml', { problem: 'empty' });
    if (Buffer.byteLength(body, 'utf8') > MAX_XML_BYTES) return this.refuse(res, 413, 'wechat.bad_xml', { problem: 'too_large' });

    if (!this.aes) {
      // Plain mode: the signature covers only the query, so nothing of the body is read before it is checked.
      if (!signatureMatches([this.config.token, timestamp, nonce], q.signature)) return this.refuse(res, 403, 'wechat.bad_signature');
      const parsed = parseWeChatXml(body);
      if (!parsed.ok) return this.badXml(res, parsed.problem);
      const signed = createHash('sha256').update(`${timestamp}\n${nonce}\n${q.signature}`).digest('base64url');
      // Kept while the timestamp would still be taken (a day when the bound is off).
      const expiresAt = this.config.maxSkewS > 0 ? (Number(timestamp) + this.config.maxSkewS + 1) * 1000 : this.now() + 86_400_000;
      return { fields: parsed.fields, nonce, replay: { key: `wx:${signed}`, fingerprint: createHash('sha256').update(body).digest('base64url'), expiresAt } };
    }

    // Safe mode: msg_signature signs the Encrypt text, so the (bounded, declaration-free) envelope is read first.
    const envelope = parseWeChatXml(body);
    if (!envelope.ok) return this.badXml(res, envelope.problem);
    const encrypted = envelope.fields.Encrypt;
    if (!encrypted || !signatureMatches([this.config.token, timestamp, nonce, encrypted], q.msg_signature))
      return this.refuse(res, 403, 'wechat.bad_signature', { mode: 'safe' });
    let message: string;
    try {
      const decrypted = decryptMessage(this.aes, encrypted);
      if (decrypted.appId !== this.config.appId) return this.refuse(res, 403, 'wechat.wrong_app');
      message = decrypted.message;
    } catch {
      return this.refuse(res, 400, 'wechat.decrypt_failed');
    }
    const parsed = parseWeChatXml(message);
    if (!parsed.ok) return this.badXml(res, parsed.problem);
    return { fields: parsed.fields, nonce };
  }

  private async handle(inbound: Inbound, res: Response, arrivedAt: number): Promise<void> {
    const f = inbound.fields;
    const openid = f.FromUserName?.trim();
    const account = f.ToUserName?.trim();
    const msgType = (f.MsgType ?? '').trim().toLowerCase();
    if (!openid || !account || !msgType) return this.refuse(res, 400, 'wechat.bad_message');
    // What WeChat sends: openids of 28 characters and ids of the account (gh_…) of letters, digits, - and _; 64-bit
    // message ids; second timestamps. Anything else is not WeChat, and must not reach a column of 255.
    if (!WECHAT_ID.test(openid) || !WECHAT_ID.test(account) || msgType.length > 32) return this.refuse(res, 400, 'wechat.bad_message', { problem: 'ids' });
    if ((f.MsgId && !/^\s*\d{1,20}\s*$/.test(f.MsgId)) || (f.CreateTime && !/^\s*\d{1,12}\s*$/.test(f.CreateTime))) {
      return this.refuse(res, 400, 'wechat.bad_message', { problem: 'ids' });
    }
    const answer = (outcome: Outcome) => this.respond(res, inbound, openid, account, outcome.content);
    const key = f.MsgId?.trim() ? `msg:${f.MsgId.trim()}` : `event:${openid}:${(f.CreateTime ?? '').trim()}`;

    // A retry of a delivery this instance is working on (or just answered): the same answer, never a second turn.
    const known = this.byKey.get(key);
    if (known) {
      this.app.logger.info({ event: 'wechat.duplicate', local: true });
      return answer(await this.answerOf(known, arrivedAt));
    }
    const delivery = this.newDelivery(key);
    this.forgetLater(key, delivery);
    let claimed = false;
    try {
      claimed = await this.repo.claimDelivery(key, this.now());
      if (claimed) await this.start(inbound.fields, delivery, openid, account, msgType, arrivedAt);
    } catch (err) {
      // Not started: forget the delivery here and in the database, so that WeChat's retry (after the 500) runs it.
      this.byKey.delete(key);
      delivery.settle({});
      if (claimed) await this.repo.forgetDelivery(key).catch(() => undefined);
      throw err;
    }
    if (!claimed) {
      // Taken before: by another instance (which answers it), or by this one longer ago than retries come.
      this.app.logger.info({ event: 'wechat.duplicate', local: false });
      delivery.settle({});
    }
    answer(await this.answerOf(delivery, arrivedAt));
  }

  /** Starts what a new delivery calls for: a turn, a polite word on what cannot be read, or nothing. */
  private async start(f: WeChatFields, delivery: Delivery, openid: string, account: string, msgType: string, arrivedAt: number): Promise<void> {
    const conversationId = wechatConversationId(openid);
    const event = msgType === 'event' ? (f.Event ?? '').trim().toLowerCase() : undefined;
    if (msgType !== 'event' || INTERACTIONS.has(event!)) await this.repo.touchFollower(openid, this.now());
    const base = this.activityBase(openid, account, conversationId, f.CreateTime);
    const log = { conversationId, msgType, wechatEvent: event };

    if (msgType === 'text' || (msgType === 'voice' && f.Recognition?.trim())) {
      this.app.logger.info({ event: 'wechat.received', ...log });
      const text = msgType === 'text' ? (f.Content ?? '') : f.Recognition!;
      this.runTurn(delivery, { ...base, type: 'message', text }, conversationId, false, arrivedAt, true);
    } else if (event === 'subscribe') {
      this.app.logger.info({ event: 'wechat.received', ...log });
      this.runTurn(
        delivery,
        { ...base, type: 'conversationUpdate', membersAdded: [{ id: openid, role: 'user' } as Activity['from']] },
        conversationId,
        false,
        arrivedAt,
      );
    } else if (event === 'unsubscribe') {
      this.app.logger.info({ event: 'wechat.received', ...log });
      // WeChat shows nothing to someone who has left: answer at once, and let the turn end any handoff.
      this.track(this.repo.clearChoices(conversationId).catch(() => undefined));
      this.runTurn(delivery, { ...base, type: 'endOfConversation' }, conversationId, true, arrivedAt);
      delivery.settle({});
    } else if (event === 'click' && Object.hasOwn(MENU_KEYS, (f.EventKey ?? '').trim())) {
      this.app.logger.info({ event: 'wechat.received', ...log, menuKey: f.EventKey!.trim() });
      const text = this.app.texts.t(this.app.config.defaultLocale, MENU_KEYS[f.EventKey!.trim()]);
      this.runTurn(delivery, { ...base, type: 'message', text }, conversationId, false, arrivedAt);
    } else if (event !== undefined) {
      // Menu links (VIEW), QR scans, location reports, unknown keys: nothing for the bot to answer.
      this.app.logger.info({ event: 'wechat.event_ignored', ...log, menuKey: event === 'click' ? (f.EventKey ?? '').slice(0, 64) : undefined });
      delivery.settle({});
    } else {
      // Images, voice, video, locations, links, files: said politely that only text is read.
      this.app.logger.info({ event: 'wechat.unsupported', ...log });
      delivery.settle({ content: this.app.texts.t(this.app.config.defaultLocale, 'wechat:unsupported') });
    }
  }

  /**
   * Runs the bot's turn for the activity after the conversation's previous one, and settles the delivery's answer: the
   * replies when the turn ends within the deadline, else nothing (`success`), its replies then going through the API.
   */
  private runTurn(delivery: Delivery, activity: Partial<Activity>, conversationId: string, silent: boolean, arrivedAt: number, numbered = false): void {
    const openid = activity.from!.id;
    const turn: InboundTurn = { openid, conversationId, state: 'collecting', buffer: [], chain: Promise.resolve(), silent };
    this.byActivity.set(activity.id!, turn);
    const deadline = setTimeout(() => this.late(turn, delivery), Math.max(0, this.deadlineMs - (this.now() - arrivedAt)));
    deadline.unref();
    const previous = this.lanes.get(conversationId) ?? Promise.resolve();
    const run = previous
      .then(async () => {
        if (numbered) activity.text = await this.numberedChoice(conversationId, activity.text ?? '');
        await this.app.channels.process(this.app.adapter, activity, this.app.logic);
      })
      .catch((err) => this.app.logger.error({ event: 'wechat.turn_failed', err: errorSummary(err) }))
      .then(() => {
        clearTimeout(deadline);
        return this.finish(turn, delivery);
      })
      .catch((err) => this.app.logger.error({ event: 'wechat.reply_failed', err: errorSummary(err) }))
      .finally(() => {
        this.byActivity.delete(activity.id!);
        delivery.settle({});
        if (this.lanes.get(conversationId) === run) this.lanes.delete(conversationId);
      });
    this.lanes.set(conversationId, run);
    this.track(run);
  }

  /** The turn ended: its replies become the passive answer (the rest of a long one goes through the API). */
  private async finish(turn: InboundTurn, delivery: Delivery): Promise<void> {
    if (turn.state !== 'collecting') {
      await turn.chain;
      turn.state = 'done';
      return;
    }
    turn.state = 'done';
    if (turn.silent) return void delivery.settle({});
    const rendered = renderForText(turn.buffer, this.app.texts, this.app.config.defaultLocale);
    if (!rendered.text) return void delivery.settle({});
    // Remembered before the answer goes, so a quick "1" already finds them.
    await this.rememberChoices(turn.conversationId, rendered.choices);
    // A passive reply carries one message: the first part; the rest follows through the customer-service API. If the
    // answer went out as `success` meanwhile (the deadline came while the choices were written), all of it does.
    const parts = splitText(rendered.text);
    const rest = delivery.settle({ content: parts[0] }) ? parts.slice(1) : parts;
    if (rest.length > 0) await this.sendParts(turn.openid, turn.conversationId, rest, 'reply');
  }

  /** The deadline passed with the turn still running: answer `success`, and send its replies through the API. */
  private late(turn: InboundTurn, delivery: Delivery): void {
    if (turn.state !== 'collecting') return;
    turn.state = 'late';
    delivery.settle({});
    this.app.logger.info({ event: 'wechat.reply_late', conversationId: turn.conversationId, deadlineMs: this.deadlineMs });
    const waiting = turn.buffer.splice(0);
    if (!turn.silent && waiting.length > 0) this.enqueue(turn, waiting);
  }

  private enqueue(turn: InboundTurn, activities: Array<Partial<Activity>>): void {
    turn.chain = turn.chain
      .then(() => this.sendRendered(turn.openid, turn.conversationId, activities, 'reply'))
      .catch((err) => this.app.logger.warn({ event: 'wechat.send_failed', conversationId: turn.conversationId, err: errorSummary(err) }));
  }

  /** Renders messages as text and sends them through the customer-service API. */
  private async sendRendered(openid: string, conversationId: string, activities: Array<Partial<Activity>>, mode: 'reply' | 'proactive'): Promise<void> {
    const rendered = renderForText(activities, this.app.texts, this.app.config.defaultLocale);
    // Typing indicators, events: nothing WeChat could show.
    if (!rendered.text) return;
    await this.rememberChoices(conversationId, rendered.choices);
    await this.sendParts(openid, conversationId, splitText(rendered.text), mode);
  }

  /**
   * Sends text messages through the customer-service API. A proactive message is first checked against the window
   * (48 hours after the follower's last message, a few messages at most): refused here rather than by WeChat.
   */
  private async sendParts(openid: string, conversationId: string, parts: string[], mode: 'reply' | 'proactive'): Promise<void> {
    if (mode === 'proactive') {
      const known = await this.repo.findFollower(openid);
      const window = checkChannelWindow(this.now(), {
        id: WECHAT_CHANNEL_ID,
        lastCustomerMessageAt: known?.lastMessageAt ?? null,
        sentSinceCustomerMessage: known?.sentSinceMessage ?? 0,
      });
      if (window.status === 'closed') {
        this.app.logger.warn({ event: 'wechat.window_closed', conversationId, reason: window.reason });
        throw new WeChatWindowClosedError(window.reason);
      }
    }
    for (const part of parts) {
      try {
        await this.api.sendText(openid, part);
      } catch (err) {
        if (err instanceof WeChatWindowClosedError) this.app.logger.warn({ event: 'wechat.window_closed', conversationId, reason: err.reason, by: 'wechat' });
        throw err;
      }
      await this.repo.countSent(openid, 1);
    }
    this.app.logger.info({ event: 'wechat.sent', conversationId, mode, messages: parts.length });
  }

  /** A reply of just a number shown last stands for that choice; anything else is itself. */
  private async numberedChoice(conversationId: string, text: string): Promise<string> {
    const m = /^\s*(\d{1,2})\s*$/.exec(text.normalize('NFKC'));
    if (!m) return text;
    const choices = await this.repo.findChoices(conversationId, this.now());
    const choice = choices?.[Number(m[1]) - 1];
    if (choice === undefined) return text;
    this.app.logger.debug({ event: 'wechat.choice_taken', number: Number(m[1]) });
    return choice;
  }

  private async rememberChoices(conversationId: string, choices: string[]): Promise<void> {
    try {
      if (choices.length > 0) await this.repo.setChoices(conversationId, choices, this.now() + CHOICES_TTL_MS);
      else await this.repo.clearChoices(conversationId);
    } catch (err) {
      // Without them a number is read as itself: worse, but no reason to withhold the reply.
      this.app.logger.warn({ event: 'wechat.choices_failed', err: errorSummary(err) });
    }
  }

  private respond(res: Response, inbound: Inbound, openid: string, account: string, content: string | undefined): void {
    if (res.headersSent) return;
    if (!content) {
      send(res, 200, 'success', TEXT_PLAIN);
      return;
    }
    const createTime = Math.floor(this.now() / 1000);
    const xml = textReplyXml({ toUser: openid, fromUser: account, createTime, content });
    if (!this.aes) {
      send(res, 200, xml, XML);
      return;
    }
    const encrypt = encryptMessage(this.aes, this.config.appId, xml);
    const timestamp = String(createTime);
    const signature = wechatSignature([this.config.token, timestamp, inbound.nonce, encrypt]);
    send(res, 200, encryptedReplyXml({ encrypt, signature, timestamp, nonce: inbound.nonce }), XML);
  }

  private activityBase(openid: string, account: string, conversationId: string, createTime: string | undefined): Partial<Activity> {
    const seconds = Number(createTime);
    return {
      id: `wechat-${randomUUID()}`,
      channelId: WECHAT_CHANNEL_ID,
      serviceUrl: this.serviceUrl,
      timestamp: Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : new Date(this.now()),
      // No locale: the locale middleware reads the language from the text, then the customer's, then zh-CN.
      conversation: { id: conversationId, isGroup: false, conversationType: 'personal' } as Activity['conversation'],
      from: { id: openid, role: 'user' } as Activity['from'],
      recipient: { id: account, role: 'bot' } as Activity['recipient'],
    };
  }

  private newDelivery(key: string): Delivery {
    let resolve!: (o: Outcome) => void;
    let settled = false;
    const outcome = new Promise<Outcome>((r) => (resolve = r));
    const delivery: Delivery = {
      outcome,
      settle(o) {
        if (settled) return false;
        settled = true;
        resolve(o);
        return true;
      },
    };
    this.byKey.set(key, delivery);
    return delivery;
  }

  /** Keeps the delivery's answer for retries for a while after it is settled. */
  private forgetLater(key: string, delivery: Delivery): void {
    void delivery.outcome.then(() => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (this.byKey.get(key) === delivery) this.byKey.delete(key);
      }, RETRY_MEMORY_MS);
      timer.unref();
      this.timers.add(timer);
    });
  }

  /**
   * The delivery's outcome for an HTTP answer due by the deadline: when nothing settled it by then, it is settled as
   * `success` here, so that replies arriving later know to take the customer-service API.
   */
  private async answerOf(delivery: Delivery, arrivedAt: number): Promise<Outcome> {
    const timer = setTimeout(() => delivery.settle({}), Math.max(0, this.deadlineMs - (this.now() - arrivedAt)));
    try {
      return await delivery.outcome;
    } finally {
      clearTimeout(timer);
    }
  }

  private fresh(timestamp: string | undefined): boolean {
    if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
    if (this.config.maxSkewS === 0) return true;
    return Math.abs(this.now() / 1000 - Number(timestamp)) <= this.config.maxSkewS;
  }

  private refuse(res: Response, status: number, event: string, detail: Record<string, unknown> = {}): undefined {
    this.app.logger.warn({ event, status, ...detail });
    if (!res.headersSent) send(res, status, status === 403 ? 'forbidden' : 'bad request', TEXT_PLAIN);
    return undefined;
  }

  private badXml(res: Response, problem: XmlProblem): undefined {
    // 400, not 500: WeChat retries server errors, and a body that does not parse will not parse the next time.
    return this.refuse(res, problem === 'too_large' ? 413 : 400, 'wechat.bad_xml', { problem });
  }

  private async forgetOld(): Promise<void> {
    try {
      const t = this.now();
      const deliveries = await this.repo.forgetDeliveriesBefore(t - DELIVERY_KEEP_MS);
      const choices = await this.repo.forgetChoicesBefore(t);
      if (deliveries + choices > 0) this.app.logger.debug({ event: 'wechat.cleanup', deliveries, choices });
    } catch (err) {
      this.app.logger.warn({ event: 'wechat.cleanup_failed', err: errorSummary(err) });
    }
  }

  private track<T>(promise: Promise<T>): void {
    this.work.add(promise);
    void promise.finally(() => this.work.delete(promise)).catch(() => undefined);
  }
}

/** Answers with a body as given, its length stated (WeChat's servers are old-fashioned HTTP clients). */
function send(res: Response, status: number, body: string, contentType: string): void {
  res.sendRaw(status, body, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body, 'utf8')) });
}

/** The query's string values (a repeated parameter counts as missing). */
function queryOf(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  const query = (req.query ?? {}) as Record<string, unknown>;
  for (const name of ['signature', 'msg_signature', 'timestamp', 'nonce', 'echostr']) {
    const v = query[name];
    out[name] = typeof v === 'string' ? v : undefined;
  }
  return out;
}
