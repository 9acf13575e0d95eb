import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Request, Response } from 'restify';
import type { SessionRepository, StaffSession } from '../data/repositories/sessionRepository';
import type { StaffMember, StaffRepository } from '../data/repositories/staffRepository';

/** The session cookie's name. */
export const SESSION_COOKIE = 'rs_staff';

/** A signed-in staff member, as each console request sees them. */
export interface SignedIn {
  staff: StaffMember;
  session: StaffSession;
  cookie: string;
}

/** Reads one cookie from a request's Cookie header. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** Whether the request came over HTTPS (directly, or through a proxy that says so when trusted). */
export function isHttps(req: IncomingMessage, trustProxy: boolean): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  return (
    trustProxy &&
    String(req.headers['x-forwarded-proto'] ?? '')
      .split(',')[0]
      .trim() === 'https'
  );
}

/**
 * Sets (or, with an empty value, clears) the session cookie: HttpOnly (no script reads it), SameSite=Strict (no other
 * site's page sends it), Secure behind HTTPS, path-scoped to the console.
 */
export function setSessionCookie(req: IncomingMessage, res: Response, value: string, maxAgeS: number, trustProxy: boolean): void {
  const parts = [`${SESSION_COOKIE}=${encodeURIComponent(value)}`, 'Path=/console', 'HttpOnly', 'SameSite=Strict', `Max-Age=${value ? maxAgeS : 0}`];
  if (isHttps(req, trustProxy)) parts.push('Secure');
  res.header('Set-Cookie', parts.join('; '));
}

/** The signed-in staff member of a request, or undefined (no cookie, expired or ended session, deactivated staff). */
export async function signedIn(req: IncomingMessage, sessions: SessionRepository, staff: StaffRepository, now: number): Promise<SignedIn | undefined> {
  const cookie = readCookie(req, SESSION_COOKIE);
  if (!cookie) return undefined;
  const session = await sessions.find(cookie, now);
  if (!session) return undefined;
  const member = await staff.findById(session.staffId);
  if (!member || !member.active) return undefined;
  return { staff: member, session, cookie };
}

/**
 * Checks the CSRF token of a state-changing request: the session's token, sent back as the `_csrf` form field or the
 * `x-csrf-token` header (fetch). Compared in constant time.
 */
export function csrfValid(req: Request, session: StaffSession): boolean {
  const sent = String((req.body as Record<string, unknown> | undefined)?._csrf ?? req.header('x-csrf-token') ?? '');
  const expected = Buffer.from(session.csrfToken);
  const actual = Buffer.from(sent);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * Whether a request came from a page of the console's own origin, as far as the browser says (it sends Origin with
 * every POST and WebSocket; a request without one is not from a browser page and needs its cookie like any other).
 */
export function sameOrigin(req: IncomingMessage, trustProxy: boolean): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (origin === 'null') return false;
  return sameHost(origin, requestedHosts(req, trustProxy));
}

/** The hosts a request may have been addressed to: its Host, and behind a trusted proxy the one it forwarded. */
function requestedHosts(req: IncomingMessage, trustProxy: boolean): string[] {
  const hosts = [req.headers.host];
  const forwarded = req.headers['x-forwarded-host'];
  if (trustProxy) hosts.push(...(Array.isArray(forwarded) ? forwarded : [forwarded]).flatMap((h) => (h ?? '').split(',')));
  return hosts.filter((h): h is string => typeof h === 'string' && h.trim() !== '').map((h) => h.trim().toLowerCase());
}

/** Whether an Origin header names one of the hosts. */
function sameHost(origin: string | string[], hosts: string[]): boolean {
  try {
    return typeof origin === 'string' && hosts.includes(new URL(origin).host);
  } catch {
    return false;
  }
}
