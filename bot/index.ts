import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  type TurnContext,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  ConversationState,
  UserState,
} from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import type { ClientConfig as PgClientConfig } from 'pg';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { databaseReachable, dialect, migrateLatest, openDatabase, withStartupLock } from '../data/db';
import { KnexStorage } from '../data/knexStorage';
import { createRepositories, type Repositories } from '../data/repositories';
import { seedDemo } from '../data/seeds/demo';
import { CommandMatcher } from '../dialogs/keywords';
import { buildFeatures } from '../dialogs/features';
import { MainDialog } from '../dialogs/mainDialog';
import { createServices } from '../services';
import { CluRecognizer } from '../dialogs/recognizers/cluRecognizer';
import { FallbackRecognizer } from '../dialogs/recognizers/fallbackRecognizer';
import { loadIntentCorpus, LocalRecognizer } from '../dialogs/recognizers/localRecognizer';
import type { IntentRecognizer } from '../dialogs/recognizers/types';
import type { SmsSender } from '../dialogs/services';
import { type Clock, systemClock } from '../retention/clock';
import { type ConversationData, CONVERSATION_DATA_PROPERTY, DIALOG_STATE_PROPERTY, USER_PROFILE_PROPERTY, type UserProfile } from '../dialogs/state';
import { localeFromText, toSupportedLocale } from '../retention/locale';
import { loadTexts, type Texts } from '../prompts/texts';
import { CachingBotFrameworkAuthentication } from './cachingAuthentication';
import { registerConsole } from '../console';
import { registerReview } from '../console/review';
import { registerModelReview } from '../console/review/model';
import { attachChannels } from './channels';
import { InternalChannels } from './channels/internal';
import { type Config, ConfigError, loadConfig } from './config';
import { createLocalHubEvents, createPgHubEvents } from './handoff/events';
import { HandoffGate } from './handoff/gate';
import { AgentHub } from './handoff/hub';
import { ComplaintService } from './complaints';
import { Housekeeping } from './jobs';
import { SurveyService } from './surveys';
import { createLogger } from './logger';
import { RiskEngine } from './risk';
import { NightlyRescoring } from './riskNightly';
import { ChurnModelService } from '../services/churnModels';
import { createDevSmsOutbox, createHttpSmsGateway } from './sms';
import { LocaleMiddleware } from './middleware/localeMiddleware';
import { StateMiddleware } from './middleware/stateMiddleware';
import { TurnSerializer } from './middleware/turnSerializer';
import { RepeatGuard } from './middleware/repeatGuard';
import { errorSummary, TranscriptMiddleware } from './middleware/transcriptMiddleware';
import { paths, projectRoot } from './paths';
import { RetentionBot } from './retentionBot';
import { createHttpServer, type HttpServer } from './server';
import { createTurnErrorHandler, TurnErrorMiddleware } from './turnErrors';

const VERSION: string = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')).version;

/** The running service, as tests and the start script see it. */
export interface App {
  config: Config;
  knex: Knex;
  adapter: CloudAdapter;
  texts: Texts;
  logger: Logger;
  http: HttpServer;
  repositories: Repositories;
  hub: AgentHub;
  /** The channels the service hosts itself (Direct Line, WeChat) and how they run turns. */
  channels: InternalChannels;
  /** The bot's turn logic, for gateways that hand activities to the adapter themselves. */
  logic: (context: TurnContext) => Promise<void>;
  risk: RiskEngine;
  surveys: SurveyService;
  complaints: ComplaintService;
  housekeeping: Housekeeping;
  /** The clock every rule, record and timer of the service reads. */
  now: Clock;
  /** Starts listening; resolves with the bound address. */
  listen(): Promise<AddressInfo>;
  /** Stops accepting requests, lets turns in flight finish, closes the database. */
  close(): Promise<void>;
}

/** Parts a test may supply instead of the real ones. */
export interface AppOverrides {
  logger?: Logger;
  recognizer?: IntentRecognizer;
  knex?: Knex;
  /** The clock every rule and record uses (tests move it to expire codes and locks). */
  now?: Clock;
  sms?: SmsSender;
}

let trainedRecognizer: Promise<LocalRecognizer> | undefined;
let trainedFor: string | undefined;

/** The local recognizer, trained once per process (training takes about a second). */
export function localRecognizer(threshold: number): Promise<LocalRecognizer> {
  const key = `${paths.locales}|${threshold}`;
  if (!trainedRecognizer || trainedFor !== key) {
    trainedFor = key;
    trainedRecognizer = LocalRecognizer.train(loadIntentCorpus(paths.locales), threshold);
  }
  return trainedRecognizer;
}

/** Wires the whole service together from its configuration: the composition root. */
export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const knex = overrides.knex ?? openDatabase(config.database);
  const now = overrides.now ?? systemClock;
  // Instances started together take turns: the first migrates and seeds, the others find it done.
  const seeded = await withStartupLock(knex, async () => {
    const applied = await migrateLatest(knex);
    if (applied.length > 0) logger.info({ event: 'db.migrated', migrations: applied });
    if (!config.seedDemo) return 0;
    const count = await seedDemo(knex, now(), config.service.timeZone);
    if (count > 0) logger.info({ event: 'db.seeded', customers: count });
    return count;
  });

  const texts = loadTexts({ localesDir: paths.locales, promptsDir: paths.prompts, timeZone: config.service.timeZone });
  const recognizer = overrides.recognizer ?? (await buildRecognizer(config, logger));
  const repositories = createRepositories(knex, { now, otpSecret: config.otpSecret, timeZone: config.service.timeZone });
  if (config.otpSecretGenerated)
    logger.info({ event: 'verification.generated_key', note: 'OTP_SECRET is not set: codes issued before a restart stop working' });
  const sms = overrides.sms ?? buildSmsSender(config, repositories, logger);

  const storage = new KnexStorage(knex);
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);
  const dialogState = conversationState.createProperty<DialogState>(DIALOG_STATE_PROPERTY);
  const conversationData = conversationState.createProperty<ConversationData>(CONVERSATION_DATA_PROPERTY);
  const userProfile = userState.createProperty<UserProfile>(USER_PROFILE_PROPERTY);

  const channels = new InternalChannels(config.bot.MicrosoftAppId);
  const auth = new CachingBotFrameworkAuthentication(
    new ConfigurationBotFrameworkAuthentication({ ...config.bot } as ConfigurationBotFrameworkAuthenticationOptions),
    channels,
  );
  const adapter = new CloudAdapter(auth);
  // Several instances on PostgreSQL share the hub's events (an agent on one, the customer's socket on another).
  const knexConfig = knex.client.config as { connection?: string | PgClientConfig; searchPath?: string[] };
  const events =
    dialect(knex) === 'pg' && knexConfig.connection
      ? await createPgHubEvents({ connection: knexConfig.connection, schema: knexConfig.searchPath?.[0], logger })
      : createLocalHubEvents();
  const hub = new AgentHub({
    repos: repositories,
    adapter,
    botAppId: config.bot.MicrosoftAppId,
    conversationData,
    texts,
    logger,
    now,
    events,
    settings: {
      mode: config.handoff.mode,
      workingHours: config.service.workingHours,
      timeZone: config.service.timeZone,
      agentCapacity: config.handoff.agentCapacity,
      averageHandleMinutes: config.handoff.averageHandleMinutes,
      maxMessageChars: config.limits.maxMessageChars,
      deliveryTimeoutMs: config.handoff.deliveryTimeoutMs,
    },
  });

  const risk = new RiskEngine(repositories, now, logger, { tierThresholds: config.tierThresholds, timeZone: config.service.timeZone });
  const nightly = config.riskModel.nightlyAt
    ? new NightlyRescoring({
        risk,
        drift: new ChurnModelService({ ...repositories, now, settings: { ...config.riskModel, timeZone: config.service.timeZone } }),
        claims: repositories.churnModels,
        logger,
        now,
        timeZone: config.service.timeZone,
        at: config.riskModel.nightlyAt,
      })
    : undefined;
  nightly?.start();
  if (seeded > 0) {
    const report = await risk.recomputeAll();
    logger.info({ event: 'risk.recomputed', ...report });
  }
  const services = createServices({ repos: repositories, texts, now, sms, risk, deadlines: config.complaints.deadlines });
  const commands = new CommandMatcher(texts);
  const mainDialog = new MainDialog({
    recognizer,
    texts,
    commands,
    userProfile,
    conversationData,
    features: buildFeatures({
      services,
      repos: repositories,
      texts,
      now,
      handoff: hub,
      userProfile,
      conversationData,
      workingHoursLabel: config.service.workingHoursSpec.replace(/-/g, '–'),
      callbackWithinHours: config.handoff.callbackWithinHours,
    }),
    onRecognized: (context, r) => {
      if (logger.isLevelEnabled('debug')) {
        logger.debug({
          event: 'nlu.recognized',
          conversationId: context.activity.conversation?.id,
          intent: r.intent,
          score: Number(r.score.toFixed(3)),
          source: r.source,
        });
      }
    },
  });
  const bot = new RetentionBot({
    dialogState,
    conversationData,
    mainDialog,
    texts,
    maxMessageChars: config.limits.maxMessageChars,
    onConversationEnded: async (context) => {
      const { channelId, from, conversation } = context.activity;
      const identity = from?.id ? await repositories.identities.find(channelId, from.id) : undefined;
      if (identity?.verifiedConversation === conversation.id) await repositories.identities.clearVerified(channelId, from.id);
      // The dialogs and what they were asking are gone with it: a later message starts afresh.
      await conversationState.clear(context);
      logger.info({ event: 'conversation.ended', channelId, conversationId: conversation.id });
    },
  });

  // Outermost: the turns of a conversation run one at a time, state read and written inside (see TurnSerializer).
  adapter.use(
    new TurnSerializer({
      leases: dialect(knex) === 'pg' ? repositories.turnLocks : undefined,
      logger,
      maxWaiting: config.limits.turnMaxWaiting,
      maxWaitMs: config.limits.turnMaxWaitMs,
      leaseMs: config.limits.turnLeaseMs,
      busy: async (context) => {
        await context.sendActivity(
          texts.t(toSupportedLocale(context.activity.locale) ?? localeFromText(context.activity.text ?? '') ?? config.defaultLocale, 'common:busy'),
        );
      },
    }),
  );
  adapter.use(new RepeatGuard(conversationState, conversationData, logger));
  adapter.use(new TranscriptMiddleware(repositories.conversations, repositories.transcripts, logger, config.limits.maxMessageChars, now));
  const handleTurnError = createTurnErrorHandler({ logger, texts, conversationState });
  // Inside the transcript, so an apology is recorded with the turn; onTurnError catches what fails outside it.
  adapter.use(new TurnErrorMiddleware(handleTurnError));
  adapter.onTurnError = handleTurnError;
  adapter.use(new StateMiddleware([conversationState, userState]));
  adapter.use(new LocaleMiddleware(userProfile, config.defaultLocale));
  adapter.use(new HandoffGate(hub, repositories.handoffs, conversationData, commands, texts, logger, config.limits.maxMessageChars));
  const surveys = new SurveyService({
    repos: repositories,
    adapter,
    bot,
    botAppId: config.bot.MicrosoftAppId,
    logger,
    now,
    deliveryTimeoutMs: config.handoff.deliveryTimeoutMs,
  });
  hub.onResolved = (handoff) =>
    surveys.schedule({
      trigger: 'agent_resolved',
      conversationId: handoff.conversationId,
      customerId: handoff.customerId,
      agentId: handoff.agentId,
      handoffId: handoff.id,
    });
  const complaints = new ComplaintService({ repos: repositories, risk, surveys, logger, now });
  const housekeeping = new Housekeeping({
    hub,
    repos: repositories,
    risk,
    surveys,
    logger,
    now,
    callbackWithinHours: config.handoff.callbackWithinHours,
    leases: dialect(knex) === 'pg',
  });
  housekeeping.start(config.handoff.deadlineCheckMs);
  if (!config.bot.MicrosoftAppId) {
    (config.env === 'production' ? logger.warn : logger.info).call(logger, {
      event: 'auth.disabled',
      note: 'MicrosoftAppId is empty: /api/messages accepts unauthenticated requests',
    });
  }

  const http = createHttpServer({
    adapter,
    logic: (context) => bot.run(context),
    logger,
    maxBodyBytes: config.limits.maxBodyBytes,
    bodyTimeoutMs: config.limits.bodyTimeoutMs,
    databaseReachable: () => databaseReachable(knex),
    version: VERSION,
  });

  const parts = {
    config,
    knex,
    adapter,
    texts,
    logger,
    http,
    repositories,
    hub,
    channels,
    logic: (context: TurnContext) => bot.run(context),
    risk,
    surveys,
    complaints,
    housekeeping,
    now,
  };
  const gateways = await attachChannels(parts, http.server);
  const staffConsole = registerConsole(http.server, {
    repos: repositories,
    hub,
    complaints,
    events: hub.events,
    texts,
    logger,
    now,
    trustProxy: config.trustProxy,
    extensions: [
      registerReview(knex, { timeZone: config.service.timeZone }),
      registerModelReview(knex, { minChurners: config.riskModel.minChurners, timeZone: config.service.timeZone }),
    ],
    dirs: { source: path.join(projectRoot, 'console'), builtScript: path.join(projectRoot, 'dist', 'console', 'static', 'console.js') },
  });
  return {
    ...parts,
    listen: () => http.listen(config.port, config.host),
    async close() {
      housekeeping.stop();
      nightly?.stop();
      // Streams first: an open WebSocket would otherwise hold the HTTP server open for the whole grace period.
      await staffConsole.close();
      await Promise.all(gateways.map((g) => g.close()));
      await http.close(config.shutdownGraceMs);
      // Work that outlives its request: surveys being sent, notices to customers.
      await surveys.close();
      await hub.drain();
      await events.close();
      await knex.destroy();
    },
  };
}

/** The SMS gateway when one is configured; else (development only, as the configuration ensures) the outbox. */
function buildSmsSender(config: Config, repositories: Repositories, logger: Logger): SmsSender {
  if (config.sms.gatewayUrl)
    return createHttpSmsGateway({ url: config.sms.gatewayUrl, token: config.sms.gatewayToken, timeoutMs: config.sms.timeoutMs }, logger);
  logger.info({ event: 'sms.dev_outbox_enabled', note: 'SMS_GATEWAY_URL is not set: one-time codes are written to the log and the dev_sms_outbox table' });
  return createDevSmsOutbox(repositories.devSmsOutbox, logger);
}

async function buildRecognizer(config: Config, logger: Logger): Promise<IntentRecognizer> {
  const local = await localRecognizer(config.nlu.threshold);
  const clu = config.nlu.clu;
  if (!clu) return local;
  logger.info({ event: 'nlu.clu_enabled', project: clu.project, deployment: clu.deployment, timeoutMs: clu.timeoutMs });
  return new FallbackRecognizer(new CluRecognizer(clu), local, clu.timeoutMs, (reason, err) =>
    logger.warn({ event: 'nlu.clu_fallback', reason, err: err ? errorSummary(err) : undefined }),
  );
}

/** `npm start`: configuration from the environment, then serve until SIGTERM or SIGINT. */
async function main(): Promise<void> {
  // A reader of our output that went away (`npm start 2>&1 | grep …`) must not stop the service, nor its shutdown:
  // what the SDK prints with console.* goes nowhere then, like the log lines (see stdoutDestination).
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const app = await createApp(config);
  const address = await app.listen();
  app.logger.info({ event: 'server.listening', url: `http://${address.address}:${address.port}`, database: config.database.client });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logQuietly(() => app.logger.info({ event: 'server.stopping', signal }));
    try {
      await app.close();
      logQuietly(() => app.logger.info({ event: 'server.stopped' }));
      process.exit(0);
    } catch (err) {
      logQuietly(() => app.logger.error({ event: 'server.stop_failed', err: errorSummary(err) }));
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

/** A log line that must not stand in the way of what follows it (the shutdown). */
function logQuietly(write: () => void): void {
  try {
    write();
  } catch {
    // The log's reader is gone; stopping matters more than saying so.
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`Failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
