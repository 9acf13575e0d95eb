import path from 'node:path';
import { ConfigError, loadConfig } from '../../bot/config';
import { projectRoot } from '../../bot/paths';

describe('loadConfig', () => {
  it('starts on 127.0.0.1:3978 with SQLite in var/ when nothing is set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3978);
    expect(config.host).toBe('127.0.0.1');
    expect(config.database).toEqual({ client: 'sqlite', filename: path.join(projectRoot, 'var/retention.sqlite3') });
    expect(config.defaultLocale).toBe('zh-CN');
    expect(config.seedDemo).toBe(true);
    expect(config.nlu.clu).toBeUndefined();
  });

  it('reads the churn model settings: 200 churners, bands for 70% and 90%, gender left out, rescoring at 02:30', () => {
    expect(loadConfig({}).riskModel).toEqual({
      minChurners: 200,
      highBandRecall: 0.7,
      mediumBandRecall: 0.9,
      excludedColumns: ['gender', 'sex', '性别'],
      nightlyAt: '02:30',
    });
    expect(loadConfig({ RISK_MODEL_EXCLUDED_COLUMNS: 'gender, age_band', RISK_HIGH_BAND_RECALL: '80', RISK_NIGHTLY_AT: 'off' }).riskModel).toMatchObject({
      highBandRecall: 0.8,
      excludedColumns: ['gender', 'age_band'],
      nightlyAt: undefined,
    });
    expect(loadConfig({ RISK_MODEL_EXCLUDED_COLUMNS: '-' }).riskModel.excludedColumns).toEqual([]);
    expect(() => loadConfig({ RISK_HIGH_BAND_RECALL: '95' })).toThrow(/RISK_MEDIUM_BAND_RECALL/);
    expect(() => loadConfig({ RISK_NIGHTLY_AT: '25:00' })).toThrow(ConfigError);
  });

  it('selects PostgreSQL when DATABASE_URL is set', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://127.0.0.1:5432/test' }).database).toEqual({
      client: 'pg',
      url: 'postgres://127.0.0.1:5432/test',
      poolMax: 10,
    });
  });

  const production = {
    NODE_ENV: 'production',
    SMS_GATEWAY_URL: 'https://sms.example/send',
    OTP_SECRET: 'x'.repeat(32),
    MicrosoftAppId: 'app',
    MicrosoftAppPassword: 'secret',
    DIRECT_LINE_SECRET: 'd'.repeat(32),
  };

  it('does not seed demo data in production unless asked', () => {
    expect(loadConfig(production).seedDemo).toBe(false);
    expect(loadConfig({ ...production, SEED_DEMO: 'true' }).seedDemo).toBe(true);
  });

  it('runs without Bot Framework authentication in production only when asked to', () => {
    expect(loadConfig({ ...production, MicrosoftAppId: '', MicrosoftAppPassword: '', ALLOW_ANONYMOUS_MESSAGES: 'true' }).bot.MicrosoftAppId).toBe('');
  });

  it('uses the development SMS outbox and a generated OTP key outside production', () => {
    const config = loadConfig({});
    expect(config.sms.gatewayUrl).toBeUndefined();
    expect(config.otpSecretGenerated).toBe(true);
    expect(config.otpSecret.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({}).otpSecret).not.toBe(config.otpSecret);
  });

  it('is frozen, all the way down', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.limits)).toBe(true);
  });

  it('enables CLU only when all four settings are given', () => {
    const clu = { CLU_ENDPOINT: 'https://x.cognitiveservices.azure.com', CLU_KEY: 'k', CLU_PROJECT: 'p', CLU_DEPLOYMENT: 'd' };
    expect(loadConfig(clu).nlu.clu).toMatchObject({ project: 'p', deployment: 'd', timeoutMs: 700 });
    expect(() => loadConfig({ CLU_ENDPOINT: clu.CLU_ENDPOINT })).toThrow(/missing: CLU_KEY, CLU_PROJECT, CLU_DEPLOYMENT/);
  });

  it.each([
    [{ PORT: 'abc' }, /PORT must be an integer/],
    [{ PORT: '70000' }, /PORT must be an integer/],
    [{ NODE_ENV: 'staging' }, /NODE_ENV must be one of/],
    [{ DEFAULT_LOCALE: 'fr-FR' }, /DEFAULT_LOCALE must be one of/],
    [{ SEED_DEMO: 'maybe' }, /SEED_DEMO must be true or false/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with postgres/],
    [{ ...production, MicrosoftAppPassword: '' }, /MicrosoftAppPassword is required/],
    [{ ...production, MicrosoftAppId: '', MicrosoftAppPassword: '' }, /MicrosoftAppId is required in production/],
    [{ ...production, SMS_GATEWAY_URL: '' }, /SMS_GATEWAY_URL is required in production/],
    [{ ...production, OTP_SECRET: '' }, /OTP_SECRET is required in production/],
    [{ OTP_SECRET: 'short' }, /OTP_SECRET must be at least 32 characters/],
    [{ ...production, DIRECT_LINE_SECRET: '' }, /DIRECT_LINE_SECRET is required in production/],
    [{ DIRECT_LINE_SECRET: 'dl-secret' }, /DIRECT_LINE_SECRET must be at least 32 characters/],
    [{ CUSTOMER_TOKEN_SECRET: 'x'.repeat(31) }, /CUSTOMER_TOKEN_SECRET must be at least 32 characters/],
    [{ WECHAT_TOKEN: 't' }, /WeChat needs all of WECHAT_TOKEN, WECHAT_APP_ID, WECHAT_APP_SECRET; missing: WECHAT_APP_ID, WECHAT_APP_SECRET/],
    [{ WECHAT_TOKEN: 't', WECHAT_APP_ID: 'a', WECHAT_APP_SECRET: 's', WECHAT_AES_KEY: 'short' }, /WECHAT_AES_KEY must be the 43-character/],
    [{ SMS_GATEWAY_URL: 'ftp://sms.example' }, /SMS_GATEWAY_URL must be an http\(s\) URL/],
    [
      { ...production, WECHAT_TOKEN: 't', WECHAT_APP_ID: 'a', WECHAT_APP_SECRET: 's', WECHAT_MAX_SKEW_S: '0' },
      /WECHAT_MAX_SKEW_S=0 .* not allowed in production/,
    ],
  ])('refuses %o with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env as Record<string, string>)).toThrow(ConfigError);
    expect(() => loadConfig(env as Record<string, string>)).toThrow(message);
  });
});
