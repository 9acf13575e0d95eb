import type { Knex } from 'knex';

/** Placeholder: filled in with the channel's tables. */
export async function up(knex: Knex): Promise<void> {
  void knex;
}

/** Drops what `up` added. */
export async function down(knex: Knex): Promise<void> {
  void knex;
}
