import type { Knex } from 'knex';

/**
 * The churn model learned from the operator's own history: the customer snapshots the operator exports (one row per
 * customer and snapshot date, the columns as JSON since every industry has its own), the imports they came in, the
 * trained models (versioned per industry, one active at a time, with their validation figures), what each active
 * model scored each customer each month (to measure, once outcomes arrive, how many churners its high band warned of
 * in advance), the feature distributions at each nightly run (for drift), and a claim per nightly run so that only
 * one instance does it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('snapshot_imports', (t) => {
    t.increments('id');
    t.string('industry', 16).notNullable();
    t.string('file_name', 255).notNullable();
    t.integer('rows').notNullable();
    // [{ name, kind }] of the feature columns.
    t.text('columns').notNullable();
    t.string('first_date', 10).notNullable();
    t.string('last_date', 10).notNullable();
    t.bigInteger('imported_at').notNullable();
  });

  await knex.schema.createTable('customer_snapshots', (t) => {
    t.bigIncrements('id');
    t.string('industry', 16).notNullable();
    // The operator's customer number; the customer may or may not be one the service knows.
    t.string('customer_no', 64).notNullable();
    t.string('snapshot_date', 10).notNullable();
    t.string('closed_on', 10);
    t.smallint('churned');
    // The file had a closed_on column: an empty one means "had not closed when the file was made".
    t.boolean('tracks_closing').notNullable();
    t.text('features').notNullable();
    t.integer('import_id').notNullable().references('id').inTable('snapshot_imports');
    t.unique(['industry', 'customer_no', 'snapshot_date']);
    t.index(['industry', 'snapshot_date']);
    t.index(['customer_no']);
  });

  await knex.schema.createTable('churn_models', (t) => {
    t.increments('id');
    t.string('industry', 16).notNullable();
    t.integer('version').notNullable();
    // active (scores customers; at most one per industry), candidate (stored, not active), retired.
    t.string('status', 16).notNullable();
    t.bigInteger('trained_at').notNullable();
    t.bigInteger('activated_at');
    t.bigInteger('retired_at');
    t.integer('rows').notNullable();
    t.integer('churned_customers').notNullable();
    // The whole model (scorecard, bands, validation and training figures) as written to a model file.
    t.text('model').notNullable();
    t.unique(['industry', 'version']);
    t.index(['industry', 'status']);
  });

  await knex.schema.createTable('churn_model_scores', (t) => {
    t.integer('model_id').notNullable().references('id').inTable('churn_models');
    t.integer('customer_id').notNullable().references('id').inTable('customers');
    t.string('month', 7).notNullable();
    t.integer('score').notNullable();
    t.string('band', 8).notNullable();
    // The first time in the month the model put the customer in its high band.
    t.bigInteger('first_high_at');
    t.bigInteger('scored_at').notNullable();
    t.primary(['model_id', 'customer_id', 'month']);
    t.index(['customer_id']);
  });

  await knex.schema.createTable('churn_model_checks', (t) => {
    t.increments('id');
    t.integer('model_id').notNullable().references('id').inTable('churn_models');
    t.bigInteger('checked_at').notNullable();
    t.integer('customers').notNullable();
    // Customers per bin of every feature, in the model's bin order: { feature: [counts] }.
    t.text('counts').notNullable();
    t.index(['model_id', 'checked_at']);
  });

  await knex.schema.createTable('job_runs', (t) => {
    t.string('job', 40).notNullable();
    t.string('run_key', 40).notNullable();
    t.bigInteger('claimed_at').notNullable();
    t.primary(['job', 'run_key']);
  });
}

/** Drops what `up` added. */
export async function down(knex: Knex): Promise<void> {
  for (const table of ['job_runs', 'churn_model_checks', 'churn_model_scores', 'churn_models', 'customer_snapshots', 'snapshot_imports']) {
    await knex.schema.dropTableIfExists(table);
  }
}
