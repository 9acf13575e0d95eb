import type { Knex } from 'knex';

/**
 * The WeChat Official Account gateway's state, shared by every instance: the deliveries already taken (WeChat retries a
 * message it got no answer to, and the unique key makes exactly one instance run it), each follower's last message (the
 * customer-service API's 48-hour window), the numbered choices last shown to a conversation (a reply "1" acts as the
 * first), and the access token (a new one invalidates the old within minutes, so instances must share one).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wechat_deliveries', (t) => {
    // MsgId for messages, FromUserName + CreateTime (+ event) for events.
    t.string('dedupe_key', 160).primary();
    t.bigInteger('created_at').notNullable().index();
  });
  await knex.schema.createTable('wechat_followers', (t) => {
    t.string('openid', 128).primary();
    t.bigInteger('last_message_at').notNullable();
    // Customer-service messages sent since then: WeChat allows only a few per message of the follower's.
    t.integer('sent_since_message').notNullable().defaultTo(0);
  });
  await knex.schema.createTable('wechat_choices', (t) => {
    t.string('conversation_key', 160).primary();
    // JSON array of the texts that "1", "2", … stand for.
    t.text('choices').notNullable();
    t.bigInteger('expires_at').notNullable();
  });
  await knex.schema.createTable('wechat_access_tokens', (t) => {
    t.string('app_id', 64).primary();
    t.text('token').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });
}

/** Drops what `up` added. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('wechat_access_tokens');
  await knex.schema.dropTableIfExists('wechat_choices');
  await knex.schema.dropTableIfExists('wechat_followers');
  await knex.schema.dropTableIfExists('wechat_deliveries');
}
