import { describe, expect, it } from 'vitest';
import { useProcessWorld } from '../harness/use-world.js';

const world = useProcessWorld();

describe('a restart while Replicate cannot be asked for model schemas', () => {
  it('starts on the schemas stored at the last start and still delivers a video', async () => {
    const env = { REPLICATE_MODELS: 'google/veo-3-fast=0.10' };
    const first = await world().startBot(env);
    await first.waitForLog('models ready');
    await first.kill('SIGTERM');

    world().replicate.models.failReads({ status: 503 });
    const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(2048, 3)]);
    world().replicate.script({ durationMs: 200, output: video });
    const bot = await world().startBot(env);

    expect(bot.find('model schema from the stored copy').map((e) => e.model).sort()).toEqual(['google/veo-3-fast', 'kwaivgi/kling-v1.6-standard']);
    expect(bot.find('models ready')[0]).toMatchObject({ models: ['kwaivgi/kling-v1.6-standard', 'google/veo-3-fast'] });
    expect(bot.find('model left out')).toEqual([]);
    const sent = world().discord.sendSlashCommand({
      name: 'video',
      user: { id: '123456789012345678', username: 'mia' },
      options: { prompt: 'a kite over the dunes' },
    });
    const delivered = await world().discord.waitFor(
      (d) => (d.interaction(sent.id).original?.attachments.length ?? 0) > 0 && d.interaction(sent.id),
      { timeoutMs: 20_000, description: 'the video delivered' },
    );
    expect(delivered.original!.attachments[0]!.bytes.equals(video)).toBe(true);
    expect(world().replicate.predictions.map((p) => [p.model, p.input])).toEqual([['kwaivgi/kling-v1.6-standard', { prompt: 'a kite over the dunes' }]]);
  }, 60_000);
});
