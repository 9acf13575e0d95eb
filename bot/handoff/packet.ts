import type { Repositories } from '../../data/repositories';
import { maskMobile } from '../../retention/pii';

const DAY = 86_400_000;

/** What an agent sees at a glance when taking a conversation (DOMAIN.md, Agents and managers). */
export interface HandoffPacket {
  customer: {
    id: number;
    customerNo: string;
    name: string;
    mobile: string;
    tier: string;
    industry: string;
    lifecycleStage: string;
    tenureDays: number;
    relationshipManager: string | null;
    products: string[];
    locale: string;
  } | null;
  reasons: string[];
  complaint: { reference: string; category: string; severity: string } | null;
  openComplaints: Array<{ reference: string; category: string; severity: string; status: string; firstContactDueAt: number; resolutionDueAt: number }>;
  offersMade: Array<{ code: string; title: string; outcome: string; shownAt: number }>;
  churnRisk: { score: number; band: string; signals: unknown[] } | null;
  /** The conversation so far, masked as in the transcript, oldest first. */
  transcript: Array<{ sender: string; text: string | null; at: number }>;
}

/**
 * Builds the handoff packet from what is stored: the customer (mobile masked), why the bot handed over, open
 * complaints with their deadlines, offers made and their outcome, the churn-risk score and signals, and the last
 * lines of the conversation (already masked when they were written).
 */
export async function buildHandoffPacket(
  repos: Repositories,
  input: { conversationId: number; customerId: number | null; reasons: string[]; complaintId: number | null; now: number },
): Promise<HandoffPacket> {
  const transcript = (await repos.transcripts.tail(input.conversationId, 50)).map((l) => ({ sender: l.sender, text: l.text, at: l.createdAt }));
  const complaint = input.complaintId !== null ? await repos.complaints.findById(input.complaintId) : undefined;
  const base = {
    reasons: input.reasons,
    complaint: complaint ? { reference: complaint.reference, category: complaint.category, severity: complaint.severity } : null,
    transcript,
  };
  const customer = input.customerId !== null ? await repos.customers.findById(input.customerId) : undefined;
  if (!customer) return { ...base, customer: null, openComplaints: [], offersMade: [], churnRisk: null };

  const [products, rm, signals, offers, open] = await Promise.all([
    repos.customers.listProducts(customer.id),
    customer.relationshipManagerId !== null ? repos.staff.findById(customer.relationshipManagerId) : Promise.resolve(undefined),
    repos.customers.churnSignals(customer.id),
    repos.offers.listPresentations(customer.id, 10),
    repos.complaints.listOpenForCustomer(customer.id),
  ]);
  const zh = customer.locale === 'zh-CN';
  return {
    ...base,
    customer: {
      id: customer.id,
      customerNo: customer.customerNo,
      name: customer.name,
      mobile: maskMobile(customer.mobile),
      tier: customer.tier,
      industry: customer.industry,
      lifecycleStage: customer.lifecycleStage,
      tenureDays: Math.max(0, Math.floor((input.now - customer.joinedAt) / DAY)),
      relationshipManager: rm?.displayName ?? null,
      products: products.map((p) => (zh ? p.nameZh : p.nameEn)),
      locale: customer.locale,
    },
    openComplaints: open.map((c) => ({
      reference: c.reference,
      category: c.category,
      severity: c.severity,
      status: c.status,
      firstContactDueAt: c.firstContactDueAt,
      resolutionDueAt: c.resolutionDueAt,
    })),
    offersMade: offers.map((o) => ({
      code: o.offerCode,
      title: o.title[customer.locale] ?? Object.values(o.title)[0] ?? o.offerCode,
      outcome: o.outcome,
      shownAt: o.shownAt,
    })),
    churnRisk: { score: customer.churnRiskScore, band: customer.churnRiskBand, signals },
  };
}
