import { describe, expect, it } from 'vitest';
import type { BotMetrics } from '../../src/ops/bot-metrics.js';
import { createDiscordObserver } from '../../src/ops/discord-observer.js';
import { failureKindOf } from '../../src/ops/failure-kind.js';
import { guildBucket, queueBuckets } from '../../src/ops/metrics.js';
import { describeCancel, describeFault, describePredictionEnd, predictionGoneReason, videoGoneReason } from '../../src/queue/describe.js';
import { channelLostReason, postFailedReason } from '../../src/responder/delivery.js';
import { downloadFailedReason, outputTooLargeReason } from '../../src/responder/download.js';
import { ManualClock } from '../harness/test-clock.js';

function recorder() {
  const calls: string[] = [];
  const metrics: BotMetrics = {
    jobAccepted: () => calls.push('accepted'),
    jobEnded: () => calls.push('ended'),
    apiError: (api, kind) => calls.push(`error ${api} ${kind}`),
    apiRetry: (api, op) => calls.push(`retry ${api} ${op}`),
    acknowledged: (ms) => calls.push(`ack ${ms}`),
    webhookVerified: (outcome) => calls.push(`webhook ${outcome}`),
  };
  return { metrics, calls };
}

describe('the Discord observer', () => {
  const callback = (id: string) => `http://127.0.0.1:1/api/v10/interactions/${id}/aW50ZXJhY3Rpb24tdG9rZW4/callback?with_response=false`;

  it('times an acknowledgement from the interaction’s arrival to Discord’s answer, once', async () => {
    const clock = new ManualClock();
    const { metrics, calls } = recorder();
    const observer = createDiscordObserver(metrics, clock);
    observer.arrived('111');
    await clock.advance(42);
    observer.gatewayRest(callback('111'), 204);
    observer.gatewayRest(callback('111'), 204); // not a second time
    observer.arrived('222');
    observer.settled('222'); // handled without an acknowledgement we timed
    observer.gatewayRest(callback('222'), 204);
    expect(calls).toEqual(['ack 42']);
  });

  it('counts errors by status, and as retries what discord.js sends again (never for uploads)', () => {
    const { metrics, calls } = recorder();
    const observer = createDiscordObserver(metrics, new ManualClock());
    const url = 'http://127.0.0.1:1/api/v10/channels/1/messages';
    observer.gatewayRest(url, 200);
    observer.gatewayRest(url, 429);
    observer.gatewayRest(url, 502);
    observer.gatewayRest(url, 'network');
    observer.gatewayRest(url, 403);
    observer.uploadRest(url, 'timeout');
    observer.uploadRest(url, 503);
    expect(calls).toEqual([
      'error discord 429',
      'retry discord rate-limited',
      'error discord 502',
      'retry discord server-error',
      'error discord network',
      'retry discord server-error',
      'error discord 403',
      'error discord timeout',
      'error discord 503',
    ]);
  });
});

describe('the failure reasons as metric labels', () => {
  it('sorts every reason the bot writes into its fixed kinds', () => {
    expect(failureKindOf(describePredictionEnd({ id: 'p', status: 'failed', error: 'NSFW #42' }))).toBe('model');
    expect(failureKindOf(describePredictionEnd({ id: 'p', status: 'failed' }))).toBe('model');
    expect(failureKindOf(describePredictionEnd({ id: 'p', status: 'succeeded' }))).toBe('model');
    expect(failureKindOf(describePredictionEnd({ id: 'p', status: 'aborted' }))).toBe('replicate-ended');
    expect(failureKindOf(describePredictionEnd({ id: 'p', status: 'canceled' }))).toBe('replicate-ended');
    expect(failureKindOf(videoGoneReason)).toBe('output-gone');
    expect(failureKindOf(predictionGoneReason)).toBe('output-gone');
    expect(failureKindOf(downloadFailedReason)).toBe('download');
    expect(failureKindOf(outputTooLargeReason(200 * 1024 * 1024))).toBe('too-large');
    expect(failureKindOf(postFailedReason)).toBe('post');
    expect(failureKindOf(channelLostReason)).toBe('post');
    expect(failureKindOf('The image is larger than 10 MB. Please attach a smaller one.')).toBe('image');
    expect(failureKindOf('Replicate did not accept the video settings: bad cfg.')).toBe('invalid-input');
    expect(failureKindOf('Replicate could not start the video (refused). Please tell the bot operator.')).toBe('replicate-refused');
    expect(failureKindOf(describeFault('job-1'))).toBe('fault');
    expect(failureKindOf(describeCancel(true))).toBe('other');
    expect(failureKindOf(undefined)).toBe('other');
  });

  it('spreads guilds over a fixed number of queue buckets, the same in every process', () => {
    const buckets = new Set<number>();
    for (let i = 0; i < 1000; i++) buckets.add(guildBucket(String(100000000000000000n + BigInt(i) * 4194304n)));
    expect(buckets.size).toBe(queueBuckets);
    expect(guildBucket('123456789012345678')).toBe(guildBucket('123456789012345678'));
  });
});
