import { describe, expect, it } from 'vitest';
import { learnExpected, nextPollDelay, simulatePolls } from '../../src/replicate/poll-schedule.js';

const B = 5_000;
const E = 300_000;

function detectionDelay(actualMs: number, expectedMs = E): number {
  const polls = simulatePolls(actualMs, expectedMs, B);
  return (polls.at(-1) ?? 0) - actualMs;
}

describe('adaptive poll schedule', () => {
  it('a 5-minute generation that matches the learned time costs at most 40 GETs and is noticed within 2 s', () => {
    const polls = simulatePolls(E, E, B);
    expect(polls.length).toBeLessThanOrEqual(40);
    expect(detectionDelay(E)).toBeLessThanOrEqual(2_000);
  });

  it('inside the window around E every end is noticed within B / 2.5', () => {
    for (let actual = 0.9 * E; actual < 1.15 * E; actual += 250) {
      expect(detectionDelay(actual)).toBeLessThanOrEqual(B / 2.5 + 1);
    }
  });

  it('ends spread from 0.8 E to 1.3 E are noticed with a median under 3 s', () => {
    const delays: number[] = [];
    for (let actual = 0.8 * E; actual <= 1.3 * E; actual += 500) delays.push(detectionDelay(actual));
    delays.sort((a, b) => a - b);
    expect(delays[Math.floor(delays.length / 2)]).toBeLessThanOrEqual(3_000);
  });

  it('polls sparsely early, never more often than B / 2.5, and backs off gently past the window', () => {
    expect(nextPollDelay(0, E, B)).toBe(B);
    expect(nextPollDelay(B, E, B)).toBe(12 * B);
    expect(nextPollDelay(0.5 * E, E, B)).toBeGreaterThan(B);
    for (let at = 0; at < 3 * E; at += 1_000) expect(nextPollDelay(at, E, B)).toBeGreaterThanOrEqual(B / 2.5);
    expect(nextPollDelay(1.25 * E, E, B)).toBe(4_000);
    expect(nextPollDelay(3 * E, E, B)).toBe(3 * B);
  });

  it('scales with the base interval, so tests with B = 20 ms stay fast', () => {
    expect(simulatePolls(300, 300, 20).length).toBeLessThanOrEqual(40);
    expect(detectionDelay(300, 300)).toBeLessThanOrEqual(5_000);
  });

  it('learns E as a weighted average of recent generation times', () => {
    expect(learnExpected(undefined, 200_000)).toBe(200_000);
    expect(learnExpected(200_000, 300_000)).toBe(230_000);
  });
});
