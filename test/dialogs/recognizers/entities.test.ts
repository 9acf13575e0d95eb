import { extractEntities, normaliseComplaintRef } from '../../../dialogs/recognizers/entities';

describe('extractEntities', () => {
  it.each([
    ['C20261122-0007 处理得怎么样了', ['C20261122-0007']],
    ['my complaint c20261122 0007?', ['C20261122-0007']],
    ['编号C202611220007', ['C20261122-0007']],
    ['C20261122-0007 and C20261121-0002', ['C20261122-0007', 'C20261121-0002']],
    ['ABC20261122-0007', []],
    ['C2026112-0007', []],
  ])('complaint references in "%s"', (text, refs) => {
    expect(extractEntities(text).complaintRefs).toEqual(refs);
  });

  it.each([
    ['查下尾号6688的余额', '6688'],
    ['后四位是1234那张卡', '1234'],
    ['balance of the account ending 6688', '6688'],
    ['the card ending in 1234', '1234'],
    ['last four digits are 4471', '4471'],
    ['我卡里还有多少钱', undefined],
    ['尾号66888', undefined],
  ])('account digits in "%s"', (text, last4) => {
    expect(extractEntities(text).accountLast4).toBe(last4);
  });

  it.each([
    ['乱扣我12.5元手续费', [1250]],
    ['扣了¥1,234.56', [123456]],
    ['转走100000块', [10_000_000]],
    ['I was charged CNY 30 twice', [3000]],
    ['¥100元', [10000]],
    ['尾号6688', []],
  ])('amounts in "%s"', (text, amounts) => {
    expect(extractEntities(text).amountsMinor).toEqual(amounts);
  });

  it('normalises a typed reference or says there is none', () => {
    expect(normaliseComplaintRef('c20261122-0007')).toBe('C20261122-0007');
    expect(normaliseComplaintRef('hello')).toBeUndefined();
  });
});
