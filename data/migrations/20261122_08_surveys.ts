import type { Knex } from 'knex';

/**
 * Satisfaction surveys and service recovery: surveys gain what a proactive ask needs (the conversation's handoff or
 * complaint, locale, expiry, why it was dropped), a durable outbox of proactive messages (claimed by one instance,
 * sent at most once), and the recovery cases a low score opens.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('surveys', (t) => {
    t.integer('handoff_id').references('id').inTable('handoffs');
    t.integer('complaint_id').references('id').inTable('complaints');
    t.string('channel', 32);
    t.string('locale', 8);
    t.bigInteger('expires_at');
    t.string('drop_reason', 24);
  });

  await knex.schema.createTable('proactive_outbox', (t) => {
    t.bigIncrements('id');
    // survey | care | …: what to send; ref_id points into the table of that kind.
    t.string('kind', 16).notNullable();
    t.integer('ref_id').notNullable();
    t.integer('conversation_id').notNullable().references('id').inTable('conversations');
    t.integer('customer_id').references('id').inTable('customers');
    // The contact policy's purpose (survey, care, marketing, callback).
    t.string('purpose', 16).notNullable();
    // pending → sending → sent | failed; or dropped by the contact policy.
    t.string('status', 12).notNullable();
    t.bigInteger('not_before').notNullable();
    t.bigInteger('expires_at');
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('claimed_by', 64);
    t.bigInteger('claimed_at');
    t.string('last_error', 200);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('sent_at');
    t.index(['status', 'not_before']);
    t.index(['customer_id', 'status', 'sent_at']);
  });

  await knex.schema.createTable('recovery_cases', (t) => {
    t.increments('id');
    t.integer('customer_id').references('id').inTable('customers');
    t.integer('survey_id').notNullable().references('id').inTable('surveys');
    // relationship_manager | supervisor
    t.string('owner_kind', 24).notNullable();
    // The relationship manager; null for the supervisors' queue.
    t.integer('owner_id').references('id').inTable('staff');
    t.string('status', 12).notNullable();
    t.bigInteger('due_at').notNullable();
    t.text('comment');
    t.text('outcome');
    t.integer('closed_by').references('id').inTable('staff');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('closed_at');
    t.index(['status', 'due_at']);
    t.index(['owner_id', 'status']);
  });
}

/** Drops what `up` added. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('recovery_cases');
  await knex.schema.dropTableIfExists('proactive_outbox');
  await knex.schema.alterTable('surveys', (t) => {
    t.dropColumns('handoff_id', 'complaint_id', 'channel', 'locale', 'expires_at', 'drop_reason');
  });
}
