import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { readyPing, requestVideo } from '../harness/video-steps.js';
import { deliveryOf, expectLogClean } from '../harness/webhook-steps.js';

const world = useWorld({ webhooks: true });

describe('webhook ids taken before a restart', () => {
  it('are still refused as replays after it (persisted), and the job still ends once', async () => {
    world().replicate.script({ durationMs: 30_000 });
    const sent = requestVideo(world(), { id: '123456789012345678', username: 'mia' }, 'a fox in tall grass');
    await world().logs.waitFor('prediction created');
    world().clock.jump(3_000);
    const start = await deliveryOf(world(), 'start');
    expect(start.answer).toBe(200);
    await world().logs.waitFor('webhook taken');

    await world().restart();
    expect(await world().replicate.webhooks.replay(start)).toBe(200);
    await world().logs.waitFor('webhook replayed');
    expect(world().logs.find('webhook replayed')).toMatchObject([{ webhookId: start.webhookId, predictionId: start.predictionId }]);

    world().clock.jump(27_000);
    await readyPing(world(), sent);
    const completed = await deliveryOf(world(), 'completed');
    expect(await world().replicate.webhooks.replay(completed)).toBe(200);
    await world().logs.waitFor('webhook replayed', { count: 2 });
    expect(world().discord.interaction(sent.id).followUps).toHaveLength(1);
    expect(world().replicate.predictions).toHaveLength(1);
    // The restarted bot asked once at recovery (webhooks may have been missed while it was down), then listened.
    expect(world().replicate.requestCount('get')).toBe(1);
    expectLogClean(world());
  });
});
