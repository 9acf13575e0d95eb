import type { Knex } from 'knex';

/** The staff console: login sessions (stored as hashes) and login throttling per user name. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('staff_sessions', (t) => {
    // SHA-256 of the session cookie's value: a leaked table lets no one in.
    t.string('id_hash', 64).primary();
    t.integer('staff_id').notNullable().references('id').inTable('staff');
    t.string('csrf_token', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('last_seen_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.index(['staff_id']);
  });

  await knex.schema.createTable('staff_login_failures', (t) => {
    t.string('username', 64).primary();
    t.integer('failures').notNullable();
    t.bigInteger('locked_until');
    t.bigInteger('updated_at').notNullable();
  });
}

/** Drops the console's tables. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('staff_login_failures');
  await knex.schema.dropTableIfExists('staff_sessions');
}
