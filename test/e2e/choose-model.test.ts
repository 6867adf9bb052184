import { describe, expect, it } from 'vitest';
import { pressAgain } from '../harness/again-steps.js';
import { useWorld } from '../harness/use-world.js';
import { readyPing, untilNoActiveJobs } from '../harness/video-steps.js';

const amy = { id: '200000000000000001', username: 'amy' };
const ben = { id: '200000000000000002', username: 'ben' };

const world = useWorld({ env: { REPLICATE_MODELS: 'google/veo-3-fast=0.10' } });

describe('/video on a model the member picks', () => {
  it('creates on that model with its own field names, and Regenerate of it runs on it again', async () => {
    world().replicate.script({ durationMs: 300 });
    world().replicate.script({ durationMs: 300 });
    const asked = world().discord.sendSlashCommand({
      name: 'video',
      user: amy,
      options: { prompt: 'a heron lands on a post', model: 'google/veo-3-fast', duration: 6, audio: false, resolution: '1080p', seed: 42 },
    });
    const delivered = (await readyPing(world(), asked)).original!;
    await untilNoActiveJobs(world());
    expect(delivered.content).toContain('“a heron lands on a post” · google/veo-3-fast · 6 s · 1080p · no sound · seed 42 · made in');

    const [first] = world().replicate.predictions;
    expect(first!.model).toBe('google/veo-3-fast');
    expect(first!.input).toEqual({ prompt: 'a heron lands on a post', duration: 6, resolution: '1080p', generate_audio: false, seed: 42 });
    const jobId = world().logs.find('job queued')[0]!.jobId as string;
    expect((await world().bot.store.getJob(jobId))?.seconds).toBe(6);

    const press = pressAgain(world(), delivered, 'regen', ben);
    await readyPing(world(), press, { description: "the regenerated video's ping" });

    const second = world().replicate.predictions[1]!;
    expect(second.model).toBe('google/veo-3-fast');
    expect(second.input).toEqual(first!.input);
  });

  it('runs a veo job with no duration as veo’s 8 seconds, the default model when none is picked', async () => {
    world().replicate.script({ durationMs: 300 });
    world().replicate.script({ durationMs: 300 });
    await readyPing(world(), world().discord.sendSlashCommand({ name: 'video', user: amy, options: { prompt: 'rain', model: 'google/veo-3-fast' } }));
    await readyPing(world(), world().discord.sendSlashCommand({ name: 'video', user: amy, options: { prompt: 'snow', duration: 10 } }));
    await untilNoActiveJobs(world());

    expect(world().replicate.predictions.map((p) => [p.model, p.input])).toEqual([
      ['google/veo-3-fast', { prompt: 'rain' }],
      ['kwaivgi/kling-v1.6-standard', { prompt: 'snow', duration: 10 }],
    ]);
    const jobs = world().logs.find('job queued').map((e) => e.jobId as string);
    const seconds = await Promise.all(jobs.map(async (id) => (await world().bot.store.getJob(id))?.seconds));
    expect(seconds).toEqual([8, 10]);
  });
});
