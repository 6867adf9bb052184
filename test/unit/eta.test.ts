import { describe, expect, it } from 'vitest';
import { describeEta, estimateRemainingMs, GenerationHistory } from '../../src/queue/eta.js';

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

  it('counts the jobs ahead in waves of the guild’s concurrency', () => {
    const medianMs = 240_000;
    expect(estimateRemainingMs({ medianMs, concurrency: 2, elapsedMs: 60_000 })).toBe(180_000);
    expect(estimateRemainingMs({ medianMs, concurrency: 2, elapsedMs: 300_000 })).toBe(0);
    expect(estimateRemainingMs({ medianMs, concurrency: 2, position: 1 })).toBe(360_000);
    expect(estimateRemainingMs({ medianMs, concurrency: 2, position: 2 })).toBe(360_000);
    expect(estimateRemainingMs({ medianMs, concurrency: 2, position: 3 })).toBe(600_000);
    expect(estimateRemainingMs({ medianMs, concurrency: 1, position: 3 })).toBe(840_000);
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
