import type { Knex } from 'knex';

/**
 * A verification counts in the conversation it was made in, not for the channel user at large: on a shared phone or a
 * branch tablet a "new chat" (or the next customer's) must not inherit the last one's proof of identity.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('channel_identities', (t) => {
    t.string('verified_conversation', 300);
  });
}

/** Drops what `up` added. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('channel_identities', (t) => {
    t.dropColumn('verified_conversation');
  });
}
