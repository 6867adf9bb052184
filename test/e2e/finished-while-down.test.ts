import { describe, expect, it } from 'vitest';
import { statusAt } from '../fakes/replicate/prediction.js';
import { waitUntil } from '../harness/bot-process.js';
import { useProcessWorld } from '../harness/use-world.js';
import { readyPing } from '../harness/video-steps.js';

const world = useProcessWorld();

describe('a prediction that finishes while the bot is down', () => {
  it('is delivered to the original reply after the restart, without a second prediction', async () => {
    const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(3000, 9)]);
    // Long enough that the first bot cannot see the end before the kill, even on a loaded machine.
    world().replicate.script({ durationMs: 1_500, output: video });
    const bot = await world().startBot();
    const sent = world().discord.sendSlashCommand({
      name: 'video',
      user: { id: '333333333333333333', username: 'cleo' },
      options: { prompt: 'a hot air balloon over hills' },
    });
    await bot.waitForLog('prediction created');
    await waitUntil(() => world().replicate.requestCount('get') > 0, { description: 'the first status poll' });
    await bot.kill('SIGKILL');
    const prediction = world().replicate.predictions[0]!;
    expect(bot.find('prediction ended')).toEqual([]);

    await waitUntil(() => statusAt(prediction, Date.now()) === 'succeeded', { description: 'the prediction to finish' });
    const restarted = await world().startBot();
    const record = await readyPing(world(), sent, { timeoutMs: 20_000, description: 'the ready ping after the restart' });

    expect(record.original!.attachments).toHaveLength(1);
    expect(record.original!.attachments[0]!.bytes.equals(video)).toBe(true);
    expect(record.original!.content).toContain('a hot air balloon over hills');
    expect(record.followUps.some((f) => f.content.includes('<@333333333333333333>'))).toBe(true);
    expect(world().replicate.predictions).toHaveLength(1);
    expect(world().replicate.requestCount('create')).toBe(1);
    expect(restarted.find('prediction ended')[0]).toMatchObject({ predictionId: prediction.id, status: 'succeeded' });
    await waitUntil(() => restarted.find('job done').length > 0, { description: 'the job recorded as done' });
    for (const text of [bot.output, restarted.output]) {
      for (const secret of [...world().secrets(), sent.token]) expect(text).not.toContain(secret);
    }
  }, 60_000);
});
