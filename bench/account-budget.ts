/**
 * Benchmark 5 of issue 7, in simulated time: 1,000 running predictions over two bot processes sharing the
 * account-wide request budget (src/replicate/request-budget.ts). Status requests per minute (the busiest sliding
 * minute too) against Replicate's 3,000/min, and how soon each finish is seen.
 *
 * Targets: busiest minute ≤ 3,000 status requests; every finish still noticed (median notice delay ≤ 3 s is the
 * unbudgeted schedule's target, see polling.ts).
 */
import { busiestMinute, simulateBudgetedPolling } from '../test/harness/budget-simulation.js';
import { percentile, printTable, round, runIfMain, writeResult } from './lib/stats.js';

async function main(): Promise<void> {
  const rows = [];
  for (const [running, processes] of [
    [200, 1],
    [1_000, 1],
    [1_000, 2],
    [1_000, 4],
  ] as const) {
    const started = Date.now();
    const run = await simulateBudgetedPolling({ running, processes, minutes: 15 });
    rows.push({
      running,
      processes,
      'polls/min': Math.round(run.pollsPerMinute),
      'busiest minute': busiestMinute(run.polls),
      finishes: run.noticedAfterMs.length,
      'notice p50 s': round(percentile(run.noticedAfterMs, 50) / 1000, 1),
      'notice p99 s': round(percentile(run.noticedAfterMs, 99) / 1000, 1),
      'notice max s': round(Math.max(...run.noticedAfterMs) / 1000, 1),
      'late vs schedule p50 s': round(percentile(run.lateByMs, 50) / 1000, 1),
      'store calls/min': Math.round(run.storeCalls / 25),
      'real s': round((Date.now() - started) / 1000, 1),
    });
  }
  printTable('Polling under the account-wide budget (simulated 15 min, E = 300 s, actual 240-390 s)', rows);
  writeResult('account-budget', { rows });
}

runIfMain(import.meta.url, main);
