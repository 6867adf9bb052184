import { describe, expect, it } from 'vitest';
import { probe } from '../harness/http-probe.js';
import { parsePrometheusText, sumOf, valueOf } from '../harness/prometheus-text.js';
import { useWorld } from '../harness/use-world.js';
import { readyPing, replyShowing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';

const world = useWorld({ env: { HTTP_PORT: '0', HTTP_HOST: '127.0.0.1' } });

async function scrape() {
  const answer = await probe(world().bot.http!.port, '/metrics');
  expect(answer.status).toBe(200);
  expect(answer.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parsePrometheusText(answer.text);
}

describe('/metrics while a job runs end to end', () => {
  it('parses as Prometheus text, every name prefixed videobot_, and its gauges and counters move with the job', async () => {
    const before = await scrape();
    expect([...before.keys()].filter((name) => !name.startsWith('videobot_'))).toEqual([]);
    expect(before.has('videobot_process_resident_memory_bytes')).toBe(true);
    expect(valueOf(before, 'videobot_jobs_accepted_total')).toBe(0);
    expect(valueOf(before, 'videobot_predictions_in_flight')).toBe(0);
    // Queue depth is bounded: 16 buckets whatever the number of guilds.
    expect(before.get('videobot_queue_depth')!.samples).toHaveLength(16);

    const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(2048, 7)]);
    world().replicate.script({ durationMs: 60_000, output: video });
    world().replicate.failNext({ route: 'get', status: 503 });
    const sent = requestVideo(world(), { id: '123456789012345678', username: 'mia' }, 'a red fox running through snow');
    await replyShowing(world(), sent, /Generating/);
    await world().logs.waitFor('prediction poll failed, retrying');

    const running = await scrape();
    expect(valueOf(running, 'videobot_jobs_accepted_total')).toBe(1);
    expect(valueOf(running, 'videobot_jobs', { state: 'running' })).toBe(1);
    expect(valueOf(running, 'videobot_jobs', { state: 'queued' })).toBe(0);
    expect(valueOf(running, 'videobot_predictions_in_flight')).toBe(1);
    expect(sumOf(running, 'videobot_queue_depth')).toBe(0);
    expect(valueOf(running, 'videobot_api_errors_total', { api: 'replicate', kind: '503' })).toBe(1);
    expect(valueOf(running, 'videobot_api_retries_total', { api: 'replicate', operation: 'prediction poll' })).toBe(1);
    // The /video was deferred: its acknowledgement was timed, well inside Discord's 3 s.
    expect(valueOf(running, 'videobot_acknowledgement_latency_seconds_count')).toBe(1);
    expect(valueOf(running, 'videobot_acknowledgement_latency_seconds_bucket', { le: '2.5' })).toBe(1);

    // A minute of generation passes at once: the histograms place it on their minute scale.
    world().clock.jump(61_000);
    await readyPing(world(), sent);
    await untilNoActiveJobs(world());
    await world().logs.waitFor('job done');

    const after = await scrape();
    expect(valueOf(after, 'videobot_jobs', { state: 'running' })).toBe(0);
    expect(valueOf(after, 'videobot_predictions_in_flight')).toBe(0);
    expect(valueOf(after, 'videobot_jobs_ended_total', { state: 'done' })).toBe(1);
    expect(valueOf(after, 'videobot_video_seconds_charged_total')).toBe(5);
    expect(valueOf(after, 'videobot_generation_duration_seconds_count', { clip_seconds: '5' })).toBe(1);
    expect(valueOf(after, 'videobot_generation_duration_seconds_bucket', { clip_seconds: '5', le: '30' })).toBe(0);
    expect(valueOf(after, 'videobot_generation_duration_seconds_bucket', { clip_seconds: '5', le: '120' })).toBe(1);
    expect(valueOf(after, 'videobot_job_duration_seconds_bucket', { state: 'done', le: '30' })).toBe(0);
    expect(valueOf(after, 'videobot_job_duration_seconds_count', { state: 'done' })).toBe(1);
    expect(after.get('videobot_job_failures_total')!.samples).toEqual([]);
    // The one ack per interaction: the ready ping and the edits are not acknowledgements.
    expect(valueOf(after, 'videobot_acknowledgement_latency_seconds_count')).toBe(1);
  }, 30_000);
});
