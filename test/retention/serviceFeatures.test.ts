import { DAY_MS } from '../../retention/lifecycle';
import { SERVICE_FEATURES, serviceFeaturesAt } from '../../retention/serviceFeatures';

const AT = Date.UTC(2026, 9, 31, 16); // 2026-11-01 00:00 China time
const ago = (days: number) => AT - days * DAY_MS;

describe('serviceFeaturesAt', () => {
  it('leaves every feature missing for a customer the service does not know', () => {
    expect(serviceFeaturesAt(undefined, AT)).toEqual(Object.fromEntries(SERVICE_FEATURES.map((f) => [f, null])));
  });

  it('counts only what happened before the moment, within each window', () => {
    const features = serviceFeaturesAt(
      {
        complaints: [
          { createdAt: ago(10), resolutionDueAt: ago(3), resolvedAt: null }, // open past its deadline
          { createdAt: ago(40), resolutionDueAt: ago(33), resolvedAt: ago(35) }, // resolved in time
          { createdAt: ago(120), resolutionDueAt: ago(113), resolvedAt: ago(100) }, // late, but outside 90 days and resolved
          { createdAt: AT + DAY_MS, resolutionDueAt: AT + 8 * DAY_MS, resolvedAt: null }, // after the moment
        ],
        surveys: [
          { kind: 'csat', score: 5, answeredAt: ago(100) },
          { kind: 'csat', score: 2, answeredAt: ago(20) },
          { kind: 'nps', score: 9, answeredAt: ago(400) },
        ],
        churnWordsAt: [ago(5), ago(89), ago(91)],
        offersDeclinedAt: [ago(1), AT + DAY_MS],
        balances: [
          [
            { at: ago(60), balanceMinor: 100_000 },
            { at: ago(10), balanceMinor: 40_000 },
          ],
          [{ at: ago(45), balanceMinor: 100_000 }],
        ],
      },
      AT,
    );
    expect(features).toEqual({
      'svc.complaints_90d': 2,
      'svc.overdue_complaints': 1,
      'svc.last_csat': 2,
      'svc.last_nps': null,
      'svc.churn_words_90d': 2,
      // 200,000 thirty days ago, 140,000 now.
      'svc.balance_change_30d_pct': -30,
      'svc.offers_declined_90d': 1,
    });
  });

  it('gives a known customer with a quiet history zeros, and missing where there is nothing to read', () => {
    expect(serviceFeaturesAt({ complaints: [], surveys: [], churnWordsAt: [], offersDeclinedAt: [], balances: [] }, AT)).toEqual({
      'svc.complaints_90d': 0,
      'svc.overdue_complaints': 0,
      'svc.last_csat': null,
      'svc.last_nps': null,
      'svc.churn_words_90d': 0,
      'svc.balance_change_30d_pct': null,
      'svc.offers_declined_90d': 0,
    });
  });
});
