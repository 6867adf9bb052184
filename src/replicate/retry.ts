import type { Clock } from '../clock.js';
import { classify, isOperatorRefusal, type Failure } from './api-error.js';

/**
 * Our retry policy for Replicate calls (the client's own retries are switched off in client.ts). A fault on the
 * way to Replicate or inside it is no reason to give up: 429 waits for `Retry-After`; 5xx, network errors and
 * timeouts back off exponentially with jitter up to a cap, for as long as it takes; a refused token or missing
 * credit (the operator's to fix) is retried slowly; other 4xx are Replicate's answer and final.
 */
export interface RetryPolicy {
  /** First backoff step (default 1000 ms); doubles per failure in a row. */
  baseDelayMs: number;
  /** Largest backoff step (default 30 000 ms): how often a long outage is probed. */
  maxDelayMs: number;
  /**
   * Longest `Retry-After` taken as given (default 900 000 ms); a longer one waits this long and asks again, so a
   * finished video is still fetched well within the hour Replicate keeps it.
   */
  maxRetryAfterMs: number;
  /** Wait between tries while Replicate refuses the bot's token or credit (401, 402, 403; default 300 000 ms). */
  operatorRetryMs: number;
  /** Source of jitter in [0, 1) (default Math.random). */
  random: () => number;
}

export const defaultRetryPolicy: RetryPolicy = {
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 900_000,
  operatorRetryMs: 300_000,
  random: Math.random,
};

/** Capped exponential backoff after `failures` failures in a row, with jitter over the upper half of the step. */
export function backoffMs(failures: number, policy: RetryPolicy): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
  return Math.round(step / 2 + (policy.random() * step) / 2);
}

/** Wait before the next attempt after `failures` failures in a row, or undefined when Replicate's answer is final. */
export function retryDelayMs(failure: Failure, failures: number, policy: RetryPolicy): number | undefined {
  const backoff = () => backoffMs(failures, policy);
  switch (failure.kind) {
    case 'throttled':
      return failure.retryAfterMs === undefined ? backoff() : Math.min(failure.retryAfterMs, policy.maxRetryAfterMs);
    case 'server':
    case 'network':
      return backoff();
    case 'refused':
      return isOperatorRefusal(failure) ? policy.operatorRetryMs : undefined;
    default:
      return undefined;
  }
}

export interface RetryInfo {
  err: unknown;
  failure: Failure;
  attempt: number;
  delayMs: number;
}

export interface RetryOptions {
  clock: Clock;
  policy: RetryPolicy;
  signal?: AbortSignal | undefined;
  /** Attempts in all, the first included (default: no limit, until success, a final answer or the signal). */
  attempts?: number;
  /** Failures this call takes as final although the policy would wait them out (e.g. a refused token for a cancel). */
  final?: (failure: Failure) => boolean;
  onRetry?: (info: RetryInfo) => void;
}

/**
 * Runs `call` until it succeeds, Replicate answers with something final (that error is rethrown), the attempts
 * run out (the last error is rethrown) or the signal aborts (its reason).
 */
export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const { clock, policy, signal, attempts = Number.POSITIVE_INFINITY } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      const failure = classify(err, clock.now());
      const delayMs = options.final?.(failure) ? undefined : retryDelayMs(failure, attempt, policy);
      if (delayMs === undefined || attempt >= attempts) throw err;
      options.onRetry?.({ err, failure, attempt, delayMs });
      await clock.sleep(delayMs, signal);
    }
  }
}
