import { describe, expect, it } from 'vitest';
import { statusAt } from '../fakes/replicate/prediction.js';
import { useWorld } from '../harness/use-world.js';
import { readyPing, requestVideo } from '../harness/video-steps.js';
import { expectLogClean } from '../harness/webhook-steps.js';

const world = useWorld({ webhooks: true });

describe('a prediction that ends while the bot in webhook mode is down', () => {
  it('is polled at once by the restarted bot and delivered, once, though its webhooks found nobody', async () => {
    world().replicate.script({ durationMs: 5_000 });
    const sent = requestVideo(world(), { id: '123456789012345678', username: 'mia' }, 'an owl at dusk');
    await world().logs.waitFor('prediction created');
    await world().bot.stop();
    const prediction = world().replicate.predictions[0]!;
    world().clock.jump(5_000);
    await world().discord.waitFor(() => world().replicate.webhooks.deliveries.some((d) => d.event === 'completed' && d.answer === 0), {
      description: 'the completed webhook failing to connect',
    });
    expect(statusAt(prediction, world().clock.now())).toBe('succeeded');

    await world().startBot();
    const record = await readyPing(world(), sent);

    expect(record.original!.attachments).toHaveLength(1);
    expect(record.followUps).toHaveLength(1);
    expect(world().replicate.requestCount('get')).toBe(1);
    expect(world().replicate.predictions).toHaveLength(1);
    expectLogClean(world());
  });
});
