import type { Knex } from 'knex';
import { type ChurnModel, validateChurnModel } from '../../retention/churnModel';
import type { RiskBand } from '../../retention/types';
import { endOfDay } from '../../retention/serviceFeatures';
import { parseJson, toNumOrNull } from '../rows';

const DAY = 86_400_000;

/** A model's place in its industry's history. */
export type ChurnModelStatus = 'active' | 'candidate' | 'retired';

/** A stored model. */
export interface StoredChurnModel {
  id: number;
  industry: string;
  version: number;
  status: ChurnModelStatus;
  trainedAt: number;
  activatedAt: number | null;
  retiredAt: number | null;
  rows: number;
  churnedCustomers: number;
  model: ChurnModel;
}

/** A nightly check of what customers look like now, per feature bin, for drift. */
export interface ChurnModelCheck {
  checkedAt: number;
  customers: number;
  counts: Record<string, number[]>;
}

/** What happened to the customers a model scored: who left, and how many it had warned of in advance. */
export interface ChurnModelOutcomes {
  /** Customers who left after being scored by the model at least once in the 90 days before leaving. */
  churners: number;
  /** Of those, the ones the model had put in its high band in those 90 days. */
  warned: number;
}

/** Churn models per industry (versioned, one active at a time), their scores and checks, and nightly run claims. */
export interface ChurnModelRepository {
  /** Stores a model as the industry's next version (a candidate until activated). */
  save(model: ChurnModel): Promise<StoredChurnModel>;
  /** Makes a stored model the industry's active one; the one active before is retired. */
  activate(id: number, at: number): Promise<StoredChurnModel | undefined>;
  /** Retires the industry's active model: the rule score serves again. */
  retireActive(industry: string, at: number): Promise<boolean>;
  /** The industry's active model, if any. */
  active(industry: string): Promise<StoredChurnModel | undefined>;
  /** Which model is active (cheap: to see whether a cached one is still current). */
  activeId(industry: string): Promise<number | undefined>;
  /** The latest versions of an industry, newest first. */
  list(industry: string, limit: number): Promise<StoredChurnModel[]>;
  findVersion(industry: string, version: number): Promise<StoredChurnModel | undefined>;
  /** Notes a customer's score by a model this month; the first time in the month they reach the high band is kept. */
  recordScore(modelId: number, customerId: number, score: { score: number; band: RiskBand; month: string; at: number }): Promise<void>;
  saveCheck(modelId: number, check: ChurnModelCheck): Promise<void>;
  latestCheck(modelId: number): Promise<ChurnModelCheck | undefined>;
  /** Who left in [from, to] (closed in the customer records, or closed_on in a snapshot) after being scored by the model. */
  outcomes(modelId: number, industry: string, from: number, to: number, timeZone: string): Promise<ChurnModelOutcomes>;
  /** Active customers of an industry now, and how many of them are in the high band. */
  highBandNow(industry: string): Promise<{ customers: number; high: number }>;
  /** Claims a run of a job (e.g. the nightly rescoring of one day): true for exactly one caller. */
  claimRun(job: string, runKey: string, at: number): Promise<boolean>;
}

/** Creates the churn model repository. */
export function createChurnModelRepository(knex: Knex): ChurnModelRepository {
  const fromRow = (r: Record<string, unknown>): StoredChurnModel => ({
    id: Number(r.id),
    industry: String(r.industry),
    version: Number(r.version),
    status: r.status as ChurnModelStatus,
    trainedAt: Number(r.trained_at),
    activatedAt: toNumOrNull(r.activated_at),
    retiredAt: toNumOrNull(r.retired_at),
    rows: Number(r.rows),
    churnedCustomers: Number(r.churned_customers),
    model: validateChurnModel(parseJson(r.model, null)),
  });
  const byId = async (db: Knex | Knex.Transaction, id: number) => {
    const row = await db('churn_models').where({ id }).first('*');
    return row ? fromRow(row) : undefined;
  };

  return {
    async save(model) {
      return knex.transaction(async (trx) => {
        const [last] = await trx('churn_models').where({ industry: model.industry }).max({ v: 'version' });
        const version = Number(last?.v ?? 0) + 1;
        const [row] = await trx('churn_models')
          .insert({
            industry: model.industry,
            version,
            status: 'candidate',
            trained_at: model.trainedAt,
            rows: model.training.rows,
            churned_customers: model.training.churnedCustomers,
            model: JSON.stringify(model),
          })
          .returning('id');
        return (await byId(trx, Number(typeof row === 'object' ? row.id : row)))!;
      });
    },
    async activate(id, at) {
      return knex.transaction(async (trx) => {
        const target = await trx('churn_models').where({ id }).forUpdate().first('industry');
        if (!target) return undefined;
        await trx('churn_models').where({ industry: target.industry, status: 'active' }).whereNot({ id }).update({ status: 'retired', retired_at: at });
        await trx('churn_models').where({ id }).update({ status: 'active', activated_at: at, retired_at: null });
        return byId(trx, id);
      });
    },
    async retireActive(industry, at) {
      return (await knex('churn_models').where({ industry, status: 'active' }).update({ status: 'retired', retired_at: at })) > 0;
    },
    async active(industry) {
      const row = await knex('churn_models').where({ industry, status: 'active' }).orderBy('version', 'desc').first('*');
      return row ? fromRow(row) : undefined;
    },
    async activeId(industry) {
      const row = await knex('churn_models').where({ industry, status: 'active' }).orderBy('version', 'desc').first('id');
      return row ? Number(row.id) : undefined;
    },
    async list(industry, limit) {
      const rows = await knex('churn_models').where({ industry }).orderBy('version', 'desc').limit(limit).select('*');
      return rows.map(fromRow);
    },
    async findVersion(industry, version) {
      const row = await knex('churn_models').where({ industry, version }).first('*');
      return row ? fromRow(row) : undefined;
    },
    async recordScore(modelId, customerId, s) {
      const high = s.band === 'high' ? s.at : null;
      await knex('churn_model_scores')
        .insert({ model_id: modelId, customer_id: customerId, month: s.month, score: s.score, band: s.band, first_high_at: high, scored_at: s.at })
        .onConflict(['model_id', 'customer_id', 'month'])
        .merge({
          score: s.score,
          band: s.band,
          scored_at: s.at,
          // Keep the first high of the month; set it when this is the first.
          first_high_at: knex.raw('coalesce(churn_model_scores.first_high_at, ?)', [high]),
        });
    },
    async saveCheck(modelId, check) {
      await knex('churn_model_checks').insert({
        model_id: modelId,
        checked_at: check.checkedAt,
        customers: check.customers,
        counts: JSON.stringify(check.counts),
      });
    },
    async latestCheck(modelId) {
      const row = await knex('churn_model_checks').where({ model_id: modelId }).orderBy('checked_at', 'desc').first('*');
      return row ? { checkedAt: Number(row.checked_at), customers: Number(row.customers), counts: parseJson(row.counts, {}) } : undefined;
    },
    async outcomes(modelId, industry, from, to, timeZone) {
      // When each customer left: the customer record's closing, or a snapshot's closed_on (end of that day), the earliest.
      const left = new Map<number, number>();
      const note = (id: number, at: number) => {
        if (at < from || at > to) return;
        const known = left.get(id);
        if (known === undefined || at < known) left.set(id, at);
      };
      const closed = await knex('customers')
        .where({ industry })
        .whereNotNull('closed_at')
        .andWhere('closed_at', '>=', from)
        .andWhere('closed_at', '<=', to)
        .select('id', 'closed_at');
      for (const c of closed) note(Number(c.id), Number(c.closed_at));
      const snapshots = await knex('customer_snapshots as s')
        .join('customers as c', 'c.customer_no', 's.customer_no')
        .where({ 's.industry': industry })
        .whereNotNull('s.closed_on')
        .distinct('c.id', 's.closed_on');
      for (const s of snapshots) note(Number(s.id), endOfDay(String(s.closed_on), timeZone));
      let churners = 0;
      let warned = 0;
      const ids = [...left.keys()];
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await knex('churn_model_scores')
          .where({ model_id: modelId })
          .whereIn('customer_id', ids.slice(i, i + 500))
          .select('customer_id', 'scored_at', 'first_high_at');
        const seen = new Map<number, { scored: boolean; high: boolean }>();
        for (const r of rows) {
          const id = Number(r.customer_id);
          const leftAt = left.get(id)!;
          const inWindow = (t: number | null) => t !== null && t < leftAt && t >= leftAt - 90 * DAY;
          const s = seen.get(id) ?? { scored: false, high: false };
          // A month's row says when it was last scored; a first high in the window counts as warned in advance.
          if (inWindow(Number(r.scored_at)) || inWindow(toNumOrNull(r.first_high_at))) s.scored = true;
          if (inWindow(toNumOrNull(r.first_high_at))) s.high = true;
          seen.set(id, s);
        }
        for (const s of seen.values()) {
          if (!s.scored) continue;
          churners++;
          if (s.high) warned++;
        }
      }
      return { churners, warned };
    },
    async highBandNow(industry) {
      const rows: Array<{ band: string; n: number | string }> = await knex('customers')
        .where({ industry, status: 'active' })
        .groupBy('churn_risk_band')
        .select('churn_risk_band as band')
        .count({ n: '*' });
      const customers = rows.reduce((sum, r) => sum + Number(r.n), 0);
      return { customers, high: Number(rows.find((r) => r.band === 'high')?.n ?? 0) };
    },
    async claimRun(job, runKey, at) {
      const inserted = await knex('job_runs').insert({ job, run_key: runKey, claimed_at: at }).onConflict(['job', 'run_key']).ignore().returning('job');
      return inserted.length > 0;
    },
  };
}
