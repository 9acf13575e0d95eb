import { findPii, isValidResidentId18, luhnValid, maskAccountNumber, maskDeep, maskMobile, maskPii } from '../../retention/pii';

describe('maskPii', () => {
  describe('masks personal data', () => {
    it.each([
      ['18-digit ID number', '我的身份证号是11010519491231002X', '我的身份证号是1****************X'],
      ['18-digit ID number, lower-case x', 'ID 11010519491231002x ok', 'ID 1****************x ok'],
      ['18-digit ID number in full-width digits', '证件号４４０３０４１９９００１０１１２３３', '证件号4****************3'],
      ['15-digit old ID number', '老身份证 440304900101123', '老身份证 4*************3'],
      ['mobile number', '电话13812345678联系我', '电话138****5678联系我'],
      ['mobile number with spaces', 'call 138 1234 5678 please', 'call 138****5678 please'],
      ['mobile number with dashes', 'call 138-1234-5678', 'call 138****5678'],
      ['mobile number with +86', 'reach me on +86 13812345678', 'reach me on +86 138****5678'],
      ['bank card, 16 digits', 'card 4111111111111111 lost', 'card **** 1111 lost'],
      ['bank card, 19 digits', '卡号6222021234567890128', '卡号**** 0128'],
      ['bank card in groups of four', 'card 6228 4800 1234 5671 ok', 'card **** 5671 ok'],
      ['e-mail address', 'mail zhang.san@example.com.cn now', 'mail z***@example.com.cn now'],
      ['two kinds at once', '13812345678 / 4111111111111111', '138****5678 / **** 1111'],
      ['18-digit ID number in groups of 6-8-4', '身份证 110105 19491231 002X 谢谢', '身份证 1****************X 谢谢'],
      ['15-digit ID number in groups of 6-6-3, dashes', '老证件440304-900101-123', '老证件4*************3'],
      ['a 19-digit card as 6 and 13', '卡 622202 1234567890128', '卡 **** 0128'],
      ['a card that fails Luhn, after 卡号 (a typo is still a card)', '卡号6222021234567890129被盗刷', '卡号**** 0129被盗刷'],
      ['an ID with a wrong check character, after 身份证号', '身份证号110105194912310021', '身份证号1****************1'],
      ['two mobiles in a row', '13812345678 13987654321', '138****5678 139****4321'],
      ['a full-width e-mail at sign', '邮箱li.na＠example.com', '邮箱l***@example.com'],
      ['a mobile in full-width digits with a country prefix', '＋８６ １３８１２３４５６７８', '+86 138****5678'],
    ])('%s', (_name, input, expected) => {
      expect(maskPii(input)).toBe(expected);
    });
  });

  describe('leaves ordinary figures alone', () => {
    it.each([
      ['a date', '我2026-11-22去的网点'],
      ['a compact date', '交易日期20261122'],
      ['an amount with separators', '扣了我12,345.60元'],
      ['a large amount', 'I moved 1000000 yuan'],
      ['a complaint reference', 'C20261122-0007 处理得怎么样了'],
      ['an order number starting with a date', '订单号2026112212345678'],
      ['a 16-digit number that fails Luhn', 'ticket 4111111111111112'],
      ['a Luhn-valid number after 订单号 (an order, not a card)', '订单号4111111111111111没发货'],
      ['a long account-like number after 账户余额', '账户余额 123456789012 元不对'],
      ['an 18-digit number with an impossible birth date', '编号110105199913310021'],
      ['an 18-digit number with a wrong check digit', '110105194912310021'],
      ['an 11-digit number that is not a mobile', '流水号12345678901'],
      ['last four digits', '尾号6688的卡'],
      ['a time', '下午3:45打的电话'],
      ['a mobile number inside a longer digit run', '编码0013812345678999'],
      ['an empty text', ''],
    ])('%s', (_name, input) => {
      expect(maskPii(input)).toBe(input);
    });
  });

  it('reports what it found and where', () => {
    expect(findPii('a 13812345678 b 11010519491231002X').map((m) => [m.kind, m.value])).toEqual([
      ['mobile', '13812345678'],
      ['idNumber', '11010519491231002X'],
    ]);
  });

  it('masks every string inside a nested value and keeps other values', () => {
    expect(maskDeep({ a: ['13812345678', 3], b: { c: 'x@y.com', d: true } })).toEqual({ a: ['138****5678', 3], b: { c: 'x***@y.com', d: true } });
  });
});

describe('checks', () => {
  it('validates ID check characters and birth dates', () => {
    expect(isValidResidentId18('11010519491231002X')).toBe(true);
    expect(isValidResidentId18('110105194912310021')).toBe(false);
    expect(isValidResidentId18('11010519490230002X')).toBe(false);
  });

  it('runs the Luhn check', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('')).toBe(false);
  });

  it('shows account numbers as **** and the last four', () => {
    expect(maskAccountNumber('6222 0212 3456 6688')).toBe('**** 6688');
    expect(maskAccountNumber('WM2023000188')).toBe('**** 0188');
  });

  it('shows mobile numbers as 3 + **** + 4', () => {
    expect(maskMobile('13812345678')).toBe('138****5678');
    expect(maskMobile('+8613812345678')).toBe('+86 138****5678');
  });
});
