import http from 'node:http';

/** What the server answered to a raw request; `reset` when the connection dropped before a full answer. */
export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  reset?: boolean;
}

/**
 * Sends a request exactly as given (headers, bytes, even ones `fetch` would refuse to send) and reads the answer.
 * A connection the server drops counts as an answer with status 0 and `reset`.
 */
export function rawRequest(
  baseUrl: string,
  options: { method?: string; path: string; headers?: Record<string, string | number>; body?: Buffer | string; timeoutMs?: number },
): Promise<RawAnswer> {
  const url = new URL(options.path, baseUrl);
  return new Promise((resolve) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: options.method ?? 'POST', headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), reset: true }));
      },
    );
    req.setTimeout(options.timeoutMs ?? 15_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, headers: {}, body: '', reset: true }));
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}
