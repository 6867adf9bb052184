import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createRequestBudget, kindOf } from '../../src/replicate/request-budget.js';
import { busiestMinute, memoryCounters, simulateBudgetedPolling } from '../harness/budget-simulation.js';
import { ManualClock } from '../harness/test-clock.js';

const silent = pino({ level: 'silent' });

describe('the account-wide Replicate request budget', () => {
  it('tells creates from the other endpoints', () => {
    expect(kindOf('https://api.replicate.com/v1/models/kwaivgi/kling-v1.6-standard/predictions', 'POST')).toBe('create');
    expect(kindOf('https://api.replicate.com/v1/predictions', 'POST')).toBe('create');
    expect(kindOf('https://api.replicate.com/v1/predictions', 'GET')).toBe('other');
    expect(kindOf('https://api.replicate.com/v1/predictions/abc/cancel', 'POST')).toBe('other');
    expect(kindOf('https://api.replicate.com/v1/files', 'POST')).toBe('other');
  });

  it('never lets creates from two processes past 600 a minute: the rest wait for the next window, none fails', async () => {
    const clock = new ManualClock();
    const counters = memoryCounters();
    const budgets = [0, 1].map(() => createRequestBudget({ takeTokens: (t) => counters.takeTokens(t), clock, log: silent }));
    const sent: number[] = [];
    const takes = Array.from({ length: 1_500 }, (_, i) => budgets[i % 2]!.take('create').then(() => sent.push(clock.now())));
    await clock.advance(3 * 60_000);
    await Promise.all(takes);
    expect(sent).toHaveLength(1_500);
    expect(busiestMinute(sent)).toBeLessThanOrEqual(600);
    // Batches: far fewer store calls than requests.
    expect(counters.calls).toBeLessThan(1_500 / 2);
  });

  it('1,000 running predictions across two processes never exceed 3,000 status requests a minute, and every finish is noticed', async () => {
    const run = await simulateBudgetedPolling({ running: 1_000, processes: 2, minutes: 15 });
    expect(run.busiestMinute).toBeLessThanOrEqual(3_000);
    expect(run.pollsPerMinute).toBeGreaterThan(2_400); // the budget is used, not left idle
    const sorted = [...run.noticedAfterMs].sort((a, b) => a - b);
    const late = [...run.lateByMs].sort((a, b) => a - b);
    expect(sorted.length).toBeGreaterThan(2_000);
    // Demand is about twice the budget: most finishes are seen about as soon as the schedule alone would see them,
    // the rest within a minute (measured: notice median 3 s, p99 19 s, worst 57 s; later than the schedule alone
    // by a median of 1.7 s).
    expect(sorted[Math.floor(sorted.length / 2)]!).toBeLessThanOrEqual(5_000);
    expect(sorted[Math.floor(sorted.length * 0.99)]!).toBeLessThan(30_000);
    expect(sorted.at(-1)!).toBeLessThan(60_000);
    expect(late[Math.floor(late.length / 2)]!).toBeLessThan(5_000);
  }, 120_000);
});
