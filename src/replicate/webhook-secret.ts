import type Replicate from 'replicate';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { classify, isOperatorRefusal, shortReason } from './api-error.js';
import { defaultRetryPolicy, withRetry, type RetryPolicy } from './retry.js';

/** Tries of `GET /webhooks/default/secret` at start before the start fails. */
const secretAttempts = 5;

/**
 * The account's webhook signing secret, from Replicate (`GET /v1/webhooks/default/secret`, through the configured
 * REPLICATE_API_URL) when REPLICATE_WEBHOOK_SECRET is unset. Passing failures are retried a few times; a refused
 * token is final. Throws one line naming what to set; the secret itself is never logged.
 */
export async function fetchWebhookSecret(
  client: Replicate,
  options: { clock: Clock; log: Logger; retry?: Partial<RetryPolicy>; signal?: AbortSignal },
): Promise<string> {
  const { clock, log } = options;
  try {
    const { key } = await withRetry(() => client.webhooks.default.secret.get(), {
      clock,
      policy: { ...defaultRetryPolicy, ...options.retry },
      signal: options.signal,
      attempts: secretAttempts,
      final: isOperatorRefusal,
      onRetry: ({ err, attempt, delayMs }) => log.warn({ err, attempt, delayMs }, 'webhook secret fetch failed, retrying'),
    });
    if (typeof key !== 'string' || !key.startsWith('whsec_')) throw new Error('the answer holds no whsec_ secret');
    log.info('webhook signing secret fetched from replicate');
    return key;
  } catch (err) {
    if (options.signal?.aborted) throw err;
    const reason = err instanceof Error && err.message.startsWith('the answer') ? err.message : shortReason(classify(err, clock.now()));
    throw new Error(
      `cannot fetch Replicate's webhook signing secret (${reason}); set REPLICATE_WEBHOOK_SECRET, or check REPLICATE_API_TOKEN, or unset PUBLIC_URL to poll instead`,
      { cause: err },
    );
  }
}
