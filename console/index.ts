import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Request, Response, Server } from 'restify';
import { verifyPassword } from '../data/passwords';
import type { Repositories } from '../data/repositories';
import type { CallbackRecord } from '../data/repositories/callbackRepository';
import type { ComplaintRecord } from '../data/repositories/complaintRepository';
import type { HandoffMessage, HandoffNote, HandoffRecord } from '../data/repositories/handoffRepository';
import type { PresenceStatus } from '../data/repositories/presenceRepository';
import { clientAddress, type RateLimit, RateLimiter } from '../bot/rateLimiter';
import { formatTime } from '../prompts/format';
import { instantOf } from '../retention/zonedTime';
import type { Texts } from '../prompts/texts';
import { toSupportedLocale, type Locale } from '../retention/locale';
import { maskMobile } from '../retention/pii';
import { type Action, can } from './permissions';
import { csrfValid, sameOrigin, setSessionCookie, type SignedIn, signedIn } from './session';
import { type ConsoleEvents, createLiveChannel, type LiveChannel } from './live';
import { loadViews } from './views';

/**
 * Failed sign-in attempts from one address: a script trying passwords across many names is held to one attempt every
 * two seconds after its first thirty. (Successful sign-ins do not count.)
 */
export const DEFAULT_LOGIN_LIMIT: RateLimit = Object.freeze({ limit: 30, windowMs: 60_000 });

/** The agent hub as the console drives it (bot/handoff/hub.ts implements it). */
export interface ConsoleHub {
  setPresence(staffId: number, status: PresenceStatus, capacity?: number): Promise<void>;
  accept(handoffId: number, agentId: number): Promise<HandoffRecord>;
  assign(handoffId: number, agentId: number, supervisorId: number): Promise<HandoffRecord>;
  sendToCustomer(handoffId: number, agentId: number, text: string): Promise<HandoffMessage>;
  addNote(handoffId: number, agentId: number, text: string, overseeing?: boolean): Promise<HandoffNote>;
  promiseCallbackFor(handoffId: number, agentId: number, dueAt: number, note: string | null): Promise<CallbackRecord>;
  transfer(handoffId: number, fromAgentId: number, toAgentId: number | null): Promise<HandoffRecord>;
  resolve(handoffId: number, agentId: number, outcome: string): Promise<HandoffRecord>;
}

/** What staff do to complaints (bot/complaints.ts implements it). */
export interface ConsoleComplaints {
  acknowledge(complaintId: number, staffId: number): Promise<ComplaintRecord | undefined>;
  resolve(complaintId: number, resolution: string, staffId: number): Promise<ComplaintRecord | undefined>;
}

/** What the console needs. */
export interface ConsoleDeps {
  repos: Repositories;
  hub: ConsoleHub;
  complaints: ConsoleComplaints;
  events: ConsoleEvents;
  texts: Texts;
  logger: Logger;
  now: () => number;
  /** Take X-Forwarded-Proto from a proxy in front as the truth about HTTPS. */
  trustProxy: boolean;
  /** Sign-in attempts allowed from one address (default: DEFAULT_LOGIN_LIMIT). */
  loginLimit?: RateLimit;
  /** Extra pages mounted under /console by other parts (the manager's review). */
  extensions?: Array<(ctx: ConsoleContext) => void>;
  /** Where the console's sources are (views, styles, the page script) and where the built page script is. */
  dirs: { source: string; builtScript: string };
}

/** Shared pieces the console's pages are built from, for extensions. */
export interface ConsoleContext {
  server: Server;
  deps: ConsoleDeps;
  views: ReturnType<typeof loadViews>;
  /** Wraps a handler with sign-in, the role check, and (for POST) the CSRF check. */
  guard(action: Action | 'any', handler: (req: Request, res: Response, who: SignedIn) => Promise<void>): (req: Request, res: Response) => Promise<void>;
  /** Renders a page for the signed-in member. */
  page(res: Response, who: SignedIn, view: string, data: Record<string, unknown>, status?: number): void;
}

/** Outcomes an agent may close a chat with. */
export const OUTCOMES = ['resolved', 'info_given', 'refund_approved', 'callback_promised', 'escalated'] as const;

/** HTTP status for the hub's refusals. */
function statusOf(err: unknown): { status: number; key: string; message: string } | undefined {
  const code = (err as { code?: string })?.code;
  const message = (err as Error)?.message ?? '';
  switch (code) {
    case 'not_found':
      return { status: 404, key: 'console:errors.notFound', message };
    case 'not_yours':
      return { status: 403, key: 'console:errors.forbidden', message };
    case 'not_active':
    case 'taken':
    case 'at_capacity':
    case 'not_queued':
      return { status: 409, key: 'console:errors.conflict', message };
    case 'bad_input':
      return { status: 400, key: 'console:errors.badInput', message };
    default:
      return undefined;
  }
}

/**
 * The staff console at /console: sign-in with throttling, sessions, CSRF on every state change, the role matrix on
 * every page, API call and live channel; the live queue and chats for agents and supervisors. Pages are rendered on
 * the server; console.js keeps them live over a WebSocket and catches up by message id after a reconnect.
 */
export function registerConsole(server: Server, deps: ConsoleDeps): { live: LiveChannel; close(): Promise<void> } {
  const views = loadViews(path.join(deps.dirs.source, 'views'), deps.texts);
  const assets = staticAssets(deps.dirs);
  const { repos, texts } = deps;
  const loginLimiter = new RateLimiter(deps.loginLimit ?? DEFAULT_LOGIN_LIMIT, 10_000, deps.now);
  const headers = (res: Response) => {
    res.header(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    );
    res.header('X-Content-Type-Options', 'nosniff');
    res.header('Referrer-Policy', 'same-origin');
    res.header('Cache-Control', 'no-store');
  };
  const html = (res: Response, status: number, body: string) => {
    headers(res);
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body);
  };
  const redirect = (res: Response, to: string) => {
    res.writeHead(303, { location: to, 'cache-control': 'no-store' });
    res.end();
  };
  const wantsJson = (req: Request) => Boolean(req.header('x-csrf-token')) || (req.header('accept') ?? '').includes('application/json');
  const page = (res: Response, who: SignedIn, view: string, data: Record<string, unknown>, status = 200) =>
    html(
      res,
      status,
      views.render(view, who.staff.locale, {
        ...data,
        me: who.staff,
        csrf: who.session.csrfToken,
        can: permissionsOf(who),
        title: texts.t(who.staff.locale, 'console:title'),
      }),
    );
  const fail = (req: Request, res: Response, who: SignedIn | undefined, status: number, key: string, args?: Record<string, unknown>) => {
    const locale = who?.staff.locale ?? 'zh-CN';
    const message = texts.t(locale, key, args);
    if (wantsJson(req) || !who) {
      headers(res);
      res.send(status, { error: message });
      return;
    }
    page(res, who, 'error', { message }, status);
  };

  const guard: ConsoleContext['guard'] = (action, handler) => async (req, res) => {
    const who = await signedIn(req, repos.sessions, repos.staff, deps.now());
    if (!who) {
      if (req.method === 'GET' && !wantsJson(req)) return redirect(res, '/console/login');
      headers(res);
      res.send(401, { error: texts.t('zh-CN', 'console:login.expired') });
      return;
    }
    if (action !== 'any' && !can(who.staff.role, action)) return fail(req, res, who, 403, 'console:errors.forbidden');
    if (req.method !== 'GET' && !csrfValid(req, who.session)) return fail(req, res, who, 403, 'console:errors.csrf');
    try {
      await handler(req, res, who);
    } catch (err) {
      const known = statusOf(err);
      if (!known) throw err;
      fail(req, res, who, known.status, known.key, { message: known.message });
    }
  };
  /** After a state change: JSON for the page's script, a redirect for a plain form. */
  const done = (req: Request, res: Response, to: string, body: Record<string, unknown> = { ok: true }) => {
    if (wantsJson(req)) {
      headers(res);
      res.send(200, body);
    } else redirect(res, to);
  };
  const field = (req: Request, name: string, max = 4000): string => {
    const v = (req.body as Record<string, unknown> | undefined)?.[name];
    return typeof v === 'string' ? v.slice(0, max) : '';
  };
  const idParam = (req: Request): number => {
    const n = Number(req.params.id);
    return Number.isSafeInteger(n) && n > 0 ? n : -1;
  };

  // ---- sign-in ----------------------------------------------------------------------------------------------------

  server.get('/console/login', async (req: Request, res: Response) => {
    if (await signedIn(req, repos.sessions, repos.staff, deps.now())) return redirect(res, '/console');
    const locale = toSupportedLocale(String(req.query?.lang ?? '')) ?? 'zh-CN';
    html(res, 200, views.render('login', locale, { title: texts.t(locale, 'console:title'), expired: req.query?.expired === '1' }));
  });

  server.post('/console/login', async (req: Request, res: Response) => {
    const username = field(req, 'username', 64).trim();
    const password = field(req, 'password', 256);
    const locale: Locale = 'zh-CN';
    const at = deps.now();
    const refuse = (key: string, args?: Record<string, unknown>, status = 401) =>
      html(res, status, views.render('login', locale, { title: texts.t(locale, 'console:title'), error: texts.t(locale, key, args), username }));
    // Another site's page posting the form would sign the browser in to an account of someone else's choosing.
    if (!sameOrigin(req, deps.trustProxy)) return refuse('console:login.foreign', {}, 403);
    // Guessing across many names from one place is slowed down too, and so is the password hashing it costs. Every
    // attempt takes its place before its password is checked; a successful one gives it back, so a whole office
    // signing in at the start of a shift from one address is never held up.
    const address = clientAddress(req, deps.trustProxy);
    const allowed = loginLimiter.take(address);
    if (!allowed.ok) {
      res.header('Retry-After', String(allowed.retryAfterS));
      return refuse('console:login.tooMany', { seconds: allowed.retryAfterS }, 429);
    }
    const lockedUntil = username ? await repos.sessions.beginAttempt(username, at) : null;
    if (lockedUntil !== null) return refuse('console:login.locked', { time: formatTime(lockedUntil, locale, deps.texts.timeZone) });
    const credentials = username ? await repos.staff.findCredentials(username) : undefined;
    // The hash is checked even for an unknown name, against a fixed one, so the answer takes as long either way.
    const ok = (await verifyPassword(password, credentials?.passwordHash ?? UNKNOWN_USER_HASH)) && credentials?.member.active === true;
    if (!ok || !credentials) {
      const locked = username ? await repos.sessions.recordFailure(username, at) : null;
      await repos.audit.record({
        actorType: 'staff',
        actorId: credentials?.member.id ?? null,
        action: 'staff.login_failed',
        targetType: 'staff',
        targetId: username.slice(0, 64) || null,
      });
      deps.logger.warn({ event: 'console.login_failed', locked: locked !== null });
      return locked !== null ? refuse('console:login.locked', { time: formatTime(locked, locale, deps.texts.timeZone) }) : refuse('console:login.failed');
    }
    loginLimiter.refund(address);
    await repos.sessions.clearFailures(username);
    const session = await repos.sessions.create(credentials.member.id, at);
    setSessionCookie(req, res, session.cookie, 12 * 3600, deps.trustProxy);
    await repos.audit.record({
      actorType: 'staff',
      actorId: credentials.member.id,
      action: 'staff.login',
      targetType: 'staff',
      targetId: credentials.member.id,
    });
    redirect(res, can(credentials.member.role, 'queue.view') ? '/console' : '/console/review');
  });

  server.post(
    '/console/logout',
    guard('any', async (req, res, who) => {
      await repos.sessions.end(who.cookie);
      setSessionCookie(req, res, '', 0, deps.trustProxy);
      await repos.audit.record({ actorType: 'staff', actorId: who.staff.id, action: 'staff.logout', targetType: 'staff', targetId: who.staff.id });
      redirect(res, '/console/login');
    }),
  );

  server.post(
    '/console/locale',
    guard('any', async (req, res, who) => {
      const locale = toSupportedLocale(field(req, 'locale', 8));
      if (locale) await repos.staff.setLocale(who.staff.id, locale);
      done(req, res, can(who.staff.role, 'queue.view') ? '/console' : '/console/review');
    }),
  );

  // ---- the queue ----------------------------------------------------------------------------------------------------

  const queueData = async (who: SignedIn) => {
    const at = deps.now();
    const supervising = can(who.staff.role, 'supervise.view');
    const [queued, active, presence, online, staffList] = await Promise.all([
      repos.handoffs.listQueued(),
      repos.handoffs.listActive(supervising ? undefined : who.staff.id),
      repos.presence.get(who.staff.id),
      repos.presence.listOnline(),
      repos.staff.list(),
    ]);
    const name = (id: number | null) => staffList.find((s) => s.id === id)?.displayName ?? '';
    const customerOf = (h: HandoffRecord) => (h.packet as { customer?: { name?: string; customerNo?: string } | null }).customer ?? null;
    const reasons = (h: HandoffRecord) => h.reasons.map((r) => reasonLabel(texts, who.staff.locale, r));
    return {
      supervising,
      presence: presence?.status ?? 'offline',
      queued: queued.map((h, i) => ({
        id: h.id,
        position: i + 1,
        customer: customerOf(h),
        tier: h.tier,
        reasons: reasons(h),
        waitingMs: at - h.queuedAt,
        priority: h.priority,
      })),
      active: active.map((h) => ({ id: h.id, customer: customerOf(h), tier: h.tier, agent: name(h.agentId), acceptedAt: h.acceptedAt, reasons: reasons(h) })),
      agents: online
        .map((p) => ({ id: p.staffId, name: name(p.staffId), load: `${p.active}/${p.capacity}`, role: staffList.find((s) => s.id === p.staffId)?.role }))
        .filter((a) => a.role === 'agent' || a.role === 'supervisor'),
    };
  };

  server.get(
    '/console',
    guard('any', async (_req, res, who) => {
      if (!can(who.staff.role, 'queue.view')) return redirect(res, '/console/review');
      const data = await queueData(who);
      const supervising = data.supervising;
      const [breachedComplaints, breachedCallbacks, recovery, tasks, promised] = await Promise.all([
        supervising ? repos.complaints.listBreached(50) : Promise.resolve([]),
        supervising ? repos.callbacks.listBreached(50) : Promise.resolve([]),
        supervising ? repos.recovery.listOpen(undefined, 50) : repos.recovery.listOpen(who.staff.id, 50),
        repos.followUps.listOpen(who.staff.id, 50),
        repos.callbacks.listPromisedBy(who.staff.id),
      ]);
      const staffList = await repos.staff.list();
      page(res, who, 'queue', {
        ...data,
        breaches: [
          ...breachedComplaints.map((c) => ({
            key: c.resolutionBreachedAt ? 'console:breaches.complaintResolution' : 'console:breaches.complaintFirstContact',
            reference: c.reference,
            due: c.resolutionBreachedAt ? c.resolutionDueAt : c.firstContactDueAt,
          })),
          ...breachedCallbacks.map((c) => ({ key: 'console:breaches.callback', phone: c.phone ? maskMobile(c.phone) : '', due: c.dueAt })),
        ],
        recovery: recovery.map((r) => ({ ...r, owner: r.ownerId === null ? null : staffList.find((s) => s.id === r.ownerId)?.displayName })),
        tasks: [
          ...tasks.map((t) => ({ kind: t.kind, dueAt: t.dueAt, id: t.id, followUp: true })),
          ...promised.map((c) => ({ kind: c.reason, dueAt: c.dueAt, phone: c.phone ? maskMobile(c.phone) : '', id: c.id, followUp: false })),
        ],
        outcomes: OUTCOMES,
      });
    }),
  );

  server.get(
    '/console/fragments/queue',
    guard('queue.view', async (_req, res, who) => {
      html(
        res,
        200,
        views.render(
          '_queueLive',
          who.staff.locale,
          { ...(await queueData(who)), me: who.staff, csrf: who.session.csrfToken, can: permissionsOf(who) },
          { fragment: true },
        ),
      );
    }),
  );

  server.post(
    '/console/presence',
    guard('queue.view', async (req, res, who) => {
      const status = field(req, 'status', 16) as PresenceStatus;
      const capacity = field(req, 'capacity', 4);
      await deps.hub.setPresence(who.staff.id, status, capacity ? Number(capacity) : undefined);
      done(req, res, '/console');
    }),
  );

  server.post(
    '/console/handoffs/:id/accept',
    guard('handoff.accept', async (req, res, who) => {
      const handoff = await deps.hub.accept(idParam(req), who.staff.id);
      done(req, res, `/console/chats/${handoff.id}`, { ok: true, handoffId: handoff.id });
    }),
  );

  server.post(
    '/console/handoffs/:id/assign',
    guard('supervise.assign', async (req, res, who) => {
      await deps.hub.assign(idParam(req), Number(field(req, 'agentId', 12)), who.staff.id);
      done(req, res, '/console');
    }),
  );

  // ---- a chat -------------------------------------------------------------------------------------------------------

  /** The handoff, when the member may see it: the agent holding (or who held) it, or a supervisor. */
  const visibleHandoff = async (who: SignedIn, id: number): Promise<HandoffRecord | undefined> => {
    const handoff = await repos.handoffs.findById(id);
    if (!handoff) return undefined;
    if (can(who.staff.role, 'supervise.view') || handoff.agentId === who.staff.id) return handoff;
    return undefined;
  };

  server.get(
    '/console/chats/:id',
    guard('chat.work', async (req, res, who) => {
      const handoff = await visibleHandoff(who, idParam(req));
      if (!handoff) return fail(req, res, who, 404, 'console:errors.notFound');
      const [messages, notes, staffList, online, complaints] = await Promise.all([
        repos.handoffs.messagesAfter(handoff.id, 0),
        repos.handoffs.listNotes(handoff.id),
        repos.staff.list(),
        repos.presence.listOnline(),
        handoff.customerId !== null ? repos.complaints.listOpenForCustomer(handoff.customerId) : Promise.resolve([]),
      ]);
      const packet = handoff.packet as Record<string, unknown> & { customer?: { locale?: string } | null };
      const customerLocale = (toSupportedLocale(packet.customer?.locale ?? handoff.locale ?? '') ?? 'zh-CN') as Locale;
      const name = (id: number | null) => staffList.find((s) => s.id === id)?.displayName ?? '';
      page(res, who, 'chat', {
        handoff,
        packet,
        reasons: handoff.reasons.map((r) => reasonLabel(texts, who.staff.locale, r)),
        messages: messages.map((m) => ({ ...m, who: m.sender === 'agent' ? name(m.agentId) : texts.t(who.staff.locale, `console:chat.sender.${m.sender}`) })),
        lastMessageId: messages.at(-1)?.id ?? 0,
        notes: notes.map((n) => ({ ...n, author: name(n.agentId) })),
        canned: texts.list(who.staff.locale, `console:canned.${customerLocale}`),
        colleagues: online.filter((p) => p.staffId !== who.staff.id).map((p) => ({ id: p.staffId, name: name(p.staffId) })),
        outcomes: OUTCOMES,
        complaints,
        open: handoff.status === 'active' && handoff.agentId === who.staff.id,
        statusLabel: handoff.status,
      });
    }),
  );

  server.get(
    '/console/api/handoffs/:id/messages',
    guard('chat.work', async (req, res, who) => {
      const handoff = await visibleHandoff(who, idParam(req));
      if (!handoff) return fail(req, res, who, 404, 'console:errors.notFound');
      const after = Math.max(0, Number(req.query?.after ?? 0) || 0);
      const staffList = await repos.staff.list();
      const messages = await repos.handoffs.messagesAfter(handoff.id, after, 500);
      headers(res);
      res.send(200, {
        status: handoff.status,
        messages: messages.map((m) => ({
          id: m.id,
          sender: m.sender,
          who:
            m.sender === 'agent'
              ? (staffList.find((s) => s.id === m.agentId)?.displayName ?? '')
              : texts.t(who.staff.locale, `console:chat.sender.${m.sender}`),
          text: m.text,
          delivery: m.delivery,
          createdAt: m.createdAt,
        })),
      });
    }),
  );

  server.post(
    '/console/handoffs/:id/messages',
    guard('chat.work', async (req, res, who) => {
      const message = await deps.hub.sendToCustomer(idParam(req), who.staff.id, field(req, 'text', 10_000));
      done(req, res, `/console/chats/${idParam(req)}`, { ok: true, id: message.id, delivery: message.delivery });
    }),
  );

  server.post(
    '/console/handoffs/:id/notes',
    guard('chat.work', async (req, res, who) => {
      await deps.hub.addNote(idParam(req), who.staff.id, field(req, 'text', 10_000), can(who.staff.role, 'supervise.assign'));
      done(req, res, `/console/chats/${idParam(req)}`);
    }),
  );

  server.post(
    '/console/handoffs/:id/callback',
    guard('chat.work', async (req, res, who) => {
      // A datetime-local field: the staff member's wall clock in the service's time zone (SERVICE_TIME_ZONE).
      const raw = field(req, 'dueAt', 20);
      const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(raw);
      const dueAt = m ? instantOf(+m[1], +m[2], +m[3], +m[4] * 60 + +m[5], deps.texts.timeZone) : NaN;
      await deps.hub.promiseCallbackFor(idParam(req), who.staff.id, dueAt, field(req, 'note', 2000) || null);
      done(req, res, `/console/chats/${idParam(req)}`);
    }),
  );

  server.post(
    '/console/handoffs/:id/transfer',
    guard('chat.work', async (req, res, who) => {
      const to = field(req, 'to', 12);
      await deps.hub.transfer(idParam(req), who.staff.id, to === 'queue' ? null : Number(to));
      done(req, res, '/console');
    }),
  );

  server.post(
    '/console/handoffs/:id/resolve',
    guard('chat.work', async (req, res, who) => {
      const outcome = field(req, 'outcome', 32);
      if (!(OUTCOMES as readonly string[]).includes(outcome)) return fail(req, res, who, 400, 'console:errors.badInput', { message: 'outcome' });
      await deps.hub.resolve(idParam(req), who.staff.id, outcome);
      done(req, res, '/console');
    }),
  );

  // ---- complaints, recovery cases, tasks ------------------------------------------------------------------------------

  /** An agent may update the complaint of a chat they hold; supervisors and managers any. */
  const mayUpdateComplaint = async (who: SignedIn, complaintId: number): Promise<boolean> => {
    if (can(who.staff.role, 'complaint.update')) return true;
    if (!can(who.staff.role, 'chat.work')) return false;
    const complaint = await repos.complaints.findById(complaintId);
    if (!complaint?.customerId) return false;
    const mine = await repos.handoffs.listActive(who.staff.id);
    return mine.some((h) => h.customerId === complaint.customerId);
  };

  server.post(
    '/console/complaints/:id/acknowledge',
    guard('any', async (req, res, who) => {
      if (!(await mayUpdateComplaint(who, idParam(req)))) return fail(req, res, who, 403, 'console:errors.forbidden');
      const complaint = await deps.complaints.acknowledge(idParam(req), who.staff.id);
      if (!complaint) return fail(req, res, who, 404, 'console:errors.notFound');
      done(req, res, String(req.header('referer') ?? '').startsWith('/') ? String(req.header('referer')) : '/console');
    }),
  );

  server.post(
    '/console/complaints/:id/resolve',
    guard('any', async (req, res, who) => {
      if (!(await mayUpdateComplaint(who, idParam(req)))) return fail(req, res, who, 403, 'console:errors.forbidden');
      const resolution = field(req, 'resolution', 2000).trim();
      if (!resolution) return fail(req, res, who, 400, 'console:errors.badInput', { message: 'resolution' });
      const complaint = await deps.complaints.resolve(idParam(req), resolution, who.staff.id);
      if (!complaint) return fail(req, res, who, 404, 'console:errors.notFound');
      done(req, res, '/console');
    }),
  );

  server.post(
    '/console/recovery/:id/close',
    guard('any', async (req, res, who) => {
      const found = await repos.recovery.findById(idParam(req));
      if (!found) return fail(req, res, who, 404, 'console:errors.notFound');
      // The owner closes their own case; supervisors and managers any.
      if (!can(who.staff.role, 'recovery.close') && found.ownerId !== who.staff.id) return fail(req, res, who, 403, 'console:errors.forbidden');
      const outcome = field(req, 'outcome', 2000).trim();
      if (!outcome) return fail(req, res, who, 400, 'console:errors.badInput', { message: 'outcome' });
      if (!(await repos.recovery.close(found.id, outcome, who.staff.id, deps.now())))
        return fail(req, res, who, 409, 'console:errors.conflict', { message: 'closed' });
      await repos.audit.record({ actorType: 'staff', actorId: who.staff.id, action: 'recovery.closed', targetType: 'recovery_case', targetId: found.id });
      done(req, res, '/console');
    }),
  );

  server.post(
    '/console/followups/:id/done',
    guard('queue.view', async (req, res, who) => {
      const task = (await repos.followUps.listOpen(who.staff.id)).find((t) => t.id === idParam(req));
      if (!task) return fail(req, res, who, 404, 'console:errors.notFound');
      await repos.followUps.complete(task.id, deps.now());
      await repos.audit.record({ actorType: 'staff', actorId: who.staff.id, action: 'followup.done', targetType: 'follow_up', targetId: task.id });
      done(req, res, '/console');
    }),
  );

  // ---- static files ---------------------------------------------------------------------------------------------------

  server.get('/console/static/:file', async (req: Request, res: Response) => {
    const file = String(req.params.file);
    const asset = assets[file];
    if (!asset) {
      res.send(404);
      return;
    }
    const body = asset();
    res.writeHead(200, { 'content-type': contentTypeOf(file), 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    res.end(body);
  });

  const context: ConsoleContext = { server, deps, views, guard, page };
  for (const extend of deps.extensions ?? []) extend(context);

  const live = createLiveChannel(server, {
    sessions: repos.sessions,
    staff: repos.staff,
    handoffs: repos.handoffs,
    events: deps.events,
    now: deps.now,
    logger: deps.logger,
    trustProxy: deps.trustProxy,
  });
  return { live, close: () => live.close() };
}

/** What a member may do, for the templates to show or hide controls (the server checks again on every request). */
function permissionsOf(who: SignedIn): Record<string, boolean> {
  return {
    queue: can(who.staff.role, 'queue.view'),
    accept: can(who.staff.role, 'handoff.accept'),
    supervise: can(who.staff.role, 'supervise.view'),
    assign: can(who.staff.role, 'supervise.assign'),
    review: can(who.staff.role, 'review.view'),
  };
}

/** A scrypt hash of a random password nobody knows: what an unknown user name is checked against. */
const UNKNOWN_USER_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$Gt1dL0I5dpMzX0M9Dz2l1Vd3bT8oQ1mN3kJ6hH8sS2Y=';

/** A reason code in the staff member's language; an unknown code as it is. */
function reasonLabel(texts: Texts, locale: Locale, reason: string): string {
  try {
    return texts.t(locale, `console:reasons.${reason}`);
  } catch {
    return reason;
  }
}

/** The console's own assets: the stylesheet, and the live script compiled from TypeScript. */
function staticAssets(dirs: ConsoleDeps['dirs']): Record<string, () => string> {
  return {
    'console.css': cached(() => fs.readFileSync(path.join(dirs.source, 'static', 'console.css'), 'utf8')),
    'console.js': cached(() => clientScript(dirs)),
    'favicon.svg': cached(() => fs.readFileSync(path.join(dirs.source, 'static', 'favicon.svg'), 'utf8')),
  };
}

function contentTypeOf(file: string): string {
  if (file.endsWith('.css')) return 'text/css; charset=utf-8';
  if (file.endsWith('.svg')) return 'image/svg+xml';
  return 'text/javascript; charset=utf-8';
}

function cached(read: () => string): () => string {
  let value: string | undefined;
  return () => (value ??= read());
}

/**
 * The page script: the built one when the project was built (`npm start` builds first), else compiled from
 * `console/static/console.ts` with the TypeScript compiler (development and tests).
 */
function clientScript(dirs: ConsoleDeps['dirs']): string {
  if (fs.existsSync(dirs.builtScript)) return fs.readFileSync(dirs.builtScript, 'utf8');
  // Loaded only when there is no built script: production never needs the compiler.
  // eslint-disable-next-line @typescript-eslint/no-require-imports, @typescript-eslint/consistent-type-imports
  const ts = require('typescript') as typeof import('typescript');
  const source = fs.readFileSync(path.join(dirs.source, 'static', 'console.ts'), 'utf8');
  return ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.None } }).outputText;
}
