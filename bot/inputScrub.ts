import type { Next, Request, Response } from 'restify';

/** Deeper than this, a request body is not anything a client of this service sends. */
export const MAX_BODY_DEPTH = 32;

/** Control characters a database text column refuses (PostgreSQL: NUL) or a log line should never carry. */
const UNSAFE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const HAS_UNSAFE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** The text without NUL and the other C0 controls (tabs and line breaks stay). */
export function cleanText(text: string): string {
  return text.replace(UNSAFE_CONTROL, '');
}

/**
 * Tidies a parsed body in place: control characters leave every string (a NUL in a customer's message or a sign-in
 * name made PostgreSQL refuse the row, and the error surfaced as a 500), and nesting deeper than `maxDepth` is refused.
 * Walks without recursion, so a 100,000-deep body cannot overflow the stack. Returns false when too deep.
 */
export function scrubValue(root: unknown, maxDepth = MAX_BODY_DEPTH): { ok: boolean; value: unknown } {
  if (typeof root === 'string') return { ok: true, value: cleanText(root) };
  if (!root || typeof root !== 'object') return { ok: true, value: root };
  const stack: Array<{ node: Record<string, unknown> | unknown[]; depth: number }> = [{ node: root as Record<string, unknown>, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (depth > maxDepth) return { ok: false, value: root };
    const keys = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    for (const k of keys) {
      const v = (node as Record<string | number, unknown>)[k];
      if (typeof v === 'string') {
        if (HAS_UNSAFE_CONTROL.test(v)) (node as Record<string | number, unknown>)[k] = cleanText(v);
      } else if (v && typeof v === 'object') {
        stack.push({ node: v as Record<string, unknown>, depth: depth + 1 });
      }
      if (typeof k === 'string' && HAS_UNSAFE_CONTROL.test(k)) {
        const clean = cleanText(k);
        (node as Record<string, unknown>)[clean] = (node as Record<string, unknown>)[k];
        delete (node as Record<string, unknown>)[k];
      }
    }
  }
  return { ok: true, value: root };
}

/** After the body parser: every body of the service, scrubbed; too deep a body is a 400. */
export function scrubRequest(req: Request, res: Response, next: Next): void {
  const body = scrubValue((req as { body?: unknown }).body);
  if (!body.ok) {
    res.send(400, { error: { code: 'BadRequest', message: `the body may nest at most ${MAX_BODY_DEPTH} levels` } });
    return next(false);
  }
  (req as { body?: unknown }).body = body.value;
  // Queries are left as sent: each route checks its parameters against what it allows, and says what was wrong.
  return next();
}
