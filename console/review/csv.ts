import { stringify } from 'csv-stringify/sync';

/** A CSV cell: text (neutralised against formula injection) or a number (written as it is). */
export type CsvCell = string | number | null;

/** The byte-order mark that makes Excel read a CSV file as UTF-8 (without it Chinese text turns to mojibake). */
export const UTF8_BOM = '\uFEFF';

/**
 * A text cell made safe for spreadsheets: a cell starting with =, +, -, @, a tab or a carriage return would be read as
 * a formula by Excel or LibreOffice (CSV injection), so it gets a leading single quote and is shown as text.
 */
export function neutralise(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/**
 * Rows as CSV text: CRLF line ends and RFC 4180 quoting. csv-stringify quotes a field holding the delimiter, a quote or
 * the record delimiter, but not a lone "\n" or "\r" once the record delimiter is CRLF, so `quoted_match` adds them:
 * otherwise a comment with a line break would split its row in Excel.
 */
export function csvRows(rows: CsvCell[][]): string {
  const safe = rows.map((row) => row.map((cell) => (typeof cell === 'string' ? neutralise(cell) : cell)));
  return stringify(safe, { record_delimiter: '\r\n', quoted_match: /[\r\n]/ });
}

/** A whole CSV document: the BOM, the header row, the rows. */
export function csvDocument(headers: string[], rows: CsvCell[][]): string {
  return UTF8_BOM + csvRows([headers, ...rows]);
}
