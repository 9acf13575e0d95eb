import type { Knex } from 'knex';
import * as foundation from './20261122_01_foundation';
import * as verification from './20261122_02_verification';
import * as complaintsHandoff from './20261122_03_complaints_handoff';
import * as offersRisk from './20261122_04_offers_risk';
import * as hardening from './20261122_05_hardening';
import * as directLine from './20261122_06_directline';
import * as wechat from './20261122_07_wechat';
import * as surveys from './20261122_08_surveys';
import * as staffConsole from './20261122_09_console';
import * as review from './20261122_10_review';
import * as replayGuards from './20261122_11_replay_guards';
import * as turns from './20261202_12_turns';
import * as verificationScope from './20261202_13_verification_scope';
import * as churnModels from './20261202_30_churn_models';

/**
 * Every migration, in order, by the name stored in `knex_migrations`. Listed here rather than found on disk so the same
 * list runs from the TypeScript sources (tests) and from `dist/` (production). A landed migration is never edited:
 * changes come as a new entry at the end.
 */
const migrations: ReadonlyArray<[string, Knex.Migration]> = [
  ['20261122_01_foundation', foundation],
  ['20261122_02_verification', verification],
  ['20261122_03_complaints_handoff', complaintsHandoff],
  ['20261122_04_offers_risk', offersRisk],
  ['20261122_05_hardening', hardening],
  ['20261122_06_directline', directLine],
  ['20261122_07_wechat', wechat],
  ['20261122_08_surveys', surveys],
  ['20261122_09_console', staffConsole],
  ['20261122_10_review', review],
  ['20261122_11_replay_guards', replayGuards],
  ['20261202_12_turns', turns],
  ['20261202_13_verification_scope', verificationScope],
  ['20261202_30_churn_models', churnModels],
];

/** Knex migration source over the list above. */
export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => migrations.map(([name]) => name),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const found = migrations.find(([n]) => n === name);
    if (!found) throw new Error(`unknown migration ${name}`);
    return found[1];
  },
};
