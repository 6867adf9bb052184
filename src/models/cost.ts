import { videoSecondsOf } from './length.js';
import type { ModelRoles } from './roles.js';

/**
 * Allowances stay in seconds of the default model's video: a job on another model counts its seconds weighted by
 * the price ratio, rounded up to a whole second. Prices are decimal dollars (0.1, 0.05, 0.07), which binary floating
 * point cannot hold, so the ratio is taken in whole micro-dollars and micro-seconds with exact integer arithmetic.
 */
const micro = (x: number) => BigInt(Math.round(x * 1_000_000));

export function countedSeconds(seconds: number, pricePerSecondUsd: number, defaultPricePerSecondUsd: number): number {
  const length = micro(seconds);
  // A free default model gives no exchange rate: count the seconds themselves.
  if (micro(defaultPricePerSecondUsd) === 0n) return Number(ceilDiv(length, 1_000_000n));
  return Number(ceilDiv(length * micro(pricePerSecondUsd), 1_000_000n * micro(defaultPricePerSecondUsd)));
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/** The length a job without a duration gets: the schema's default (pinned by the models file, if it is). */
export function defaultDurationSeconds(model: ModelRoles): number | undefined {
  return videoSecondsOf(model.fixed, model);
}
