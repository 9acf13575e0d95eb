import { importBalances } from '../../data/accountsImport';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ seed: true });
});
afterAll(() => db.destroy());

const header = 'customer_no,kind,number,balance,as_of';

describe('importing balances', () => {
  it('updates good rows, keeps the history, and reports bad rows by line', async () => {
    const csv = [
      `\uFEFF${header}`,
      'B0002,savings,6222020200921234,"100,000.50",2030-01-05',
      'B0002,current,6222020200926688,abc,2030-01-05',
      'B9999,current,6222020200926688,1.00,2030-01-05',
      'T0001,data,13800000011,2048,2030-01-05T10:00:00+08:00',
      'T0001,points,13800000011,12.5,2030-01-05',
      'B0001,current,6222020200311238,1.00,yesterday',
      'B0001,current',
      '',
    ].join('\r\n');
    const report = await importBalances(db.knex, csv);
    expect(report.updated).toBe(2);
    expect(report.problems.map((p) => p.line)).toEqual([3, 4, 6, 7, 8]);
    expect(report.problems[0].message).toMatch(/amount in yuan/);
    expect(report.problems[1].message).toMatch(/no current account ending 6688 for customer B9999/);
    const savings = await db.knex('accounts').where({ number: '6222020200921234' }).first();
    expect(Number(savings.balance)).toBe(10_000_050);
    const history = await db.knex('balance_history').where({ account_id: savings.id }).orderBy('as_of');
    expect(history.map((h) => Number(h.balance)).at(-1)).toBe(10_000_050);
    expect(report.customerIds).toHaveLength(2);
  });

  it('refuses a file with the wrong header', async () => {
    expect(await importBalances(db.knex, 'no,kind\nB0001,current')).toEqual({
      updated: 0,
      problems: [{ line: 1, message: `the header must be ${header}` }],
      customerIds: [],
    });
  });

  it('keeps reading after a line that is not valid CSV', async () => {
    const report = await importBalances(
      db.knex,
      `${header}\nB0002,sav"ings,6222020200921234,1.00,2030-02-01\nB0002,savings,6222020200921234,2.00,2030-02-02\n`,
    );
    expect(report.problems).toEqual([{ line: 2, message: 'not readable as CSV (INVALID_OPENING_QUOTE)' }]);
    expect(report.updated).toBe(1);
    expect(Number((await db.knex('accounts').where({ number: '6222020200921234' }).first()).balance)).toBe(200);
  });
});
