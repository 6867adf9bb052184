import { describe, expect, it } from 'vitest';
import { classify } from '../../src/replicate/api-error.js';
import { defaultRetryPolicy, retryDelayMs, withRetry, type RetryPolicy } from '../../src/replicate/retry.js';
import { ManualClock } from '../harness/test-clock.js';

const policy: RetryPolicy = { ...defaultRetryPolicy, random: () => 0.5 };

/** What the replicate client throws for a non-2xx answer. */
function apiError(status: number, headers: Record<string, string> = {}, body = '{"detail":"x"}'): Error {
  const err = new Error(`Request to https://api.replicate.com/v1/x failed with status ${status} : ${body}.`);
  err.name = 'ApiError';
  Object.assign(err, { response: new Response(null, { status, headers }) });
  return err;
}

const networkError = () => new TypeError('fetch failed');

describe('retry policy', () => {
  it('honours Retry-After seconds, an HTTP date, or the "resets in ~Ns" hint, a long one included', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(retryDelayMs(classify(apiError(429, { 'retry-after': '7' }), now), 1, policy)).toBe(7_000);
    const date = new Date(now + 12_000).toUTCString();
    expect(retryDelayMs(classify(apiError(429, { 'retry-after': date }), now), 1, policy)).toBe(12_000);
    const hint = apiError(429, {}, '{"detail":"Request was throttled. Your rate limit resets in ~30s."}');
    expect(retryDelayMs(classify(hint, now), 1, policy)).toBe(30_000);
    expect(retryDelayMs(classify(apiError(429, { 'retry-after': '600' }), now), 1, policy)).toBe(600_000);
    // Longer than the cap: waits the cap and asks again, well within the hour Replicate keeps an output.
    expect(retryDelayMs(classify(apiError(429, { 'retry-after': '7200' }), now), 1, policy)).toBe(900_000);
  });

  it('backs off exponentially with jitter up to the cap on 5xx and network errors', () => {
    const server = classify(apiError(503), 0);
    const delays = [1, 2, 3, 4, 5, 6, 7].map((n) => retryDelayMs(server, n, policy));
    expect(delays).toEqual([750, 1_500, 3_000, 6_000, 12_000, 22_500, 22_500]);
    const low = { ...policy, random: () => 0 };
    const high = { ...policy, random: () => 0.999 };
    expect(retryDelayMs(classify(networkError(), 0), 6, low)).toBe(15_000);
    expect(retryDelayMs(classify(networkError(), 0), 6, high)).toBeLessThanOrEqual(30_000);
  });

  it('retries a refused token or missing credit slowly: the operator can fix it and nothing is billed meanwhile', () => {
    for (const status of [401, 402, 403]) expect(retryDelayMs(classify(apiError(status), 0), 1, policy)).toBe(300_000);
  });

  it('does not retry other 4xx or programming errors', () => {
    for (const status of [400, 404, 409, 413, 422]) expect(retryDelayMs(classify(apiError(status), 0), 1, policy)).toBeUndefined();
    expect(retryDelayMs(classify(new RangeError('bug'), 0), 1, policy)).toBeUndefined();
  });

  it('waits on the clock between attempts and succeeds', async () => {
    const clock = new ManualClock();
    const start = clock.now();
    const times: number[] = [];
    const outcomes = [apiError(429, { 'retry-after': '2' }), apiError(500)];
    const result = withRetry(
      async () => {
        times.push(clock.now() - start);
        const next = outcomes.shift();
        if (next) throw next;
        return 'ok';
      },
      { clock, policy },
    );
    await clock.advance(10_000);
    await expect(result).resolves.toBe('ok');
    expect(times).toEqual([0, 2_000, 3_500]);
  });

  it('keeps trying through an outage of any length, at the capped step, until Replicate answers', async () => {
    const clock = new ManualClock();
    const start = clock.now();
    let calls = 0;
    const result = withRetry(async () => {
      calls++;
      if (calls <= 200) throw calls % 2 ? apiError(503) : networkError();
      return 'answered';
    }, { clock, policy });
    await clock.advance(2 * 3_600_000);
    await expect(result).resolves.toBe('answered');
    expect(calls).toBe(201);
    // 200 failures: the first few steps grow, the rest wait between 15 and 30 s.
    expect(clock.now() - start).toBeGreaterThan(190 * 15_000);
  });

  it('gives up after the attempts it was given and rethrows the last error', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const result = withRetry(async () => {
      calls++;
      throw apiError(502);
    }, { clock, policy, attempts: 3 }).catch((e: unknown) => e);
    await clock.advance(60_000);
    expect(await result).toMatchObject({ name: 'ApiError', response: { status: 502 } });
    expect(calls).toBe(3);
  });

  it('stops at once on a 422', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const result = withRetry(async () => {
      calls++;
      throw apiError(422);
    }, { clock, policy });
    await expect(result).rejects.toMatchObject({ response: { status: 422 } });
    expect(calls).toBe(1);
  });

  it('counts a body cut off mid-read and undici socket errors as network failures', () => {
    const terminated = new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    expect(classify(terminated, 0)).toEqual({ kind: 'network' });
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    expect(classify(refused, 0)).toEqual({ kind: 'network' });
    expect(classify(new TypeError('x is not a function'), 0)).toEqual({ kind: 'other' });
  });

  it('rejects with the abort reason while waiting', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const result = withRetry(async () => {
      throw apiError(503);
    }, { clock, policy, signal: controller.signal });
    await clock.advance(100);
    controller.abort(new Error('job canceled'));
    await expect(result).rejects.toThrow('job canceled');
  });
});
