/**
 * Polling cost in simulated time: Replicate GET requests per prediction and the delay from the prediction ending
 * to the bot's first poll that sees it (= when delivery starts), for the adaptive schedule in
 * src/replicate/poll-schedule.ts with B = 5 s (REPLICATE_POLL_INTERVAL_MS default).
 *
 *  - simulatePolls (pure) for E = 300 s and a spread of actual durations 240-390 s, and for E not yet learned
 *    (the runner's default 300 s);
 *  - the real prediction runner (createPredictionRunner) on a ManualClock against a stub Replicate client, to check
 *    the runner follows the schedule, including learning E (the median of its recent runs) over successive predictions;
 *  - the replicate client's own run()/wait(): a GET every 500 ms.
 *
 * Targets: <= 40 requests per 5-minute prediction, median notice delay <= 3 s.
 */
import type Replicate from 'replicate';
import pino from 'pino';
import { GenerationHistory } from '../src/queue/eta.js';
import { createPredictionRunner } from '../src/replicate/prediction-runner.js';
import { learnExpected, simulatePolls } from '../src/replicate/poll-schedule.js';
import { ManualClock } from '../test/harness/test-clock.js';
import { percentile, printTable, round, runIfMain, writeResult } from './lib/stats.js';

const baseMs = 5_000;
const defaultExpectedMs = 300_000;
const spread = Array.from({ length: 16 }, (_, i) => 240_000 + i * 10_000); // 240, 250, ... 390 s

interface Row {
  case: string;
  expectedS: number;
  actualS: number;
  requests: number;
  delayS: number;
}

function simulate(label: string, expectedMs: number, actualMs: number): Row {
  const polls = simulatePolls(actualMs, expectedMs, baseMs);
  return {
    case: label,
    expectedS: expectedMs / 1000,
    actualS: actualMs / 1000,
    requests: polls.length,
    delayS: round((polls.at(-1)! - actualMs) / 1000, 2),
  };
}

/** The client's wait(): GET at 0 then every `intervalMs` until one sees the end. */
function fixedInterval(actualMs: number, intervalMs: number): { requests: number; delayS: number } {
  const n = Math.ceil(actualMs / intervalMs);
  return { requests: n + 1, delayS: round((n * intervalMs - actualMs) / 1000, 2) };
}

/** Runs the real runner's waitForEnd on a ManualClock; the stub client answers from the clock. */
async function realRunner(actualMs: number[], initialExpected?: number) {
  const clock = new ManualClock();
  let current = { createdAt: 0, durationMs: 0 };
  let gets = 0;
  const prediction = () => {
    const ended = clock.now() >= current.createdAt + current.durationMs;
    return {
      id: 'p1',
      status: ended ? 'succeeded' : 'processing',
      output: ended ? 'https://example.invalid/out.mp4' : null,
      created_at: new Date(current.createdAt).toISOString(),
      completed_at: ended ? new Date(current.createdAt + current.durationMs).toISOString() : null,
    };
  };
  const client = {
    predictions: {
      get: async () => {
        gets++;
        return prediction();
      },
    },
  } as unknown as Replicate;
  const times = {
    history: new GenerationHistory(initialExpected === undefined ? [] : [{ duration: 5, ms: initialExpected }]),
    save: async () => {},
  };
  const runner = createPredictionRunner({
    client,
    clock,
    log: pino({ level: 'silent' }),
    pollIntervalMs: baseMs,
    times,
  });
  const rows: { run: number; expectedS: number; actualS: number; requests: number; delayS: number }[] = [];
  for (const [i, duration] of actualMs.entries()) {
    const expectedBefore = times.history.median(5) ?? defaultExpectedMs;
    current = { createdAt: clock.now(), durationMs: duration };
    gets = 0;
    let endedAt: number | undefined;
    const done = runner.waitForEnd('p1', { startedAt: clock.now() }).then(() => void (endedAt = clock.now()));
    while (endedAt === undefined) {
      const next = clock.nextDue();
      await clock.advance(next === undefined ? 0 : Math.max(0, next - clock.now()));
    }
    await done;
    rows.push({
      run: i + 1,
      expectedS: round(expectedBefore / 1000, 1),
      actualS: duration / 1000,
      requests: gets,
      delayS: round((endedAt - current.createdAt - duration) / 1000, 2),
    });
  }
  return rows;
}

export async function runPolling() {
  const learned = spread.map((a) => simulate('E learned 300 s', 300_000, a));
  const notLearned = spread.map((a) => simulate('E not learned (300 s default)', defaultExpectedMs, a));
  const exact = simulate('E 300 s, actual 300 s', 300_000, 300_000);
  const summary = (rows: Row[]) => ({
    requestsMedian: percentile(rows.map((r) => r.requests), 50),
    requestsMax: Math.max(...rows.map((r) => r.requests)),
    delayMedianS: percentile(rows.map((r) => r.delayS), 50),
    delayMaxS: Math.max(...rows.map((r) => r.delayS)),
  });
  const client500 = fixedInterval(300_000, 500);
  // run() defaults to "block" mode: the create holds up to 60 s (Prefer: wait), then wait() polls every 500 ms.
  const clientBlock = fixedInterval(240_000, 500);
  // The real runner: a cold start (nothing learned) then 9 more predictions from the spread, E learned on the way.
  const sequence = [300_000, 320_000, 280_000, 350_000, 300_000, 260_000, 390_000, 310_000, 240_000, 300_000];
  const runnerRows = await realRunner(sequence);
  const runnerExact = await realRunner([300_000], 300_000);
  const result = {
    bench: 'polling',
    baseIntervalMs: baseMs,
    targets: { requests: 40, medianDelayS: 3 },
    exact,
    realRunnerExact: runnerExact[0],
    learned: { rows: learned, ...summary(learned) },
    notLearned: { rows: notLearned, ...summary(notLearned) },
    realRunnerLearning: { rows: runnerRows, ...summary(runnerRows.map((r) => ({ ...r, case: '', expectedS: r.expectedS }))) },
    replicateClient: {
      pollMode500ms: client500,
      blockMode: { requests: clientBlock.requests + 1, delayS: clientBlock.delayS, note: 'create held up to 60 s, then a GET every 500 ms' },
    },
    learnExpectedCheck: learnExpected(300_000, 390_000),
  };
  writeResult('polling', result);
  printTable('polling, one 5-minute prediction (B = 5 s)', [
    { case: 'adaptive, E 300 s (simulatePolls)', requests: exact.requests, 'delay s': exact.delayS },
    { case: 'adaptive, E 300 s (real runner, ManualClock)', requests: runnerExact[0]!.requests, 'delay s': runnerExact[0]!.delayS },
    { case: 'replicate run(), poll mode 500 ms', requests: client500.requests, 'delay s': client500.delayS },
    { case: 'replicate run(), block mode', requests: clientBlock.requests + 1, 'delay s': clientBlock.delayS },
  ]);
  printTable('polling, actual 240-390 s (16 durations)', [
    { case: 'E learned 300 s', ...summary(learned) },
    { case: 'E not learned (300 s default)', ...summary(notLearned) },
    { case: 'real runner, cold start + learning (10 runs)', ...summary(runnerRows.map((r) => ({ ...r, case: '' }))) },
  ]);
  printTable('polling, per duration', spread.map((a, i) => ({
    'actual s': a / 1000,
    'requests E=300': learned[i]!.requests,
    'delay s E=300': learned[i]!.delayS,
    'requests, default E': notLearned[i]!.requests,
    'delay s, default E': notLearned[i]!.delayS,
  })));
  printTable('real runner, successive predictions (E learned as it goes)', runnerRows);
  return result;
}

runIfMain(import.meta.url, async () => {
  await runPolling();
});
