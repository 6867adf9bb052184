import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { readyPing, untilNoActiveJobs } from '../harness/video-steps.js';

const world = useWorld({ env: { REPLICATE_MODELS: 'google/veo-3-fast=0.10' } });

describe('the model a video is made on', () => {
  it('is named in its progress and its delivered message when it is not the default, and only then', async () => {
    world().replicate.script({ durationMs: 300 });
    world().replicate.script({ durationMs: 300 });
    const onVeo = await readyPing(world(), world().discord.sendSlashCommand({ name: 'video', options: { prompt: 'a kite', model: 'google/veo-3-fast' } }));
    const onDefault = await readyPing(
      world(),
      world().discord.sendSlashCommand({ name: 'video', options: { prompt: 'a sled', model: 'kwaivgi/kling-v1.6-standard' } }),
    );
    await untilNoActiveJobs(world());

    const veoContents = onVeo.originalHistory.map((m) => m.content).filter((c) => c.includes('“a kite”'));
    expect(veoContents.length).toBeGreaterThan(1);
    for (const content of veoContents) expect(content).toContain('“a kite” · google/veo-3-fast');
    expect(onVeo.original!.content).toMatch(/^✅ .*'s video: “a kite” · google\/veo-3-fast · 8 s · made in/);

    const defaultContents = onDefault.originalHistory.map((m) => m.content).join('\n');
    expect(defaultContents).toContain('“a sled”');
    expect(defaultContents).not.toContain('kling');
    const jobId = world().logs.find('job queued')[1]!.jobId as string;
    expect((await world().bot.store.getJob(jobId))?.request).toEqual({ prompt: 'a sled' });
  });
});
