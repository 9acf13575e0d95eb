import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { DEFAULT_DEADLINE_POLICY, type DeadlinePolicy } from '../retention/complaints';
import { SUPPORTED_LOCALES, type Locale } from '../retention/locale';
import { DEFAULT_TIER_THRESHOLDS, type TierThresholdsByIndustry, validateTierThresholds } from '../retention/tiers';
import { INDUSTRIES, TIERS, type Tier } from '../retention/types';
import { parseWorkingHours, type WorkingHours } from '../retention/workingHours';
import { projectRoot } from './paths';

/** Typed, frozen configuration: the only place that reads `process.env`. */
export interface Config {
  readonly env: 'development' | 'test' | 'production';
  readonly port: number;
  readonly host: string;
  readonly logLevel: string;
  readonly database: DatabaseConfig;
  /** Fill an empty database with the demo customers and staff on start. */
  readonly seedDemo: boolean;
  readonly bot: BotAuthConfig;
  readonly defaultLocale: Locale;
  readonly limits: LimitsConfig;
  readonly nlu: NluConfig;
  /** How long SIGTERM waits for turns in flight before closing anyway. */
  readonly shutdownGraceMs: number;
  readonly sms: SmsConfig;
  /** Key for hashing one-time codes and mobile numbers (HMAC); generated per process outside production. */
  readonly otpSecret: string;
  /** Whether `otpSecret` was generated because OTP_SECRET was not set. */
  readonly otpSecretGenerated: boolean;
  readonly service: ServiceConfig;
  readonly handoff: HandoffConfig;
  readonly complaints: { readonly deadlines: DeadlinePolicy };
  /** Tier thresholds per industry profile, in minor units (configured in yuan). */
  readonly tierThresholds: TierThresholdsByIndustry;
  readonly riskModel: RiskModelConfig;
  readonly directLine: DirectLineConfig;
  /** Believe a proxy in front about HTTPS (X-Forwarded-Proto): the staff console then marks its cookie Secure. */
  readonly trustProxy: boolean;
  /** The WeChat Official Account; absent when WECHAT_TOKEN is not set (the /wechat endpoint then answers 404). */
  readonly wechat?: WeChatConfig;
}

/** The churn model learned from the operator's snapshots (README, Churn risk learned from history). */
export interface RiskModelConfig {
  /** A model is activated only when its training data has at least this many customers who left; else the rule score serves. */
  readonly minChurners: number;
  /** The high band catches this share of churners on validation (0–1). */
  readonly highBandRecall: number;
  /** The medium band, with the high one, catches this share (0–1). */
  readonly mediumBandRecall: number;
  /** Columns never used as features (sensitive attributes), compared without case or punctuation. */
  readonly excludedColumns: readonly string[];
  /** When every customer is rescored each night ('HH:MM' in the service time zone); undefined: never. */
  readonly nightlyAt?: string;
}

/** The self-hosted Direct Line endpoint that Web Chat talks to. */
export interface DirectLineConfig {
  /** The secret that exchanges for conversation tokens; generated per process outside production. */
  readonly secret: string;
  readonly secretGenerated: boolean;
  /** How long a conversation token lives before it must be refreshed. */
  readonly tokenTtlS: number;
  /** Days a conversation is kept after its last activity; past that nobody can reach it and it is deleted. */
  readonly keepDays: number;
  /** Key for the signed customer tokens a bank's own site passes to an embedded chat (HMAC); none: not accepted. */
  readonly customerTokenSecret?: string;
  /** Who may show the /chat page in a frame: the CSP frame-ancestors sources (`'self'` by default). */
  readonly frameAncestors: string;
}

/** The WeChat Official Account the /wechat callback serves. */
export interface WeChatConfig {
  readonly token: string;
  readonly appId: string;
  readonly appSecret: string;
  /** EncodingAESKey (43 characters): safe mode when set. */
  readonly aesKey?: string;
  /** WeChat's API base, configurable so tests use a local fake. */
  readonly apiBase: string;
  /** Oldest accepted age of a request's timestamp, in seconds; 0 turns the check off. */
  readonly maxSkewS: number;
}

/** When and where the service's people work. */
export interface ServiceConfig {
  /** IANA time zone of working hours, reference-number days and times shown to staff. */
  readonly timeZone: string;
  /** When agents take conversations ("08:00-22:00", or per weekday). */
  readonly workingHours: WorkingHours;
  /** The working-hours setting as written, for telling customers. */
  readonly workingHoursSpec: string;
}

/** How conversations reach people. */
export interface HandoffConfig {
  readonly mode: 'internal' | 'external';
  readonly agentCapacity: number;
  readonly averageHandleMinutes: number;
  /** A promised call back is made within this many hours of the next opening. */
  readonly callbackWithinHours: number;
  /** How often deadlines are checked; 0 turns the check off. */
  readonly deadlineCheckMs: number;
  /** How long a proactive message (an agent's reply) may take before it counts as not delivered. */
  readonly deliveryTimeoutMs: number;
}

/** How text messages (one-time codes) are sent. */
export interface SmsConfig {
  /** The HTTP gateway; without it, development keeps messages in the development outbox. */
  readonly gatewayUrl?: string;
  readonly gatewayToken?: string;
  readonly timeoutMs: number;
}

export type DatabaseConfig =
  { readonly client: 'sqlite'; readonly filename: string } | { readonly client: 'pg'; readonly url: string; readonly poolMax: number };

export interface BotAuthConfig {
  readonly MicrosoftAppId: string;
  readonly MicrosoftAppPassword: string;
  readonly MicrosoftAppType: string;
  readonly MicrosoftAppTenantId: string;
}

export interface LimitsConfig {
  /** Largest request body accepted on any endpoint. */
  readonly maxBodyBytes: number;
  /** A request body must have arrived this long after its headers (else 408). */
  readonly bodyTimeoutMs: number;
  /** Longest customer message the bot reads; longer ones are answered with a request to shorten. */
  readonly maxMessageChars: number;
  /** Turns of one conversation that may wait behind the running one; more are answered "busy". */
  readonly turnMaxWaiting: number;
  /** How long a turn waits for its conversation's earlier turn before it is answered "busy". */
  readonly turnMaxWaitMs: number;
  /** A conversation's lease (PostgreSQL, several instances) lapses this long after an instance stopped renewing it. */
  readonly turnLeaseMs: number;
}

export interface NluConfig {
  /** Scores below this are treated as "not understood". */
  readonly threshold: number;
  readonly clu?: CluConfig;
}

export interface CluConfig {
  readonly endpoint: string;
  readonly key: string;
  readonly project: string;
  readonly deployment: string;
  /** Past this the local recognizer answers instead. */
  readonly timeoutMs: number;
  /** CLU scores below this fall back to the local recognizer. */
  readonly threshold: number;
}

/** A configuration value that cannot be used; the message names the variable. */
export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

/** Parses the environment once into a frozen `Config`, with the documented defaults. */
export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'test', 'production'] as const, 'development');
  const databaseUrl = str(env, 'DATABASE_URL', '');
  const database: DatabaseConfig = databaseUrl
    ? { client: 'pg', url: databaseUrl, poolMax: int(env, 'DATABASE_POOL_MAX', 10, 1, 200) }
    : { client: 'sqlite', filename: path.resolve(projectRoot, str(env, 'SQLITE_FILE', 'var/retention.sqlite3')) };
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// (leave it unset for the embedded SQLite database)');
  }

  const cluKeys = ['CLU_ENDPOINT', 'CLU_KEY', 'CLU_PROJECT', 'CLU_DEPLOYMENT'] as const;
  const cluSet = cluKeys.filter((k) => str(env, k, '') !== '');
  if (cluSet.length > 0 && cluSet.length < cluKeys.length) {
    throw new ConfigError(`CLU needs all of ${cluKeys.join(', ')}; missing: ${cluKeys.filter((k) => !cluSet.includes(k)).join(', ')}`);
  }
  const clu: CluConfig | undefined =
    cluSet.length === cluKeys.length
      ? {
          endpoint: str(env, 'CLU_ENDPOINT', ''),
          key: str(env, 'CLU_KEY', ''),
          project: str(env, 'CLU_PROJECT', ''),
          deployment: str(env, 'CLU_DEPLOYMENT', ''),
          timeoutMs: int(env, 'CLU_TIMEOUT_MS', 700, 50, 10_000),
          threshold: num(env, 'CLU_THRESHOLD', 0.6, 0, 1),
        }
      : undefined;

  const config: Config = {
    env: nodeEnv,
    port: int(env, 'PORT', 3978, 0, 65535),
    host: str(env, 'HOST', '127.0.0.1'),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, nodeEnv === 'test' ? 'silent' : 'info'),
    database,
    seedDemo: bool(env, 'SEED_DEMO', nodeEnv !== 'production'),
    bot: {
      MicrosoftAppId: str(env, 'MicrosoftAppId', ''),
      MicrosoftAppPassword: str(env, 'MicrosoftAppPassword', ''),
      MicrosoftAppType: str(env, 'MicrosoftAppType', 'MultiTenant'),
      MicrosoftAppTenantId: str(env, 'MicrosoftAppTenantId', ''),
    },
    defaultLocale: oneOf(env, 'DEFAULT_LOCALE', SUPPORTED_LOCALES, 'zh-CN'),
    limits: {
      maxBodyBytes: int(env, 'MAX_BODY_BYTES', 256 * 1024, 1024, 16 * 1024 * 1024),
      bodyTimeoutMs: int(env, 'BODY_TIMEOUT_MS', 15_000, 100, 300_000),
      maxMessageChars: int(env, 'MAX_MESSAGE_CHARS', 4000, 100, 100_000),
      turnMaxWaiting: int(env, 'TURN_MAX_WAITING', 20, 1, 1000),
      turnMaxWaitMs: int(env, 'TURN_MAX_WAIT_MS', 20_000, 100, 120_000),
      turnLeaseMs: int(env, 'TURN_LEASE_MS', 15_000, 1000, 300_000),
    },
    nlu: { threshold: num(env, 'NLU_THRESHOLD', 0.6, 0, 1), clu },
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 120_000),
    sms: {
      gatewayUrl: httpUrl(env, 'SMS_GATEWAY_URL'),
      gatewayToken: str(env, 'SMS_GATEWAY_TOKEN', '') || undefined,
      timeoutMs: int(env, 'SMS_TIMEOUT_MS', 5000, 100, 60_000),
    },
    otpSecret: str(env, 'OTP_SECRET', '') || randomBytes(32).toString('base64'),
    otpSecretGenerated: str(env, 'OTP_SECRET', '') === '',
    service: {
      timeZone: timeZone(env, 'SERVICE_TIME_ZONE', 'Asia/Shanghai'),
      workingHours: workingHours(env, 'WORKING_HOURS', '08:00-22:00'),
      workingHoursSpec: str(env, 'WORKING_HOURS', '08:00-22:00'),
    },
    handoff: {
      mode: oneOf(env, 'HANDOFF_MODE', ['internal', 'external'] as const, 'internal'),
      agentCapacity: int(env, 'AGENT_CAPACITY', 3, 1, 50),
      averageHandleMinutes: int(env, 'AVERAGE_HANDLE_MINUTES', 6, 1, 240),
      callbackWithinHours: int(env, 'CALLBACK_WITHIN_HOURS', 2, 1, 72),
      deadlineCheckMs: int(env, 'DEADLINE_CHECK_INTERVAL_S', 60, 0, 86_400) * 1000,
      deliveryTimeoutMs: int(env, 'PROACTIVE_TIMEOUT_MS', 10_000, 100, 120_000),
    },
    complaints: {
      deadlines: {
        firstContactHours: tierNumbers(env, 'COMPLAINT_FIRST_CONTACT_HOURS', DEFAULT_DEADLINE_POLICY.firstContactHours, 1, 24 * 15),
        criticalFirstContactHours: int(env, 'COMPLAINT_CRITICAL_FIRST_CONTACT_HOURS', DEFAULT_DEADLINE_POLICY.criticalFirstContactHours, 1, 24 * 15),
        resolutionDays: tierNumbers(env, 'COMPLAINT_RESOLUTION_DAYS', DEFAULT_DEADLINE_POLICY.resolutionDays, 1, 15),
        capDays: DEFAULT_DEADLINE_POLICY.capDays,
      },
    },
    tierThresholds: tierThresholds(env),
    riskModel: riskModel(env),
    directLine: {
      secret: str(env, 'DIRECT_LINE_SECRET', '') || randomBytes(24).toString('base64url'),
      secretGenerated: str(env, 'DIRECT_LINE_SECRET', '') === '',
      // Web Chat refreshes its token every 15 minutes: a shorter life would cut conversations off.
      tokenTtlS: int(env, 'DIRECT_LINE_TOKEN_TTL_S', 1800, 1200, 86_400),
      keepDays: int(env, 'DIRECT_LINE_KEEP_DAYS', 7, 1, 365),
      customerTokenSecret: str(env, 'CUSTOMER_TOKEN_SECRET', '') || undefined,
      frameAncestors: frameAncestors(env, 'CHAT_FRAME_ANCESTORS'),
    },
    wechat: wechat(env),
    trustProxy: bool(env, 'TRUST_PROXY', false),
  };
  if (config.env === 'production' && config.directLine.secretGenerated) {
    throw new ConfigError('DIRECT_LINE_SECRET is required in production (the same on every instance): Web Chat pages exchange it for conversation tokens');
  }
  if (config.env === 'production' && !config.sms.gatewayUrl) {
    throw new ConfigError(
      'SMS_GATEWAY_URL is required in production: one-time codes for identity verification are sent through it (the development outbox is never used in production)',
    );
  }
  if (config.env === 'production' && config.wechat && config.wechat.maxSkewS === 0) {
    throw new ConfigError('WECHAT_MAX_SKEW_S=0 (no bound on callback timestamps) is not allowed in production: captured callbacks could be replayed for ever');
  }
  if (config.env === 'production' && config.otpSecretGenerated) {
    throw new ConfigError('OTP_SECRET is required in production (at least 32 characters, the same on every instance): it keys the hashes of one-time codes');
  }
  if (!config.otpSecretGenerated && config.otpSecret.length < 32) throw new ConfigError('OTP_SECRET must be at least 32 characters');
  // Anyone can obtain something these keys signed (a conversation token from /chat/token, a customer token from the
  // bank's site): a short key could be found offline and tokens forged for any conversation or customer.
  if (!config.directLine.secretGenerated && config.directLine.secret.length < 32) throw new ConfigError('DIRECT_LINE_SECRET must be at least 32 characters');
  if (config.directLine.customerTokenSecret !== undefined && config.directLine.customerTokenSecret.length < 32) {
    throw new ConfigError('CUSTOMER_TOKEN_SECRET must be at least 32 characters');
  }
  if (config.env === 'production' && !config.bot.MicrosoftAppId && !bool(env, 'ALLOW_ANONYMOUS_MESSAGES', false)) {
    // Who a customer is (the binding, the 15-minute verification) is read from the activity's sender: without
    // authentication anyone could post as any customer's channel user.
    throw new ConfigError(
      'MicrosoftAppId is required in production: without it /api/messages accepts anyone posting as any customer. ' +
        'Set ALLOW_ANONYMOUS_MESSAGES=true only when a gateway in front authenticates the callers.',
    );
  }
  if (config.env === 'production' && config.bot.MicrosoftAppId && !config.bot.MicrosoftAppPassword && config.bot.MicrosoftAppType !== 'UserAssignedMSI') {
    throw new ConfigError('MicrosoftAppPassword is required in production when MicrosoftAppId is set');
  }
  return deepFreeze(config);
}

function str(env: Env, key: string, fallback: string): string {
  const v = env[key];
  return v === undefined || v.trim() === '' ? fallback : v.trim();
}

function timeZone(env: Env, key: string, fallback: string): string {
  const raw = str(env, key, fallback);
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: raw });
  } catch {
    throw new ConfigError(`${key} must be an IANA time zone such as Asia/Shanghai, got "${raw}"`);
  }
  return raw;
}

function workingHours(env: Env, key: string, fallback: string): WorkingHours {
  const raw = str(env, key, fallback);
  try {
    return parseWorkingHours(raw);
  } catch (err) {
    throw new ConfigError(`${key}: ${(err as Error).message}`);
  }
}

/** Per-tier numbers as `vip=2,gold=2,silver=24,regular=24`; tiers left out keep their default. */
function tierNumbers(env: Env, key: string, defaults: Readonly<Record<Tier, number>>, min: number, max: number): Readonly<Record<Tier, number>> {
  const raw = str(env, key, '');
  const out: Record<Tier, number> = { ...defaults };
  if (raw === '') return out;
  for (const part of raw.split(',')) {
    const [tier, value] = part.split('=').map((p) => p.trim());
    const n = Number(value);
    if (!(TIERS as readonly string[]).includes(tier) || !Number.isInteger(n) || n < min || n > max) {
      throw new ConfigError(`${key} must look like vip=2,gold=2,silver=24,regular=24 (whole numbers from ${min} to ${max}), got "${raw}"`);
    }
    out[tier as Tier] = n;
  }
  return out;
}

/** `TIER_THRESHOLDS_BANK=vip=1000000,gold=200000,silver=50000` (yuan) and the same for TELECOM and INSURANCE. */
function tierThresholds(env: Env): TierThresholdsByIndustry {
  const out: Record<string, { vip: number; gold: number; silver: number }> = {};
  for (const industry of INDUSTRIES) {
    const key = `TIER_THRESHOLDS_${industry.toUpperCase()}`;
    const raw = str(env, key, '');
    const t = { ...DEFAULT_TIER_THRESHOLDS[industry] };
    if (raw !== '') {
      for (const part of raw.split(',')) {
        const [tier, value] = part.split('=').map((p) => p.trim());
        const yuan = Number(value);
        if (!['vip', 'gold', 'silver'].includes(tier) || !Number.isFinite(yuan) || yuan <= 0) {
          throw new ConfigError(`${key} must look like vip=1000000,gold=200000,silver=50000 (yuan), got "${raw}"`);
        }
        t[tier as 'vip' | 'gold' | 'silver'] = Math.round(yuan * 100);
      }
    }
    out[industry] = t;
  }
  try {
    return validateTierThresholds(out as unknown as TierThresholdsByIndustry);
  } catch (err) {
    throw new ConfigError(`TIER_THRESHOLDS_*: ${(err as Error).message}`);
  }
}

/** RISK_MODEL_* and RISK_NIGHTLY_AT. */
function riskModel(env: Env): RiskModelConfig {
  const high = int(env, 'RISK_HIGH_BAND_RECALL', 70, 10, 99);
  const medium = int(env, 'RISK_MEDIUM_BAND_RECALL', 90, 10, 99);
  if (medium < high)
    throw new ConfigError(`RISK_MEDIUM_BAND_RECALL (${medium}) must be at least RISK_HIGH_BAND_RECALL (${high}): the medium band includes the high one`);
  const nightly = str(env, 'RISK_NIGHTLY_AT', '02:30');
  if (nightly !== 'off' && !/^([01]\d|2[0-3]):[0-5]\d$/.test(nightly)) throw new ConfigError(`RISK_NIGHTLY_AT must be a time HH:MM or off, got "${nightly}"`);
  return {
    minChurners: int(env, 'RISK_MODEL_MIN_CHURNERS', 200, 1, 10_000_000),
    highBandRecall: high / 100,
    mediumBandRecall: medium / 100,
    excludedColumns: str(env, 'RISK_MODEL_EXCLUDED_COLUMNS', 'gender,sex,性别')
      .split(',')
      .map((c) => c.trim())
      .filter((c) => c !== '' && c !== '-'),
    nightlyAt: nightly === 'off' ? undefined : nightly,
  };
}

/** The WeChat settings: all of token, app id and app secret, or none. */
function wechat(env: Env): WeChatConfig | undefined {
  const keys = ['WECHAT_TOKEN', 'WECHAT_APP_ID', 'WECHAT_APP_SECRET'] as const;
  const set = keys.filter((k) => str(env, k, '') !== '');
  if (set.length === 0) return undefined;
  if (set.length < keys.length) throw new ConfigError(`WeChat needs all of ${keys.join(', ')}; missing: ${keys.filter((k) => !set.includes(k)).join(', ')}`);
  const aesKey = str(env, 'WECHAT_AES_KEY', '') || undefined;
  if (aesKey && !/^[A-Za-z0-9+/]{43}$/.test(aesKey)) throw new ConfigError('WECHAT_AES_KEY must be the 43-character EncodingAESKey from the WeChat console');
  return {
    token: str(env, 'WECHAT_TOKEN', ''),
    appId: str(env, 'WECHAT_APP_ID', ''),
    appSecret: str(env, 'WECHAT_APP_SECRET', ''),
    aesKey,
    apiBase: httpUrl(env, 'WECHAT_API_BASE') ?? 'https://api.weixin.qq.com',
    maxSkewS: int(env, 'WECHAT_MAX_SKEW_S', 300, 0, 86_400),
  };
}

/** CSP frame-ancestors sources: 'self', 'none', or origins such as https://www.bank.example or https://*.bank.example. */
function frameAncestors(env: Env, key: string): string {
  const raw = str(env, key, "'self'");
  // Quotes are often lost on the way (env files, shells): self and none are taken without them too.
  const sources = raw.split(/\s+/).map((s) => (s === 'self' || s === 'none' ? `'${s}'` : s));
  const ok = sources.every((s) => s === "'self'" || s === "'none'" || /^https?:\/\/(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d{1,5})?$/.test(s));
  if (!ok || (sources.includes("'none'") && sources.length > 1)) {
    throw new ConfigError(`${key} must be 'self', 'none' or space-separated origins such as https://www.bank.example, got "${raw}"`);
  }
  return sources.join(' ');
}

function httpUrl(env: Env, key: string): string | undefined {
  const raw = str(env, key, '');
  if (raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${key} must be an http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${key} must be an http(s) URL, got "${raw}"`);
  return raw;
}

function int(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = str(env, key, '');
  if (raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${key} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

function num(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = str(env, key, '');
  if (raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new ConfigError(`${key} must be a number from ${min} to ${max}, got "${raw}"`);
  return n;
}

function bool(env: Env, key: string, fallback: boolean): boolean {
  const raw = str(env, key, '').toLowerCase();
  if (raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${key} must be true or false, got "${raw}"`);
}

function oneOf<T extends string>(env: Env, key: string, allowed: readonly T[], fallback: T): T {
  const raw = str(env, key, '');
  if (raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(`${key} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
