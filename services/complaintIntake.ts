import type { ComplaintRecord, ComplaintRepository } from '../data/repositories/complaintRepository';
import type { CustomerRepository } from '../data/repositories/customerRepository';
import type { Clock } from '../retention/clock';
import type { Texts } from '../prompts/texts';
import {
  assessSeverity,
  type CategoryLexicon,
  type ComplaintCategory,
  complaintDeadlines,
  DEFAULT_DEADLINE_POLICY,
  type DeadlinePolicy,
  type Severity,
  type SeverityLexicon,
} from '../retention/complaints';
import { type EscalationDecision, isRepeatComplaint } from '../retention/escalation';
import { type Locale, SUPPORTED_LOCALES } from '../retention/locale';
import type { EscalationService } from './escalation';
import type { RiskService } from './ports';

const DAY = 86_400_000;

/** A complaint as the customer gave it, ready to file. */
export interface ComplaintDraft {
  /** Identifies the customer action (one draft of one conversation): filing it again returns the same complaint. */
  key: string;
  customerId: number | null;
  conversationId: number | null;
  channel: string;
  channelUserId: string;
  category: ComplaintCategory;
  /** The customer's first words and the description they gave, masked. */
  firstWords: string;
  description: string;
  /** The number to call back, or null for a reply in the chat. */
  contact: string | null;
  locale: Locale;
  /** Messages in a row the bot did not understand before the complaint. */
  misunderstoodInARow: number;
}

/** What filing decided. */
export interface FiledComplaint {
  complaint: ComplaintRecord;
  severity: Severity;
  decision: EscalationDecision;
}

/**
 * Complaint intake (投诉受理): severity from the category, the words and the customer (a repeat within 30 days counts),
 * deadlines from the tier and severity, the escalation decision (a person now, or the back office), the complaint filed
 * under its reference number with that decision recorded, and the churn risk moved.
 */
export class ComplaintIntakeService {
  constructor(
    private readonly deps: {
      complaints: ComplaintRepository;
      customers: CustomerRepository;
      escalation: EscalationService;
      risk?: RiskService;
      severityWords: SeverityLexicon;
      deadlines?: DeadlinePolicy;
      now: Clock;
    },
  ) {}

  async file(d: ComplaintDraft): Promise<FiledComplaint> {
    const now = this.deps.now();
    const customer = d.customerId !== null ? await this.deps.customers.findById(d.customerId) : undefined;
    const tier = customer?.tier ?? 'regular';
    const earlier = customer ? await this.deps.complaints.filedSince(customer.id, now - 30 * DAY) : [];
    const severity = assessSeverity(
      { category: d.category, tier, text: `${d.firstWords}\n${d.description}`, signals: { repeat: isRepeatComplaint(earlier, now) } },
      this.deps.severityWords,
    ).severity;
    const deadlines = complaintDeadlines({ tier, severity, createdAt: now }, this.deps.deadlines ?? DEFAULT_DEADLINE_POLICY);
    const asked = {
      trigger: 'complaint' as const,
      conversationId: d.conversationId,
      channel: d.channel,
      channelUserId: d.channelUserId,
      customerId: customer?.id ?? null,
      misunderstoodInARow: d.misunderstoodInARow,
      complaint: { severity, category: d.category },
    };
    const decision = await this.deps.escalation.assess(asked);
    const complaint = await this.deps.complaints.create({
      idempotencyKey: `complaint:${d.key}`,
      customerId: customer?.id ?? null,
      conversationId: d.conversationId,
      channel: d.channel,
      channelUserId: d.channelUserId,
      category: d.category,
      severity,
      description: d.description,
      contact: d.contact,
      locale: d.locale,
      route: decision.route === 'agent' ? 'agent' : 'back_office',
      escalated: decision.escalate,
      ...deadlines,
    });
    await this.deps.escalation.record(asked, decision, complaint.id);
    if (customer) await this.deps.risk?.recompute(customer.id, 'complaint_filed');
    return { complaint, severity: complaint.severity, decision };
  }
}

/** The words that tell a complaint's category and severity, in every language (locales/<locale>/complaint.json). */
export function complaintLexicons(texts: Texts): { categories: CategoryLexicon; severity: SeverityLexicon } {
  const merged = <K extends string>(key: string, names: readonly K[]) =>
    Object.fromEntries(names.map((n) => [n, SUPPORTED_LOCALES.flatMap((l) => texts.list(l, `${key}.${n}`))])) as Record<K, string[]>;
  return {
    categories: merged('complaint:categoryWords', ['billing', 'service', 'product', 'sales', 'digital', 'claims'] as const),
    severity: merged('complaint:severityWords', ['critical', 'high', 'medium'] as const),
  };
}
