import { stringify } from 'csv-stringify/sync';
import type { SnapshotRecord } from '../../data/seeds/churnSnapshots';

/** Snapshot records as the CSV an operator exports: customer_no, snapshot_date, closed_on, then the feature columns. */
export function snapshotCsv(records: readonly SnapshotRecord[]): string {
  const columns = [...new Set(records.flatMap((r) => Object.keys(r.features)))];
  return stringify([
    ['customer_no', 'snapshot_date', 'closed_on', ...columns],
    ...records.map((r) => [
      r.customerNo,
      r.snapshotDate,
      r.closedOn ?? '',
      ...columns.map((c) => (r.features[c] === null || r.features[c] === undefined ? '' : String(r.features[c]))),
    ]),
  ]);
}
