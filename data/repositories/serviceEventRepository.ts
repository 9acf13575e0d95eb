import type { Knex } from 'knex';
import type { ServiceEvents } from '../../retention/serviceFeatures';
import { toNumOrNull } from '../rows';

/** Ids per statement (the IN list stays short on both engines). */
const CHUNK = 500;
const DAY = 86_400_000;

/** What the service recorded about customers, read in bulk for the churn model's own features. */
export interface ServiceEventRepository {
  /** The service's customer ids of operator customer numbers (those it knows). */
  customerIds(customerNos: readonly string[]): Promise<Map<string, number>>;
  /**
   * Each known customer's complaints, answered surveys, churn words, declined offers and balance history between
   * `from` and `until` (balances from a year before `from`, so a total at `from` can be read). Every id asked for gets
   * an entry, empty when nothing happened.
   */
  events(customerIds: readonly number[], from: number, until: number): Promise<Map<number, ServiceEvents>>;
}

/** Creates the service-event repository. */
export function createServiceEventRepository(knex: Knex): ServiceEventRepository {
  return {
    async customerIds(customerNos) {
      const out = new Map<string, number>();
      const unique = [...new Set(customerNos)];
      for (let i = 0; i < unique.length; i += CHUNK) {
        const rows = await knex('customers')
          .whereIn('customer_no', unique.slice(i, i + CHUNK))
          .select('id', 'customer_no');
        for (const r of rows) out.set(String(r.customer_no), Number(r.id));
      }
      return out;
    },
    async events(customerIds, from, until) {
      const out = new Map<number, Writable>();
      const entry = (id: number) => out.get(id)!;
      for (const id of customerIds) out.set(id, { complaints: [], surveys: [], churnWordsAt: [], offersDeclinedAt: [], balances: [] });
      const ids = [...out.keys()];
      for (let i = 0; i < ids.length; i += CHUNK) {
        const chunk = ids.slice(i, i + CHUNK);
        const [complaints, surveys, intents, declines, balances] = await Promise.all([
          knex('complaints')
            .whereIn('customer_id', chunk)
            .andWhere('created_at', '>=', from - 365 * DAY)
            .andWhere('created_at', '<=', until)
            .select('customer_id', 'created_at', 'resolution_due_at', 'resolved_at'),
          knex('surveys')
            .whereIn('customer_id', chunk)
            .andWhere({ status: 'answered' })
            .andWhere('answered_at', '>=', from - 365 * DAY)
            .andWhere('answered_at', '<=', until)
            .select('customer_id', 'kind', 'score', 'answered_at'),
          knex('churn_intents')
            .whereIn('customer_id', chunk)
            .andWhere('created_at', '>=', from - 90 * DAY)
            .andWhere('created_at', '<=', until)
            .select('customer_id', 'created_at'),
          knex('offer_presentations')
            .whereIn('customer_id', chunk)
            .andWhere({ outcome: 'declined' })
            .whereNotNull('outcome_at')
            .andWhere('outcome_at', '>=', from - 90 * DAY)
            .andWhere('outcome_at', '<=', until)
            .select('customer_id', 'outcome_at'),
          knex('balance_history as h')
            .join('accounts as a', 'a.id', 'h.account_id')
            .whereIn('a.customer_id', chunk)
            .andWhere({ 'a.unit': 'CNY' })
            .andWhere('h.as_of', '>=', from - 365 * DAY)
            .andWhere('h.as_of', '<=', until)
            .orderBy(['h.account_id', 'h.as_of'])
            .select('a.customer_id', 'h.account_id', 'h.balance', 'h.as_of'),
        ]);
        for (const c of complaints) {
          entry(Number(c.customer_id)).complaints.push({
            createdAt: Number(c.created_at),
            resolutionDueAt: Number(c.resolution_due_at),
            resolvedAt: toNumOrNull(c.resolved_at),
          });
        }
        for (const s of surveys) {
          if (s.score === null || (s.kind !== 'csat' && s.kind !== 'nps')) continue;
          entry(Number(s.customer_id)).surveys.push({ kind: s.kind, score: Number(s.score), answeredAt: Number(s.answered_at) });
        }
        for (const t of intents) entry(Number(t.customer_id)).churnWordsAt.push(Number(t.created_at));
        for (const d of declines) entry(Number(d.customer_id)).offersDeclinedAt.push(Number(d.outcome_at));
        const series = new Map<number, Map<number, Array<{ at: number; balanceMinor: number }>>>();
        for (const b of balances) {
          const perCustomer = series.get(Number(b.customer_id)) ?? new Map();
          const points = perCustomer.get(Number(b.account_id)) ?? [];
          points.push({ at: Number(b.as_of), balanceMinor: Number(b.balance) });
          perCustomer.set(Number(b.account_id), points);
          series.set(Number(b.customer_id), perCustomer);
        }
        for (const [id, accounts] of series) entry(id).balances = [...accounts.values()];
      }
      return out as Map<number, ServiceEvents>;
    },
  };
}

/** ServiceEvents while it is being filled. */
interface Writable {
  complaints: Array<ServiceEvents['complaints'][number]>;
  surveys: Array<ServiceEvents['surveys'][number]>;
  churnWordsAt: number[];
  offersDeclinedAt: number[];
  balances: Array<Array<{ at: number; balanceMinor: number }>>;
}
