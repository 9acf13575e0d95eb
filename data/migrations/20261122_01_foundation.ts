import type { Knex } from 'knex';

// Conventions for every table: times are epoch milliseconds in bigint columns named *_at (the same arithmetic then
// works on SQLite and PostgreSQL, including grouping by day); money is an integer number of fen; calendar dates
// (birthdays, maturity dates) are 'YYYY-MM-DD' strings; JSON is stored as text.

/** The foundation schema: customers and their accounts, the service records, conversations, staff and bot state. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('staff', (t) => {
    t.increments('id');
    t.string('username', 64).notNullable().unique();
    t.string('display_name', 100).notNullable();
    t.string('role', 16).notNullable();
    t.string('password_hash', 255).notNullable();
    t.string('locale', 8).notNullable().defaultTo('zh-CN');
    t.string('team', 32);
    t.boolean('active').notNullable().defaultTo(true);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('customers', (t) => {
    t.increments('id');
    t.string('customer_no', 32).notNullable().unique();
    t.string('name', 100).notNullable();
    t.string('mobile', 20).notNullable().index();
    // Only the last four characters of the ID number are kept: enough for the knowledge questions, useless to a thief.
    t.string('id_last4', 4);
    t.string('birthday', 10);
    t.string('locale', 8).notNullable().defaultTo('zh-CN');
    t.string('timezone', 40).notNullable().defaultTo('Asia/Shanghai');
    t.string('industry', 16).notNullable();
    t.string('tier', 16).notNullable().index();
    t.string('lifecycle_stage', 16).notNullable();
    t.bigInteger('value_minor').notNullable().defaultTo(0);
    t.integer('relationship_manager_id').references('id').inTable('staff');
    t.boolean('marketing_consent').notNullable().defaultTo(false);
    t.bigInteger('joined_at').notNullable();
    t.integer('churn_risk_score').notNullable().defaultTo(0);
    t.string('churn_risk_band', 8).notNullable().defaultTo('low').index();
    t.text('churn_signals').notNullable().defaultTo('[]');
    t.string('status', 16).notNullable().defaultTo('active');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('channel_identities', (t) => {
    t.increments('id');
    t.string('channel', 32).notNullable();
    t.string('channel_user_id', 255).notNullable();
    t.integer('customer_id').references('id').inTable('customers');
    t.bigInteger('bound_at');
    t.bigInteger('verified_at');
    t.bigInteger('created_at').notNullable();
    t.unique(['channel', 'channel_user_id']);
    t.index(['customer_id']);
  });

  await knex.schema.createTable('accounts', (t) => {
    t.increments('id');
    t.integer('customer_id').notNullable().references('id').inTable('customers');
    t.string('kind', 24).notNullable();
    t.string('number', 40).notNullable();
    t.string('unit', 8).notNullable();
    t.bigInteger('balance').notNullable();
    t.bigInteger('as_of').notNullable();
    t.string('matures_on', 10);
    t.string('status', 16).notNullable().defaultTo('active');
    t.bigInteger('created_at').notNullable();
    t.index(['customer_id']);
    t.unique(['customer_id', 'kind', 'number']);
  });

  await knex.schema.createTable('balance_history', (t) => {
    t.bigIncrements('id');
    t.integer('account_id').notNullable().references('id').inTable('accounts');
    t.bigInteger('balance').notNullable();
    t.bigInteger('as_of').notNullable();
    t.index(['account_id', 'as_of']);
  });

  await knex.schema.createTable('products', (t) => {
    t.string('code', 40).primary();
    t.string('industry', 16).notNullable();
    t.string('category', 24).notNullable();
    t.string('name_zh', 100).notNullable();
    t.string('name_en', 100).notNullable();
  });

  await knex.schema.createTable('customer_products', (t) => {
    t.increments('id');
    t.integer('customer_id').notNullable().references('id').inTable('customers');
    t.string('product_code', 40).notNullable().references('code').inTable('products');
    t.bigInteger('opened_at').notNullable();
    t.string('matures_on', 10);
    t.string('status', 16).notNullable().defaultTo('active');
    t.index(['customer_id']);
    t.unique(['customer_id', 'product_code']);
  });

  await knex.schema.createTable('conversations', (t) => {
    t.increments('id');
    t.string('channel_id', 32).notNullable();
    t.string('conversation_key', 255).notNullable();
    t.string('user_id', 255);
    t.integer('customer_id').references('id').inTable('customers');
    t.string('locale', 8);
    // The Bot Framework conversation reference, for proactive messages (agent replies, surveys, care).
    t.text('reference').notNullable();
    t.bigInteger('started_at').notNullable();
    t.unique(['channel_id', 'conversation_key']);
    t.index(['customer_id']);
  });

  await knex.schema.createTable('transcript_activities', (t) => {
    t.bigIncrements('id');
    t.integer('conversation_id').notNullable().references('id').inTable('conversations');
    t.string('direction', 3).notNullable();
    t.string('activity_type', 32).notNullable();
    t.string('sender', 8).notNullable();
    // Masked before it is written; never the raw customer text.
    t.text('text');
    t.text('meta');
    t.string('locale', 8);
    t.bigInteger('created_at').notNullable();
    t.index(['conversation_id', 'id']);
    t.index(['created_at']);
  });

  await knex.schema.createTable('complaints', (t) => {
    t.increments('id');
    t.string('reference', 20).notNullable().unique();
    t.integer('customer_id').references('id').inTable('customers');
    t.integer('conversation_id').references('id').inTable('conversations');
    t.string('channel', 32).notNullable();
    t.string('category', 16).notNullable();
    t.string('severity', 16).notNullable();
    t.string('status', 16).notNullable();
    t.text('description').notNullable();
    t.text('contact');
    t.bigInteger('first_contact_due_at').notNullable();
    t.bigInteger('resolution_due_at').notNullable();
    t.bigInteger('first_contacted_at');
    t.bigInteger('resolved_at');
    t.text('resolution');
    t.boolean('escalated').notNullable().defaultTo(false);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['customer_id', 'created_at']);
    t.index(['status', 'resolution_due_at']);
  });

  await knex.schema.createTable('handoffs', (t) => {
    t.increments('id');
    t.integer('conversation_id').notNullable().references('id').inTable('conversations');
    t.integer('customer_id').references('id').inTable('customers');
    t.integer('complaint_id').references('id').inTable('complaints');
    t.string('status', 16).notNullable();
    t.string('reason', 32).notNullable();
    t.text('reasons').notNullable().defaultTo('[]');
    t.integer('priority').notNullable().defaultTo(0);
    t.string('severity', 16);
    t.text('packet').notNullable();
    t.integer('agent_id').references('id').inTable('staff');
    t.bigInteger('queued_at').notNullable();
    t.bigInteger('accepted_at');
    t.bigInteger('ended_at');
    t.string('outcome', 32);
    t.index(['status', 'priority', 'queued_at']);
    t.index(['conversation_id']);
    t.index(['agent_id', 'status']);
  });

  await knex.schema.createTable('offers', (t) => {
    t.increments('id');
    t.string('code', 40).notNullable().unique();
    t.string('industry', 16).notNullable();
    t.string('product_code', 40).references('code').inTable('products');
    t.string('kind', 16).notNullable();
    t.text('title').notNullable();
    t.text('description').notNullable();
    t.bigInteger('price_minor');
    t.bigInteger('new_customer_price_minor');
    t.bigInteger('valid_from').notNullable();
    t.bigInteger('valid_to').notNullable();
    t.integer('stock');
    t.text('eligibility').notNullable().defaultTo('{}');
    t.boolean('active').notNullable().defaultTo(true);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('offer_presentations', (t) => {
    t.increments('id');
    t.integer('offer_id').notNullable().references('id').inTable('offers');
    t.integer('customer_id').notNullable().references('id').inTable('customers');
    t.integer('conversation_id').references('id').inTable('conversations');
    t.string('channel', 32).notNullable();
    t.string('locale', 8).notNullable();
    t.string('outcome', 16).notNullable();
    t.bigInteger('shown_at').notNullable();
    t.bigInteger('outcome_at');
    t.index(['customer_id', 'shown_at']);
    t.index(['offer_id']);
  });

  await knex.schema.createTable('surveys', (t) => {
    t.increments('id');
    t.integer('customer_id').references('id').inTable('customers');
    t.integer('conversation_id').references('id').inTable('conversations');
    t.string('kind', 8).notNullable();
    t.string('trigger', 24).notNullable();
    t.integer('agent_id').references('id').inTable('staff');
    t.string('status', 16).notNullable();
    t.integer('score');
    t.text('comment');
    t.bigInteger('sent_at');
    t.bigInteger('answered_at');
    t.bigInteger('created_at').notNullable();
    t.index(['customer_id', 'kind', 'created_at']);
    t.index(['conversation_id']);
  });

  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.string('actor_type', 16).notNullable();
    t.string('actor_id', 64);
    t.string('action', 64).notNullable();
    t.string('target_type', 32);
    t.string('target_id', 64);
    t.text('detail');
    t.bigInteger('created_at').notNullable();
    t.index(['created_at']);
    t.index(['target_type', 'target_id']);
  });

  await knex.schema.createTable('bot_state', (t) => {
    t.string('key', 1024).primary();
    t.text('data').notNullable();
    t.string('etag', 40).notNullable();
    t.bigInteger('updated_at').notNullable();
  });
}

/** Drops the foundation schema. */
export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'bot_state',
    'audit_log',
    'surveys',
    'offer_presentations',
    'offers',
    'handoffs',
    'complaints',
    'transcript_activities',
    'conversations',
    'customer_products',
    'products',
    'balance_history',
    'accounts',
    'channel_identities',
    'customers',
    'staff',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
