import type { Knex } from 'knex';
import type { Snapshot } from '../../retention/churnModel';
import { parseJson, toBool } from '../rows';
import type { SnapshotFile } from '../snapshotImport';

/** Rows written per statement (nine values each: well inside both engines' limits). */
const BATCH = 500;

/** What an import stored. */
export interface SnapshotImportResult {
  importId: number;
  /** Rows written, and how many of them replaced a snapshot of the same customer and date from an earlier import. */
  rows: number;
  replaced: number;
  customers: number;
  firstDate: string;
  lastDate: string;
}

/** The operator's customer snapshots, one per customer and snapshot date and industry. */
export interface SnapshotRepository {
  /** Stores a checked file in one transaction (all rows or none); a customer's snapshot of the same date is replaced. */
  store(industry: string, file: SnapshotFile, meta: { fileName: string; at: number }): Promise<SnapshotImportResult>;
  /** Every snapshot of an industry, oldest date first. */
  all(industry: string): Promise<Snapshot[]>;
  /** The latest snapshot of one customer, if any. */
  latest(industry: string, customerNo: string): Promise<Snapshot | undefined>;
  /** The snapshots of an industry's latest snapshot date (the population as last exported). */
  latestExport(industry: string): Promise<Snapshot[]>;
  /** Customer numbers of one import (to rescore them). */
  customersOf(importId: number): Promise<string[]>;
  /** Snapshots, customers and dates stored for an industry. */
  summary(industry: string): Promise<{ rows: number; customers: number; firstDate: string | null; lastDate: string | null; imports: number }>;
}

/** Creates the snapshot repository. */
export function createSnapshotRepository(knex: Knex): SnapshotRepository {
  const fromRow = (r: Record<string, unknown>): Snapshot => ({
    customerNo: String(r.customer_no),
    snapshotDate: String(r.snapshot_date),
    closedOn: (r.closed_on as string | null) ?? null,
    churned: r.churned === null || r.churned === undefined ? null : (Number(r.churned) as 0 | 1),
    tracksClosing: toBool(r.tracks_closing),
    features: parseJson<Snapshot['features']>(r.features, {}),
  });
  const count = async (db: Knex | Knex.Transaction, industry: string) => Number((await db('customer_snapshots').where({ industry }).count({ n: '*' }))[0].n);

  return {
    async store(industry, file, meta) {
      return knex.transaction(async (trx) => {
        const before = await count(trx, industry);
        const [row] = await trx('snapshot_imports')
          .insert({
            industry,
            file_name: meta.fileName.slice(0, 255),
            rows: file.rows.length,
            columns: JSON.stringify(file.columns),
            first_date: file.firstDate,
            last_date: file.lastDate,
            imported_at: meta.at,
          })
          .returning('id');
        const importId = Number(typeof row === 'object' ? row.id : row);
        for (let i = 0; i < file.rows.length; i += BATCH) {
          const slice = file.rows.slice(i, i + BATCH).map((s) => ({
            industry,
            customer_no: s.customerNo,
            snapshot_date: s.snapshotDate,
            closed_on: s.closedOn,
            churned: s.churned,
            tracks_closing: file.hasClosedOn,
            features: JSON.stringify(s.features),
            import_id: importId,
          }));
          await trx('customer_snapshots')
            .insert(slice)
            .onConflict(['industry', 'customer_no', 'snapshot_date'])
            .merge(['closed_on', 'churned', 'tracks_closing', 'features', 'import_id']);
        }
        const after = await count(trx, industry);
        return {
          importId,
          rows: file.rows.length,
          replaced: file.rows.length - (after - before),
          customers: new Set(file.rows.map((r) => r.customerNo)).size,
          firstDate: file.firstDate,
          lastDate: file.lastDate,
        };
      });
    },
    async all(industry) {
      const out: Snapshot[] = [];
      let after = 0;
      // Pages by id keep memory per query bounded on a large history.
      for (;;) {
        const rows = await knex('customer_snapshots').where({ industry }).andWhere('id', '>', after).orderBy('id').limit(20_000).select('*');
        if (rows.length === 0) break;
        for (const r of rows) out.push(fromRow(r));
        after = Number(rows[rows.length - 1].id);
      }
      return out.sort((a, b) => (a.snapshotDate < b.snapshotDate ? -1 : a.snapshotDate > b.snapshotDate ? 1 : 0));
    },
    async latest(industry, customerNo) {
      const row = await knex('customer_snapshots').where({ industry, customer_no: customerNo }).orderBy('snapshot_date', 'desc').first('*');
      return row ? fromRow(row) : undefined;
    },
    async latestExport(industry) {
      const [row] = await knex('customer_snapshots').where({ industry }).max({ d: 'snapshot_date' });
      if (!row?.d) return [];
      const rows = await knex('customer_snapshots').where({ industry, snapshot_date: row.d }).orderBy('id').select('*');
      return rows.map(fromRow);
    },
    async customersOf(importId) {
      const rows = await knex('customer_snapshots').where({ import_id: importId }).distinct('customer_no');
      return rows.map((r) => String(r.customer_no));
    },
    async summary(industry) {
      const [row] = await knex('customer_snapshots')
        .where({ industry })
        .select(
          knex.raw('count(*) as n'),
          knex.raw('count(distinct customer_no) as customers'),
          knex.raw('min(snapshot_date) as first'),
          knex.raw('max(snapshot_date) as last'),
        );
      const [imports] = await knex('snapshot_imports').where({ industry }).count({ n: '*' });
      return {
        rows: Number(row.n),
        customers: Number(row.customers),
        firstDate: (row.first as string | null) ?? null,
        lastDate: (row.last as string | null) ?? null,
        imports: Number(imports.n),
      };
    },
  };
}
