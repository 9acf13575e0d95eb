import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Activity, ChannelAccount, ResourceResponse } from 'botbuilder';
import type { Request, Response, Server } from 'restify';
import { createDirectLineRepository } from '../../../data/repositories/directLineRepository';
import { isInboundRedacted, turnLocale } from '../../../dialogs/turn';
import { maskDeep, maskPii } from '../../../retention/pii';
import { scrubValue } from '../../inputScrub';
import { type Locale, toSupportedLocale } from '../../../retention/locale';
import type { App } from '../../index';
import { multipartParts } from '../../multipart';
import { clientAddress, type RateLimit, RateLimiter } from '../../rateLimiter';
import { upgradeRoutes } from '../../upgrades';
import { errorSummary } from '../../middleware/transcriptMiddleware';
import type { ChannelGateway } from '../index';
import type { ChannelSink } from '../internal';
import { ActivityNotifier } from './notifier';
import { registerChatPage } from './page';
import { bearer, DirectLineStreams, parseWatermark } from './streams';
import { type ConversationClaims, ConversationTokens, newConversationId, newUserId, verifyCustomerToken } from './tokens';

/** The channel id of web chat activities, and the name its sink is registered under. */
export const WEBCHAT_CHANNEL = 'webchat';

/** Per-client limits of the calls that cost the service work (per instance, kept in memory). */
export interface DirectLineLimits {
  /** `POST /chat/token` per client address: a customer's browser starting chats. */
  pageTokens: RateLimit;
  /**
   * `POST /v3/directline/tokens/generate`, and starting a conversation with the secret, per client address. The caller
   * holds the secret: a site's server making the tokens of all its visitors, from one address.
   */
  secretTokens: RateLimit;
  /** Messages (and uploads) per conversation. */
  messages: RateLimit;
}

/** The limits when none are given: generous for a real customer, a wall for a script. */
export const DEFAULT_LIMITS: Readonly<DirectLineLimits> = Object.freeze({
  pageTokens: { limit: 20, windowMs: 60_000 },
  secretTokens: { limit: 300, windowMs: 60_000 },
  messages: { limit: 30, windowMs: 60_000 },
});

/** How often conversations idle past DIRECT_LINE_KEEP_DAYS are deleted (and once just after start). */
export const PURGE_EVERY_MS = 3_600_000;

/** Tunables a test may shorten. */
export interface DirectLineOptions {
  /** How often streams get an empty frame and a ping, and re-read the table. */
  keepAliveMs?: number;
  /** Activities per stream frame and per GET. */
  pageSize?: number;
  /** Per-client limits; those left out keep their default. */
  limits?: Partial<DirectLineLimits>;
  /** Clients each limiter remembers at most. */
  maxClients?: number;
  /** How often the purge of idle conversations runs. */
  purgeEveryMs?: number;
}

type Auth = { kind: 'secret' } | { kind: 'token'; claims: ConversationClaims };

const CONVERSATION_ID = /^[A-Za-z0-9_-]{8,64}$/;
// A user id a trusted caller (one holding the secret) may choose; `dl_` as Direct Line requires for ids in tokens.
const TRUSTED_USER_ID = /^dl_[A-Za-z0-9_-]{4,64}$/;
const LOCALE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/;
// What the bot sends that a customer's browser receives. Events stay on the server: the handoff event carries the
// agents' packet (risk score, notes), which is not the customer's to read.
const DELIVERED_TYPES = new Set(['message', 'endOfConversation']);
const MAX_ATTACHMENTS = 10;

/**
 * The Direct Line 3.0 subset that Microsoft's Web Chat and botframework-directlinejs need, served by the assistant
 * itself: tokens (generate, refresh), conversations (start, reconnect), activities (post, get from a watermark), the
 * WebSocket stream, and the customer web chat page. Customers' activities go to the bot through the internal channel
 * plumbing (bot/channels/internal.ts); the bot's replies and proactive messages come back through the sink, and both
 * are stored so any instance can stream them.
 */
export async function attachDirectLine(app: Omit<App, 'listen' | 'close'>, server: Server, options: DirectLineOptions = {}): Promise<ChannelGateway> {
  const { config, logger, texts, repositories, now } = app;
  const maxChars = config.limits.maxMessageChars;
  const tokens = new ConversationTokens(config.directLine.secret, config.directLine.tokenTtlS, now);
  const store = createDirectLineRepository(app.knex, now);
  const notifier = new ActivityNotifier(app.knex, logger);
  await notifier.start();
  const pageSize = options.pageSize ?? 100;
  const streams = new DirectLineStreams({
    now,
    store,
    notifier,
    tokens,
    logger,
    keepAliveMs: options.keepAliveMs ?? 20_000,
    pageSize,
    conversationEnded: (req) => texts.t(requestLocale(req, undefined, config.defaultLocale), 'chat:conversationEnded'),
  });
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const limiters: Record<keyof DirectLineLimits, RateLimiter> = {
    pageTokens: new RateLimiter(limits.pageTokens, options.maxClients, now),
    secretTokens: new RateLimiter(limits.secretTokens, options.maxClients, now),
    messages: new RateLimiter(limits.messages, options.maxClients, now),
  };
  const bot: ChannelAccount = {
    id: config.bot.MicrosoftAppId || 'retention-assistant',
    name: texts.t(config.defaultLocale, 'chat:assistantName'),
    role: 'bot',
  };
  if (config.directLine.secretGenerated) {
    // Development only (production refuses to start without one): other Direct Line clients need it to connect.
    logger.info({
      event: 'directline.generated_secret',
      directLineSecret: config.directLine.secret,
      note: 'DIRECT_LINE_SECRET is not set: this one lasts until the process stops',
    });
  }

  const sink: ChannelSink = {
    async deliver(conversationId, activity, replyToId): Promise<ResourceResponse> {
      const type = activity.type ?? 'message';
      const shaped = (extra: Record<string, unknown>) => outbound(activity, conversationId, bot, replyToId, extra, now());
      if (type === 'typing') {
        await notifier.ephemeral(conversationId, shaped({ id: `${conversationId}|typing-${randomBytes(4).toString('hex')}` }));
        return { id: '' };
      }
      if (!DELIVERED_TYPES.has(type)) {
        logger.debug({ event: 'directline.activity_not_forwarded', conversationId, type, name: activity.name });
        return { id: '' };
      }
      const seq = await store.append(
        conversationId,
        activity.recipient?.id ?? 'unknown',
        (s) => shaped({ id: activityId(conversationId, s) }),
        notifier.inTransaction,
      );
      notifier.stored(conversationId, seq);
      return { id: activityId(conversationId, seq) };
    },
  };
  const serviceUrl = app.channels.register(WEBCHAT_CHANNEL, sink);

  // Turns of one conversation run one after another (a customer typing fast must not race their own state).
  const queues = new Map<string, Promise<void>>();
  const enqueue = (conversationId: string, work: () => Promise<void>): Promise<void> => {
    const run = (queues.get(conversationId) ?? Promise.resolve()).then(work);
    const tail = run.catch(() => undefined);
    queues.set(conversationId, tail);
    void tail.then(() => {
      if (queues.get(conversationId) === tail) queues.delete(conversationId);
    });
    return run;
  };

  const runTurn = async (activity: Partial<Activity>, stored?: { seq: number; activity: Record<string, unknown> }): Promise<void> => {
    const conversationId = activity.conversation!.id;
    let redactIn: Locale | undefined;
    try {
      await app.channels.process(app.adapter, activity, async (context) => {
        try {
          await app.logic(context);
        } finally {
          if (isInboundRedacted(context)) redactIn = turnLocale(context);
        }
      });
    } catch (err) {
      logger.error({ event: 'directline.turn_failed', conversationId, err: errorSummary(err) });
    }
    if (redactIn && stored) {
      // A one-time code or a knowledge answer: the customer's own log keeps that they answered, not what.
      const { value: _value, ...rest } = stored.activity;
      await store.replace(conversationId, stored.seq, { ...rest, text: texts.t(redactIn, 'chat:redacted') }).catch((err) => {
        logger.error({ event: 'directline.redact_failed', conversationId, err: errorSummary(err) });
      });
    }
  };

  const bindCustomer = async (customerToken: string, userId: string, conversationId: string): Promise<void> => {
    const secret = config.directLine.customerTokenSecret;
    if (!secret) {
      logger.info({ event: 'directline.customer_token_ignored', reason: 'not_configured', conversationId });
      return;
    }
    const check = verifyCustomerToken(secret, customerToken, now());
    if (!check.ok) {
      logger.warn({ event: 'directline.customer_token_ignored', reason: check.problem, conversationId });
      return;
    }
    // Single use: whoever finds the address again (history, a proxy's log, a shared link) is not let in as the customer.
    const fingerprint = createHash('sha256').update(customerToken).digest('base64url');
    if ((await repositories.replayGuards.claim(`ct:${fingerprint}`, conversationId.slice(0, 64), check.expiresAt)) !== 'first') {
      logger.warn({ event: 'directline.customer_token_ignored', reason: 'used', conversationId });
      return;
    }
    const customer = await repositories.customers.findByCustomerNo(check.customerNo);
    if (!customer) {
      logger.warn({ event: 'directline.customer_token_ignored', reason: 'unknown_customer', conversationId });
      return;
    }
    // Identified, not verified: balances still ask for the one-time code (bind clears any earlier verification).
    await repositories.identities.bind(WEBCHAT_CHANNEL, userId, customer.id);
    logger.info({ event: 'directline.customer_bound', conversationId });
  };

  /** A new conversation and its token; `trusted` (the secret was shown) may choose the user id. */
  const issueNew = async (body: unknown, trusted: boolean) => {
    const b = isObject(body) ? body : {};
    const askedUser = isObject(b.user) ? b.user.id : undefined;
    const userId = trusted && typeof askedUser === 'string' && TRUSTED_USER_ID.test(askedUser) ? askedUser : newUserId();
    const conversationId = newConversationId();
    await store.ensureConversation(conversationId, userId, toSupportedLocale(typeof b.locale === 'string' ? b.locale : undefined) ?? null);
    if (typeof b.customerToken === 'string' && b.customerToken !== '') await bindCustomer(b.customerToken, userId, conversationId);
    const { token, expiresIn } = tokens.issue(conversationId, userId);
    return { conversationId, userId, token, expires_in: expiresIn };
  };

  /**
   * Tells the bot the customer joined (once per conversation), so its welcome is the first thing in the stream. Says
   * whether this call started it; undefined when the conversation is not kept (deleted after DIRECT_LINE_KEEP_DAYS).
   */
  const start = async (conversationId: string, userId: string, localeTag: unknown): Promise<boolean | undefined> => {
    // Every token's conversation is recorded when the token is first issued, so a missing one was deleted: starting it
    // afresh would number its activities from 1 again, behind the watermark its client holds.
    const conversation = await store.find(conversationId);
    if (!conversation) return undefined;
    if (!(await store.markStarted(conversationId))) return false;
    const locale = toSupportedLocale(typeof localeTag === 'string' ? localeTag : undefined) ?? conversation.locale ?? undefined;
    const update: Partial<Activity> = {
      type: 'conversationUpdate',
      // No id: the welcome must not reply to an activity the client never sees (Web Chat would wait for it).
      timestamp: new Date(now()),
      channelId: WEBCHAT_CHANNEL,
      serviceUrl,
      conversation: { id: conversationId } as Activity['conversation'],
      from: { id: userId, role: 'user' } as ChannelAccount,
      recipient: bot,
      membersAdded: [{ id: userId, role: 'user' } as ChannelAccount, bot],
      locale,
    };
    await enqueue(conversationId, () => runTurn(update));
    logger.info({ event: 'directline.conversation_started', conversationId });
    return true;
  };

  /** Checks the bearer credential; answers 401/403 itself and returns undefined when it does not do. */
  const authorize = (req: Request, res: Response, allow: { secret: boolean; token: boolean; conversationId?: string }): Auth | undefined => {
    const credential = bearer(req.headers.authorization);
    if (!credential) return void fail(res, 401, 'MissingToken', 'send Authorization: Bearer <Direct Line secret or conversation token>');
    if (tokens.isSecret(credential)) {
      if (!allow.secret) return void fail(res, 403, 'Forbidden', 'this call needs a conversation token, not the secret');
      return { kind: 'secret' };
    }
    if (!allow.token) return void fail(res, 403, 'Forbidden', 'this call needs the Direct Line secret');
    const check = tokens.verify(credential);
    if (!check.ok)
      return void fail(
        res,
        403,
        check.problem === 'expired' ? 'TokenExpired' : 'BadToken',
        check.problem === 'expired' ? 'the token has expired' : 'the token is not valid',
      );
    if (allow.conversationId !== undefined && check.claims.conversationId !== allow.conversationId)
      return void fail(res, 403, 'BadToken', 'the token is for another conversation');
    return { kind: 'token', claims: check.claims };
  };

  /**
   * Counts a request against a limit; answers 429 with Retry-After itself (in the customer's language) and returns
   * false when the client is over it.
   */
  const admit = (req: Request, res: Response, limit: keyof DirectLineLimits, conversationId?: string): boolean => {
    // Tokens are counted per client address (never logged), messages per conversation.
    const decision = limiters[limit].take(conversationId ?? clientAddress(req, config.trustProxy));
    if (decision.ok) return true;
    const body = isObject(req.body) ? req.body : {};
    const locale = requestLocale(req, body.locale, config.defaultLocale);
    logger.warn({ event: 'directline.rate_limited', limit, conversationId, retryAfterS: decision.retryAfterS });
    res.header('Retry-After', String(decision.retryAfterS));
    fail(res, 429, 'TooManyRequests', texts.t(locale, conversationId ? 'chat:tooManyMessages' : 'chat:tooManyChats', { seconds: decision.retryAfterS }));
    return false;
  };

  /** The answer for a conversation that is not (or no longer) kept: deleted after DIRECT_LINE_KEEP_DAYS, or unknown. */
  const ended = (req: Request) => {
    const body = isObject(req.body) ? req.body : {};
    return {
      status: 404,
      body: { error: { code: 'NotFound', message: texts.t(requestLocale(req, body.locale, config.defaultLocale), 'chat:conversationEnded') } },
    };
  };

  /**
   * The customer ends the conversation for good ("new chat" on a shared phone or a branch tablet): the bot hears it
   * (a waiting handoff is abandoned, the verification made in it forgotten, its dialogs cleared), then the conversation
   * and its log are deleted, so its token opens nothing any more, and its open streams are closed on every instance.
   */
  const endConversation = async (claims: ConversationClaims): Promise<{ status: number; body: unknown }> => {
    const { conversationId, userId } = claims;
    await enqueue(conversationId, () =>
      runTurn({
        type: 'endOfConversation',
        id: `${conversationId}|end`,
        timestamp: new Date(now()),
        channelId: WEBCHAT_CHANNEL,
        serviceUrl,
        conversation: { id: conversationId },
        from: { id: userId, role: 'user' },
        recipient: bot,
      } as unknown as Partial<Activity>),
    );
    await store.remove(conversationId);
    await notifier.ephemeral(conversationId, { type: 'endOfConversation', conversation: { id: conversationId } });
    logger.info({ event: 'directline.ended', conversationId });
    return { status: 200, body: { id: '' } };
  };

  /** Takes a customer's activity: stores it (masked) for the stream, then runs the bot's turn on it. */
  const receive = async (
    claims: ConversationClaims,
    body: Record<string, unknown>,
    attachments?: Array<{ contentType: string; name?: string }>,
  ): Promise<{ status: number; body: unknown }> => {
    const type = body.type;
    if (type === 'typing') return { status: 200, body: { id: '' } };
    if (type === 'endOfConversation') return endConversation(claims);
    if (type !== 'message') return { status: 400, body: { error: { code: 'BadArgument', message: 'only message activities are accepted' } } };
    if (body.text !== undefined && body.text !== null && typeof body.text !== 'string')
      return { status: 400, body: { error: { code: 'BadArgument', message: 'text must be a string' } } };
    const text = typeof body.text === 'string' ? body.text : undefined;
    const givenAttachments = attachments ?? readAttachments(body.attachments);
    if (givenAttachments === undefined) return { status: 400, body: { error: { code: 'BadArgument', message: 'attachments must be a list of objects' } } };
    const { conversationId, userId } = claims;
    const locale = typeof body.locale === 'string' && body.locale.length <= 35 && LOCALE_TAG.test(body.locale) ? body.locale : undefined;
    const channelData = isObject(body.channelData) ? body.channelData : {};
    const clientActivityID =
      typeof channelData.clientActivityID === 'string' && channelData.clientActivityID.length <= 128 ? channelData.clientActivityID : undefined;
    const timestamp = new Date(now()).toISOString();
    const common = {
      type: 'message',
      timestamp,
      channelId: WEBCHAT_CHANNEL,
      conversation: { id: conversationId },
      // The sender is the token's user, whatever the body says: nobody speaks as someone else.
      from: { id: userId, role: 'user' },
      recipient: bot,
      ...(locale ? { locale } : {}),
      ...(typeof body.textFormat === 'string' && ['plain', 'markdown', 'xml'].includes(body.textFormat) ? { textFormat: body.textFormat } : {}),
      ...(givenAttachments.length > 0 ? { attachments: givenAttachments } : {}),
      ...(clientActivityID ? { channelData: { clientActivityID } } : {}),
    };
    let stored: Record<string, unknown> = {};
    const seq = await store.append(
      conversationId,
      userId,
      (s) =>
        (stored = {
          ...common,
          id: activityId(conversationId, s),
          ...(text !== undefined ? { text: maskPii(text.length > maxChars ? `${text.slice(0, maxChars)}…` : text) } : {}),
          ...(body.value !== undefined ? { value: maskDeep(body.value) } : {}),
        }),
      notifier.inTransaction,
    );
    notifier.stored(conversationId, seq);
    const id = activityId(conversationId, seq);
    // The bot reads the text as typed (it answers a message too long itself); attachments only as what they are.
    const inbound = { ...common, timestamp: new Date(timestamp), id, serviceUrl, text, value: body.value } as unknown as Partial<Activity>;
    await enqueue(conversationId, () => runTurn(inbound, { seq, activity: stored }));
    return { status: 200, body: { id } };
  };

  server.post('/v3/directline/tokens/generate', async (req: Request, res: Response) => {
    if (!admit(req, res, 'secretTokens')) return;
    if (!authorize(req, res, { secret: true, token: false })) return;
    await answer(res, async () => {
      const { userId: _userId, ...issued } = await issueNew(req.body, true);
      return { status: 200, body: issued };
    });
  });

  server.post('/v3/directline/tokens/refresh', async (req: Request, res: Response) => {
    const auth = authorize(req, res, { secret: false, token: true });
    if (!auth || auth.kind !== 'token') return;
    const { conversationId, userId } = auth.claims;
    await answer(res, async () => {
      // A token refreshed for ever must not keep a deleted conversation reachable: the page then starts a new chat.
      if (!(await store.find(conversationId))) return ended(req);
      const { token, expiresIn } = tokens.issue(conversationId, userId);
      return { status: 200, body: { conversationId, token, expires_in: expiresIn } };
    });
  });

  server.post('/v3/directline/conversations', async (req: Request, res: Response) => {
    const auth = authorize(req, res, { secret: true, token: true });
    if (!auth) return;
    if (auth.kind === 'secret' && !admit(req, res, 'secretTokens')) return;
    await answer(res, async () => {
      const body = isObject(req.body) ? req.body : {};
      let conversationId: string;
      let userId: string;
      if (auth.kind === 'secret') ({ conversationId, userId } = await issueNew(body, true));
      else ({ conversationId, userId } = auth.claims);
      const started = await start(conversationId, userId, body.locale);
      if (started === undefined) return ended(req);
      const { token, expiresIn } = tokens.issue(conversationId, userId);
      return { status: started ? 201 : 200, body: { conversationId, token, expires_in: expiresIn, streamUrl: streamUrl(req, conversationId, token, 0) } };
    });
  });

  server.get('/v3/directline/conversations/:conversationId', async (req: Request, res: Response) => {
    const conversationId = String(req.params.conversationId);
    const auth = authorize(req, res, { secret: true, token: true, conversationId });
    if (!auth) return;
    const watermark = parseWatermark(queryString(req, 'watermark'));
    if (watermark === undefined) return void fail(res, 400, 'BadArgument', 'the watermark must be a whole number');
    await answer(res, async () => {
      const conversation = CONVERSATION_ID.test(conversationId) ? await store.find(conversationId) : undefined;
      if (!conversation) return ended(req);
      const { token, expiresIn } = tokens.issue(conversationId, auth.kind === 'token' ? auth.claims.userId : conversation.userId);
      return { status: 200, body: { conversationId, token, expires_in: expiresIn, streamUrl: streamUrl(req, conversationId, token, watermark) } };
    });
  });

  server.post('/v3/directline/conversations/:conversationId/activities', async (req: Request, res: Response) => {
    const conversationId = String(req.params.conversationId);
    const auth = authorize(req, res, { secret: false, token: true, conversationId });
    if (!auth || auth.kind !== 'token') return;
    if (!req.is('json')) return void fail(res, 415, 'UnsupportedMediaType', 'send the activity as application/json');
    if (!isObject(req.body)) return void fail(res, 400, 'BadArgument', 'the body must be an activity object');
    const body = req.body;
    // Typing indicators cost nothing (not stored, no turn) and Web Chat sends them as the customer types.
    if (body.type !== 'typing' && !admit(req, res, 'messages', conversationId)) return;
    await answer(res, async () => ((await store.find(conversationId)) ? receive(auth.claims, body) : ended(req)));
  });

  server.post('/v3/directline/conversations/:conversationId/upload', async (req: Request, res: Response) => {
    const conversationId = String(req.params.conversationId);
    const auth = authorize(req, res, { secret: false, token: true, conversationId });
    if (!auth || auth.kind !== 'token') return;
    if (!admit(req, res, 'messages', conversationId)) return;
    const parts = multipartParts(req);
    if (parts.length === 0) return void fail(res, 400, 'BadArgument', 'send the activity and files as multipart/form-data');
    // The files are not kept or read: the bot answers that it reads text only. The activity part gives the text and
    // the client's id (so the page can mark the message sent).
    const activityPart = parts.find((p) => p.name === 'activity' || p.contentType === 'application/vnd.microsoft.activity');
    let body: Record<string, unknown> = { type: 'message' };
    if (activityPart) {
      try {
        const scrubbed = scrubValue(JSON.parse(activityPart.data.toString('utf8')));
        const parsed = scrubbed.ok ? scrubbed.value : undefined;
        if (isObject(parsed)) body = { ...parsed, type: 'message' };
      } catch {
        return void fail(res, 400, 'BadArgument', 'the activity part is not JSON');
      }
    }
    const files = parts.filter((p) => p !== activityPart).slice(0, MAX_ATTACHMENTS);
    const attachments = files.map((p) => ({ contentType: safeContentType(p.contentType), ...(p.filename ? { name: maskPii(p.filename.slice(0, 200)) } : {}) }));
    await answer(res, async () =>
      (await store.find(conversationId))
        ? receive(auth.claims, body, attachments.length > 0 ? attachments : [{ contentType: 'application/octet-stream' }])
        : ended(req),
    );
  });

  server.get('/v3/directline/conversations/:conversationId/activities', async (req: Request, res: Response) => {
    const conversationId = String(req.params.conversationId);
    const auth = authorize(req, res, { secret: true, token: true, conversationId });
    if (!auth) return;
    const watermark = parseWatermark(queryString(req, 'watermark'));
    if (watermark === undefined) return void fail(res, 400, 'BadArgument', 'the watermark must be a whole number');
    await answer(res, async () => {
      if (!(CONVERSATION_ID.test(conversationId) && (await store.find(conversationId)))) return ended(req);
      const rows = await store.list(conversationId, watermark, pageSize);
      return { status: 200, body: { activities: rows.map((r) => r.activity), watermark: String(rows.length > 0 ? rows[rows.length - 1].seq : watermark) } };
    });
  });

  registerChatPage(server, {
    config,
    texts,
    logger,
    admit: (req, res) => admit(req, res, 'pageTokens'),
    issueToken: async (body) => {
      const { userId: _userId, ...issued } = await issueNew(body, false);
      return issued;
    },
  });

  // Other paths (the staff console's live view) are left to their own handlers, and the rest answered 404 there.
  const stopUpgrades = upgradeRoutes(server.server).add((req: IncomingMessage, socket: Duplex, head: Buffer) => streams.handleUpgrade(req, socket, head));

  // A conversation idle longer than DIRECT_LINE_KEEP_DAYS is deleted: its log holds the bot's replies, balances
  // included. Its tokens live a day at most; one a forgotten tab has kept refreshing gets 404 everywhere afterwards
  // (the page then starts a new chat).
  let purging: Promise<void> | undefined;
  const purge = () => {
    // One run at a time: a slow one (a first purge of a large table) is not stacked on.
    purging ??= (async () => {
      try {
        const purged = await store.purgeIdle(now() - config.directLine.keepDays * 86_400_000);
        // Every run is logged; one that deleted nothing only at debug level, to keep the hourly line out of the way.
        const line = { event: 'directline.purged', count: purged, keepDays: config.directLine.keepDays };
        if (purged > 0) logger.info(line);
        else logger.debug(line);
      } catch (err) {
        logger.warn({ event: 'directline.purge_failed', err: errorSummary(err) });
      } finally {
        purging = undefined;
      }
    })();
  };
  const firstPurge = setTimeout(purge, 0);
  firstPurge.unref();
  const purgeTimer = setInterval(purge, options.purgeEveryMs ?? PURGE_EVERY_MS);
  purgeTimer.unref();

  async function answer(res: Response, work: () => Promise<{ status: number; body: unknown }>): Promise<void> {
    try {
      const { status, body } = await work();
      res.header('Cache-Control', 'no-store');
      res.send(status, body);
    } catch (err) {
      logger.error({ event: 'directline.request_failed', err: errorSummary(err) });
      if (!res.headersSent) fail(res, 500, 'InternalError', 'the request could not be completed');
    }
  }

  return {
    async close() {
      clearTimeout(firstPurge);
      clearInterval(purgeTimer);
      stopUpgrades();
      await streams.close();
      // A purge under way finishes before the database closes.
      await purging;
      await notifier.close();
    },
  };
}

/** A Direct Line activity id: the conversation and the activity's place in it, as the Azure service writes them. */
export function activityId(conversationId: string, seq: number): string {
  return `${conversationId}|${String(seq).padStart(7, '0')}`;
}

/** The bot's activity as the client receives it: plain JSON, in this conversation, stamped now. */
function outbound(
  activity: Partial<Activity>,
  conversationId: string,
  bot: ChannelAccount,
  replyToId: string | undefined,
  extra: Record<string, unknown>,
  at: number,
): Record<string, unknown> {
  const { serviceUrl: _serviceUrl, ...rest } = JSON.parse(JSON.stringify(activity)) as Record<string, unknown>;
  return {
    ...rest,
    type: activity.type ?? 'message',
    timestamp: new Date(at).toISOString(),
    channelId: WEBCHAT_CHANNEL,
    conversation: { id: conversationId },
    from: rest.from ?? bot,
    ...(replyToId ? { replyToId } : {}),
    ...extra,
  };
}

/** Attachments a customer sent, reduced to what they are (never fetched, never kept); undefined when malformed. */
function readAttachments(raw: unknown): Array<{ contentType: string; name?: string }> | undefined {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || !raw.every(isObject)) return undefined;
  return raw.slice(0, MAX_ATTACHMENTS).map((a) => ({
    contentType: safeContentType(a.contentType),
    // File names can carry a card or phone number as well as any text.
    ...(typeof a.name === 'string' && a.name !== '' ? { name: maskPii(a.name.slice(0, 200)) } : {}),
  }));
}

function safeContentType(raw: unknown): string {
  return typeof raw === 'string' && /^[\w.+-]{1,64}\/[\w.+-]{1,128}$/.test(raw) ? raw : 'application/octet-stream';
}

/** The stream's address on this server, ws or wss as the request came (directly or through a TLS proxy). */
function streamUrl(req: Request, conversationId: string, token: string, watermark: number): string {
  const forwarded = String(req.headers['x-forwarded-proto'] ?? '')
    .split(',')[0]
    .trim()
    .toLowerCase();
  const secure = forwarded === 'https' || (req.socket as { encrypted?: boolean }).encrypted === true;
  const hostHeader = req.headers.host ?? '';
  const address =
    req.socket.localAddress && req.socket.localPort
      ? `${req.socket.localAddress.includes(':') ? `[${req.socket.localAddress}]` : req.socket.localAddress}:${req.socket.localPort}`
      : 'localhost';
  const host = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(hostHeader) ? hostHeader : address;
  const query = `t=${encodeURIComponent(token)}${watermark > 0 ? `&watermark=${watermark}` : ''}`;
  return `${secure ? 'wss' : 'ws'}://${host}/v3/directline/conversations/${encodeURIComponent(conversationId)}/stream?${query}`;
}

/** The language of an answer the gateway writes itself: the body's locale, else the browser's, else the default. */
function requestLocale(req: IncomingMessage, bodyLocale: unknown, fallback: Locale): Locale {
  const asked = typeof bodyLocale === 'string' ? toSupportedLocale(bodyLocale) : undefined;
  if (asked) return asked;
  for (const part of String(req.headers['accept-language'] ?? '').split(',')) {
    const found = toSupportedLocale(part.split(';')[0].trim());
    if (found) return found;
  }
  return fallback;
}

function queryString(req: Request, name: string): string | undefined {
  const value = ((req.query ?? {}) as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function fail(res: Response, status: number, code: string, message: string): void {
  res.header('Cache-Control', 'no-store');
  res.send(status, { error: { code, message } });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
