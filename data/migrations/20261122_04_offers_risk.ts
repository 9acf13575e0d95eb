import type { Knex } from 'knex';

/**
 * Offers and the retention engine: follow-up tasks for relationship managers, churn intents heard (with the reason
 * given), monthly usage for the telecom signals, and the customer facts the churn-risk score reads.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('follow_ups', (t) => {
    t.increments('id');
    t.integer('customer_id').notNullable().references('id').inTable('customers');
    // The relationship manager; null goes to the supervisors' queue.
    t.integer('assignee_id').references('id').inTable('staff');
    // offer_accepted | offer_later | save_attempt
    t.string('kind', 24).notNullable();
    t.integer('offer_presentation_id').references('id').inTable('offer_presentations');
    t.integer('conversation_id').references('id').inTable('conversations');
    t.string('status', 16).notNullable();
    t.bigInteger('due_at').notNullable();
    t.text('note');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('done_at');
    t.index(['assignee_id', 'status', 'due_at']);
    t.index(['customer_id']);
  });

  await knex.schema.createTable('churn_intents', (t) => {
    t.increments('id');
    t.integer('customer_id').references('id').inTable('customers');
    t.integer('conversation_id').references('id').inTable('conversations');
    t.string('channel', 32).notNullable();
    // price | service | competitor | no_need | moving | other | unknown
    t.string('reason', 16).notNullable();
    // The customer's own words, masked.
    t.text('reason_text');
    t.bigInteger('created_at').notNullable();
    t.index(['customer_id', 'created_at']);
  });

  await knex.schema.createTable('usage_months', (t) => {
    t.integer('customer_id').notNullable().references('id').inTable('customers');
    // 'YYYY-MM'
    t.string('month', 7).notNullable();
    t.bigInteger('arpu_minor').notNullable();
    t.integer('mou');
    t.primary(['customer_id', 'month']);
  });

  await knex.schema.alterTable('customers', (t) => {
    t.bigInteger('risk_computed_at');
    t.bigInteger('last_late_payment_at');
    t.bigInteger('rm_changed_at');
  });

  await knex.schema.alterTable('offer_presentations', (t) => {
    // Why it was shown: service_recovery | save_attempt | maturing_product | none
    t.string('relevance', 24);
    t.index(['customer_id', 'outcome']);
  });
}

/** Drops what `up` added. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('offer_presentations', (t) => {
    t.dropIndex(['customer_id', 'outcome']);
    t.dropColumn('relevance');
  });
  await knex.schema.alterTable('customers', (t) => {
    t.dropColumns('risk_computed_at', 'last_late_payment_at', 'rm_changed_at');
  });
  for (const table of ['usage_months', 'churn_intents', 'follow_ups']) await knex.schema.dropTableIfExists(table);
}
