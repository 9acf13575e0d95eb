import { DEFAULT_TIME_ZONE } from '../../retention/lifecycle';
import { isoDate, startOfZonedDay } from '../../retention/zonedTime';
import type { Knex } from 'knex';
import { dialect } from '../db';
import { monthBefore } from '../repositories/reviewRepository';
import { generateSnapshots, snapshotDates, warehouseCustomers } from './churnSnapshots';

/**
 * A year of synthetic service history for the manager's review to show: customers across tiers and industries,
 * conversations with transcript lines, complaints with deadlines (some breached), handoffs with waits and agents,
 * surveys with a realistic score mix, offers shown and their outcomes, monthly telecom usage, and a few QA reviews.
 *
 * Deterministic: one seeded generator drives every choice, so the same seed, scale and "now" give the same rows.
 * It sits beside the demo data without touching it: its customers are numbered H000001…, its agents are `hist.*`
 * (who cannot sign in), its complaint references start with H, and a second run finds its customers and stops
 * (or, asked to replace, removes its own rows first). Transcript lines are stored masked, as the service stores them.
 */

const DAY = 86_400_000;
const MIN = 60_000;
/** The import the history's snapshots are recorded as. */
export const SNAPSHOT_SOURCE = 'demo:history';
/** Customer numbers of the history start with this (demo customers are B…, T…, I…). */
export const HISTORY_PREFIX = 'H';
/** Conversations, customers and the rest are written in slices of this many conversations, each in one transaction. */
const SLICE = 2_000;

/** What to generate. */
export interface HistoryOptions {
  /** 1 = 2,000 customers and 10,000 conversations (about 100,000 transcript lines); 10 = ten times that. */
  scale: number;
  seed: number;
  /** The end of the year of history (epoch ms). */
  now: number;
  /** The service's time zone, which days and reference numbers are counted in (Asia/Shanghai by default). */
  timeZone?: string;
  /** Remove an earlier history first instead of stopping. */
  replace?: boolean;
  /** Told after each slice, for a progress line. */
  progress?: (done: number, total: number) => void;
}

/** What was generated (or found). */
export interface HistoryReport {
  skipped: boolean;
  customers: number;
  conversations: number;
  transcriptLines: number;
  complaints: number;
  handoffs: number;
  surveys: number;
  offerPresentations: number;
  usageMonths: number;
  qaReviews: number;
  /** Customer snapshots (quarterly, a known churn structure) for the churn model to learn from. */
  snapshots: number;
}

/** mulberry32: a small, fast, seeded generator (the same sequence on every machine). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)];
function weighted<T>(r: Rng, table: ReadonlyArray<readonly [T, number]>): T {
  const total = table.reduce((a, [, w]) => a + w, 0);
  let x = r() * total;
  for (const [v, w] of table) if ((x -= w) < 0) return v;
  return table[table.length - 1][0];
}
/** Log-normal: waiting times have a long tail. */
const lognormal = (r: Rng, median: number, spread: number) => median * Math.exp(spread * (r() + r() + r() - 1.5) * 1.4);

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '罗', '高'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '强', '磊', '洋', '艳', '勇', '军', '杰', '娟', '涛', '明', '超', '秀英', '丽', '建华', '志强', '海燕', '晓东'];
const EN_FIRST = ['Emily', 'Michael', 'Sarah', 'David', 'Grace', 'Kevin', 'Linda', 'Jason', 'Amy', 'Peter'];
const EN_LAST = ['Chen', 'Wong', 'Liu', 'Zhang', 'Lee', 'Lin', 'Ho', 'Tan'];
const AGENTS: ReadonlyArray<{ username: string; name: string; locale: string; weight: number }> = [
  { username: 'hist.agent01', name: '王芳', locale: 'zh-CN', weight: 1.4 },
  { username: 'hist.agent02', name: '李强', locale: 'zh-CN', weight: 1.2 },
  { username: 'hist.agent03', name: '赵丽', locale: 'zh-CN', weight: 1.0 },
  { username: 'hist.agent04', name: '陈明', locale: 'zh-CN', weight: 1.0 },
  { username: 'hist.agent05', name: 'Emma Zhou', locale: 'en-US', weight: 0.8 },
  { username: 'hist.agent06', name: '孙悦', locale: 'zh-CN', weight: 0.9 },
  { username: 'hist.agent07', name: '周杰', locale: 'zh-CN', weight: 0.6 },
  { username: 'hist.agent08', name: '吴婷', locale: 'zh-CN', weight: 0.5 },
];
const CATEGORIES: Record<string, ReadonlyArray<readonly [string, number]>> = {
  bank: [
    ['billing', 35],
    ['service', 25],
    ['digital', 20],
    ['sales', 12],
    ['other', 8],
  ],
  telecom: [
    ['billing', 35],
    ['product', 30],
    ['service', 20],
    ['digital', 10],
    ['other', 5],
  ],
  insurance: [
    ['claims', 40],
    ['service', 25],
    ['sales', 20],
    ['billing', 10],
    ['other', 5],
  ],
};
const SIGNALS: Record<string, readonly string[]> = {
  bank: ['funds_outflow', 'large_maturity', 'repeat_complaints', 'overdue_complaint', 'low_satisfaction', 'churn_intent', 'rm_changed'],
  telecom: ['low_usage', 'usage_drop', 'repeat_complaints', 'overdue_complaint', 'low_satisfaction', 'churn_intent', 'late_payment'],
  insurance: ['large_maturity', 'repeat_complaints', 'low_satisfaction', 'churn_intent', 'late_payment'],
};
type Intent = 'smalltalk' | 'balance' | 'complaint' | 'offers' | 'human' | 'churn';
const INTENTS: ReadonlyArray<readonly [Intent, number]> = [
  ['smalltalk', 20],
  ['balance', 30],
  ['complaint', 15],
  ['offers', 15],
  ['human', 12],
  ['churn', 8],
];

/** What each side says, per intent and language (stored masked, as the transcript middleware writes them). */
const LINES: Record<'zh-CN' | 'en-US', Record<Intent | 'agent', { customer: readonly string[]; bot: readonly string[] }>> = {
  'zh-CN': {
    smalltalk: {
      customer: ['你好', '你能做什么', '谢谢', '好的', '再见', '在吗'],
      bot: ['您好！我是您的客户维系助手，可以帮您查余额、办投诉、看优惠。', '不客气，还有什么可以帮您？', '再见，祝您生活愉快！'],
    },
    balance: {
      customer: ['查一下余额', '我卡里还有多少钱', '话费还剩多少', '我的手机号是 138****2231', '验证码收到了', '好的谢谢'],
      bot: [
        '为了保护您的账户，请先完成身份验证。',
        '验证码已发送到您尾号 2231 的手机。',
        '验证成功。您的活期账户 **** 6688 余额为 ¥12,345.60。',
        '还有其他需要吗？',
      ],
    },
    complaint: {
      customer: ['我要投诉', '你们乱扣我手续费', '网点排队太久，服务态度很差', '信号总是断', '请尽快处理', '打我电话 139****5512'],
      bot: [
        '非常抱歉给您带来不便，请描述一下发生了什么。',
        '已为您登记投诉，编号已发送，我们会在时限内联系您。',
        '请问怎么联系您比较方便？',
        '我们会尽快为您处理。',
      ],
    },
    offers: {
      customer: ['有什么适合我的优惠', '这个怎么办理', '接受 1', '不需要', '稍后联系我'],
      bot: ['根据您的情况，为您推荐以下优惠：', '已为您记录，客户经理会尽快联系您。', '好的，如有需要随时找我。'],
    },
    human: {
      customer: ['转人工', '我要找客服', '机器人听不懂', '好的我等一下'],
      bot: ['正在为您转接人工客服，请稍候。', '您前面还有 2 位客户，预计等待 3 分钟。'],
    },
    churn: {
      customer: ['我要销户', '准备把钱都转走', '别家更便宜', '服务太差了', '那我考虑一下'],
      bot: ['很遗憾听到您想离开，能告诉我主要原因吗？', '谢谢您告诉我，已经记下了。', '在您决定之前，我们可以为您提供：'],
    },
    agent: {
      customer: ['好的', '什么时候能处理好', '谢谢你', '明白了'],
      bot: ['您好，我是客服，马上为您核实。', '已经为您处理好了，还有其他问题吗？', '非常抱歉给您带来不便。', '感谢您的耐心等待。'],
    },
  },
  'en-US': {
    smalltalk: {
      customer: ['hello', 'what can you do', 'thanks', 'ok', 'bye'],
      bot: ['Hello! I can check balances, take complaints and show offers.', "You're welcome. Anything else?", 'Goodbye!'],
    },
    balance: {
      customer: ['check my balance', 'how much data do I have left', 'my number is 138****7720', 'got the code', 'thanks'],
      bot: [
        'To protect your account, let me check it is you first.',
        'A code is on its way to the phone ending 7720.',
        'Verified. Your savings **** 1234 holds CNY 6,450.00.',
        'Anything else?',
      ],
    },
    complaint: {
      customer: ['I want to complain', 'you charged me twice', 'the signal keeps dropping', 'please fix it soon'],
      bot: ["I'm sorry about that. What happened?", 'Your complaint is filed; the reference is on its way.', 'How should we reach you?'],
    },
    offers: {
      customer: ['any offers for me?', 'how do I get it', 'accept 1', 'not interested', 'call me later'],
      bot: ['Here is what fits you:', 'Noted: your relationship manager will call you.', 'Sure, just ask any time.'],
    },
    human: {
      customer: ['agent', 'talk to a person', 'you do not understand me'],
      bot: ['Connecting you to a person, one moment please.', 'There are 2 customers before you; about 3 minutes.'],
    },
    churn: {
      customer: ["I'm switching to another provider", 'close my account', 'it costs too much'],
      bot: [
        "I'm sorry to hear you're thinking of leaving. What's the main reason?",
        'Thank you for telling me.',
        'Before you decide, here is what we can offer you:',
      ],
    },
    agent: {
      customer: ['ok', 'when will it be fixed', 'thank you'],
      bot: ["Hello, I'm here to help. Let me check.", "That's done for you. Anything else?", 'Thank you for waiting.'],
    },
  },
};
const COMPLAINT_TEXT: Record<string, readonly string[]> = {
  billing: ['重复扣费两个月，请退还。', '账单里有一笔不认识的费用。', 'You charged me a fee I never agreed to.'],
  service: ['网点排队两个小时，工作人员态度差。', '客服电话一直打不通。', 'The staff at the branch were rude.'],
  product: ['家里晚上信号总是断。', '宽带经常掉线。', 'Mobile data is very slow in my area.'],
  digital: ['手机银行登录不了。', 'App 转账一直失败。', 'The app crashes when I pay.'],
  sales: ['理财产品风险没有说清楚。', '被推销了不需要的保险。', 'I was sold a product I did not ask for.'],
  claims: ['理赔材料交了一个月还没结果。', '理赔金额比说好的少。', 'My claim has been pending for weeks.'],
  other: ['积分兑换不了。', '地址变更一直没生效。', 'My address change never went through.'],
};
const COMMENTS_GOOD = ['处理很快，谢谢。', '客服很耐心。', '问题解决了，满意。', 'Quick and friendly, thanks.', null, null, null];
const COMMENTS_BAD = ['等太久了。', '问题还没解决。', '态度一般，要打 138****4410 才有人理。', 'Took too long to fix.', 'Nobody called me back.', null];
const CHANNELS: ReadonlyArray<readonly [string, number]> = [
  ['webchat', 58],
  ['wechat', 38],
  ['msteams', 4],
];

interface HCustomer {
  id: number;
  no: string;
  industry: string;
  tier: string;
  locale: 'zh-CN' | 'en-US';
  joinedAt: number;
  closedAt: number | null;
}

/** Whether the history is there already (its customers are). */
export async function historyPresent(knex: Knex): Promise<number> {
  const [row] = await knex('customers').where('customer_no', 'like', `${HISTORY_PREFIX}%`).count({ n: '*' });
  return Number(row.n);
}

/** Removes the rows an earlier run generated: its conversations and what hangs off them, then its customers. */
export async function removeHistory(knex: Knex): Promise<void> {
  const customers = () => knex('customers').where('customer_no', 'like', `${HISTORY_PREFIX}%`).select('id');
  const conversations = () => knex('conversations').where('conversation_key', 'like', 'history-%').select('id');
  const surveys = () => knex('surveys').whereIn('conversation_id', conversations()).orWhereIn('customer_id', customers()).select('id');
  const presentations = () => knex('offer_presentations').whereIn('customer_id', customers()).select('id');
  const handoffs = () => knex('handoffs').whereIn('conversation_id', conversations()).select('id');
  await knex.transaction(async (trx) => {
    await trx('qa_reviews').whereIn('conversation_id', conversations()).del();
    await trx('transcript_activities').whereIn('conversation_id', conversations()).del();
    await trx('recovery_cases').whereIn('survey_id', surveys()).del();
    await trx('surveys').whereIn('id', surveys()).del();
    await trx('follow_ups').whereIn('offer_presentation_id', presentations()).orWhereIn('customer_id', customers()).del();
    await trx('offer_presentations').whereIn('id', presentations()).del();
    await trx('churn_intents').whereIn('customer_id', customers()).del();
    await trx('churn_model_scores').whereIn('customer_id', customers()).del();
    await trx('customer_snapshots').where('customer_no', 'like', `${HISTORY_PREFIX}%`).del();
    await trx('snapshot_imports').where({ file_name: SNAPSHOT_SOURCE }).whereNotIn('id', trx('customer_snapshots').select('import_id')).del();
    await trx('handoff_messages').whereIn('handoff_id', handoffs()).del();
    await trx('handoff_notes').whereIn('handoff_id', handoffs()).del();
    await trx('handoffs').whereIn('id', handoffs()).del();
    await trx('complaints').where('reference', 'like', `${HISTORY_PREFIX}%`).del();
    await trx('conversations').whereIn('id', conversations()).del();
    await trx('usage_months').whereIn('customer_id', customers()).del();
    await trx('customers').whereIn('id', customers()).del();
  });
}

/** `n` fresh ids for a table: the next ones on SQLite (one writer), taken from the sequence on PostgreSQL. */
async function allocateIds(knex: Knex | Knex.Transaction, table: string, n: number): Promise<number[]> {
  if (n === 0) return [];
  if (dialect(knex as Knex) === 'pg') {
    const rows = await knex.raw(`select nextval(pg_get_serial_sequence(?, 'id')) as id from generate_series(1, ?)`, [table, n]);
    return (rows.rows as Array<{ id: number | string }>).map((r) => Number(r.id));
  }
  const [row] = await knex(table).max({ m: 'id' });
  const base = Number(row.m ?? 0) + 1;
  return Array.from({ length: n }, (_, i) => base + i);
}

/**
 * Inserts rows as multi-row VALUES statements of at most ~24,000 parameters (SQLite allows 32,766, PostgreSQL 65,535).
 * Written out rather than through the query builder: Knex turns a SQLite batch into a compound SELECT, which SQLite
 * caps at 500 terms, and a million transcript lines would take thousands of statements.
 */
async function insertMany(db: Knex | Knex.Transaction, table: string, rows: Array<Record<string, unknown>>): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  const per = Math.max(1, Math.floor(24_000 / columns.length));
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  for (let i = 0; i < rows.length; i += per) {
    const slice = rows.slice(i, i + per);
    const values: Knex.Value[] = [];
    for (const row of slice) for (const c of columns) values.push((row[c] ?? null) as Knex.Value);
    await db.raw(`insert into ?? (${columns.map(() => '??').join(', ')}) values ${slice.map(() => tuple).join(', ')}`, [table, ...columns, ...values]);
  }
}

/** Fills the database with a year of history; see the module comment. */
export async function seedHistory(knex: Knex, options: HistoryOptions): Promise<HistoryReport> {
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  const existing = await historyPresent(knex);
  const empty: HistoryReport = {
    skipped: true,
    customers: existing,
    conversations: 0,
    transcriptLines: 0,
    complaints: 0,
    handoffs: 0,
    surveys: 0,
    offerPresentations: 0,
    usageMonths: 0,
    qaReviews: 0,
    snapshots: 0,
  };
  if (existing > 0 && !options.replace) return empty;
  if (existing > 0) await removeHistory(knex);

  const r = seededRandom(options.seed);
  const now = options.now;
  const yearAgo = now - 365 * DAY;
  const report: HistoryReport = { ...empty, skipped: false, customers: 0 };

  // ---- staff: synthetic agents (no password works for them), and whoever reviews quality ----
  for (const a of AGENTS) {
    await knex('staff')
      .insert({
        username: a.username,
        display_name: a.name,
        role: 'agent',
        password_hash: '!history-agent-no-sign-in',
        locale: a.locale,
        team: 'care',
        active: true,
        created_at: now,
        updated_at: now,
      })
      .onConflict('username')
      .ignore();
  }
  const staffRows = await knex('staff').select('id', 'username', 'role');
  const agentIds = AGENTS.map((a) => ({ id: Number(staffRows.find((s) => s.username === a.username)!.id), weight: a.weight }));
  const demoAgents = staffRows.filter((s) => s.username === 'agent.zhang' || s.username === 'agent.li').map((s) => ({ id: Number(s.id), weight: 1.1 }));
  const agents = [...agentIds, ...demoAgents].map((a) => [a.id, a.weight] as const);
  const reviewer = staffRows.find((s) => s.username === 'manager.zhao') ?? staffRows.find((s) => s.role === 'manager' || s.role === 'admin');
  const rm = staffRows.find((s) => s.username === 'rm.chen');

  // ---- offers: the catalog there is, or one retention offer per industry ----
  let offers = await knex('offers').select('id', 'industry', 'kind');
  for (const industry of ['bank', 'telecom', 'insurance']) {
    if (offers.some((o) => o.industry === industry)) continue;
    await knex('offers')
      .insert({
        code: `HIST_${industry.toUpperCase()}_LOYALTY`,
        industry,
        kind: 'retention',
        title: JSON.stringify({ 'zh-CN': '老客户回馈', 'en-US': 'Loyalty reward' }),
        description: JSON.stringify({ 'zh-CN': '感谢您的长期支持。', 'en-US': 'Thank you for staying with us.' }),
        valid_from: yearAgo,
        valid_to: now + 365 * DAY,
        stock: null,
        eligibility: '{}',
        active: true,
        created_at: now,
        updated_at: now,
      })
      .onConflict('code')
      .ignore();
  }
  offers = await knex('offers').select('id', 'industry', 'kind');

  // ---- customers ----
  const customerCount = Math.max(10, Math.round(2_000 * options.scale));
  const customerIds = await allocateIds(knex, 'customers', customerCount);
  const customers: HCustomer[] = [];
  const customerRows: Array<Record<string, unknown>> = [];
  const usageRows: Array<Record<string, unknown>> = [];
  for (let i = 0; i < customerCount; i++) {
    const industry = weighted(r, [
      ['bank', 45],
      ['telecom', 40],
      ['insurance', 15],
    ] as const);
    const tier = weighted(r, [
      ['vip', 3],
      ['gold', 12],
      ['silver', 30],
      ['regular', 55],
    ] as const);
    const english = r() < 0.1;
    const locale = english ? 'en-US' : 'zh-CN';
    const name = english ? `${pick(r, EN_FIRST)} ${pick(r, EN_LAST)}` : `${pick(r, SURNAMES)}${pick(r, GIVEN)}`;
    // Most customers are years old; about one in eight joined during the year.
    const joinedAt = r() < 0.12 ? yearAgo + Math.floor(r() * 335 * DAY) : now - int(r, 366, 12 * 365) * DAY;
    const closes = r() < 0.04;
    const closedAt = closes ? Math.max(joinedAt + 30 * DAY, yearAgo + Math.floor(r() * 360 * DAY)) : null;
    const closedNow = closedAt !== null && closedAt < now;
    const declining = closedNow || r() < 0.15;
    const score = closedNow ? int(r, 60, 100) : declining ? int(r, 45, 95) : Math.min(100, Math.floor(lognormal(r, 14, 1)));
    const band = score >= 70 ? 'high' : score >= 40 ? 'medium' : 'low';
    const signals =
      score >= 40 ? Array.from(new Set([pick(r, SIGNALS[industry]), pick(r, SIGNALS[industry])])).map((code) => ({ code, weight: int(r, 15, 35) })) : [];
    const tenureDays = (now - joinedAt) / DAY;
    const stage = closedNow ? 'churned' : tenureDays < 90 ? 'acquisition' : declining ? 'decline' : tenureDays < 730 ? 'growth' : 'maturity';
    const value = { vip: [30_000, 400_000_000], gold: [12_000, 30_000_000], silver: [5_000, 8_000_000], regular: [3_000, 1_000_000] }[tier][
      industry === 'telecom' ? 0 : 1
    ];
    const c: HCustomer = {
      id: customerIds[i],
      no: `${HISTORY_PREFIX}${String(i + 1).padStart(6, '0')}`,
      industry,
      tier,
      locale,
      joinedAt,
      closedAt: closedNow ? closedAt : null,
    };
    customers.push(c);
    customerRows.push({
      id: c.id,
      customer_no: c.no,
      name,
      mobile: `1380${String(1_000_000 + i).padStart(7, '0')}`,
      id_last4: String(int(r, 0, 9999)).padStart(4, '0'),
      birthday: `${int(r, 1955, 2003)}-${String(int(r, 1, 12)).padStart(2, '0')}-${String(int(r, 1, 28)).padStart(2, '0')}`,
      locale,
      timezone: 'Asia/Shanghai',
      industry,
      tier,
      lifecycle_stage: stage,
      value_minor: Math.round(value * (0.6 + r() * 0.8)),
      relationship_manager_id: tier === 'vip' && rm ? Number(rm.id) : null,
      marketing_consent: r() < 0.7,
      joined_at: joinedAt,
      churn_risk_score: score,
      churn_risk_band: band,
      churn_signals: JSON.stringify(signals),
      status: closedNow ? 'closed' : 'active',
      closed_at: closedNow ? closedAt : null,
      risk_computed_at: now,
      created_at: joinedAt,
      updated_at: closedNow ? closedAt : now,
    });
    if (industry === 'telecom') {
      // Thirteen months of usage; about one in twelve slides under the "lost" line (ARPU < ¥50 or < 100 minutes).
      const base = { vip: 35_000, gold: 15_000, silver: 8_000, regular: 5_500 }[tier];
      const sliding = r() < 0.08;
      for (let m = 13; m >= 1; m--) {
        const fading = sliding && m <= int(r, 3, 6);
        usageRows.push({
          customer_id: c.id,
          month: monthBefore(now, m),
          arpu_minor: Math.round(fading ? base * 0.35 * (0.6 + r() * 0.5) : base * (0.85 + r() * 0.3)),
          mou: fading ? int(r, 20, 120) : int(r, 150, 900),
        });
      }
    }
  }
  await knex.transaction(async (trx) => {
    await insertMany(trx, 'customers', customerRows);
    await insertMany(trx, 'usage_months', usageRows);
  });
  report.customers = customerCount;
  report.usageMonths = usageRows.length;

  // Relationship surveys (NPS): a few per customer a year, at least 90 days apart, no conversation of their own.
  const npsRows: Array<Record<string, unknown>> = [];
  for (const c of customers) {
    let t = Math.max(c.joinedAt, yearAgo) + Math.floor(r() * 120 * DAY);
    while (t < now && (c.closedAt === null || t < c.closedAt)) {
      if (r() < 0.55) {
        const answered = r() < 0.45;
        const score = weighted(r, [
          [10, 22],
          [9, 23],
          [8, 17],
          [7, 12],
          [6, 8],
          [5, 6],
          [4, 4],
          [3, 3],
          [2, 2],
          [1, 1],
          [0, 2],
        ] as const);
        const answeredAt = t + int(r, 5, 600) * MIN;
        npsRows.push({
          customer_id: c.id,
          kind: 'nps',
          trigger: 'relationship',
          status: answered && answeredAt < now ? 'answered' : t + 3 * DAY < now ? 'expired' : 'sent',
          score: answered && answeredAt < now ? score : null,
          sent_at: t,
          answered_at: answered && answeredAt < now ? answeredAt : null,
          expires_at: t + 3 * DAY,
          channel: weighted(r, CHANNELS),
          locale: c.locale,
          created_at: t,
        });
      }
      t += int(r, 90, 200) * DAY;
    }
  }
  await knex.transaction((trx) => insertMany(trx, 'surveys', npsRows));
  report.surveys += npsRows.length;

  // ---- conversations, a slice at a time ----
  const conversationCount = Math.round(10_000 * options.scale);
  let complaintSeq = 0;
  for (let start = 0; start < conversationCount; start += SLICE) {
    const n = Math.min(SLICE, conversationCount - start);
    const ids = await allocateIds(knex, 'conversations', n);
    const rows = {
      conversations: [] as Array<Record<string, unknown>>,
      transcript: [] as Array<Record<string, unknown>>,
      complaints: [] as Array<Record<string, unknown>>,
      handoffs: [] as Array<Record<string, unknown>>,
      surveys: [] as Array<Record<string, unknown>>,
      offers: [] as Array<Record<string, unknown>>,
      intents: [] as Array<Record<string, unknown>>,
      qa: [] as Array<Record<string, unknown>>,
    };
    // Complaints and handoffs get their ids up front so surveys and handoffs can point at them.
    const complaintIds = await allocateIds(knex, 'complaints', Math.ceil(n * 0.25));
    const handoffIds = await allocateIds(knex, 'handoffs', Math.ceil(n * 0.45));
    let ci = 0;
    let hi = 0;

    for (let k = 0; k < n; k++) {
      const id = ids[k];
      // Days spread over the year; hours mostly in the service's day (08:00–22:00 China time).
      const day = Math.floor(r() * 365);
      const hour = weighted(r, [
        [8, 4],
        [9, 8],
        [10, 10],
        [11, 10],
        [12, 7],
        [13, 8],
        [14, 10],
        [15, 10],
        [16, 9],
        [17, 8],
        [18, 7],
        [19, 8],
        [20, 8],
        [21, 6],
        [22, 2],
        [2, 1],
      ] as const);
      let started = startOfLocalDay(now - (day + 1) * DAY, timeZone) + hour * 3_600_000 + int(r, 0, 59) * MIN;
      if (started >= now) started = now - int(r, 10, 600) * MIN;
      const identified = r() < 0.82;
      const c = identified ? customerAt(r, customers, started) : null;
      const locale: 'zh-CN' | 'en-US' = c?.locale ?? (r() < 0.1 ? 'en-US' : 'zh-CN');
      const channel = weighted(r, CHANNELS);
      const intent = weighted(r, INTENTS);
      rows.conversations.push({
        id,
        channel_id: channel,
        conversation_key: `history-${options.seed}-${start + k}`,
        user_id: `history-user-${start + k}`,
        customer_id: c?.id ?? null,
        locale,
        reference: '{}',
        started_at: started,
      });

      // Transcript: 4–16 lines (10 on average), customer and bot in turn, then the agent's when one took over.
      const lineCount = int(r, 4, 16);
      const phrases = LINES[locale][intent];
      let t = started;
      let agentFrom = lineCount;
      let complaintId: number | null = null;
      let handoffAt: number | null = null;

      if (intent === 'complaint' && c && ci < complaintIds.length) {
        complaintId = complaintIds[ci++];
        const category = weighted(r, CATEGORIES[c.industry]);
        const severity = weighted(r, [
          ['low', 30],
          ['medium', 45],
          ['high', 20],
          ['critical', 5],
        ] as const);
        const created = started + int(r, 1, 4) * MIN;
        const fast = c.tier === 'vip' || c.tier === 'gold' || severity === 'critical';
        const firstDue = created + (fast ? 2 : 24) * 3_600_000;
        const resolutionDue = created + (c.tier === 'vip' ? 3 : 7) * DAY;
        // Most first contacts and resolutions are in time; some are late, and the latest ones are still open.
        const firstContacted = created + (r() < 0.9 ? r() * (firstDue - created) : (firstDue - created) * (1 + r() * 2));
        const resolvedAt = created + (r() < 0.86 ? r() * (resolutionDue - created) : (resolutionDue - created) * (1 + r() * 1.5));
        const contacted = firstContacted < now ? firstContacted : null;
        const resolved = resolvedAt < now ? resolvedAt : null;
        const status = resolved ? 'resolved' : contacted ? 'acknowledged' : 'open';
        rows.complaints.push({
          id: complaintId,
          reference: `${HISTORY_PREFIX}${compactDay(created, timeZone)}-${String(++complaintSeq).padStart(6, '0')}`,
          customer_id: c.id,
          conversation_id: id,
          channel,
          category,
          severity,
          status,
          description: pick(r, COMPLAINT_TEXT[category]),
          contact: r() < 0.3 ? `13802${String(int(r, 0, 999_999)).padStart(6, '0')}` : null,
          locale,
          route: fast || severity === 'high' ? 'agent' : 'back_office',
          escalated: fast || severity === 'high',
          first_contact_due_at: firstDue,
          resolution_due_at: resolutionDue,
          first_contacted_at: contacted === null ? null : Math.round(contacted),
          resolved_at: resolved === null ? null : Math.round(resolved),
          resolution: resolved ? '已处理并回复客户。' : null,
          first_contact_breached_at: (contacted ?? now) > firstDue && firstDue < now ? firstDue : null,
          resolution_breached_at: (resolved ?? now) > resolutionDue && resolutionDue < now ? resolutionDue : null,
          created_at: created,
          updated_at: Math.round(resolved ?? contacted ?? created),
        });
        if (resolved && resolved + MIN < now) {
          rows.surveys.push(
            csatSurvey(r, {
              customerId: c.id,
              conversationId: id,
              complaintId,
              handoffId: null,
              agentId: null,
              channel,
              locale,
              sentAt: Math.round(resolved + 30 * MIN),
              now,
              trigger: 'complaint_closed',
              penalty: resolvedAt > resolutionDue ? 1.2 : 0,
            }),
          );
        }
        if (fast || severity === 'high' || r() < 0.3) handoffAt = created + MIN;
      }
      if (intent === 'human' || (intent === 'churn' && c && (c.tier === 'vip' || c.tier === 'gold'))) handoffAt = started + int(r, 1, 3) * MIN;

      if (handoffAt !== null && hi < handoffIds.length && handoffAt < now) {
        const handoffId = handoffIds[hi++];
        const priority = c && (c.tier === 'vip' || c.tier === 'gold') ? 1 : 0;
        const peak = hour >= 10 && hour <= 11 ? 2 : hour >= 14 && hour <= 16 ? 1.6 : 1;
        const waitMs = Math.round(lognormal(r, (priority ? 1.2 : 3) * peak, 1) * MIN);
        const leaves = r() < 0.06 + (waitMs > 15 * MIN ? 0.25 : 0);
        const acceptedAt = !leaves && handoffAt + waitMs < now ? handoffAt + waitMs : null;
        const agentId = acceptedAt ? weighted(r, agents) : null;
        const endedAt = acceptedAt ? acceptedAt + Math.round(lognormal(r, 7, 0.8) * MIN) : leaves ? handoffAt + Math.round(waitMs * r()) : null;
        const ended = endedAt !== null && endedAt < now;
        const status = acceptedAt ? (ended ? 'resolved' : 'active') : ended ? 'abandoned' : 'queued';
        rows.handoffs.push({
          id: handoffId,
          conversation_id: id,
          customer_id: c?.id ?? null,
          complaint_id: complaintId,
          status,
          reason: intent === 'human' ? 'explicit_request' : intent === 'churn' ? 'churn_intent' : c && priority ? `tier_${c.tier}` : 'complaint',
          reasons: JSON.stringify([intent === 'human' ? 'explicit_request' : intent === 'churn' ? 'churn_intent' : 'complaint']),
          priority,
          severity: null,
          packet: '{}',
          agent_id: agentId,
          queued_at: handoffAt,
          accepted_at: acceptedAt,
          ended_at: ended ? endedAt : null,
          updated_at: ended ? endedAt : (acceptedAt ?? handoffAt),
          outcome:
            status === 'resolved'
              ? weighted(r, [
                  ['resolved', 55],
                  ['info_given', 25],
                  ['refund_approved', 8],
                  ['callback_promised', 7],
                  ['escalated', 5],
                ] as const)
              : status === 'abandoned'
                ? pick(r, ['customer_left', 'customer_cancelled'])
                : null,
          tier: c?.tier ?? null,
          locale,
          mode: 'internal',
        });
        if (acceptedAt) {
          agentFrom = Math.max(2, Math.floor(lineCount * 0.5));
          if (status === 'resolved' && endedAt! + MIN < now) {
            rows.surveys.push(
              csatSurvey(r, {
                customerId: c?.id ?? null,
                conversationId: id,
                complaintId: null,
                handoffId,
                agentId,
                channel,
                locale,
                sentAt: endedAt! + MIN,
                now,
                trigger: 'agent_resolved',
                penalty: waitMs > 10 * MIN ? 1.3 : waitMs > 5 * MIN ? 0.5 : 0,
              }),
            );
            // A manager reviews a few conversations for quality.
            if (reviewer && r() < 0.03) {
              const good = r() < 0.8;
              const score = () => (good ? int(r, 4, 5) : int(r, 2, 4));
              const reviewedAt = Math.min(now - MIN, endedAt! + int(r, 1, 10) * DAY);
              const signed = r() < 0.7;
              rows.qa.push({
                conversation_id: id,
                agent_id: agentId,
                reviewer_id: Number(reviewer.id),
                resolved: score(),
                courtesy: score(),
                accuracy: score(),
                compliance: good ? 5 : int(r, 3, 5),
                comment: good ? '规范、耐心。' : '等待较久，未主动致歉。',
                signed_off_at: signed ? reviewedAt : null,
                signed_off_by: signed ? Number(reviewer.id) : null,
                created_at: reviewedAt,
                updated_at: reviewedAt,
              });
            }
          }
        }
      }

      if ((intent === 'offers' || intent === 'churn') && c) {
        const fitting = offers.filter((o) => o.industry === c.industry);
        const shown = intent === 'churn' ? 1 : int(r, 1, 3);
        for (let j = 0; j < shown && fitting.length; j++) {
          const at = started + (2 + j) * MIN;
          const outcome = weighted(
            r,
            intent === 'churn'
              ? ([
                  ['accepted', 35],
                  ['declined', 40],
                  ['later', 10],
                  ['expired', 15],
                ] as const)
              : ([
                  ['accepted', 22],
                  ['declined', 35],
                  ['later', 13],
                  ['expired', 25],
                  ['shown', 5],
                ] as const),
          );
          const decided = outcome === 'expired' ? at + 7 * DAY : at + int(r, 1, 30) * MIN;
          const final = decided < now ? outcome : 'shown';
          rows.offers.push({
            offer_id: Number(pick(r, fitting).id),
            customer_id: c.id,
            conversation_id: id,
            channel,
            locale,
            outcome: final,
            relevance: intent === 'churn' ? 'save_attempt' : pick(r, ['maturing_product', 'service_recovery', null]),
            shown_at: at,
            outcome_at: final === 'shown' ? null : decided,
          });
        }
        if (intent === 'churn')
          rows.intents.push({
            customer_id: c.id,
            conversation_id: id,
            channel,
            reason: pick(r, ['price', 'service', 'competitor', 'no_need', 'moving', 'unknown']),
            reason_text: null,
            created_at: started + MIN,
          });
      }

      for (let line = 0; line < lineCount; line++) {
        t += int(r, 5, 90) * 1000;
        const fromAgent = line >= agentFrom;
        const customerTurn = line % 2 === 0;
        const bank = fromAgent ? LINES[locale].agent : phrases;
        rows.transcript.push({
          conversation_id: id,
          direction: customerTurn ? 'in' : 'out',
          activity_type: 'message',
          sender: customerTurn ? 'customer' : fromAgent ? 'agent' : 'bot',
          text: customerTurn ? pick(r, bank.customer) : pick(r, bank.bot),
          meta: null,
          locale,
          created_at: Math.min(t, now - 1000),
        });
      }
    }

    await knex.transaction(async (trx) => {
      await insertMany(trx, 'conversations', rows.conversations);
      await insertMany(trx, 'complaints', rows.complaints);
      await insertMany(trx, 'handoffs', rows.handoffs);
      await insertMany(trx, 'surveys', rows.surveys);
      await insertMany(trx, 'offer_presentations', rows.offers);
      await insertMany(trx, 'churn_intents', rows.intents);
      await insertMany(trx, 'qa_reviews', rows.qa);
      await insertMany(trx, 'transcript_activities', rows.transcript);
    });
    report.conversations += rows.conversations.length;
    report.transcriptLines += rows.transcript.length;
    report.complaints += rows.complaints.length;
    report.handoffs += rows.handoffs.length;
    report.surveys += rows.surveys.length;
    report.offerPresentations += rows.offers.length;
    report.qaReviews += rows.qa.length;
    options.progress?.(start + n, conversationCount);
  }
  report.snapshots = await seedSnapshots(knex, customers, options);
  return report;
}

/**
 * The operator's warehouse export for the churn model: five quarterly snapshot dates (month ends, the last one the
 * month before `now`) of every history customer and of as many more warehouse-only customers (HWB…, HWT…, HWI…) as
 * make 2,500 per industry at scale 1, drawn from the known churn structure of churnSnapshots.ts. The history
 * customers who left did so when the history says; their snapshots are drawn to agree. A separate generator, so the
 * rest of the history is the same with or without it.
 */
async function seedSnapshots(knex: Knex, customers: readonly HCustomer[], options: HistoryOptions): Promise<number> {
  const dates = snapshotDates(options.now, 5);
  let total = 0;
  for (const [i, industry] of (['bank', 'telecom', 'insurance'] as const).entries()) {
    const own = customers.filter((c) => c.industry === industry).map((c) => ({ customerNo: c.no, joinedAt: c.joinedAt, closedAt: c.closedAt }));
    const extra = Math.max(0, Math.round(2_500 * Math.min(1, options.scale)) - own.length);
    const warehouse = warehouseCustomers(`${HISTORY_PREFIX}W${industry[0].toUpperCase()}`, extra, options.now, options.seed * 31 + i);
    const records = generateSnapshots({
      industry,
      customers: [...own, ...warehouse],
      dates,
      seed: options.seed * 17 + i,
      knownUntil: isoDate(options.now, options.timeZone ?? DEFAULT_TIME_ZONE),
    });
    if (records.length === 0) continue;
    const columns = Object.entries(records[0].features).map(([name, v]) => ({ name, kind: typeof v === 'number' ? 'number' : 'category' }));
    await knex.transaction(async (trx) => {
      const [row] = await trx('snapshot_imports')
        .insert({
          industry,
          file_name: SNAPSHOT_SOURCE,
          rows: records.length,
          columns: JSON.stringify(columns),
          first_date: dates[0],
          last_date: dates[dates.length - 1],
          imported_at: options.now,
        })
        .returning('id');
      const importId = Number(typeof row === 'object' ? row.id : row);
      await insertMany(
        trx,
        'customer_snapshots',
        records.map((r) => ({
          industry,
          customer_no: r.customerNo,
          snapshot_date: r.snapshotDate,
          closed_on: r.closedOn,
          churned: null,
          tracks_closing: true,
          features: JSON.stringify(r.features),
          import_id: importId,
        })),
      );
    });
    total += records.length;
  }
  return total;
}

/** A CSAT survey after an agent's chat or a resolved complaint; worse waits and late resolutions score lower. */
function csatSurvey(
  r: Rng,
  s: {
    customerId: number | null;
    conversationId: number;
    complaintId: number | null;
    handoffId: number | null;
    agentId: number | null;
    channel: string;
    locale: string;
    sentAt: number;
    now: number;
    trigger: string;
    penalty: number;
  },
): Record<string, unknown> {
  const answered = r() < 0.62;
  const answeredAt = s.sentAt + int(r, 1, 120) * MIN;
  const done = answered && answeredAt < s.now;
  const base = weighted(r, [
    [5, 46],
    [4, 26],
    [3, 12],
    [2, 7],
    [1, 9],
  ] as const);
  const score = Math.max(1, Math.min(5, Math.round(base - s.penalty * r() * 2)));
  const comment = done ? (score <= 2 ? pick(r, COMMENTS_BAD) : pick(r, COMMENTS_GOOD)) : null;
  return {
    customer_id: s.customerId,
    conversation_id: s.conversationId,
    handoff_id: s.handoffId,
    complaint_id: s.complaintId,
    kind: 'csat',
    trigger: s.trigger,
    agent_id: s.agentId,
    status: done ? 'answered' : s.sentAt + DAY < s.now ? (r() < 0.15 ? 'declined' : 'expired') : 'sent',
    score: done ? score : null,
    comment,
    sent_at: s.sentAt,
    answered_at: done ? answeredAt : null,
    expires_at: s.sentAt + DAY,
    channel: s.channel,
    locale: s.locale,
    created_at: s.sentAt,
  };
}

/** A customer who was there at `at` (joined, not yet left). */
function customerAt(r: Rng, customers: HCustomer[], at: number): HCustomer | null {
  for (let tries = 0; tries < 20; tries++) {
    const c = customers[Math.floor(r() * customers.length)];
    if (c.joinedAt <= at && (c.closedAt === null || c.closedAt > at)) return c;
  }
  return null;
}

function startOfLocalDay(ms: number, timeZone: string): number {
  return startOfZonedDay(isoDate(ms, timeZone), timeZone);
}

function compactDay(ms: number, timeZone: string): string {
  return isoDate(ms, timeZone).replace(/-/g, '');
}
