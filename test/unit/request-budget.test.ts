import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { grantedOf, type TokenTake } from '../../src/storage/backend.js';
import { createReplicateClient } from '../../src/replicate/client.js';
import { simulatePolls } from '../../src/replicate/poll-schedule.js';
import { createPredictionRunner } from '../../src/replicate/prediction-runner.js';
import { createRequestBudget, kindOf, type RequestBudget } from '../../src/replicate/request-budget.js';
import { ManualClock } from '../harness/test-clock.js';
import { SeededRandom } from '../harness/seeded-random.js';

const silent = pino({ level: 'silent' });

/** The store's window counters, as every backend keeps them (one counter per bucket and window). */
function memoryCounters() {
  const used = new Map<string, number>();
  return {
    calls: 0,
    async takeTokens({ bucket, window, count, limit }: TokenTake): Promise<number> {
      this.calls++;
      const key = `${bucket}:${window}`;
      const now = (used.get(key) ?? 0) + count;
      used.set(key, now);
      return grantedOf(now, count, limit);
    },
  };
}

/** Most requests in any 60 s span (each request's own time starts a span). */
function busiestMinute(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 60_000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

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
    const clock = new ManualClock();
    const counters = memoryCounters();
    const random = new SeededRandom(5);
    const ends = new Map<string, number>();
    const polls: number[] = [];
    const fetchAtReplicate: typeof fetch = async (input) => {
      const id = new URL(input instanceof Request ? input.url : String(input)).pathname.split('/').pop()!;
      polls.push(clock.now());
      const end = ends.get(id)!;
      const done = clock.now() >= end;
      const body = {
        id,
        status: done ? 'succeeded' : 'processing',
        output: done ? `https://replicate.delivery/${id}.mp4` : null,
        error: null,
        created_at: new Date(end - 300_000).toISOString(),
        completed_at: done ? new Date(end).toISOString() : null,
        urls: {},
      };
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const process = (budget: RequestBudget) =>
      createPredictionRunner({
        client: createReplicateClient({
          token: 'r8_sim',
          baseUrl: 'https://api.replicate.com/v1',
          fetch: fetchAtReplicate,
          admit: (url, method, signal) => budget.take(kindOf(url, method), signal),
        }),
        clock,
        log: silent,
        pollIntervalMs: 5_000,
        defaultExpectedMs: 300_000,
        prioritize: budget.withPriority,
      });
    const runners = [0, 1].map(() => process(createRequestBudget({ takeTokens: (t) => counters.takeTokens(t), clock, log: silent })));

    const simulatedMs = 15 * 60_000;
    const stopAt = clock.now() + simulatedMs;
    const noticedAfter: number[] = [];
    /** How much later than the schedule alone (no budget) would have noticed it. */
    const lateBy: number[] = [];
    let seq = 0;
    /** One of the 1,000: a prediction runs 240-390 s; once its end is noticed, the next one takes its place. */
    const keepRunning = async (runner: ReturnType<typeof process>, startedAt: number): Promise<void> => {
      while (clock.now() < stopAt) {
        const id = `p${seq++}`;
        const durationMs = random.int(240, 390) * 1_000;
        ends.set(id, startedAt + durationMs);
        await runner.waitForEnd(id, { startedAt, seconds: 5 });
        noticedAfter.push(clock.now() - ends.get(id)!);
        const polledAt = simulatePolls(durationMs, 300_000, 5_000).find((at) => at >= durationMs)!;
        lateBy.push(clock.now() - (startedAt + polledAt));
        startedAt = clock.now();
      }
    };
    // Already in full swing: the thousand started over the last five minutes.
    const now = clock.now();
    const all = Array.from({ length: 1_000 }, (_, i) => keepRunning(runners[i % 2]!, now - random.int(0, 300_000)));
    await clock.advance(simulatedMs + 10 * 60_000);
    await Promise.all(all);

    const minutes = simulatedMs / 60_000;
    expect(busiestMinute(polls)).toBeLessThanOrEqual(3_000);
    const inSteadyState = polls.filter((at) => at < stopAt).length;
    expect(inSteadyState / minutes).toBeGreaterThan(2_400); // the budget is used, not left idle
    const sorted = [...noticedAfter].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const worst = sorted.at(-1)!;
    const late = [...lateBy].sort((a, b) => a - b);
    // Demand is about twice the budget: most finishes are seen about as soon as the schedule alone would see them,
    // the rest within a minute (measured: notice median 3 s, p99 19 s, worst 57 s; later than the schedule alone
    // by a median of 1.7 s).
    expect(median).toBeLessThanOrEqual(5_000);
    expect(sorted[Math.floor(sorted.length * 0.99)]!).toBeLessThan(30_000);
    expect(late[Math.floor(late.length / 2)]!).toBeLessThan(5_000);
    expect(sorted.length).toBeGreaterThan(2_000);
    expect(worst).toBeLessThan(60_000);
  }, 120_000);
});
