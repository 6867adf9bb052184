import { describe, expect, it } from 'vitest';
import { waitUntil } from '../harness/bot-process.js';
import { useProcessWorld } from '../harness/use-world.js';

const world = useProcessWorld();

describe('SIGTERM while a job runs', () => {
  it('exits 0 within 10 s leaving the job running in the store, and the next start delivers it', async () => {
    const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(2500, 4)]);
    world().replicate.script({ durationMs: 3_000, output: video });
    const bot = await world().startBot();
    const sent = world().discord.sendSlashCommand({
      name: 'video',
      user: { id: '444444444444444444', username: 'dev' },
      options: { prompt: 'a city at night in the rain' },
    });
    await bot.waitForLog('prediction created');
    await waitUntil(() => world().replicate.requestCount('get') > 0, { description: 'the first status poll' });
    const prediction = world().replicate.predictions[0]!;

    const exit = await bot.kill('SIGTERM');
    expect(exit.code).toBe(0);
    expect(exit.afterMs).toBeLessThan(10_000);
    expect(bot.find('stopping')[0]).toMatchObject({ signal: 'SIGTERM' });
    expect(bot.find('bot stopped')).toHaveLength(1);
    // A graceful stop leaves a running prediction alone: nobody canceled it.
    expect(world().replicate.requestCount('cancel')).toBe(0);

    const store = await world().openStore();
    try {
      const active = await store.listActiveJobs();
      expect(active).toHaveLength(1);
      expect(active[0]).toMatchObject({ state: 'running', predictionId: prediction.id });
      expect(active[0]!.reply.interactionId).toBe(sent.id);
    } finally {
      await store.close();
    }

    const restarted = await world().startBot();
    const record = await world().discord.waitFor(
      (d) => (d.interaction(sent.id).original?.attachments.length ?? 0) > 0 && d.interaction(sent.id),
      { timeoutMs: 20_000, description: 'the video delivered after the restart' },
    );
    expect(record.original!.attachments[0]!.bytes.equals(video)).toBe(true);
    expect(world().replicate.predictions).toHaveLength(1);
    expect(world().replicate.requestCount('create')).toBe(1);
    expect(restarted.find('queue recovered')[0]).toMatchObject({ resume: 1 });
    expect(bot.stderr).toBe('');
  }, 60_000);
});
