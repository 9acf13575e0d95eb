import type { Knex } from 'knex';
import type { Locale } from '../../retention/locale';
import type { Account, Customer, Industry, LifecycleStage, RiskBand, Tier } from '../../retention/types';
import { parseJson, toBool, toNumOrNull } from '../rows';

/** Reads customers and their accounts. */
export interface CustomerRepository {
  findById(id: number): Promise<Customer | undefined>;
  findByCustomerNo(customerNo: string): Promise<Customer | undefined>;
  /** The customer registered with this mobile number (national 11-digit form), if exactly one is. */
  findByMobile(mobile: string): Promise<Customer | undefined>;
  listAccounts(customerId: number): Promise<Account[]>;
  /** Products the customer holds, with their names in both languages. */
  listProducts(customerId: number): Promise<HeldProduct[]>;
  /** The signals behind the customer's churn-risk score, as last computed. */
  churnSignals(customerId: number): Promise<unknown[]>;
  /** What the knowledge questions are checked against: the ID number's last four characters and the birthday. */
  findKnowledge(customerId: number): Promise<{ idLast4: string | null; birthday: string | null } | undefined>;
}

/** A product a customer holds. */
export interface HeldProduct {
  code: string;
  category: string;
  nameZh: string;
  nameEn: string;
  openedAt: number;
  maturesOn: string | null;
}

/** Creates the customer repository over a Knex connection. */
export function createCustomerRepository(knex: Knex): CustomerRepository {
  return {
    async findById(id) {
      const row = await knex('customers').where({ id }).first();
      return row ? toCustomer(row) : undefined;
    },
    async findByCustomerNo(customerNo) {
      const row = await knex('customers').where({ customer_no: customerNo }).first();
      return row ? toCustomer(row) : undefined;
    },
    async findByMobile(mobile) {
      const rows = await knex('customers').where({ mobile, status: 'active' }).limit(2);
      return rows.length === 1 ? toCustomer(rows[0]) : undefined;
    },
    async listAccounts(customerId) {
      const rows = await knex('accounts').where({ customer_id: customerId, status: 'active' }).orderBy('id');
      return rows.map(toAccount);
    },
    async listProducts(customerId) {
      const rows = await knex('customer_products as cp')
        .join('products as p', 'p.code', 'cp.product_code')
        .where({ 'cp.customer_id': customerId, 'cp.status': 'active' })
        .orderBy('cp.id')
        .select('p.code', 'p.category', 'p.name_zh', 'p.name_en', 'cp.opened_at', 'cp.matures_on');
      return rows.map((r) => ({
        code: r.code,
        category: r.category,
        nameZh: r.name_zh,
        nameEn: r.name_en,
        openedAt: Number(r.opened_at),
        maturesOn: r.matures_on ?? null,
      }));
    },
    async churnSignals(customerId) {
      const row = await knex('customers').where({ id: customerId }).first('churn_signals');
      return parseJson<unknown[]>(row?.churn_signals, []);
    },
    async findKnowledge(customerId) {
      const row = await knex('customers').where({ id: customerId }).first('id_last4', 'birthday');
      return row ? { idLast4: row.id_last4 ?? null, birthday: row.birthday ?? null } : undefined;
    },
  };
}

/** A row as the database returns it (`toCustomer` maps it to the domain object). */
interface CustomerRow {
  id: number | string;
  customer_no: Customer['customerNo'];
  name: Customer['name'];
  mobile: Customer['mobile'];
  birthday: Customer['birthday'] | null | undefined;
  locale: string;
  timezone: Customer['timezone'];
  industry: string;
  tier: string;
  lifecycle_stage: string;
  value_minor: number | string;
  relationship_manager_id: number | string | null;
  marketing_consent: boolean | number;
  joined_at: number | string;
  churn_risk_score: number | string;
  churn_risk_band: string;
}

/** Maps a `customers` row to the domain object. */
export function toCustomer(row: CustomerRow): Customer {
  return {
    id: Number(row.id),
    customerNo: row.customer_no,
    name: row.name,
    mobile: row.mobile,
    birthday: row.birthday ?? null,
    locale: row.locale as Locale,
    timezone: row.timezone,
    industry: row.industry as Industry,
    tier: row.tier as Tier,
    lifecycleStage: row.lifecycle_stage as LifecycleStage,
    valueMinor: Number(row.value_minor),
    relationshipManagerId: toNumOrNull(row.relationship_manager_id),
    marketingConsent: toBool(row.marketing_consent),
    joinedAt: Number(row.joined_at),
    churnRiskScore: Number(row.churn_risk_score),
    churnRiskBand: row.churn_risk_band as RiskBand,
  };
}

/** A row as the database returns it (`toAccount` maps it to the domain object). */
interface AccountRow {
  id: number | string;
  customer_id: number | string;
  kind: Account['kind'];
  number: Account['number'];
  unit: Account['unit'];
  balance: number | string;
  as_of: number | string;
  matures_on: Account['maturesOn'] | null | undefined;
}

/** Maps an `accounts` row to the domain object. */
export function toAccount(row: AccountRow): Account {
  return {
    id: Number(row.id),
    customerId: Number(row.customer_id),
    kind: row.kind,
    number: row.number,
    unit: row.unit,
    balance: Number(row.balance),
    asOf: Number(row.as_of),
    maturesOn: row.matures_on ?? null,
  };
}
