import pino from 'pino';
import { NightlyRescoring } from '../../bot/riskNightly';
import type { RiskEngine } from '../../services/riskEngine';

describe('the nightly rescoring', () => {
  it('runs once a day after its time (service time zone), on one instance only, and refreshes drift', async () => {
    const claimed = new Set<string>();
    const claims = { claimRun: async (job: string, key: string) => (claimed.has(`${job}/${key}`) ? false : (claimed.add(`${job}/${key}`), true)) };
    let runs = 0;
    const risk = { recomputeAll: async () => ((runs += 1), { customers: 1, failed: 0, bands: {}, byModel: 0 }) } as unknown as RiskEngine;
    let now = Date.parse('2026-11-22T18:00:00Z'); // 02:00 in Shanghai
    const checked: string[] = [];
    const drift = { checkDrift: async (industry: string) => checked.push(industry) };
    const make = () => new NightlyRescoring({ risk, drift, claims, logger: pino({ level: 'silent' }), now: () => now, timeZone: 'Asia/Shanghai', at: '02:30' });
    const a = make();
    const b = make();
    expect(await a.tick()).toBe(false);
    now += 45 * 60_000; // 02:45
    expect(await Promise.all([a.tick(), b.tick()])).toEqual(expect.arrayContaining([true, false]));
    expect(await a.tick()).toBe(false);
    expect(runs).toBe(1);
    expect(checked).toEqual(['bank', 'telecom', 'insurance']);
    now += 24 * 3_600_000;
    expect(await b.tick()).toBe(true);
    expect([...claimed]).toEqual(['risk.nightly/2026-11-23', 'risk.nightly/2026-11-24']);
  });
});
