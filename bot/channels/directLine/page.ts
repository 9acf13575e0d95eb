import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import Handlebars from 'handlebars';
import type { Logger } from 'pino';
import type { Request, Response, Server } from 'restify';
import type { Config } from '../../config';
import { errorSummary } from '../../middleware/transcriptMiddleware';
import { projectRoot } from '../../paths';
import type { Texts } from '../../../prompts/texts';
import { SUPPORTED_LOCALES, toSupportedLocale, type Locale } from '../../../retention/locale';

/** The page's files (template, script, style sheet): read from the sources, since the build copies only compiled code. */
const PAGE_DIR = path.join(projectRoot, 'bot', 'channels', 'directLine', 'page');
const WEBCHAT_DIR = path.join(projectRoot, 'node_modules', 'botframework-webchat');

/** The strings of `locales/<locale>/chat.json` the page shows. */
const PAGE_KEYS = [
  'pageTitle',
  'assistantName',
  'languageLabel',
  'languageName',
  'newChat',
  'newChatConfirm',
  'connecting',
  'connectFailed',
  'inputPlaceholder',
  'botInitials',
  'userInitials',
  'noscript',
] as const;

/** What the page needs from the gateway. */
export interface ChatPageDeps {
  config: Config;
  texts: Texts;
  logger: Logger;
  /** Counts a token request against the client's limit; answers 429 itself and returns false when it is over. */
  admit(req: Request, res: Response): boolean;
  /** Issues a token for a new web chat conversation (the page's own exchange: it holds no secret). */
  issueToken(body: unknown): Promise<{ conversationId: string; token: string; expires_in: number }>;
}

interface Asset {
  body: Buffer;
  gzipped?: Promise<Buffer>;
  type: string;
  etag: string;
}

const gzip = promisify(zlib.gzip);
const EMPTY_STYLE_HASH = `sha256-${createHash('sha256').update('').digest('base64')}`;

/**
 * The customer web chat page, `GET /chat`, and what it loads: Microsoft's Web Chat bundle from node_modules (no CDN),
 * the page's script and style sheet. The page is rendered with HTML escaping on; its configuration travels in an
 * attribute (escaped, read back with JSON.parse) so nothing dynamic is ever executed. A strict Content-Security-Policy
 * allows only this origin; Web Chat's generated styles carry a per-response nonce.
 */
export function registerChatPage(server: Server, deps: ChatPageDeps): void {
  const template = Handlebars.create().compile(fs.readFileSync(path.join(PAGE_DIR, 'chat.html'), 'utf8'), { strict: true });
  const webchatVersion: string = JSON.parse(fs.readFileSync(path.join(WEBCHAT_DIR, 'package.json'), 'utf8')).version;
  const assets = {
    webchat: asset(path.join(WEBCHAT_DIR, 'dist', 'webchat.js'), 'application/javascript; charset=utf-8', webchatVersion),
    script: asset(path.join(PAGE_DIR, 'chat.js'), 'application/javascript; charset=utf-8'),
    style: asset(path.join(PAGE_DIR, 'chat.css'), 'text/css; charset=utf-8'),
  };
  const strings = Object.fromEntries(SUPPORTED_LOCALES.map((l) => [l, Object.fromEntries(PAGE_KEYS.map((k) => [k, deps.texts.t(l, `chat:${k}`)]))])) as Record<
    Locale,
    Record<string, string>
  >;

  server.get('/chat', async (req: Request, res: Response) => {
    const locale = pageLocale(req, deps.config.defaultLocale);
    const nonce = randomBytes(16).toString('base64');
    const t = strings[locale];
    const html = template({
      lang: locale,
      title: t.pageTitle,
      newChat: t.newChat,
      languageLabel: t.languageLabel,
      connecting: t.connecting,
      noscript: t.noscript,
      languages: SUPPORTED_LOCALES.map((code) => ({ code, name: strings[code].languageName, pressed: String(code === locale) })),
      config: JSON.stringify({ locale, locales: SUPPORTED_LOCALES, strings, nonce }),
      cssVersion: assets.style.etag,
      webchatVersion: assets.webchat.etag,
      scriptVersion: assets.script.etag,
    });
    res.writeHead(200, {
      ...securityHeaders(),
      'Content-Type': 'text/html; charset=utf-8',
      // The page carries a fresh nonce each time, and the address may carry a customer token: never cached.
      'Cache-Control': 'no-store',
      'Content-Security-Policy': contentSecurityPolicy(req, nonce, deps.config.directLine.frameAncestors),
      'Content-Length': Buffer.byteLength(html),
    });
    res.end(html);
  });

  server.get('/chat/webchat.js', async (req: Request, res: Response) => serve(req, res, assets.webchat));
  server.get('/chat/chat.js', async (req: Request, res: Response) => serve(req, res, assets.script));
  server.get('/chat/chat.css', async (req: Request, res: Response) => serve(req, res, assets.style));

  server.post('/chat/token', async (req: Request, res: Response) => {
    if (!deps.admit(req, res)) return;
    res.header('Cache-Control', 'no-store');
    try {
      res.send(200, await deps.issueToken(req.body));
    } catch (err) {
      deps.logger.error({ event: 'directline.page_token_failed', err: errorSummary(err) });
      res.send(500, { error: { code: 'InternalError', message: 'the chat could not be started' } });
    }
  });
}

function asset(file: string, type: string, version?: string): Asset {
  const body = fs.readFileSync(file);
  return { body, type, etag: version ?? createHash('sha256').update(body).digest('base64url').slice(0, 16) };
}

async function serve(req: Request, res: Response, a: Asset): Promise<void> {
  const headers: Record<string, string | number> = {
    ...securityHeaders(),
    'Content-Type': a.type,
    // The page asks for each file under its version (?v=), so a copy may be kept as long as a browser likes.
    'Cache-Control': 'public, max-age=31536000, immutable',
    ETag: `"${a.etag}"`,
    Vary: 'Accept-Encoding',
  };
  if (req.headers['if-none-match'] === `"${a.etag}"`) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  let body = a.body;
  // The Web Chat bundle is 3.9 MB; compressed once, on first request, it is under a quarter of that for a phone.
  if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && a.body.length > 1024) {
    a.gzipped ??= gzip(a.body, { level: 9 });
    body = await a.gzipped;
    headers['Content-Encoding'] = 'gzip';
  }
  headers['Content-Length'] = body.length;
  res.writeHead(200, headers);
  res.end(body);
}

function securityHeaders(): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
}

/** Only this origin, for everything; its WebSocket named explicitly for browsers that do not count ws: as 'self'. */
function contentSecurityPolicy(req: Request, nonce: string, frameAncestors: string): string {
  const host = req.headers.host ?? '';
  const sockets = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    // The hash is the empty string's: one library inside Web Chat (react-scroll-to-bottom) adds an empty <style>
    // without the nonce and fills it through the CSSOM, which CSP does not govern; nothing with content is allowed.
    `style-src 'self' 'nonce-${nonce}' '${EMPTY_STYLE_HASH}'`,
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "media-src 'self' data: blob:",
    `connect-src 'self'${sockets}`,
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');
}

/** The page's first language: ?lang=, else the browser's preference, else the service's default. */
function pageLocale(req: Request, fallback: Locale): Locale {
  const query = (req.query ?? {}) as Record<string, unknown>;
  const asked = typeof query.lang === 'string' ? toSupportedLocale(query.lang) : undefined;
  if (asked) return asked;
  for (const part of String(req.headers['accept-language'] ?? '').split(',')) {
    const found = toSupportedLocale(part.split(';')[0]);
    if (found) return found;
  }
  return fallback;
}
