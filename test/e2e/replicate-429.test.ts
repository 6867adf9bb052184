import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { readyPing } from '../harness/video-steps.js';

const world = useWorld();

describe('Replicate throttling the create', () => {
  it('waits out Retry-After, creates exactly one prediction and delivers the video', async () => {
    const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(1024, 9)]);
    world().replicate.failNext({ route: 'create', status: 429, retryAfterSeconds: 1 });
    world().replicate.script({ durationMs: 300, output: video });
    const sent = world().discord.sendSlashCommand({ name: 'video', options: { prompt: 'rain on a tin roof' } });

    // Once the bot has logged the retry it is sleeping on the clock: make the second pass at once.
    await world().discord.waitFor(() => world().logs.find('prediction create failed, retrying').length > 0, {
      description: 'the throttled create to be retried',
    });
    world().clock.jump(1000);

    const record = await readyPing(world(), sent);

    expect(record.original!.attachments).toHaveLength(1);
    expect(record.original!.attachments[0]!.bytes.equals(video)).toBe(true);
    expect(world().replicate.predictions).toHaveLength(1);
    const creates = world().replicate.requests.filter((r) => r.route === 'create');
    expect(creates.map((r) => r.status)).toEqual([429, 201]);
    expect(creates[1]!.time - creates[0]!.time).toBeGreaterThanOrEqual(1000);
    const retries = world().logs.find('prediction create failed, retrying');
    expect(retries.map((e) => e.delayMs)).toEqual([1000]);
  });
});
