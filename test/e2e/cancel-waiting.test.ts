import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import {
  buttonIds,
  cancelButtonOf,
  predictionsReach,
  promptsAtReplicate,
  readyPing,
  replyShowing,
  requestVideo,
  untilNoActiveJobs,
} from '../harness/video-steps.js';

const amy = { id: '200000000000000001', username: 'amy' };
const ben = { id: '200000000000000002', username: 'ben' };

const world = useWorld({ env: { GUILD_CONCURRENCY: '1' } });

describe('canceling a job that is still waiting in line', () => {
  it('a waiting job canceled by its requester never reaches Replicate, and the running one still finishes', async () => {
    world().replicate.script({ durationMs: 60_000 });
    const first = requestVideo(world(), amy, 'a lighthouse in a storm');
    await predictionsReach(world(), 1);
    await replyShowing(world(), first, /Generating/);

    const second = requestVideo(world(), ben, 'a snail racing a tortoise');
    const waiting = await replyShowing(world(), second, /In the queue — position 1/);
    expect(buttonIds(waiting)).toEqual([cancelButtonOf(waiting)]);

    const press = world().discord.pressButton({ message: waiting, customId: cancelButtonOf(waiting), user: ben });
    const canceled = await replyShowing(world(), second, /^Canceled/);

    expect(world().discord.interaction(press.id).ackType).toBe(6);
    expect(canceled.content).not.toContain('<@');
    expect(canceled.components).toEqual([]);

    world().clock.jump(60_000);
    const delivered = await readyPing(world(), first, { timeoutMs: 10_000, description: "the first member's video" });
    expect(delivered.original!.attachments).toHaveLength(1);
    expect(promptsAtReplicate(world())).toEqual(['a lighthouse in a storm']);
    expect(world().discord.interaction(second.id).original!.content).toMatch(/^Canceled/);
    await untilNoActiveJobs(world());
  });
});
