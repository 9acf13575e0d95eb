import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomUUID } from 'node:crypto';
import type { Middleware, TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { TurnLockRepository } from '../../data/repositories/turnLockRepository';
import { errorSummary } from './transcriptMiddleware';

/** How turns of one conversation are kept one at a time. */
export interface TurnSerializerOptions {
  /** Leases shared by the instances (PostgreSQL); absent on SQLite, which one process serves. */
  leases?: TurnLockRepository;
  logger: Logger;
  /** Turns of one conversation that may wait behind the running one; more are answered "busy". */
  maxWaiting: number;
  /** How long a turn waits for its conversation before it is answered "busy". */
  maxWaitMs: number;
  /** A lease lapses this long after its last renewal (an instance killed mid-turn frees its conversations then). */
  leaseMs: number;
  /** Tells the customer that their message could not be taken now; sent without the rest of the pipeline. */
  busy(context: TurnContext): Promise<void>;
}

/** The conversations whose turn the current async context is running (a proactive send inside a turn re-enters). */
const held = new AsyncLocalStorage<ReadonlySet<string>>();

/** One conversation's turns on this instance: the running one, and those waiting behind it, in order. */
interface Lane {
  running: { fingerprint: string | null } | undefined;
  waiting: Array<{ fingerprint: string | null; admit: () => void }>;
}

/**
 * Runs the turns of one conversation one at a time, on this instance (a queue per conversation) and across instances
 * (a lease per conversation in the database, on PostgreSQL). Concurrent turns of a conversation used to race: a
 * double click filed two complaints, fifty posts of the same answer up to fifty, and counters in conversation state
 * lost updates. A message identical to one already running or waiting for this conversation (a double click, a
 * client's retry) is dropped: it would only repeat what is under way. The outermost middleware, so state is read and
 * written inside the turn's lock.
 */
export class TurnSerializer implements Middleware {
  private readonly lanes = new Map<string, Lane>();
  /** This instance, as the owner of leases. */
  private readonly owner = randomUUID();

  constructor(private readonly options: TurnSerializerOptions) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const { channelId, conversation } = context.activity;
    if (!channelId || !conversation?.id) return next();
    const key = `${channelId}:${conversation.id}`;
    const mine = held.getStore();
    if (mine?.has(key)) return next();
    const fingerprint = fingerprintOf(context);

    const lane = this.lanes.get(key) ?? { running: undefined, waiting: [] };
    this.lanes.set(key, lane);
    if (fingerprint && (lane.running?.fingerprint === fingerprint || lane.waiting.some((w) => w.fingerprint === fingerprint))) {
      this.options.logger.info({ event: 'turn.repeat_dropped', channelId, conversationId: conversation.id, where: 'instance' });
      return;
    }
    if (lane.running) {
      if (lane.waiting.length >= this.options.maxWaiting) return this.refuse(context, key, 'queue_full');
      const admitted = await this.wait(lane, fingerprint);
      if (!admitted) return this.refuse(context, key, 'waited_too_long');
    }
    lane.running = { fingerprint };
    try {
      const lease = this.options.leases ? await this.takeLease(key, fingerprint) : 'none';
      if (lease === 'repeat') {
        this.options.logger.info({ event: 'turn.repeat_dropped', channelId, conversationId: conversation.id, where: 'cluster' });
        return;
      }
      if (lease === 'busy') return await this.refuse(context, key, 'lease_busy');
      const renew = lease === 'taken' ? this.keepRenewing(key) : undefined;
      try {
        await held.run(new Set([...(mine ?? []), key]), next);
      } finally {
        if (renew) clearInterval(renew);
        if (lease === 'taken')
          await this.options
            .leases!.release(key, this.owner)
            .catch((err) => this.options.logger.warn({ event: 'turn.lease_release_failed', err: errorSummary(err) }));
      }
    } finally {
      this.leave(key, lane);
    }
  }

  /** Waits to be admitted; false when it waited longer than allowed (then it is out of the queue). */
  private wait(lane: Lane, fingerprint: string | null): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const entry = {
        fingerprint,
        admit: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        lane.waiting.splice(lane.waiting.indexOf(entry), 1);
        resolve(false);
      }, this.options.maxWaitMs);
      timer.unref();
      lane.waiting.push(entry);
    });
  }

  private leave(key: string, lane: Lane): void {
    lane.running = undefined;
    const nextTurn = lane.waiting.shift();
    if (nextTurn) nextTurn.admit();
    else if (this.lanes.get(key) === lane) this.lanes.delete(key);
  }

  /** Takes the conversation's lease, waiting (with growing pauses) while another instance's turn holds it. */
  private async takeLease(key: string, fingerprint: string | null): Promise<'taken' | 'repeat' | 'busy'> {
    const leases = this.options.leases!;
    const deadline = performance.now() + this.options.maxWaitMs;
    for (let attempt = 0; ; attempt++) {
      const found = await leases.tryTake(key, this.owner, fingerprint, this.options.leaseMs);
      if (found.taken) return 'taken';
      if (fingerprint && found.holderFingerprint === fingerprint) return 'repeat';
      if (performance.now() > deadline) return 'busy';
      const pause = Math.min(5 * 2 ** attempt, 100) * (0.5 + Math.random());
      await new Promise((r) => setTimeout(r, pause));
    }
  }

  private keepRenewing(key: string): NodeJS.Timeout {
    const timer = setInterval(
      () => {
        this.options.leases!.renew(key, this.owner, this.options.leaseMs).then(
          (kept) => {
            if (!kept) this.options.logger.warn({ event: 'turn.lease_lost', key });
          },
          (err) => this.options.logger.warn({ event: 'turn.lease_renew_failed', err: errorSummary(err) }),
        );
      },
      Math.max(50, Math.floor(this.options.leaseMs / 3)),
    );
    timer.unref();
    return timer;
  }

  private async refuse(context: TurnContext, key: string, reason: string): Promise<void> {
    this.options.logger.warn({ event: 'turn.busy', key, reason });
    await this.options.busy(context);
  }
}

/**
 * What makes two messages the same customer action: who sent it, its text, its card value and its attachments. Only
 * messages have one; events and proactive turns are never dropped as repeats.
 */
function fingerprintOf(context: TurnContext): string | null {
  const a = context.activity;
  if (a.type !== 'message') return null;
  const attachments = (a.attachments ?? []).map((x) => `${x?.contentType ?? ''}|${x?.name ?? ''}`);
  const body = JSON.stringify([a.from?.id ?? '', (a.text ?? '').trim(), a.value ?? null, attachments]);
  return createHash('sha256').update(body).digest('base64url').slice(0, 32);
}
