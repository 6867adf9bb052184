/**
 * When to ask Replicate again about a running prediction. A kling video takes minutes and its length is steady,
 * so polling every few seconds from the start wastes requests: poll sparsely early, densely in a window around the
 * expected generation time E, then back off gently for the rare long run.
 *
 * With B = 5 s and E = 300 s: one poll at B, sparse polls closing in on 0.9 E (60 s apart at most), every 2 s from
 * 0.9 E to 1.15 E, then intervals growing by 2 s per 0.1 E up to 3 B.
 */
export const windowStart = 0.9;
export const windowEnd = 1.15;

/**
 * Delay before the next poll, given the time since the prediction was created (`elapsedMs`), the expected
 * generation time (`expectedMs`, E) and the base poll interval (`baseMs`, B = REPLICATE_POLL_INTERVAL_MS).
 * Pure, so a benchmark can simulate a whole run.
 */
export function nextPollDelay(elapsedMs: number, expectedMs: number, baseMs: number): number {
  const dense = baseMs / 2.5;
  const start = expectedMs * windowStart;
  const end = expectedMs * windowEnd;
  if (elapsedMs < baseMs) return Math.max(dense, baseMs - elapsedMs);
  if (elapsedMs < start) return clamp((start - elapsedMs) / 2, dense, 12 * baseMs);
  if (elapsedMs < end) return dense;
  const past = (elapsedMs - end) / (0.1 * expectedMs);
  return Math.min(3 * baseMs, dense * (1 + past));
}

function clamp(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(high, value));
}

/** Poll times (elapsed ms) until one at or after `actualMs`; the first poll is at 0. For benchmarks and tests. */
export function simulatePolls(actualMs: number, expectedMs: number, baseMs: number): number[] {
  const polls = [0];
  let at = 0;
  while (at < actualMs) {
    at += nextPollDelay(at, expectedMs, baseMs);
    polls.push(at);
  }
  return polls;
}

/** Learns E as an exponentially weighted average of recent generation times (newest weighs 30 %). */
export function learnExpected(previousMs: number | undefined, observedMs: number): number {
  return previousMs === undefined ? observedMs : Math.round(0.7 * previousMs + 0.3 * observedMs);
}
