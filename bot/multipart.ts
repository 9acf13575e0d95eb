import type { Next, plugins, Request, Response } from 'restify';

/** One part of a multipart body, kept in memory. */
export interface MultipartPart {
  name: string;
  filename?: string;
  contentType: string;
  data: Buffer;
}

interface FormidablePart {
  name?: string;
  filename?: string;
  mime?: string;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
}

const PARTS = Symbol('retention.multipartParts');

/**
 * Multipart bodies without temporary files. restify's body parser skips its size limit for multipart and lets
 * formidable write every file part to the temporary folder, never removed; on a public endpoint that is a way to fill
 * the disk. Here a multipart request must declare a length within the limit (413 otherwise), and its parts are kept in
 * memory for the route to read with `multipartParts(req)`. Only the Direct Line upload reads them (to refuse the
 * upload politely); other routes never look.
 */
export function inMemoryMultipart(maxBytes: number): {
  limit: (req: Request, res: Response, next: Next) => void;
  handlers: Pick<plugins.BodyParserOptions, 'multipartHandler' | 'multipartFileHandler'>;
} {
  const collect = (part: FormidablePart, req: Request) => {
    const parts = ((req as unknown as Record<symbol, MultipartPart[]>)[PARTS] ??= []);
    const kept: MultipartPart = {
      name: String(part.name ?? ''),
      filename: part.filename || undefined,
      contentType: String(part.mime ?? 'application/octet-stream'),
      data: Buffer.alloc(0),
    };
    parts.push(kept);
    const chunks: Buffer[] = [];
    let size = 0;
    part.on('data', (chunk: Buffer) => {
      // The declared length already bounds the whole body; this only guards a lying client.
      if (size + chunk.length > maxBytes) return;
      size += chunk.length;
      chunks.push(chunk);
      kept.data = Buffer.concat(chunks);
    });
  };
  return {
    limit(req, res, next) {
      if (!/^multipart\//i.test(req.headers['content-type'] ?? '')) return next();
      const length = Number(req.headers['content-length']);
      if (!Number.isFinite(length) || length > maxBytes) {
        res.send(413, { error: { code: 'PayloadTooLarge', message: `multipart bodies must declare a length of at most ${maxBytes} bytes` } });
        return next(false);
      }
      return next();
    },
    // restify's types declare these without arguments; formidable calls them with the part and the request.
    handlers: { multipartHandler: collect as unknown as () => void, multipartFileHandler: collect as unknown as () => void },
  };
}

/** The parts of a multipart request, as the body parser kept them (empty for any other request). */
export function multipartParts(req: Request): MultipartPart[] {
  return (req as unknown as Record<symbol, MultipartPart[] | undefined>)[PARTS] ?? [];
}
