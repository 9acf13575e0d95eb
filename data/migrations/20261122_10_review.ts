import type { Knex } from 'knex';

/**
 * The manager's review: quality reviews of conversations (four scores, a comment, a sign-off), when a customer left
 * (the retention rate's baseline group needs to know who was still there at a period's start), and the indexes the
 * review's aggregates range over (every dashboard figure is "rows of a period", so each table gets its time column).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('qa_reviews', (t) => {
    t.increments('id');
    // One review per conversation: managers refine it until it is signed off, then it stays as it was signed.
    t.integer('conversation_id').notNullable().unique().references('id').inTable('conversations');
    // The agent the review is about (the one who last held the conversation), kept so the list filters without joins.
    t.integer('agent_id').references('id').inTable('staff');
    t.integer('reviewer_id').notNullable().references('id').inTable('staff');
    // 1–5 each.
    t.integer('resolved').notNullable();
    t.integer('courtesy').notNullable();
    t.integer('accuracy').notNullable();
    t.integer('compliance').notNullable();
    // Masked before it is stored.
    t.text('comment');
    t.bigInteger('signed_off_at');
    t.integer('signed_off_by').references('id').inTable('staff');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['created_at']);
    t.index(['agent_id', 'created_at']);
  });

  await knex.schema.alterTable('customers', (t) => {
    // When the status became 'closed' (the customer left); null while active.
    t.bigInteger('closed_at');
  });

  await knex.schema.alterTable('surveys', (t) => {
    // Surveys of a period are the answered ones by answered_at and the rest by sent_at: both are ranges of this one
    // index (answered_at in range; answered_at null and sent_at in range), and with status, kind and score in it the
    // dashboard's survey figures are read from the index alone (on SQLite the year's response rate went from 60 to 5 ms).
    t.index(['answered_at', 'sent_at', 'status', 'kind', 'score']);
  });
  await knex.schema.alterTable('complaints', (t) => {
    t.index(['created_at']);
  });
  await knex.schema.alterTable('handoffs', (t) => {
    // The waits, counts and per-agent load of a period, read from the index alone.
    t.index(['queued_at', 'accepted_at', 'agent_id', 'status', 'ended_at']);
  });
  await knex.schema.alterTable('offer_presentations', (t) => {
    t.index(['shown_at', 'outcome']);
  });
  await knex.schema.alterTable('customers', (t) => {
    // The high-value-at-risk list and the risk distribution read customers by band, highest score first.
    t.index(['churn_risk_band', 'churn_risk_score']);
  });
}

/** Drops what `up` added. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    t.dropIndex(['churn_risk_band', 'churn_risk_score']);
  });
  await knex.schema.alterTable('offer_presentations', (t) => {
    t.dropIndex(['shown_at', 'outcome']);
  });
  await knex.schema.alterTable('handoffs', (t) => {
    t.dropIndex(['queued_at', 'accepted_at', 'agent_id', 'status', 'ended_at']);
  });
  await knex.schema.alterTable('complaints', (t) => {
    t.dropIndex(['created_at']);
  });
  await knex.schema.alterTable('surveys', (t) => {
    t.dropIndex(['answered_at', 'sent_at', 'status', 'kind', 'score']);
  });
  await knex.schema.alterTable('customers', (t) => {
    t.dropColumn('closed_at');
  });
  await knex.schema.dropTableIfExists('qa_reviews');
}
