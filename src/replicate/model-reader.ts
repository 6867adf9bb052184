import type Replicate from 'replicate';
import type { Clock } from '../clock.js';
import { classify, isApiError, isOperatorRefusal, shortReason } from './api-error.js';
import { withRetry, type RetryOptions, type RetryPolicy } from './retry.js';

export interface ModelReaderOptions {
  client: Replicate;
  clock: Clock;
  policy: RetryPolicy;
  /** Tries per read, the first included (default 3): a start while Replicate is down goes on with the stored copy. */
  attempts?: number;
  onRetry?: RetryOptions['onRetry'];
}

/** A `Retry-After` longer than this is not waited out for a schema: the stored copy serves meanwhile. */
const maxReadRetryAfterMs = 5_000;

/**
 * `GET /v1/models/{owner}/{name}` through the bot's client (request budget and lease gate included), tried a few
 * times: the model's JSON, undefined when Replicate has no such model (404), or an Error whose message is a short
 * reason (never a response body) when Replicate could not be asked.
 */
export function createModelReader(options: ModelReaderOptions): (model: string) => Promise<unknown> {
  const { client, clock } = options;
  const policy = { ...options.policy, maxRetryAfterMs: Math.min(options.policy.maxRetryAfterMs, maxReadRetryAfterMs) };
  return async (model) => {
    const [owner = '', name = ''] = model.split('/');
    try {
      return await withRetry(() => client.models.get(owner, name), {
        clock,
        policy,
        attempts: options.attempts ?? 3,
        // A refused token is the operator's to fix; the stored copy serves until then.
        final: isOperatorRefusal,
        ...(options.onRetry ? { onRetry: options.onRetry } : {}),
      });
    } catch (err) {
      if (isApiError(err) && err.response.status === 404) return undefined;
      throw new Error(shortReason(classify(err, clock.now())), { cause: err });
    }
  };
}
