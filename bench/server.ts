import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication, ConversationState, MemoryStorage } from 'botbuilder';
import restify from 'restify';
import { createApp } from '../bot';
import { loadConfig } from '../bot/config';

/**
 * A server for the benchmark, in a process of its own: `ours` is the whole service on a fresh SQLite file; `baseline`
 * is the bare botbuilder echo bot (CloudAdapter on restify, conversation state in MemoryStorage). Prints
 * `READY <port>` when it listens.
 */
async function main(): Promise<void> {
  const which = process.argv[2];
  if (which === 'ours') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retention-bench-'));
    // Production settings, as a deployment runs; the benchmark's script never asks for a one-time code, so the SMS
    // gateway is never called.
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'production',
      SEED_DEMO: 'true',
      LOG_LEVEL: 'warn',
      PORT: '0',
      DATABASE_URL: '',
      SQLITE_FILE: path.join(dir, 'bench.sqlite3'),
      SMS_GATEWAY_URL: 'http://127.0.0.1:9/unused',
      // The load generator posts without Bot Framework tokens, as the baseline's does.
      ALLOW_ANONYMOUS_MESSAGES: 'true',
      DIRECT_LINE_SECRET: 'bench-direct-line-secret-0123456789',
      OTP_SECRET: 'bench-'.repeat(8),
    });
    const app = await createApp(config);
    const address = await app.listen();
    process.on('SIGTERM', async () => {
      await app.close();
      fs.rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
    process.stdout.write(`READY ${address.port}\n`);
    return;
  }
  if (which === 'baseline') {
    const state = new ConversationState(new MemoryStorage());
    const turns = state.createProperty<number>('turns');
    class EchoBot extends ActivityHandler {
      constructor() {
        super();
        this.onMessage(async (context, next) => {
          await turns.set(context, ((await turns.get(context, 0)) as number) + 1);
          await context.sendActivity(`Echo: ${context.activity.text}`);
          await next();
        });
      }
      override async run(context: Parameters<ActivityHandler['run']>[0]): Promise<void> {
        await super.run(context);
        await state.saveChanges(context);
      }
    }
    const bot = new EchoBot();
    const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
    const server = restify.createServer();
    server.use(restify.plugins.bodyParser());
    server.post('/api/messages', async (req, res) => adapter.process(req, res, (context) => bot.run(context)));
    server.listen(0, '127.0.0.1', () => process.stdout.write(`READY ${(server.address() as { port: number }).port}\n`));
    process.on('SIGTERM', () => process.exit(0));
    return;
  }
  throw new Error('usage: server.js ours|baseline');
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
