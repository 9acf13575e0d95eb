import type { Logger } from 'pino';
import type { WeChatRepository } from '../../../data/repositories/wechatRepository';
import { systemClock } from '../../../retention/clock';

/** Error codes of WeChat's API that this client acts on. */
export const WECHAT_ERRORS = {
  /** The access token is not valid (anymore): another fetch replaced it, or it was revoked. */
  invalidToken: 40001,
  /** The access token expired. */
  expiredToken: 42001,
  /** Outside the 48-hour window after the follower's last message. */
  outsideWindow: 45015,
  /** Too many customer-service messages since the follower's last message. */
  overQuota: 45047,
} as const;

/** WeChat answered with an error code. */
export class WeChatApiError extends Error {
  constructor(
    readonly errcode: number,
    message: string,
  ) {
    super(message);
    this.name = 'WeChatApiError';
  }
}

/** The customer-service window is closed (locally known, or WeChat said 45015 / 45047): the message cannot go. */
export class WeChatWindowClosedError extends Error {
  constructor(readonly reason: 'window_closed' | 'window_quota') {
    super(
      reason === 'window_closed'
        ? 'WeChat allows customer-service messages only within 48 hours of the follower’s last message'
        : 'WeChat’s limit of customer-service messages since the follower’s last message is reached',
    );
    this.name = 'WeChatWindowClosedError';
  }
}

/** What the client needs. */
export interface WeChatApiOptions {
  apiBase: string;
  appId: string;
  appSecret: string;
  /** Every call to WeChat is given up after this long. */
  timeoutMs: number;
  repo: WeChatRepository;
  logger: Logger;
  now?: () => number;
}

/** A token is refreshed this long before WeChat says it expires (and at the latest half-way through its life). */
const REFRESH_MARGIN_S = 300;

/**
 * The parts of WeChat's server API the gateway uses: the access token (`GET /cgi-bin/token`) and customer-service text
 * messages (`POST /cgi-bin/message/custom/send`). The token is kept in the database, so all instances use the same one
 * (each fetch invalidates the previous token within minutes), and in memory; one fetch at a time per instance; an
 * answer of 40001 or 42001 fetches a new one once and sends again.
 */
export class WeChatApi {
  private cached?: { token: string; expiresAt: number };
  private fetching?: Promise<string>;
  private readonly base: string;
  private readonly now: () => number;

  constructor(private readonly options: WeChatApiOptions) {
    this.base = options.apiBase.replace(/\/+$/, '');
    this.now = options.now ?? systemClock;
  }

  /** A valid access token; `stale` names one WeChat just refused, which is then not used again. */
  async accessToken(stale?: string): Promise<string> {
    const t = this.now();
    const usable = (c: { token: string; expiresAt: number } | undefined) => c !== undefined && c.token !== stale && c.expiresAt > t;
    if (usable(this.cached)) return this.cached!.token;
    const stored = await this.options.repo.findAccessToken(this.options.appId);
    // A fetch of this instance may have finished while the database was read: its token is the newest.
    if (usable(this.cached)) return this.cached!.token;
    if (usable(stored)) {
      this.cached = stored;
      return stored!.token;
    }
    if (!this.fetching) {
      this.fetching = this.fetchToken().finally(() => {
        this.fetching = undefined;
      });
    }
    return this.fetching;
  }

  /** Sends a text message to a follower through the customer-service API. */
  async sendText(openid: string, content: string): Promise<void> {
    const payload = JSON.stringify({ touser: openid, msgtype: 'text', text: { content } });
    let token = await this.accessToken();
    for (let attempt = 0; ; attempt++) {
      const answer = await this.call(`/cgi-bin/message/custom/send?access_token=${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
      });
      const errcode = Number(answer.errcode ?? 0);
      if (errcode === 0) return;
      if ((errcode === WECHAT_ERRORS.invalidToken || errcode === WECHAT_ERRORS.expiredToken) && attempt === 0) {
        this.options.logger.info({ event: 'wechat.token_refused', errcode });
        token = await this.accessToken(token);
        continue;
      }
      if (errcode === WECHAT_ERRORS.outsideWindow) throw new WeChatWindowClosedError('window_closed');
      if (errcode === WECHAT_ERRORS.overQuota) throw new WeChatWindowClosedError('window_quota');
      throw new WeChatApiError(errcode, `WeChat refused the message: ${errcode} ${String(answer.errmsg ?? '')}`.trim());
    }
  }

  private async fetchToken(): Promise<string> {
    const { appId, appSecret } = this.options;
    const answer = await this.call(`/cgi-bin/token?grant_type=client_credential&appid=${encodeURIComponent(appId)}&secret=${encodeURIComponent(appSecret)}`, {
      method: 'GET',
    });
    const token = answer.access_token;
    const expiresIn = Number(answer.expires_in);
    if (typeof token !== 'string' || !token || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      const errcode = Number(answer.errcode ?? -1);
      this.options.logger.error({ event: 'wechat.token_failed', errcode });
      throw new WeChatApiError(errcode, `WeChat gave no access token: ${errcode}`);
    }
    const t = this.now();
    const lifeS = Math.max(expiresIn / 2, expiresIn - REFRESH_MARGIN_S);
    const fresh = { token, expiresAt: t + Math.floor(lifeS * 1000) };
    this.cached = fresh;
    await this.options.repo.saveAccessToken(appId, fresh, t);
    this.options.logger.info({ event: 'wechat.token_fetched', expiresInS: expiresIn });
    return token;
  }

  /** One call to WeChat with a timeout; its JSON answer, whatever the HTTP status (WeChat answers errors with 200). */
  private async call(pathAndQuery: string, init: RequestInit): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.base}${pathAndQuery}`, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs) });
    const body = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new WeChatApiError(-1, `WeChat answered ${res.status} without JSON`);
    }
    if (!parsed || typeof parsed !== 'object') throw new WeChatApiError(-1, `WeChat answered ${res.status} without an object`);
    return parsed as Record<string, unknown>;
  }
}
