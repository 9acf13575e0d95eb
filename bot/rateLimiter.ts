import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { systemClock } from '../retention/clock';

/** How many requests a client may make, refilled evenly over a window. */
export interface RateLimit {
  /** Requests allowed per window, and the most a client may make at once after being idle. */
  limit: number;
  windowMs: number;
}

/** The answer to one request: allowed, or refused with the seconds until the next one would be. */
export type RateDecision = { ok: true } | { ok: false; retryAfterS: number };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Per-client limits kept in memory (per instance: behind a load balancer each instance allows the limit). A token
 * bucket per key: a full bucket after `windowMs` of rest, one request back every `windowMs / limit`, so a client
 * refused waits seconds, not the rest of a minute. At most `maxKeys` clients are kept: idle ones are dropped as new
 * ones come, and past the cap the least recently seen one is forgotten (it gets a full bucket if it comes back).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perTokenMs: number;

  constructor(
    private readonly rule: RateLimit,
    private readonly maxKeys = 50_000,
    private readonly now: () => number = systemClock,
  ) {
    if (!(rule.limit >= 1 && rule.windowMs > 0 && maxKeys >= 1)) throw new Error('a rate limit needs limit >= 1, windowMs > 0 and maxKeys >= 1');
    this.perTokenMs = rule.windowMs / rule.limit;
  }

  /** Counts one request of `key`, when it is allowed. */
  take(key: string): RateDecision {
    const now = this.now();
    const found = this.buckets.get(key);
    const bucket = found ? this.refill(found, now) : { tokens: this.rule.limit, at: now };
    // Re-inserted on every use: the map's order is then least recently seen first.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    this.forgetIdle(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterS: Math.max(1, Math.ceil(((1 - bucket.tokens) * this.perTokenMs) / 1000)) };
  }

  /** Gives back a request taken from `key` that turned out not to count (a successful sign-in, say). */
  refund(key: string): void {
    const bucket = this.buckets.get(key);
    if (bucket) bucket.tokens = Math.min(this.rule.limit, bucket.tokens + 1);
  }

  /** Clients kept now (tests check the bound). */
  size(): number {
    return this.buckets.size;
  }

  private refill(bucket: Bucket, now: number): Bucket {
    const tokens = Math.min(this.rule.limit, bucket.tokens + Math.max(0, now - bucket.at) / this.perTokenMs);
    return { tokens, at: now };
  }

  /** Drops a few of the least recently seen clients if their bucket is full again, and any past the cap. */
  private forgetIdle(now: number): void {
    for (let i = 0; i < 2; i++) {
      const oldest = this.buckets.entries().next().value as [string, Bucket] | undefined;
      if (!oldest || now - oldest[1].at < this.rule.windowMs) break;
      this.buckets.delete(oldest[0]);
    }
    while (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
  }
}

/**
 * The address of the client that made a request. With `trustProxy` (TRUST_PROXY: one proxy in front, which the
 * console already believes about HTTPS) it is the last address of X-Forwarded-For, the one that proxy appended for the
 * peer it saw; the addresses before it are whatever the client sent and are never believed. Otherwise, or when the
 * header has no address, it is the peer of the connection.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const header = req.headers['x-forwarded-for'];
    const last = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').pop()?.trim() ?? '';
    if (isIP(last)) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}
