import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { cancelButtonOf, replyShowing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';
import { deliveryOf, expectLogClean } from '../harness/webhook-steps.js';

const world = useWorld({ webhooks: true });
const amy = { id: '210000000000000001', username: 'amy' };

describe('canceling a job in webhook mode', () => {
  it('cancels at Replicate, ends the reply as Canceled, and the canceled webhook that follows changes nothing', async () => {
    world().replicate.script({ durationMs: 60_000 });
    const handle = requestVideo(world(), amy, 'a paper boat on a river');
    await world().logs.waitFor('prediction created');
    world().clock.jump(6_000);
    await deliveryOf(world(), 'start');
    const progress = await replyShowing(world(), handle, /Generating/);

    world().discord.pressButton({ message: progress, customId: cancelButtonOf(progress), user: amy });
    const canceled = await replyShowing(world(), handle, /^Canceled/);
    const completed = await deliveryOf(world(), 'completed');

    expect(completed).toMatchObject({ status: 'canceled', answer: 200 });
    expect(canceled.components).toEqual([]);
    await untilNoActiveJobs(world());
    expect(world().discord.interaction(handle.id).followUps).toEqual([]);
    expect(world().replicate.requestCount('cancel')).toBe(1);
    expect(world().replicate.requestCount('get')).toBe(0);
    expectLogClean(world());
  });
});
