/**
 * Sample data for every template in prompts/: the texts test renders each template in strict mode with it, so a
 * template that names a field its data lacks fails here, not in front of a customer. A new template adds its entry.
 */
export const TEMPLATE_DATA: Record<string, Record<string, unknown>> = {
  'main.help': {},
  'balance.result': {
    lines: [
      { label: '活期账户', masked: '**** 6688', value: '¥12,345.60', asOf: Date.UTC(2026, 10, 22, 1, 5) },
      { label: '积分', masked: '**** 0011', value: '12,800 积分', asOf: Date.UTC(2026, 10, 22, 1, 5) },
    ],
  },
  'verify.sms': { code: '042137' },
  'complaint.receipt': {
    reference: 'C20261122-0007',
    category: '收费扣费',
    firstContactDueAt: Date.UTC(2026, 10, 22, 3, 0),
    resolutionDueAt: Date.UTC(2026, 10, 29, 1, 0),
    contact: '138****0002',
    toAgent: false,
  },
  'offers.list': {
    offers: [
      { title: '定期存款续存加息 0.3%', description: '到期续存一年期定期，年利率上浮 0.3 个百分点。', price: '' },
      { title: '5G 套餐升级立减 30 元/月', description: '前 12 个月每月 99 元。', price: '价格：¥99.00' },
    ],
  },
  'complaint.status': {
    reference: 'C20261122-0007',
    category: '收费扣费',
    status: '处理中',
    createdAt: Date.UTC(2026, 10, 22, 1, 0),
    resolutionDueAt: Date.UTC(2026, 10, 29, 1, 0),
    resolved: false,
    resolution: '',
    overdue: true,
  },
};
