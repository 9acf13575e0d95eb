import type { Knex } from 'knex';

/**
 * Identity verification: one-time codes (hashed, single use, bound to the conversation they were asked for in),
 * failure counters and locks per subject (a customer, or a channel user not yet bound), and the development SMS
 * outbox used when no gateway is configured.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('otp_codes', (t) => {
    t.bigIncrements('id');
    // Null for a decoy: a code "sent" to a number no customer has, so that the conversation goes on exactly as for a
    // registered one and never tells which numbers are registered.
    t.integer('customer_id').references('id').inTable('customers');
    // Keyed hash of the mobile number: sending limits apply per number, registered or not.
    t.string('mobile_hash', 64).notNullable();
    t.string('channel', 32).notNullable();
    t.string('channel_user_id', 255).notNullable();
    t.string('conversation_key', 255).notNullable();
    t.string('salt', 32).notNullable();
    t.string('code_hash', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('used_at');
    t.index(['mobile_hash', 'created_at']);
    t.index(['channel', 'channel_user_id', 'conversation_key', 'id']);
  });

  await knex.schema.createTable('verification_locks', (t) => {
    // 'customer:<id>' or 'user:<channel>:<channel user id>'.
    t.string('subject', 320).primary();
    t.integer('failures').notNullable().defaultTo(0);
    t.bigInteger('locked_until');
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('dev_sms_outbox', (t) => {
    t.bigIncrements('id');
    t.string('to_mobile', 20).notNullable();
    t.text('text').notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['to_mobile', 'id']);
  });
}

/** Drops the verification tables. */
export async function down(knex: Knex): Promise<void> {
  for (const table of ['dev_sms_outbox', 'verification_locks', 'otp_codes']) await knex.schema.dropTableIfExists(table);
}
