import type { Severity } from '../../retention/complaints';
import { compareQueueEntries, estimateWaitMinutes, queuePriority, type QueueEntry, type WaitInput } from '../../retention/queue';
import type { Tier } from '../../retention/types';

describe('queuePriority', () => {
  it('orders the priority channel first, then severity, then tier', () => {
    // Highest first; each line must rank strictly above the next.
    const ordered: Array<{ tier?: Tier; severity?: Severity }> = [
      { tier: 'vip', severity: 'critical' },
      { tier: 'gold', severity: 'critical' },
      { tier: 'vip', severity: 'high' },
      { tier: 'vip', severity: 'medium' },
      { tier: 'gold', severity: 'medium' },
      { tier: 'vip', severity: 'low' },
      { tier: 'vip' },
      { tier: 'gold' },
      { tier: 'silver', severity: 'critical' },
      { tier: 'regular', severity: 'critical' },
      { tier: 'silver', severity: 'high' },
      { severity: 'high' },
      { tier: 'regular', severity: 'low' },
      { tier: 'silver' },
      { tier: 'regular' },
    ];
    const priorities = ordered.map(queuePriority);
    for (let i = 1; i < priorities.length; i++) expect(priorities[i - 1]).toBeGreaterThan(priorities[i]);
  });

  it.each<[string, { tier?: Tier; severity?: Severity }, { tier?: Tier; severity?: Severity }]>([
    [
      'a gold customer with a low complaint before a silver one with a critical complaint',
      { tier: 'gold', severity: 'low' },
      { tier: 'silver', severity: 'critical' },
    ],
    ['a gold customer threatening the regulator before a vip with a low complaint', { tier: 'gold', severity: 'critical' }, { tier: 'vip', severity: 'low' }],
    ['a low complaint before a plain request for a person', { tier: 'regular', severity: 'low' }, { tier: 'regular' }],
  ])('serves %s', (_name, first, second) => {
    expect(queuePriority(first)).toBeGreaterThan(queuePriority(second));
  });

  it('gives an unidentified customer with no complaint the lowest priority, 0', () => {
    expect(queuePriority({})).toBe(0);
  });
});

describe('compareQueueEntries', () => {
  it('sorts by priority, then longest waiting, then id', () => {
    const entries: QueueEntry[] = [
      { id: 5, priority: 20, queuedAt: 1000 },
      { id: 4, priority: 140, queuedAt: 3000 },
      { id: 3, priority: 20, queuedAt: 500 },
      { id: 2, priority: 140, queuedAt: 2000 },
      { id: 7, priority: 20, queuedAt: 500 },
      { id: 6, priority: 20, queuedAt: 500 },
    ];
    expect([...entries].sort(compareQueueEntries).map((e) => e.id)).toEqual([2, 4, 3, 6, 7, 5]);
  });

  it.each<[string, QueueEntry, QueueEntry]>([
    ['higher priority first even when it came later', { id: 2, priority: 120, queuedAt: 9000 }, { id: 1, priority: 30, queuedAt: 1000 }],
    ['at equal priority, the one waiting longer first', { id: 2, priority: 30, queuedAt: 1000 }, { id: 1, priority: 30, queuedAt: 1001 }],
    ['at equal priority and time, the lower id first', { id: 1, priority: 30, queuedAt: 1000 }, { id: 2, priority: 30, queuedAt: 1000 }],
  ])('%s', (_name, first, second) => {
    expect(compareQueueEntries(first, second)).toBeLessThan(0);
    expect(compareQueueEntries(second, first)).toBeGreaterThan(0);
  });

  it('treats an entry as equal to itself', () => {
    const entry = { id: 1, priority: 30, queuedAt: 1000 };
    expect(compareQueueEntries(entry, { ...entry })).toBe(0);
  });
});

describe('estimateWaitMinutes', () => {
  it.each<[string, WaitInput, number]>([
    ['next in line, one agent, one chat at a time', { position: 1, agentsOnline: 1, averageHandleMinutes: 6, capacityPerAgent: 1 }, 6],
    ['third in line, one agent, one chat at a time', { position: 3, agentsOnline: 1, averageHandleMinutes: 6, capacityPerAgent: 1 }, 18],
    ['next in line, 2 agents with 3 chats each', { position: 1, agentsOnline: 2, averageHandleMinutes: 12, capacityPerAgent: 3 }, 2],
    ['seventh in line, 2 agents with 3 chats each', { position: 7, agentsOnline: 2, averageHandleMinutes: 12, capacityPerAgent: 3 }, 14],
    ['a fraction of a minute rounds up', { position: 1, agentsOnline: 3, averageHandleMinutes: 5, capacityPerAgent: 2 }, 1],
    ['never 0 minutes', { position: 1, agentsOnline: 50, averageHandleMinutes: 1, capacityPerAgent: 4 }, 1],
  ])('%s: %d min', (_name, given, expected) => {
    expect(estimateWaitMinutes(given)).toBe(expected);
  });

  it('gives no estimate when no agent is online, so a callback is offered', () => {
    expect(estimateWaitMinutes({ position: 1, agentsOnline: 0, averageHandleMinutes: 6, capacityPerAgent: 2 })).toBeUndefined();
  });

  it.each<[string, WaitInput]>([
    ['position 0', { position: 0, agentsOnline: 1, averageHandleMinutes: 6, capacityPerAgent: 1 }],
    ['a fractional position', { position: 1.5, agentsOnline: 1, averageHandleMinutes: 6, capacityPerAgent: 1 }],
    ['no handle time', { position: 1, agentsOnline: 1, averageHandleMinutes: 0, capacityPerAgent: 1 }],
    ['no capacity', { position: 1, agentsOnline: 1, averageHandleMinutes: 6, capacityPerAgent: 0 }],
  ])('refuses %s', (_name, given) => {
    expect(() => estimateWaitMinutes(given)).toThrow(RangeError);
  });
});
