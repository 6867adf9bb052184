import pino from 'pino';
import { grantedOf, type TokenTake } from '../../src/storage/backend.js';
import { createReplicateClient } from '../../src/replicate/client.js';
import { simulatePolls } from '../../src/replicate/poll-schedule.js';
import { createPredictionRunner } from '../../src/replicate/prediction-runner.js';
import { createRequestBudget, kindOf, type RequestBudget } from '../../src/replicate/request-budget.js';
import { SeededRandom } from './seeded-random.js';
import { ManualClock } from './test-clock.js';

const silent = pino({ level: 'silent' });

/** The store's window counters, as every backend keeps them (one counter per bucket and window). */
export function memoryCounters() {
  const used = new Map<string, number>();
  const counters = {
    calls: 0,
    async takeTokens({ bucket, window, count, limit }: TokenTake): Promise<number> {
      counters.calls++;
      const key = `${bucket}:${window}`;
      const now = (used.get(key) ?? 0) + count;
      used.set(key, now);
      return grantedOf(now, count, limit);
    },
  };
  return counters;
}

/** Most requests in any 60 s span (each request's own time starts a span). */
export function busiestMinute(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 60_000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

export interface BudgetSimulation {
  /** Time of every status request Replicate received. */
  polls: number[];
  /** Status requests a minute while all the predictions ran. */
  pollsPerMinute: number;
  busiestMinute: number;
  /** Per finished prediction: its end to the poll that saw it, in ms. */
  noticedAfterMs: number[];
  /** Per finished prediction: how much later than the schedule alone (no budget) would have seen it, in ms. */
  lateByMs: number[];
  /** Calls to the store's counters. */
  storeCalls: number;
}

/**
 * `running` predictions kept running for `minutes` of simulated time, spread over `processes` bot processes that
 * share one account budget: the real replicate client, runner and budget on a ManualClock, Replicate answering from
 * the clock. Each prediction runs 240-390 s (E = 300 s, B = 5 s); once its end is seen, the next takes its place.
 */
export async function simulateBudgetedPolling({ running = 1_000, processes = 2, minutes = 15, seed = 5 } = {}): Promise<BudgetSimulation> {
  const clock = new ManualClock();
  const counters = memoryCounters();
  const random = new SeededRandom(seed);
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
  const runnerOf = (budget: RequestBudget) =>
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
  const runners = Array.from({ length: processes }, () =>
    runnerOf(createRequestBudget({ takeTokens: (t) => counters.takeTokens(t), clock, log: silent })),
  );

  const stopAt = clock.now() + minutes * 60_000;
  const noticedAfterMs: number[] = [];
  const lateByMs: number[] = [];
  let seq = 0;
  const keepRunning = async (runner: (typeof runners)[number], startedAt: number): Promise<void> => {
    while (clock.now() < stopAt) {
      const id = `p${seq++}`;
      const durationMs = random.int(240, 390) * 1_000;
      ends.set(id, startedAt + durationMs);
      await runner.waitForEnd(id, { startedAt, seconds: 5 });
      noticedAfterMs.push(clock.now() - ends.get(id)!);
      const polledAt = simulatePolls(durationMs, 300_000, 5_000).find((at) => at >= durationMs)!;
      lateByMs.push(clock.now() - (startedAt + polledAt));
      startedAt = clock.now();
    }
  };
  // Already in full swing: they started over the last five minutes.
  const now = clock.now();
  const all = Array.from({ length: running }, (_, i) => keepRunning(runners[i % processes]!, now - random.int(0, 300_000)));
  await clock.advance(minutes * 60_000 + 10 * 60_000);
  await Promise.all(all);
  return {
    polls,
    pollsPerMinute: polls.filter((at) => at < stopAt).length / minutes,
    busiestMinute: busiestMinute(polls),
    noticedAfterMs,
    lateByMs,
    storeCalls: counters.calls,
  };
}
