import type { Knex } from 'knex';

/**
 * Complaint intake and the agent hub: reference-number sequences shared by every instance, the escalation decisions
 * with their reasons, the handoff's messages and notes, promised callbacks, and agents' presence. Complaints and
 * handoffs gain the columns the flow needs.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('complaint_sequences', (t) => {
    // 'YYYYMMDD' in China time: reference numbers count per day (C20261122-0007).
    t.string('day', 8).primary();
    t.integer('last').notNullable();
  });

  await knex.schema.alterTable('complaints', (t) => {
    // Who filed it on which channel, so that the same channel user may ask for its status even before binding.
    t.string('channel_user_id', 255);
    t.string('locale', 8);
    t.string('route', 16);
    t.bigInteger('first_contact_breached_at');
    t.bigInteger('resolution_breached_at');
  });

  await knex.schema.createTable('escalation_decisions', (t) => {
    t.bigIncrements('id');
    t.integer('conversation_id').references('id').inTable('conversations');
    t.integer('customer_id').references('id').inTable('customers');
    t.integer('complaint_id').references('id').inTable('complaints');
    t.string('trigger', 24).notNullable();
    t.string('route', 16).notNullable();
    t.boolean('escalate').notNullable();
    t.integer('priority').notNullable();
    t.text('reasons').notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['conversation_id']);
    t.index(['created_at']);
  });

  await knex.schema.alterTable('handoffs', (t) => {
    t.string('tier', 16);
    t.string('locale', 8);
    t.string('mode', 16).notNullable().defaultTo('internal');
    t.bigInteger('updated_at');
  });

  await knex.schema.createTable('handoff_messages', (t) => {
    t.bigIncrements('id');
    t.integer('handoff_id').notNullable().references('id').inTable('handoffs');
    // customer | agent | system
    t.string('sender', 8).notNullable();
    t.integer('agent_id').references('id').inTable('staff');
    // Masked like the transcript: what the agent sees of the customer's words.
    t.text('text').notNullable();
    // For agent messages: when the customer's channel took it, or why it could not.
    t.string('delivery', 16);
    t.bigInteger('created_at').notNullable();
    t.index(['handoff_id', 'id']);
  });

  await knex.schema.createTable('handoff_notes', (t) => {
    t.bigIncrements('id');
    t.integer('handoff_id').notNullable().references('id').inTable('handoffs');
    t.integer('agent_id').notNullable().references('id').inTable('staff');
    t.text('text').notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['handoff_id']);
  });

  await knex.schema.createTable('callbacks', (t) => {
    t.increments('id');
    t.integer('customer_id').references('id').inTable('customers');
    t.integer('conversation_id').references('id').inTable('conversations');
    t.integer('handoff_id').references('id').inTable('handoffs');
    t.integer('complaint_id').references('id').inTable('complaints');
    // The number to call, as the customer gave it (masked wherever it is shown).
    t.string('phone', 20);
    t.string('reason', 32).notNullable();
    // open | done | cancelled
    t.string('status', 16).notNullable();
    t.bigInteger('due_at').notNullable();
    t.integer('promised_by').references('id').inTable('staff');
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('note');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('done_at');
    t.bigInteger('breached_at');
    t.index(['status', 'due_at']);
    t.index(['customer_id']);
  });

  await knex.schema.createTable('agent_presence', (t) => {
    t.integer('staff_id').primary().references('id').inTable('staff');
    // online | away | offline
    t.string('status', 16).notNullable();
    t.integer('capacity').notNullable();
    t.bigInteger('updated_at').notNullable();
  });
}

/** Drops what `up` added. */
export async function down(knex: Knex): Promise<void> {
  for (const table of ['agent_presence', 'callbacks', 'handoff_notes', 'handoff_messages', 'escalation_decisions', 'complaint_sequences']) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.schema.alterTable('handoffs', (t) => {
    t.dropColumns('tier', 'locale', 'mode', 'updated_at');
  });
  await knex.schema.alterTable('complaints', (t) => {
    t.dropColumns('channel_user_id', 'locale', 'route', 'first_contact_breached_at', 'resolution_breached_at');
  });
}
