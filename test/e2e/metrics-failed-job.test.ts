import { describe, expect, it } from 'vitest';
import { probe } from '../harness/http-probe.js';
import { parsePrometheusText, valueOf } from '../harness/prometheus-text.js';
import { useWorld } from '../harness/use-world.js';
import { failureShown, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';

const world = useWorld({ env: { HTTP_PORT: '0', HTTP_HOST: '127.0.0.1' } });

describe('/metrics after a job the model could not make', () => {
  it('counts the failure under a bounded reason, charges no seconds, and times the job as failed', async () => {
    world().replicate.script({ durationMs: 300, outcome: 'failed', error: 'NSFW content detected in prompt #4521 at https://x.example/y' });
    const sent = requestVideo(world(), { id: '123456789012345678', username: 'mia' }, 'something the model refuses');
    await failureShown(world(), sent);
    await untilNoActiveJobs(world());

    const answer = await probe(world().bot.http!.port, '/metrics');
    const families = parsePrometheusText(answer.text);
    expect(families.get('videobot_job_failures_total')!.samples).toEqual([
      { name: 'videobot_job_failures_total', labels: { reason: 'model' }, value: 1 },
    ]);
    expect(valueOf(families, 'videobot_jobs_ended_total', { state: 'failed' })).toBe(1);
    expect(valueOf(families, 'videobot_job_duration_seconds_count', { state: 'failed' })).toBe(1);
    expect(valueOf(families, 'videobot_video_seconds_charged_total')).toBe(0);
    // The model's words (and the member's prompt) never become label values.
    expect(answer.text).not.toContain('NSFW');
    expect(answer.text).not.toContain('something the model refuses');
  });
});
