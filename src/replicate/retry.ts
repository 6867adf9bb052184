import type { Clock } from '../clock.js';
import { classify, type Failure } from './api-error.js';

/**
 * Our retry policy for Replicate calls (the client's own retries are switched off in client.ts):
 * 429 waits for `Retry-After`; 5xx and network errors back off exponentially with jitter; other 4xx are final.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included (default 5). */
  attempts: number;
  /** First backoff step (default 1000 ms); doubles per failure. */
  baseDelayMs: number;
  /** Largest backoff step (default 30 000 ms). */
  maxDelayMs: number;
  /** A `Retry-After` longer than this gives up instead of waiting (default 120 000 ms). */
  maxRetryAfterMs: number;
  /** Source of jitter in [0, 1) (default Math.random). */
  random: () => number;
}

export const defaultRetryPolicy: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  random: Math.random,
};

/** Wait before the next attempt after `failures` failures in a row, or undefined when retrying is pointless. */
export function retryDelayMs(failure: Failure, failures: number, policy: RetryPolicy): number | undefined {
  const backoff = () => {
    const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failures - 1));
    return Math.round(step / 2 + (policy.random() * step) / 2);
  };
  switch (failure.kind) {
    case 'throttled':
      if (failure.retryAfterMs === undefined) return backoff();
      return failure.retryAfterMs > policy.maxRetryAfterMs ? undefined : failure.retryAfterMs;
    case 'server':
    case 'network':
      return backoff();
    default:
      return undefined;
  }
}

export interface RetryOptions<T> {
  clock: Clock;
  policy: RetryPolicy;
  signal?: AbortSignal | undefined;
  onRetry?: (info: { err: unknown; failure: Failure; attempt: number; delayMs: number }) => void;
  /**
   * Runs after the wait, before the next attempt. A value it returns is the result (e.g. a prediction an
   * ambiguous create did make); undefined goes on retrying.
   */
  beforeRetry?: (failure: Failure) => Promise<T | undefined>;
}

/** Runs `call` until it succeeds, gives up (rethrowing the last error) or the signal aborts (its reason). */
export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions<T>): Promise<T> {
  const { clock, policy, signal } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      const failure = classify(err, clock.now());
      const delayMs = retryDelayMs(failure, attempt, policy);
      if (delayMs === undefined || attempt >= policy.attempts) throw err;
      options.onRetry?.({ err, failure, attempt, delayMs });
      await clock.sleep(delayMs, signal);
      const adopted = await options.beforeRetry?.(failure);
      if (adopted !== undefined) return adopted;
    }
  }
}
