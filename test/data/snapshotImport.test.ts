import { formatSnapshotProblems, parseSnapshotCsv } from '../../data/snapshotImport';

const parse = (text: string | Buffer) => parseSnapshotCsv(text);
const problemsOf = (text: string | Buffer) => {
  const r = parse(text);
  if (r.ok) throw new Error('expected problems');
  return r.problems;
};

describe('parseSnapshotCsv: a good file', () => {
  it('reads the key columns, numbers, categories and missing values', () => {
    const r = parse(
      '\uFEFFcustomer_no,snapshot_date,closed_on,tenure,Contract,fee\nC1,2026-01-31,,12,Month-to-month,99.5\nC2,2026-01-31,2026-03-01,,Two year,\n',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.file.columns).toEqual([
      { name: 'tenure', kind: 'number' },
      { name: 'Contract', kind: 'category' },
      { name: 'fee', kind: 'number' },
    ]);
    expect(r.file).toMatchObject({ hasClosedOn: true, hasChurned: false, firstDate: '2026-01-31', lastDate: '2026-01-31' });
    expect(r.file.rows).toEqual([
      { line: 2, customerNo: 'C1', snapshotDate: '2026-01-31', closedOn: null, churned: null, features: { tenure: 12, Contract: 'Month-to-month', fee: 99.5 } },
      {
        line: 3,
        customerNo: 'C2',
        snapshotDate: '2026-01-31',
        closedOn: '2026-03-01',
        churned: null,
        features: { tenure: null, Contract: 'Two year', fee: null },
      },
    ]);
  });

  it('takes churned 0/1, key columns in any case, quoted fields and Chinese text', () => {
    const r = parse('Customer_No,Snapshot_Date,Churned,套餐\r\n"B 1",2026-10-31,1,"畅享,套餐"\r\nB2,2026-10-31,,4G\r\n');
    expect(r.ok && r.file.rows.map((x) => [x.customerNo, x.churned, x.features['套餐']])).toEqual([
      ['B 1', 1, '畅享,套餐'],
      ['B2', null, '4G'],
    ]);
  });
});

describe('parseSnapshotCsv: a bad file is reported by line, column and why, and yields nothing', () => {
  it('needs customer_no and snapshot_date, and named, unique columns', () => {
    expect(problemsOf('customer,date,x\nC1,2026-01-31,1\n')).toEqual([
      { line: 1, column: 'customer_no', message: 'this column is required' },
      { line: 1, column: 'snapshot_date', message: 'this column is required' },
    ]);
    expect(problemsOf('customer_no,snapshot_date,,Tenure,tenure,a=b\nC1,2026-01-31,1,2,3,4\n')).toEqual([
      { line: 1, message: 'column 3 has no name' },
      { line: 1, column: 'tenure', message: 'the column appears twice (also column 4)' },
      { line: 1, column: 'a=b', message: 'a column name may not contain "=" or control characters' },
    ]);
  });

  it('checks every row: fields, customer number, dates, churned, duplicates', () => {
    const problems = problemsOf(
      [
        'customer_no,snapshot_date,closed_on,churned,plan',
        'C1,2026-01-31,,0,a',
        ',2026-01-31,,0,a',
        'C3,2026-02-30,,0,a',
        'C4,2026-01-31,31/03/2026,0,a',
        'C5,2026-01-31,,yes,a',
        'C1,2026-01-31,,1,b',
        'C7,2026-01-31,,0',
      ].join('\n'),
    );
    expect(problems).toEqual([
      { line: 3, column: 'customer_no', message: 'a customer number is required' },
      { line: 4, column: 'snapshot_date', message: '"2026-02-30" is not a date (YYYY-MM-DD)' },
      { line: 5, column: 'closed_on', message: '"31/03/2026" is not a date (YYYY-MM-DD); leave it empty when the customer has not closed' },
      { line: 6, column: 'churned', message: '"yes" is not 0 or 1; leave it empty when the outcome is not known' },
      { line: 7, column: 'customer_no', message: 'customer C1 already has a snapshot on 2026-01-31 (line 2)' },
      { line: 8, message: 'expected 5 fields, found 4' },
    ]);
  });

  it('names the stray word in a column of numbers', () => {
    const rows = Array.from({ length: 150 }, (_, i) => `C${i},2026-01-31,${i === 77 ? 'N/A' : i}`);
    expect(problemsOf(['customer_no,snapshot_date,tenure', ...rows].join('\n'))).toEqual([
      { line: 79, column: 'tenure', message: '"N/A" is not a number, and the rest of the column is; leave a missing value empty' },
    ]);
  });

  it('refuses a file that is not UTF-8, or not CSV, or empty', () => {
    const gbk = Buffer.concat([Buffer.from('customer_no,snapshot_date,plan\nC1,2026-01-31,'), Buffer.from([0xb3, 0xa9, 0xcf, 0xed])]);
    expect(problemsOf(gbk)).toEqual([{ line: 2, message: 'the file is not UTF-8 (save it as "CSV UTF-8")' }]);
    expect(problemsOf('customer_no,snapshot_date,plan\nC1,2026-01-31,"open\n')).toEqual([
      { line: 2, message: 'not readable as CSV: a quoted value is never closed' },
    ]);
    expect(problemsOf('')).toEqual([{ line: 1, message: 'the file is empty: a header row is needed' }]);
    expect(problemsOf('customer_no,snapshot_date\n')).toEqual([{ line: 1, message: 'the file has a header but no rows' }]);
  });

  it('lists the first 50 problems and counts the rest', () => {
    const rows = Array.from({ length: 60 }, (_, i) => `C${i},not-a-date`);
    const r = parse(['customer_no,snapshot_date', ...rows].join('\n'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toHaveLength(50);
    expect(r.more).toBe(10);
    const lines = formatSnapshotProblems(r.problems, r.more);
    expect(lines[0]).toBe('line 2, column snapshot_date: "not-a-date" is not a date (YYYY-MM-DD)');
    expect(lines.at(-1)).toBe('… and 10 more');
  });
});
