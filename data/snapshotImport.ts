import { parse } from 'csv-parse/sync';
import type { FeatureValue } from '../retention/scorecard';
import { parseNumber } from '../retention/scorecard';
import { parseIsoDate } from '../retention/lifecycle';

/** What is wrong with a file, where: the line (the header is line 1), the column when it is one, and why. */
export interface SnapshotProblem {
  line: number;
  column?: string;
  message: string;
}

/** A feature column and what it holds. */
export interface SnapshotColumn {
  name: string;
  kind: 'number' | 'category';
}

/** One row of a good file. */
export interface ParsedSnapshot {
  line: number;
  customerNo: string;
  snapshotDate: string;
  closedOn: string | null;
  churned: 0 | 1 | null;
  features: Record<string, FeatureValue>;
}

/** A file that passed every check. */
export interface SnapshotFile {
  columns: SnapshotColumn[];
  hasChurned: boolean;
  hasClosedOn: boolean;
  rows: ParsedSnapshot[];
  firstDate: string;
  lastDate: string;
}

/** The file, or everything wrong with it (the first 50 problems; `more` says how many were not listed). */
export type SnapshotParse = { ok: true; file: SnapshotFile } | { ok: false; problems: SnapshotProblem[]; more: number };

/** Columns with a meaning of their own; every other column is a feature. */
export const SNAPSHOT_KEY_COLUMNS = ['customer_no', 'snapshot_date', 'closed_on', 'churned'] as const;

const LIMITS = { rows: 2_000_000, columns: 300, cell: 200, customerNo: 64, name: 64, problems: 50 };

/**
 * Reads a snapshot export: UTF-8 (a BOM is fine), a header row with `customer_no` and `snapshot_date`, optionally
 * `closed_on` or `churned` (or both: `churned` then gives the label), and any other columns as features. A column
 * whose every value is a number is numeric; any other is a category; an empty cell is missing. Everything wrong is
 * reported with its line, column and why, and a file with any problem yields no rows at all, so an import is all or
 * nothing.
 */
export function parseSnapshotCsv(input: Buffer | string): SnapshotParse {
  const problems: SnapshotProblem[] = [];
  let more = 0;
  const report = (p: SnapshotProblem) => {
    if (problems.length < LIMITS.problems) problems.push(p);
    else more++;
  };
  const fail = (): SnapshotParse => ({ ok: false, problems, more });

  const text = decodeUtf8(input, report);
  if (text === undefined) return fail();

  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, info: true }) as unknown as typeof records;
  } catch (err) {
    const e = err as { lines?: number; code?: string; message?: string };
    report({ line: Number(e.lines ?? 1), message: `not readable as CSV: ${csvReason(e.code)}` });
    return fail();
  }
  if (records.length === 0) {
    report({ line: 1, message: 'the file is empty: a header row is needed' });
    return fail();
  }

  // ---- the header ----
  const header = records[0].record.map((h) => h.trim());
  const lower = header.map((h) => h.toLowerCase());
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    if (name === '') report({ line: 1, message: `column ${i + 1} has no name` });
    else if (name.length > LIMITS.name)
      report({ line: 1, column: name.slice(0, LIMITS.name), message: `a column name may have at most ${LIMITS.name} characters` });
    else if (name.includes('=') || /[\u0000-\u001f]/.test(name))
      report({ line: 1, column: name, message: 'a column name may not contain "=" or control characters' });
    const key = lower[i];
    if (key !== '' && seen.has(key)) report({ line: 1, column: name, message: `the column appears twice (also column ${seen.get(key)! + 1})` });
    else seen.set(key, i);
  });
  for (const required of ['customer_no', 'snapshot_date']) if (!seen.has(required)) report({ line: 1, column: required, message: 'this column is required' });
  if (header.length > LIMITS.columns) report({ line: 1, message: `at most ${LIMITS.columns} columns` });
  if (records.length - 1 > LIMITS.rows) report({ line: 1, message: `at most ${LIMITS.rows} rows per file` });
  if (problems.length > 0) return fail();

  const at = (name: string) => seen.get(name);
  const iNo = at('customer_no')!;
  const iDate = at('snapshot_date')!;
  const iClosed = at('closed_on');
  const iChurned = at('churned');
  const featureIdx = header.map((_, i) => i).filter((i) => !(SNAPSHOT_KEY_COLUMNS as readonly string[]).includes(lower[i]));

  // ---- the rows ----
  const rows: ParsedSnapshot[] = [];
  const cells: string[][] = [];
  const keys = new Map<string, number>();
  let firstDate = '';
  let lastDate = '';
  for (let r = 1; r < records.length; r++) {
    const line = records[r].info.lines;
    const raw = records[r].record;
    if (raw.length !== header.length) {
      report({ line, message: `expected ${header.length} fields, found ${raw.length}` });
      continue;
    }
    const row = raw.map((c) => c.trim());
    const longCell = row.findIndex((c) => c.length > LIMITS.cell);
    if (longCell >= 0) report({ line, column: header[longCell], message: `a value may have at most ${LIMITS.cell} characters` });
    const customerNo = row[iNo];
    if (customerNo === '') report({ line, column: header[iNo], message: 'a customer number is required' });
    else if (customerNo.length > LIMITS.customerNo)
      report({ line, column: header[iNo], message: `a customer number may have at most ${LIMITS.customerNo} characters` });
    const snapshotDate = row[iDate];
    const dateOk = parseIsoDate(snapshotDate) !== undefined;
    if (!dateOk) report({ line, column: header[iDate], message: `"${snapshotDate.slice(0, 20)}" is not a date (YYYY-MM-DD)` });
    let closedOn: string | null = null;
    if (iClosed !== undefined && row[iClosed] !== '') {
      if (parseIsoDate(row[iClosed]) === undefined)
        report({
          line,
          column: header[iClosed],
          message: `"${row[iClosed].slice(0, 20)}" is not a date (YYYY-MM-DD); leave it empty when the customer has not closed`,
        });
      else closedOn = row[iClosed];
    }
    let churned: 0 | 1 | null = null;
    if (iChurned !== undefined && row[iChurned] !== '') {
      if (row[iChurned] === '0' || row[iChurned] === '1') churned = Number(row[iChurned]) as 0 | 1;
      else report({ line, column: header[iChurned], message: `"${row[iChurned].slice(0, 20)}" is not 0 or 1; leave it empty when the outcome is not known` });
    }
    if (customerNo !== '' && dateOk) {
      const key = `${customerNo}\u0000${snapshotDate}`;
      const earlier = keys.get(key);
      if (earlier !== undefined)
        report({ line, column: header[iNo], message: `customer ${customerNo} already has a snapshot on ${snapshotDate} (line ${earlier})` });
      else keys.set(key, line);
      if (firstDate === '' || snapshotDate < firstDate) firstDate = snapshotDate;
      if (snapshotDate > lastDate) lastDate = snapshotDate;
    }
    rows.push({ line, customerNo, snapshotDate, closedOn, churned, features: {} });
    cells.push(row);
  }
  if (rows.length === 0 && problems.length === 0) report({ line: 1, message: 'the file has a header but no rows' });

  // ---- the feature columns: numbers, or categories ----
  const columns: SnapshotColumn[] = [];
  for (const i of featureIdx) {
    const filled = cells.map((row, r) => ({ value: row[i], line: rows[r].line })).filter((c) => c.value !== '');
    const notNumbers = filled.filter((c) => parseNumber(c.value) === undefined);
    // A column of numbers with a handful of stray words is a broken export ("N/A", "#VALUE!"), not a category.
    if (notNumbers.length > 0 && notNumbers.length <= 20 && notNumbers.length <= 0.01 * filled.length) {
      for (const c of notNumbers)
        report({
          line: c.line,
          column: header[i],
          message: `"${c.value.slice(0, 20)}" is not a number, and the rest of the column is; leave a missing value empty`,
        });
    }
    columns.push({ name: header[i], kind: notNumbers.length === 0 ? 'number' : 'category' });
  }
  if (problems.length > 0) return fail();

  rows.forEach((row, r) => {
    featureIdx.forEach((i, k) => {
      const v = cells[r][i];
      row.features[header[i]] = v === '' ? null : columns[k].kind === 'number' ? parseNumber(v)! : v;
    });
  });
  return { ok: true, file: { columns, hasChurned: iChurned !== undefined, hasClosedOn: iClosed !== undefined, rows, firstDate, lastDate } };
}

/** The text of the file, or undefined (with the line of the first byte that is not UTF-8). */
function decodeUtf8(input: Buffer | string, report: (p: SnapshotProblem) => void): string | undefined {
  if (typeof input === 'string') return input;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    const lenient = new TextDecoder('utf-8').decode(input);
    const bad = lenient.indexOf('\uFFFD');
    const line = bad < 0 ? 1 : lenient.slice(0, bad).split('\n').length;
    report({ line, message: 'the file is not UTF-8 (save it as "CSV UTF-8")' });
    return undefined;
  }
}

function csvReason(code: string | undefined): string {
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted value is never closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quote inside a value is not doubled';
    default:
      return code ?? 'unknown error';
  }
}

/** Problems as lines for a terminal: "line 7, column churned: "2" is not 0 or 1 …". */
export function formatSnapshotProblems(problems: readonly SnapshotProblem[], more: number): string[] {
  const lines = problems.map((p) => `line ${p.line}${p.column ? `, column ${p.column}` : ''}: ${p.message}`);
  if (more > 0) lines.push(`… and ${more} more`);
  return lines;
}
