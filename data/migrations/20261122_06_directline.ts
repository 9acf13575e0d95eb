import type { Knex } from 'knex';

/**
 * The self-hosted Direct Line's state, shared by every instance: each web chat conversation (its user, fixed when the
 * token is issued, and the counter its activities are numbered by) and the conversation's activities as the customer
 * sees them. A stream or a poll sends from a watermark by reading this table, so a reconnect loses nothing and repeats
 * nothing, whichever instance produced the activity.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('directline_conversations', (t) => {
    t.string('conversation_id', 64).primary();
    t.string('user_id', 80).notNullable();
    t.string('locale', 8);
    // The last sequence number handed out; bumped in the same transaction as the insert, whose row lock orders the
    // commits of concurrent writers (on PostgreSQL) so a reader never sees seq n+1 before seq n.
    t.integer('last_seq').notNullable().defaultTo(0);
    // When the bot was told the user joined (conversationUpdate): once per conversation, whoever asks again.
    t.bigInteger('started_at');
    t.bigInteger('created_at').notNullable().index();
  });
  await knex.schema.createTable('directline_activities', (t) => {
    t.string('conversation_id', 64).notNullable().references('conversation_id').inTable('directline_conversations').onDelete('CASCADE');
    // The watermark: 1, 2, 3… per conversation.
    t.integer('seq').notNullable();
    // The activity as the client receives it (JSON); the customer's text is masked.
    t.text('activity').notNullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['conversation_id', 'seq']);
  });
}

/** Drops what `up` added. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('directline_activities');
  await knex.schema.dropTableIfExists('directline_conversations');
}
