import { parse } from 'csv-parse/sync';
import type { Knex } from 'knex';

/** A row the import refused, with why. */
export interface ImportProblem {
  /** Line in the file, from 1 (the header is line 1). */
  line: number;
  message: string;
}

/** What an import did. */
export interface ImportReport {
  updated: number;
  problems: ImportProblem[];
  /** Customers whose balances changed (their churn risk should be recomputed). */
  customerIds: number[];
}

const COLUMNS = ['customer_no', 'kind', 'number', 'balance', 'as_of'] as const;
const MAX_ROWS = 1_000_000;

/**
 * Imports balances from CSV (`customer_no,kind,number,balance,as_of`, as Excel or any export writes it): money in yuan with up to two decimals, data
 * in MB, points as whole numbers; `as_of` as an ISO date-time or a date (China time). Each good row updates the
 * account's balance (when newer than the stored figure) and adds to its history, which is what the outflow signal
 * reads; each bad row is reported by line and skipped, and the good rows are kept.
 */
export async function importBalances(knex: Knex, csv: string): Promise<ImportReport> {
  const report: ImportReport = { updated: 0, problems: [], customerIds: [] };
  // A record csv-parse cannot read (a stray quote) is reported by its line and skipped; the rest are read.
  const records = parse(csv, {
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    info: true,
    on_skip: (err) => {
      report.problems.push({ line: Number(err?.lines ?? 0), message: `not readable as CSV (${err?.code ?? 'error'})` });
      return undefined;
    },
  }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  const rows = records.map((r) => r.record);
  const lines = records.map((r) => r.info.lines);
  const header = (rows[0] ?? []).map((h) => h.trim().toLowerCase());
  if (COLUMNS.some((c, i) => header[i] !== c)) {
    report.problems.push({ line: 1, message: `the header must be ${COLUMNS.join(',')}` });
    return report;
  }
  if (rows.length - 1 > MAX_ROWS) {
    report.problems.push({ line: 1, message: `at most ${MAX_ROWS} rows per file` });
    return report;
  }
  const customers = new Set<number>();
  for (let i = 1; i < rows.length; i++) {
    const line = lines[i];
    const cells = rows[i].map((c) => c.trim());
    if (cells.length === 1 && cells[0] === '') continue;
    if (cells.length !== COLUMNS.length) {
      report.problems.push({ line, message: `expected ${COLUMNS.length} fields, found ${cells.length}` });
      continue;
    }
    const [customerNo, kind, number, balanceText, asOfText] = cells;
    const account = await knex('accounts as a')
      .join('customers as c', 'c.id', 'a.customer_id')
      .where({ 'c.customer_no': customerNo, 'a.kind': kind, 'a.number': number })
      .first('a.id', 'a.customer_id', 'a.unit', 'a.as_of');
    if (!account) {
      report.problems.push({ line, message: `no ${kind || '?'} account ${number ? `ending ${number.slice(-4)}` : ''} for customer ${customerNo || '?'}` });
      continue;
    }
    const balance = parseBalance(balanceText, account.unit);
    if (balance === undefined) {
      report.problems.push({
        line,
        message: account.unit === 'CNY' ? 'balance must be an amount in yuan with at most two decimals' : 'balance must be a whole number',
      });
      continue;
    }
    const asOf = parseAsOf(asOfText);
    if (asOf === undefined) {
      report.problems.push({ line, message: 'as_of must be a date (YYYY-MM-DD) or an ISO date-time' });
      continue;
    }
    await knex.transaction(async (trx) => {
      await trx('balance_history').insert({ account_id: account.id, balance, as_of: asOf });
      if (asOf >= Number(account.as_of)) await trx('accounts').where({ id: account.id }).update({ balance, as_of: asOf });
    });
    report.updated++;
    customers.add(Number(account.customer_id));
  }
  report.customerIds = [...customers];
  return report;
}

function parseBalance(text: string, unit: string): number | undefined {
  if (unit === 'CNY') {
    const m = /^(-?)(\d{1,13})(?:\.(\d{1,2}))?$/.exec(text.replace(/,/g, ''));
    if (!m) return undefined;
    const minor = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
    return m[1] ? -minor : minor;
  }
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

function parseAsOf(text: string): number | undefined {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00+08:00`) : /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(ms) ? undefined : ms;
}
