import type { Locale } from './locale';

/** Customer tiers (客户分层), highest first. */
export const TIERS = ['vip', 'gold', 'silver', 'regular'] as const;
export type Tier = (typeof TIERS)[number];

/** The industry profile a customer is served under; it names the balance kinds, products and wording. */
export const INDUSTRIES = ['bank', 'telecom', 'insurance'] as const;
export type Industry = (typeof INDUSTRIES)[number];

/** The five lifecycle stages (客户生命周期). */
export const LIFECYCLE_STAGES = ['acquisition', 'growth', 'maturity', 'decline', 'churned'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

export const RISK_BANDS = ['low', 'medium', 'high'] as const;
export type RiskBand = (typeof RISK_BANDS)[number];

/** Staff roles, least privileged first. */
export const STAFF_ROLES = ['agent', 'supervisor', 'manager', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Kinds of balance, by industry profile. */
export const ACCOUNT_KINDS = {
  bank: ['current', 'savings', 'time_deposit', 'wealth'],
  telecom: ['phone_credit', 'data', 'points'],
  insurance: ['cash_value', 'points'],
} as const satisfies Record<Industry, readonly string[]>;
export type AccountKind = (typeof ACCOUNT_KINDS)[Industry][number];

/** The unit an account's balance is counted in: money in minor units (fen), data in MB, or points. */
export type BalanceUnit = 'CNY' | 'MB' | 'points';

/** A customer as the rules and dialogs see them. */
export interface Customer {
  id: number;
  customerNo: string;
  name: string;
  /** Registered mobile number, national form (11 digits). */
  mobile: string;
  /** YYYY-MM-DD. */
  birthday: string | null;
  locale: Locale;
  timezone: string;
  industry: Industry;
  tier: Tier;
  lifecycleStage: LifecycleStage;
  /** The profile's value figure in minor units: average daily assets, ARPU per month, or annual premium. */
  valueMinor: number;
  relationshipManagerId: number | null;
  marketingConsent: boolean;
  /** Epoch milliseconds. */
  joinedAt: number;
  churnRiskScore: number;
  churnRiskBand: RiskBand;
}

/** An account or balance-holding product of a customer. */
export interface Account {
  id: number;
  customerId: number;
  kind: AccountKind;
  /** Full number: never shown or logged unmasked. */
  number: string;
  unit: BalanceUnit;
  /** Integer: fen for CNY, MB for data, points for points. */
  balance: number;
  /** Epoch milliseconds of the figure. */
  asOf: number;
  maturesOn: string | null;
}
