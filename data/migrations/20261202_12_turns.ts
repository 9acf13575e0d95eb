import type { Knex } from 'knex';

/**
 * Turns of one conversation run one at a time, across instances too: `conversation_locks` holds a lease per
 * conversation while a turn runs (renewed while it lasts, taken over once it lapses: an instance killed mid-turn does
 * not block the conversation for ever). What a turn creates carries the key of the customer action it comes from, so a
 * turn retried after a failure finds the row it made instead of making a second one.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('conversation_locks', (t) => {
    t.string('lock_key', 300).primary();
    t.string('owner', 64).notNullable();
    // What the holder's turn is about (a hash of the message): an identical message waiting behind it is a repeat.
    t.string('fingerprint', 64);
    t.bigInteger('expires_at').notNullable();
  });
  for (const table of ['complaints', 'callbacks', 'recovery_cases', 'follow_ups']) {
    await knex.schema.alterTable(table, (t) => {
      t.string('idempotency_key', 120).unique();
    });
  }
}

/** Drops what `up` added. */
export async function down(knex: Knex): Promise<void> {
  for (const table of ['complaints', 'callbacks', 'recovery_cases', 'follow_ups']) {
    await knex.schema.alterTable(table, (t) => {
      t.dropUnique(['idempotency_key']);
      t.dropColumn('idempotency_key');
    });
  }
  await knex.schema.dropTableIfExists('conversation_locks');
}
