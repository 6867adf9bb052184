import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../harness/bot-process.js';
import { startHoldingProxy, type HoldingProxy } from '../harness/holding-proxy.js';
import { useProcessWorld } from '../harness/use-world.js';
import { readyPing } from '../harness/video-steps.js';

const world = useProcessWorld();
let proxy: HoldingProxy;
beforeEach(async () => {
  const fakeOrigin = new URL(world().replicate.baseUrl).origin;
  proxy = await startHoldingProxy(fakeOrigin, (method, path) => method === 'POST' && /\/predictions$/.test(path));
});
afterEach(async () => {
  await proxy.close();
});

describe('a crash after the create reached Replicate but before the prediction id was saved', () => {
  it('adopts the prediction the lost create made on restart instead of creating a second one', async () => {
    const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(2048, 5)]);
    world().replicate.script({ durationMs: 1_500, output: video });
    // The first bot reaches Replicate through a proxy that lets the create happen and swallows its answer.
    const bot = await world().startBot({ REPLICATE_API_URL: `${proxy.origin}/v1` });
    const sent = world().discord.sendSlashCommand({
      name: 'video',
      user: { id: '555555555555555555', username: 'eli' },
      options: { prompt: 'a snail racing a turtle', aspect_ratio: '1:1' },
    });
    await waitUntil(() => proxy.held === 1 && world().replicate.predictions.length === 1, {
      description: 'the create made at Replicate with its answer withheld',
    });
    await bot.kill('SIGKILL');
    expect(bot.find('prediction created')).toEqual([]);
    const prediction = world().replicate.predictions[0]!;
    expect(prediction.input).toEqual({ prompt: 'a snail racing a turtle', aspect_ratio: '1:1' });

    const store = await world().openStore();
    try {
      const [job] = await store.listActiveJobs();
      expect(job).toMatchObject({ state: 'starting', reply: { interactionId: sent.id } });
      expect(job!.createStartedAt).toBeTypeOf('number');
      expect(job!.predictionId).toBeUndefined();
    } finally {
      await store.close();
    }

    const restarted = await world().startBot();
    const record = await readyPing(world(), sent, { timeoutMs: 20_000, description: 'the ready ping after the restart' });

    expect(restarted.find('prediction adopted')[0]).toMatchObject({ predictionId: prediction.id });
    expect(world().replicate.predictions).toHaveLength(1);
    expect(world().replicate.requestCount('create')).toBe(1);
    expect(record.original!.attachments).toHaveLength(1);
    expect(record.original!.attachments[0]!.bytes.equals(video)).toBe(true);
    expect(record.original!.content).toContain('a snail racing a turtle');
  }, 60_000);
});
