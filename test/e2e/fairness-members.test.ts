import { beforeEach, describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import {
  positionsShown,
  predictionsReach,
  promptsAtReplicate,
  replyShowing,
  requestVideo,
} from '../harness/video-steps.js';

const amy = { id: '230000000000000001', username: 'amy' };
const ben = { id: '230000000000000002', username: 'ben' };

const world = useWorld({ env: { GUILD_CONCURRENCY: '1', USER_PENDING_LIMIT: '3' } });
beforeEach(() => {
  for (let i = 0; i < 4; i++) world().replicate.script({ durationMs: 60_000 });
});

describe('fairness between members of one server', () => {
  it("a member's single request runs before another member's backlog, and waiting positions follow the line", async () => {
    const a1 = requestVideo(world(), amy, 'amy one');
    await predictionsReach(world(), 1);
    const a2 = requestVideo(world(), amy, 'amy two');
    await replyShowing(world(), a2, /position 1/);
    const a3 = requestVideo(world(), amy, 'amy three');
    await replyShowing(world(), a3, /position 2/);

    const b1 = requestVideo(world(), ben, 'ben one');
    await replyShowing(world(), b1, /position 1/);
    await replyShowing(world(), a2, /position 2/);
    await replyShowing(world(), a3, /position 3/);

    world().clock.jump(60_000);
    await predictionsReach(world(), 2);
    await replyShowing(world(), b1, /Generating/);
    await replyShowing(world(), a2, /position 1/);
    await replyShowing(world(), a3, /position 2/);

    world().clock.jump(60_000);
    await predictionsReach(world(), 3);
    await replyShowing(world(), a3, /position 1/);
    world().clock.jump(60_000);
    await predictionsReach(world(), 4);
    world().clock.jump(60_000);
    for (const handle of [a1, b1, a2, a3]) {
      await world().discord.waitFor((d) => d.interaction(handle.id).followUps.length > 0, { description: 'every delivery' });
    }

    expect(promptsAtReplicate(world())).toEqual(['amy one', 'ben one', 'amy two', 'amy three']);
    expect(positionsShown(world().discord.interaction(a3.id).originalHistory)).toEqual([2, 3, 2, 1]);
    expect(positionsShown(world().discord.interaction(a2.id).originalHistory)).toEqual([1, 2, 1]);
    expect(positionsShown(world().discord.interaction(b1.id).originalHistory)).toEqual([1]);
  });
});
