import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { failureShown } from '../harness/video-steps.js';

const world = useWorld();

describe('Replicate refusing every create with 503', () => {
  it('gives up after a bounded number of tries and tells the member Replicate could not start the video', async () => {
    world().replicate.failNext({ route: 'create', status: 503, times: 10 });
    const sent = world().discord.sendSlashCommand({ name: 'video', options: { prompt: 'a paper boat in a gutter' } });

    const record = await failureShown(world(), sent);

    const final = record.original!;
    expect(final.content.split('\n')[0]).toBe(
      '❌ Replicate could not start the video (Replicate error 503). Please try again later.',
    );
    expect(final.content).toContain('a paper boat in a gutter');
    expect(final.content).not.toMatch(/[{}]|https?:\/\/|Service unavailable/);
    expect(final.components).toEqual([]);
    expect(record.followUps).toEqual([]);

    const creates = world().replicate.requests.filter((r) => r.route === 'create');
    expect(creates.length).toBeGreaterThan(1);
    expect(creates.length).toBeLessThan(10);
    expect(creates.every((r) => r.status === 503)).toBe(true);
    expect(world().replicate.predictions).toEqual([]);
    expect(world().logs.find('prediction create gave up')).toHaveLength(1);

    const jobId = world().logs.find('job queued')[0]!.jobId as string;
    expect((await world().bot.store.getJob(jobId))?.state).toBe('failed');
    expect(await world().bot.store.listActiveJobs()).toEqual([]);
  });
});
