import type { Knex } from 'knex';

/**
 * Guards the database holds itself, so that concurrent turns and instances cannot get round them: attempts are counted
 * on each one-time code (a code takes three guesses, however many arrive at once), and a conversation has at most one
 * open handoff.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('otp_codes', (t) => {
    t.integer('attempts').notNullable().defaultTo(0);
  });
  // Partial unique index (SQLite and PostgreSQL alike): one queued-or-active handoff per conversation.
  await knex.raw(`create unique index handoffs_one_open_per_conversation on handoffs (conversation_id) where status in ('queued', 'active')`);
}

/** Drops what `up` added. */
export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists handoffs_one_open_per_conversation');
  await knex.schema.alterTable('otp_codes', (t) => {
    t.dropColumn('attempts');
  });
}
