import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { readyPing, requestVideo } from '../harness/video-steps.js';
import { deliveryOf, expectLogClean, refusals } from '../harness/webhook-steps.js';

const world = useWorld({ webhooks: true });

describe('a webhook with a timestamp outside ±5 minutes', () => {
  it('is refused with 401 as stale, and Replicate’s retry of the final webhook still delivers', async () => {
    const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(1024, 4)]);
    world().replicate.script({ durationMs: 300, output: video });
    // The completed webhook is signed six minutes in the past (a captured one sent again later looks like this).
    world().replicate.webhooks.tamperNext({ event: 'completed', timestampOffsetSeconds: -6 * 60 });
    const sent = requestVideo(world(), { id: '123456789012345678', username: 'mia' }, 'a snail on a leaf');

    const stale = await deliveryOf(world(), 'completed');
    expect(stale.answer).toBe(401);
    expect(refusals(world())).toMatchObject([{ outcome: 'stale', status: 401, webhookId: stale.webhookId }]);
    expect((await world().bot.store.listActiveJobs())[0]).toMatchObject({ state: 'running' });

    // Replicate retries the final webhook (same id, fresh timestamp) a couple of seconds later.
    world().clock.jump(2_000);
    const retried = await deliveryOf(world(), 'completed', { attempt: 2 });
    expect(retried).toMatchObject({ webhookId: stale.webhookId, answer: 200 });
    const record = await readyPing(world(), sent);
    expect(record.original!.attachments[0]!.bytes.equals(video)).toBe(true);
    expect(world().replicate.requestCount('get')).toBe(0);
    expectLogClean(world());
  });
});
