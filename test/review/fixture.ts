import type { Knex } from 'knex';

/** An instant in China time. */
export const at = (date: string, time = '10:00') => Date.parse(`${date}T${time}:00+08:00`);
const MIN = 60_000;
const DAY = 86_400_000;

/** "Now" for the fixture: 23 November 2026, 10:00 in Shanghai. */
export const FIXTURE_NOW = at('2026-11-23');
/** The period the expected figures are for: 1–22 November 2026 (to = the first instant of the 23rd). */
export const PERIOD = { from: at('2026-11-01', '00:00'), to: at('2026-11-23', '00:00') };
/** The same period as URL parameters. */
export const PERIOD_QUERY = 'from=2026-11-01&to=2026-11-22';

/** The figures of the fixture, worked out by hand (see the comments in `insertReviewFixture`). */
export const EXPECTED = {
  csat: { answered: 7, average: 25 / 7, distribution: [1, 1, 1, 1, 3] },
  nps: { answered: 5, promoters: 3, passives: 1, detractors: 1, score: 40 },
  response: { sent: 14, answered: 12 },
  complaints: {
    total: 5,
    byCategory: { billing: 2, service: 2, product: 1 },
    byStatus: { open: 2, resolved: 2, acknowledged: 1 },
    breaches: { any: 3, firstContact: 2, resolution: 2 },
  },
  handoffs: { queued: 6, accepted: 5, abandoned: 1, medianMs: 3 * MIN, p90Ms: 7.6 * MIN },
  offers: { shown: 10, accepted: 3, takeUp: 0.3 },
  risk: { low: 3, medium: 1, high: 3, highValueAtRisk: ['FX07', 'FX01', 'FX02'] },
  retention: { group: 7, lost: 3, lostClosed: 1, lostLowUsage: 2, rate: 4 / 7, months: ['2026-08', '2026-09', '2026-10'] },
};

/** Ids of what the fixture inserted. */
export interface Fixture {
  agents: { a1: number; a2: number };
  customers: Record<string, number>;
  conversations: number[];
  complaints: Record<string, number>;
  /** A conversation with a low CSAT, transcript lines and a handoff: what a QA review is about. */
  lowCsatConversation: number;
}

async function insertId(knex: Knex, table: string, row: Record<string, unknown>): Promise<number> {
  const [r] = await knex(table).insert(row).returning('id');
  return Number(typeof r === 'object' ? r.id : r);
}

/**
 * A small world with figures one can work out by hand, for the period 1–22 November 2026. Customer numbers start with
 * FX, staff user names with fx., so the fixture sits beside the demo data without touching it.
 */
export async function insertReviewFixture(knex: Knex): Promise<Fixture> {
  const now = FIXTURE_NOW;
  const staff = async (username: string, name: string, role: string) =>
    insertId(knex, 'staff', { username, display_name: name, role, password_hash: 'x', locale: 'zh-CN', active: true, created_at: now, updated_at: now });
  const a1 = await staff('fx.agent1', '测试客服甲', 'agent');
  const a2 = await staff('fx.agent2', 'Fixture Agent B', 'agent');

  // Customers. The baseline group (joined before 1 November, not left by then): FX01, 02, 03, 04, 07, 08, 09 = 7.
  // Lost: FX04 left on 10 November; FX02 and FX08 had low usage in each of August–October. Rate 1 − 3/7 = 4/7.
  // FX05 left before the period (not in the group); FX06 joined during it (not in the group).
  // Active today, by band: high FX01, FX02, FX07; medium FX03; low FX06, FX08, FX09. High value at high risk, highest
  // score first: FX07 (gold, 90), FX01 (vip, 85), FX02 (gold, 75).
  const customers: Record<string, number> = {};
  const customer = async (no: string, tier: string, industry: string, band: string, score: number, extra: Record<string, unknown> = {}) => {
    customers[no] = await insertId(knex, 'customers', {
      customer_no: no,
      name: `客户${no}`,
      mobile: `1390000${no.slice(2).padStart(4, '0')}`,
      industry,
      tier,
      lifecycle_stage: 'maturity',
      joined_at: at('2025-03-01'),
      churn_risk_score: score,
      churn_risk_band: band,
      churn_signals: JSON.stringify([{ code: 'low_usage', weight: 20 }]),
      status: 'active',
      created_at: now,
      updated_at: now,
      ...extra,
    });
  };
  await customer('FX01', 'vip', 'bank', 'high', 85);
  await customer('FX02', 'gold', 'telecom', 'high', 75);
  await customer('FX03', 'silver', 'telecom', 'medium', 50);
  await customer('FX04', 'regular', 'bank', 'low', 10, { status: 'closed', closed_at: at('2026-11-10') });
  await customer('FX05', 'regular', 'bank', 'low', 5, { status: 'closed', closed_at: at('2026-10-01') });
  await customer('FX06', 'silver', 'insurance', 'low', 15, { joined_at: at('2026-11-05') });
  await customer('FX07', 'gold', 'bank', 'high', 90);
  await customer('FX08', 'regular', 'telecom', 'low', 20);
  await customer('FX09', 'regular', 'bank', 'low', 0);
  const usage = async (no: string, months: Array<[string, number, number]>) => {
    for (const [month, arpu, mou] of months) await knex('usage_months').insert({ customer_id: customers[no], month, arpu_minor: arpu, mou });
  };
  await usage('FX02', [
    ['2026-07', 9000, 300],
    ['2026-08', 4000, 300],
    ['2026-09', 4500, 200],
    ['2026-10', 3000, 150],
  ]);
  // One good month in the three: not lost.
  await usage('FX03', [
    ['2026-08', 4000, 90],
    ['2026-09', 9000, 300],
    ['2026-10', 4000, 80],
  ]);
  // ARPU is fine but under 100 minutes each month: lost (ARPU < ¥50 *or* MOU < 100).
  await usage('FX08', [
    ['2026-08', 8000, 50],
    ['2026-09', 8000, 60],
    ['2026-10', 8000, 99],
  ]);

  // Conversations, one per customer of FX01–FX03, FX07, FX09, plus one anonymous.
  const conversations: number[] = [];
  const conversation = async (no: string | null, channel = 'webchat') => {
    const id = await insertId(knex, 'conversations', {
      channel_id: channel,
      conversation_key: `fx-${conversations.length + 1}`,
      user_id: `fx-user-${conversations.length + 1}`,
      customer_id: no ? customers[no] : null,
      locale: 'zh-CN',
      reference: '{}',
      started_at: at('2026-11-05'),
    });
    conversations.push(id);
    return id;
  };
  const cv1 = await conversation('FX01');
  const cv2 = await conversation('FX02', 'wechat');
  const cv3 = await conversation('FX03');
  const cv7 = await conversation('FX07');
  const cv9 = await conversation('FX09');
  await conversation(null);

  // The transcript of cv2: masked as stored; one line also carries an unmasked number, as an old row might.
  await knex('transcript_activities').insert([
    {
      conversation_id: cv2,
      direction: 'in',
      activity_type: 'message',
      sender: 'customer',
      text: '我要投诉，网络老是断',
      created_at: at('2026-11-05', '10:00'),
    },
    {
      conversation_id: cv2,
      direction: 'out',
      activity_type: 'message',
      sender: 'bot',
      text: '很抱歉，正在为您转人工。',
      created_at: at('2026-11-05', '10:00'),
    },
    {
      conversation_id: cv2,
      direction: 'in',
      activity_type: 'message',
      sender: 'customer',
      text: '我的电话是 13912345678，尽快联系我',
      created_at: at('2026-11-05', '10:01'),
    },
    {
      conversation_id: cv2,
      direction: 'out',
      activity_type: 'message',
      sender: 'agent',
      text: '您好，我是客服，马上为您处理。',
      created_at: at('2026-11-05', '10:03'),
    },
  ]);

  // Complaints filed 1–22 November: 5 (billing 2, service 2, product 1; open 2, resolved 2, acknowledged 1).
  // Breaches as of now: k2 first contact and resolution; k3 resolution (resolved late); k4 first contact (contacted
  // late) → 3 complaints, 2 first-contact and 2 resolution breaches. k6 was filed in October: outside.
  const complaints: Record<string, number> = {};
  const complaint = async (key: string, row: Record<string, unknown>) => {
    const created = row.created_at as number;
    complaints[key] = await insertId(knex, 'complaints', {
      reference: `CFX-${key}`,
      channel: 'webchat',
      severity: 'medium',
      description: '没有说明',
      contact: null,
      first_contact_due_at: created + 2 * 3_600_000,
      resolution_due_at: created + 3 * DAY,
      escalated: false,
      updated_at: created,
      ...row,
    });
  };
  await complaint('k1', {
    customer_id: customers.FX01,
    category: 'billing',
    status: 'resolved',
    created_at: at('2026-11-02'),
    first_contacted_at: at('2026-11-02', '11:00'),
    resolved_at: at('2026-11-03'),
  });
  await complaint('k2', {
    customer_id: customers.FX07,
    conversation_id: cv7,
    category: 'billing',
    status: 'open',
    created_at: at('2026-11-04'),
    description: '多扣了我 30 元，我的卡号 6222020200311238，电话 13900000007',
    contact: '13900000007',
  });
  await complaint('k3', {
    customer_id: customers.FX02,
    conversation_id: cv2,
    category: 'service',
    status: 'resolved',
    created_at: at('2026-11-05'),
    first_contacted_at: at('2026-11-05', '10:30'),
    resolved_at: at('2026-11-10'),
  });
  await complaint('k4', {
    customer_id: customers.FX03,
    category: 'service',
    status: 'acknowledged',
    created_at: at('2026-11-20'),
    first_contacted_at: at('2026-11-20', '15:00'),
    resolution_due_at: at('2026-11-28'),
  });
  await complaint('k5', {
    customer_id: customers.FX09,
    channel: 'wechat',
    category: 'product',
    status: 'open',
    created_at: at('2026-11-22'),
    first_contact_due_at: at('2026-11-24'),
    resolution_due_at: at('2026-11-29'),
  });
  await complaint('k6', {
    customer_id: customers.FX01,
    category: 'other',
    status: 'resolved',
    created_at: at('2026-10-15'),
    first_contacted_at: at('2026-10-15', '11:00'),
    resolved_at: at('2026-10-16'),
  });

  // Handoffs queued in the period: 6. Accepted 5, waiting 1, 2, 3, 4 and 10 minutes: median 3, 90th percentile
  // 4 + 0.6 × (10 − 4) = 7.6 minutes. One abandoned. Agent 1 took three (two resolved), agent 2 two.
  const handoff = async (
    cv: number,
    no: string | null,
    queued: number,
    waitMin: number | null,
    agent: number | null,
    status: string,
    complaintId: number | null = null,
  ) =>
    insertId(knex, 'handoffs', {
      conversation_id: cv,
      customer_id: no ? customers[no] : null,
      complaint_id: complaintId,
      status,
      reason: 'explicit_request',
      reasons: '["explicit_request"]',
      priority: 0,
      packet: '{}',
      agent_id: agent,
      queued_at: queued,
      accepted_at: waitMin === null ? null : queued + waitMin * MIN,
      ended_at: status === 'resolved' || status === 'abandoned' ? queued + 30 * MIN : null,
      outcome: status === 'resolved' ? 'resolved' : status === 'abandoned' ? 'customer_left' : null,
      tier: no === 'FX01' ? 'vip' : no === 'FX02' || no === 'FX07' ? 'gold' : 'regular',
    });
  await handoff(cv1, 'FX01', at('2026-11-03'), 1, a1, 'resolved');
  await handoff(cv2, 'FX02', at('2026-11-05', '10:01'), 2, a1, 'resolved', complaints.k3);
  await handoff(cv3, 'FX03', at('2026-11-06'), 3, a2, 'resolved');
  await handoff(cv7, 'FX07', at('2026-11-07'), 4, a2, 'resolved', complaints.k2);
  await handoff(cv9, 'FX09', at('2026-11-08'), 10, a1, 'active');
  await handoff(cv1, 'FX01', at('2026-11-09'), null, null, 'abandoned');
  await handoff(cv3, 'FX03', at('2026-10-20'), 30, a2, 'resolved');

  // Surveys. CSAT answered in the period: 5, 5, 4, 3, 2, 1, 5 → 7 answers, 25 points, average 25/7; one more answered
  // in October (outside). NPS answered in the period: 10, 9, 9, 7, 3 → promoters 3, passives 1, detractors 1, NPS 40.
  // Sent in the period: these 12 and 2 unanswered = 14, answered 12. Pending and dropped ones were never sent.
  const survey = async (row: Record<string, unknown>) => {
    const sent = row.sent_at as number | null;
    await knex('surveys').insert({ trigger: 'agent_resolved', channel: 'webchat', locale: 'zh-CN', created_at: sent ?? now, ...row });
  };
  const csat = async (score: number | null, status: string, sent: number, agent: number, no: string, cv: number | null, extra: Record<string, unknown> = {}) =>
    survey({
      kind: 'csat',
      score,
      status,
      sent_at: sent,
      answered_at: status === 'answered' ? sent + 10 * MIN : null,
      agent_id: agent,
      customer_id: customers[no],
      conversation_id: cv,
      ...extra,
    });
  await csat(5, 'answered', at('2026-11-03', '11:00'), a1, 'FX01', cv1, { comment: '很好，谢谢' });
  await csat(1, 'answered', at('2026-11-05', '11:00'), a1, 'FX02', cv2, {
    comment: '等太久了，打我电话 13912345678',
    complaint_id: complaints.k3,
    channel: 'wechat',
  });
  await csat(4, 'answered', at('2026-11-06', '11:00'), a2, 'FX03', cv3);
  await csat(3, 'answered', at('2026-11-07', '11:00'), a2, 'FX07', cv7, { complaint_id: complaints.k2, comment: '=HYPERLINK("http://evil.example","click")' });
  await csat(2, 'answered', at('2026-11-10', '11:00'), a1, 'FX09', null, { comment: 'slow, "very" slow\nand rude' });
  await csat(5, 'answered', at('2026-11-12', '11:00'), a2, 'FX01', null);
  await csat(5, 'answered', at('2026-11-15', '11:00'), a1, 'FX01', null);
  await csat(1, 'answered', at('2026-10-20', '11:00'), a1, 'FX01', null);
  await csat(null, 'expired', at('2026-11-16', '11:00'), a1, 'FX03', null);
  await csat(null, 'sent', at('2026-11-22', '11:00'), a2, 'FX07', null);
  await survey({ kind: 'csat', status: 'pending', sent_at: null, customer_id: customers.FX09, agent_id: a1 });
  await survey({ kind: 'csat', status: 'dropped', sent_at: null, customer_id: customers.FX09, agent_id: a1, drop_reason: 'complaint_open' });
  const nps = async (score: number, no: string, day: string) =>
    survey({ kind: 'nps', trigger: 'relationship', score, status: 'answered', sent_at: at(day), answered_at: at(day, '12:00'), customer_id: customers[no] });
  await nps(10, 'FX01', '2026-11-02');
  await nps(9, 'FX02', '2026-11-04');
  await nps(9, 'FX03', '2026-11-06');
  await nps(7, 'FX07', '2026-11-08');
  await nps(3, 'FX09', '2026-11-10');

  // Offers shown in the period: 10 (accepted 3, declined 4, later 1, expired 1, no answer 1): take-up 30%. One shown in
  // October (accepted) is outside.
  const offerId = await insertId(knex, 'offers', {
    code: 'FX_OFFER',
    industry: 'bank',
    kind: 'retention',
    title: JSON.stringify({ 'zh-CN': '测试优惠', 'en-US': 'Fixture offer' }),
    description: JSON.stringify({ 'zh-CN': '测试', 'en-US': 'Fixture' }),
    valid_from: at('2026-01-01'),
    valid_to: at('2027-01-01'),
    created_at: now,
    updated_at: now,
  });
  const outcomes = ['accepted', 'accepted', 'accepted', 'declined', 'declined', 'declined', 'declined', 'later', 'expired', 'shown'];
  for (const [i, outcome] of outcomes.entries()) {
    await knex('offer_presentations').insert({
      offer_id: offerId,
      customer_id: customers.FX01,
      channel: 'webchat',
      locale: 'zh-CN',
      outcome,
      shown_at: at('2026-11-10') + i * MIN,
    });
  }
  await knex('offer_presentations').insert({
    offer_id: offerId,
    customer_id: customers.FX01,
    channel: 'webchat',
    locale: 'zh-CN',
    outcome: 'accepted',
    shown_at: at('2026-10-10'),
  });

  return { agents: { a1, a2 }, customers, conversations, complaints, lowCsatConversation: cv2 };
}
