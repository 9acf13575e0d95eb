import { DEMO_CUSTOMERS } from '../../data/seeds/demo';
import {
  DAY_MS,
  allowsUpselling,
  daysUntil,
  hasSustainedDrop,
  lifecycleStageFor,
  localDate,
  upsellPolicyFor,
  withinLastDays,
  type LifecycleInput,
} from '../../retention/lifecycle';
import type { LifecycleStage } from '../../retention/types';

const NOW = Date.UTC(2026, 10, 22, 4, 0, 0); // 2026-11-22 12:00 in Shanghai
const joined = (daysAgo: number, extraMs = 0) => NOW - daysAgo * DAY_MS - extraMs;
const base: LifecycleInput = { joinedAt: joined(400), now: NOW, status: 'active', riskBand: 'low' };

describe('lifecycleStageFor', () => {
  it.each<[string, Partial<LifecycleInput>, LifecycleStage]>([
    ['a closed relationship is churned', { status: 'closed' }, 'churned'],
    ['a closed relationship is churned even in its first days', { status: 'closed', joinedAt: joined(5) }, 'churned'],
    ['a closed relationship is churned even at high risk', { status: 'closed', riskBand: 'high' }, 'churned'],
    ['high risk is decline', { riskBand: 'high' }, 'decline'],
    ['high risk in the first 90 days is decline, not acquisition', { riskBand: 'high', joinedAt: joined(10) }, 'decline'],
    ['high risk of a long-standing customer is decline', { riskBand: 'high', joinedAt: joined(3000) }, 'decline'],
    ['medium risk alone is not decline', { riskBand: 'medium' }, 'growth'],
    ['a value down > 30% for three months in a row is decline', { valueTrend: [10_000, 6_900, 6_000, 5_000] }, 'decline'],
    ['a one-month dip is not decline', { valueTrend: [10_000, 10_000, 10_000, 5_000] }, 'growth'],
    ['a drop of exactly 30% is not decline', { valueTrend: [10_000, 7_000, 7_000, 7_000] }, 'growth'],
    ['joined today is acquisition', { joinedAt: NOW }, 'acquisition'],
    ['90 days less 1 ms is acquisition', { joinedAt: NOW - 90 * DAY_MS + 1 }, 'acquisition'],
    ['exactly 90 days is growth', { joinedAt: joined(90) }, 'growth'],
    ['730 days less 1 ms is growth', { joinedAt: NOW - 730 * DAY_MS + 1 }, 'growth'],
    ['exactly 730 days is maturity', { joinedAt: joined(730) }, 'maturity'],
    ['ten years is maturity', { joinedAt: joined(3650) }, 'maturity'],
  ])('%s', (_name, change, stage) => {
    expect(lifecycleStageFor({ ...base, ...change })).toBe(stage);
  });

  it('uses a policy passed in', () => {
    const policy = { acquisitionDays: 30, maturityAfterDays: 365, sustainedDropPeriods: 2, sustainedDropPct: 50 };
    expect(lifecycleStageFor({ ...base, joinedAt: joined(45) }, policy)).toBe('growth');
    expect(lifecycleStageFor({ ...base, joinedAt: joined(365) }, policy)).toBe('maturity');
  });

  it('agrees with the stage of every demo customer, given the risk the seeds imply for the decline ones', () => {
    for (const c of DEMO_CUSTOMERS) {
      const riskBand = c.stage === 'decline' ? 'high' : 'low';
      const stage = lifecycleStageFor({ joinedAt: joined(c.joinedDaysAgo), now: NOW, status: 'active', riskBand });
      expect([c.customerNo, stage]).toEqual([c.customerNo, c.stage]);
    }
  });
});

describe('hasSustainedDrop', () => {
  it.each<[string, number[], boolean]>([
    ['no history', [], false],
    ['too short a history', [10_000, 1_000, 1_000], false],
    ['three months each more than 30% below the baseline', [10_000, 6_999, 1, 6_999], true],
    ['one of the three months recovered', [10_000, 5_000, 9_000, 5_000], false],
    ['a zero baseline', [0, 0, 0, 0], false],
    ['only the latest four figures count', [1, 10_000, 5_000, 5_000, 5_000], true],
  ])('%s: %s', (_name, trend, expected) => {
    expect(hasSustainedDrop(trend)).toBe(expected);
  });
});

describe('upselling by stage', () => {
  it.each<[LifecycleStage, boolean, boolean]>([
    ['acquisition', false, false],
    ['growth', false, true],
    ['maturity', true, true],
    ['decline', false, true],
    ['churned', false, false],
  ])('%s: unprompted %s, when the customer asks %s', (stage, unprompted, asked) => {
    expect(allowsUpselling(stage)).toBe(unprompted);
    expect(allowsUpselling(stage, true)).toBe(asked);
  });

  it('names the policy of each stage', () => {
    expect(upsellPolicyFor('acquisition')).toBe('never');
    expect(upsellPolicyFor('growth')).toBe('on_request');
    expect(upsellPolicyFor('maturity')).toBe('welcome');
  });
});

describe('calendar helpers', () => {
  it.each<[string, number, string, string]>([
    ['noon in Shanghai', NOW, 'Asia/Shanghai', '2026-11-22'],
    ['16:00 UTC is already the next day in Shanghai', Date.UTC(2026, 10, 22, 16, 0), 'Asia/Shanghai', '2026-11-23'],
    ['15:59 UTC is still the same day in Shanghai', Date.UTC(2026, 10, 22, 15, 59), 'Asia/Shanghai', '2026-11-22'],
    ['the same instant in UTC', Date.UTC(2026, 10, 22, 16, 0), 'UTC', '2026-11-22'],
  ])('localDate: %s', (_name, at, tz, expected) => {
    expect(localDate(at, tz)).toBe(expected);
  });

  it.each<[string, number | undefined]>([
    ['2026-11-22', 0],
    ['2026-12-22', 30],
    ['2026-11-21', -1],
    ['2026-02-30', undefined],
    ['22/11/2026', undefined],
  ])('daysUntil %s is %s', (date, expected) => {
    expect(daysUntil(date, NOW)).toBe(expected);
  });

  it.each<[string, number | null, boolean]>([
    ['just now', NOW, true],
    ['7 days less 1 ms ago', NOW - 7 * DAY_MS + 1, true],
    ['exactly 7 days ago', NOW - 7 * DAY_MS, false],
    ['in the future', NOW + 1, false],
    ['never', null, false],
  ])('withinLastDays(7): %s → %s', (_name, at, expected) => {
    expect(withinLastDays(at, NOW, 7)).toBe(expected);
  });
});
