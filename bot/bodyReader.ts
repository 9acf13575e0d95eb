import type { IncomingMessage } from 'node:http';
import zlib from 'node:zlib';
import type { Next, Request, Response } from 'restify';

/** How request bodies are read. */
export interface BodyReaderOptions {
  /** The most bytes a body may have, on the wire and again after decompression. */
  maxBytes: number;
  /**
   * Paths whose clients may send `Content-Encoding: gzip` or `deflate` (the Bot Framework endpoint: any HTTP client of
   * the protocol may compress). Nobody else does — browsers, WeChat, Direct Line clients send plain bodies — so
   * elsewhere a compressed body is refused (415) before a byte of it is inflated.
   */
  compressedPaths: ReadonlySet<string>;
  /** A body not complete this long after its headers came is refused (408): a client that stops sending holds nothing. */
  timeoutMs: number;
}

/** Bytes read after a refusal before the connection is dropped, so that the client can still read the answer. */
const DRAIN_AFTER_REFUSAL_BYTES = 1 << 20;

const FIELDED_TYPES = new Set(['text/csv', 'text/tsv', 'text/tab-separated-values']);
const TEXT_TYPES = /^(?:application\/(?:[\w.+-]+\+)?json|application\/x-www-form-urlencoded|application\/xml|text\/[\w.+-]+)$/i;

/**
 * Reads a request's body into `req.body` (a string for text types, a Buffer otherwise) before restify's body parser,
 * which then only parses it (it skips reading a body already read). restify's own reader inflated gzip with a stream
 * that had no error handler — one request with a broken gzip body stopped the process — and bounded only the
 * compressed size, so 250 KB could inflate to 250 MB. Here a broken body is a 400, a body too large on the wire or
 * after inflating is a 413 as soon as the limit is crossed (never buffered whole), and an encoding nobody here sends
 * is a 415. Multipart bodies are left to the multipart limit (bot/multipart.ts) and the parser, unless compressed.
 */
export function bodyReader(options: BodyReaderOptions): (req: Request, res: Response, next: Next) => void {
  return (req, res, next) => {
    const r = req as Request & { _readBody?: boolean };
    if (r._readBody || req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    const encoding = String(req.headers['content-encoding'] ?? 'identity')
      .trim()
      .toLowerCase();
    const type = String(req.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    const compressed = encoding !== 'identity' && encoding !== '';
    if (!compressed && /^multipart\//.test(type)) return next();
    r._readBody = true;
    const refuse = (status: number, code: string, message: string, headers: Record<string, string> = {}) => {
      if (res.headersSent) return;
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      res.setHeader('connection', 'close');
      res.send(status, { error: { code, message } });
      dropRest(req);
      next(false);
    };
    if (compressed) {
      if (encoding !== 'gzip' && encoding !== 'x-gzip' && encoding !== 'deflate') {
        return refuse(415, 'UnsupportedMediaType', 'content encoding not supported', { 'accept-encoding': 'identity' });
      }
      if (!options.compressedPaths.has(req.getPath()) || /^multipart\//.test(type)) {
        return refuse(415, 'UnsupportedMediaType', 'send this body without a content encoding', { 'accept-encoding': 'identity' });
      }
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      return refuse(413, 'PayloadTooLarge', `the body may have at most ${options.maxBytes} bytes`);
    }

    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const timer = setTimeout(() => finish({ status: 408, code: 'RequestTimeout', message: 'the body did not arrive in time' }), options.timeoutMs);
    timer.unref();
    const finish = (error?: { status: number; code: string; message: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) return refuse(error.status, error.code, error.message);
      const body = Buffer.concat(chunks, size);
      (req as unknown as { body: unknown }).body = TEXT_TYPES.test(type) || type === '' ? body.toString('utf8') : body;
      (req as unknown as { rawBody: Buffer }).rawBody = body;
      // restify would parse CSV and TSV bodies (and fail on a broken one with a 500); nobody sends us tables, so they
      // stay text, and the route refuses a type it does not take.
      if (FIELDED_TYPES.has(type)) (req as unknown as { _parsedBody: boolean })._parsedBody = true;
      next();
    };
    const tooLarge = { status: 413, code: 'PayloadTooLarge', message: `the body may have at most ${options.maxBytes} bytes` };
    const collect = (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > options.maxBytes) return finish(tooLarge);
      chunks.push(chunk);
    };

    let wireBytes = 0;
    const onWire = (chunk: Buffer) => {
      wireBytes += chunk.length;
      if (wireBytes > options.maxBytes) finish(tooLarge);
    };
    req.once('aborted', () => {
      settled = true;
      clearTimeout(timer);
    });
    req.once('error', () => {
      settled = true;
      clearTimeout(timer);
    });
    if (!compressed) {
      req.on('data', (chunk: Buffer) => {
        onWire(chunk);
        collect(chunk);
      });
      req.once('end', () => finish());
      return;
    }
    const inflater = encoding === 'deflate' ? zlib.createInflate() : zlib.createGunzip();
    inflater.on('data', (chunk: Buffer) => {
      collect(chunk);
      if (settled) inflater.destroy();
    });
    inflater.once('error', () =>
      finish({ status: 400, code: 'BadRequest', message: 'the body is not valid ' + (encoding === 'deflate' ? 'deflate' : 'gzip') + ' data' }),
    );
    inflater.once('end', () => finish());
    req.on('data', (chunk: Buffer) => {
      onWire(chunk);
      if (!settled) inflater.write(chunk);
    });
    req.once('end', () => {
      if (!settled) inflater.end();
    });
  };
}

/**
 * After an early answer: reads (and throws away) a little more of the body, so the client sees the answer rather
 * than a reset connection, then drops the connection instead of reading an endless body.
 */
function dropRest(req: IncomingMessage): void {
  if (req.complete) return;
  let extra = 0;
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => {
    extra += chunk.length;
    if (extra > DRAIN_AFTER_REFUSAL_BYTES) req.socket.destroy();
  });
  req.resume();
}
