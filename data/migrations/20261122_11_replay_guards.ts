import type { Knex } from 'knex';

/**
 * Things that may be used once, remembered until they could no longer be accepted anyway: signed customer tokens
 * (single use), and in WeChat's plain mode the signed query of a callback with a fingerprint of its body (the signature
 * does not cover the body, so the same query with another body is a forgery).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('replay_guards', (t) => {
    t.string('guard_key', 100).primary();
    t.string('fingerprint', 64).notNullable();
    t.bigInteger('expires_at').notNullable().index();
  });
}

/** Drops what `up` added. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('replay_guards');
}
