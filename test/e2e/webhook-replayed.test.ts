import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { readyPing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';
import { deliveryOf, expectLogClean } from '../harness/webhook-steps.js';

const world = useWorld({ webhooks: true });

describe('a replayed webhook', () => {
  it('is answered 200 and changes nothing: no second delivery, ping or edit', async () => {
    world().replicate.script({ durationMs: 300 });
    const sent = requestVideo(world(), { id: '123456789012345678', username: 'mia' }, 'a kite over a beach');
    await readyPing(world(), sent);
    await untilNoActiveJobs(world());
    const start = await deliveryOf(world(), 'start');
    const completed = await deliveryOf(world(), 'completed');
    const before = world().discord.interaction(sent.id);
    const edits = before.originalHistory.length;

    // The same bytes again: the completed webhook, then the start one (which would also move the status back).
    expect(await world().replicate.webhooks.replay(completed)).toBe(200);
    expect(await world().replicate.webhooks.replay(start)).toBe(200);
    await world().logs.waitFor('webhook replayed', { count: 2 });

    expect(world().logs.find('webhook replayed')).toMatchObject([
      { outcome: 'replayed', webhookId: completed.webhookId, status: 'succeeded' },
      { outcome: 'replayed', webhookId: start.webhookId, status: 'processing' },
    ]);
    const after = world().discord.interaction(sent.id);
    expect(after.followUps).toHaveLength(1);
    expect(after.originalHistory).toHaveLength(edits);
    expect(world().logs.find('prediction ended')).toHaveLength(1);
    expect(world().logs.find('job done')).toHaveLength(1);
    expect(world().replicate.requestCount('get')).toBe(0);
    expectLogClean(world());
  });
});
