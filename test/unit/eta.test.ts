import { describe, expect, it } from 'vitest';
import { describeEta, estimateLine, GenerationHistory } from '../../src/queue/eta.js';

describe('the ETA', () => {
  it('has no estimate until there is history for that duration', () => {
    const history = new GenerationHistory();
    expect(history.median(5)).toBeUndefined();
    history.record(10, 400_000);
    expect(history.median(5)).toBeUndefined();
    expect(history.median(10)).toBe(400_000);
  });

  it('uses the median of recent generation times, so one slow run does not move it', () => {
    const history = new GenerationHistory();
    for (const ms of [240_000, 250_000, 260_000, 3_600_000]) history.record(5, ms);
    expect(history.median(5)).toBe(255_000);
    for (let i = 0; i < 30; i++) history.record(5, 100_000);
    expect(history.median(5)).toBe(100_000);
    expect(new GenerationHistory(history.toSamples()).median(5)).toBe(100_000);
  });

  it('plays the guild’s slots forward: jobs ahead and the running ones’ time left, by concurrency', () => {
    const median = (d: number) => (d === 5 ? 240_000 : d === 10 ? 480_000 : undefined);
    const five = { duration: 5 };
    // Two slots, one running for a minute, one free: the first waiting starts at once, the next when the runner ends.
    expect(estimateLine({ concurrency: 2, median, running: [{ duration: 5, elapsedMs: 60_000 }], waiting: [five, five] })).toEqual([
      240_000, 420_000,
    ]);
    // One slot: each waits for the one ahead; a 10 s clip ahead takes its own (longer) median.
    expect(estimateLine({ concurrency: 1, median, running: [{ duration: 5 }], waiting: [{ duration: 10 }, five] })).toEqual([
      720_000, 960_000,
    ]);
    // A run past its median counts as ending now, never as negative time.
    expect(estimateLine({ concurrency: 1, median, running: [{ duration: 5, elapsedMs: 900_000 }], waiting: [five] })).toEqual([240_000]);
  });

  it('gives no estimate from the first job whose line holds a duration without history', () => {
    const onlyFive = (d: number) => (d === 5 ? 240_000 : undefined);
    expect(estimateLine({ concurrency: 1, median: onlyFive, running: [], waiting: [{ duration: 5 }, { duration: 10 }, { duration: 5 }] })).toEqual([
      240_000, undefined, undefined,
    ]);
    expect(estimateLine({ concurrency: 2, median: onlyFive, running: [{ duration: 10 }], waiting: [{ duration: 5 }] })).toEqual([undefined]);
  });

  it('rounds honestly: up, and coarser as it grows', () => {
    expect(describeEta(0)).toBe('under a minute');
    expect(describeEta(59_000)).toBe('under a minute');
    expect(describeEta(60_000)).toBe('about 1 min');
    expect(describeEta(181_000)).toBe('about 4 min');
    expect(describeEta(10 * 60_000)).toBe('about 10 min');
    expect(describeEta(11 * 60_000)).toBe('about 15 min');
    expect(describeEta(61 * 60_000)).toBe('about 1 h 10 min');
    expect(describeEta(120 * 60_000)).toBe('about 2 h');
  });
});
