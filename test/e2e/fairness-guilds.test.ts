import { beforeEach, describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { predictionsReach, promptsAtReplicate, replyShowing, requestVideo } from '../harness/video-steps.js';

const busy = { id: '240000000000000100', name: 'Busy Server', channels: [{ id: '240000000000000101', name: 'general' }] };
const quiet = { id: '240000000000000200', name: 'Quiet Server', channels: [{ id: '240000000000000201', name: 'general' }] };
const busyMembers = ['240000000000000111', '240000000000000112', '240000000000000113'].map((id, i) => ({
  id,
  username: `busy${i + 1}`,
}));
const quietMember = { id: '240000000000000211', username: 'quiet' };

const world = useWorld({ env: { MAX_CONCURRENT_PREDICTIONS: '1' }, discord: { guilds: [busy, quiet] } });
beforeEach(() => {
  for (let i = 0; i < 4; i++) world().replicate.script({ durationMs: 60_000 });
});

describe('fairness between servers when the process-wide cap binds', () => {
  it("a quiet server's request is served before a busy server's backlog", async () => {
    const busyRequests = [];
    for (const [i, member] of busyMembers.entries()) {
      const handle = requestVideo(world(), member, `busy ${i + 1}`, { guildId: busy.id });
      busyRequests.push(handle);
      if (i === 0) await predictionsReach(world(), 1);
      else await replyShowing(world(), handle, new RegExp(`position ${i}`));
    }
    const quietRequest = requestVideo(world(), quietMember, 'quiet 1', { guildId: quiet.id });
    await replyShowing(world(), quietRequest, /position 1/);
    expect(world().discord.interaction(quietRequest.id).channelId).toBe(quiet.channels[0]!.id);

    for (let created = 1; created <= 4; created++) {
      await predictionsReach(world(), created);
      world().clock.jump(60_000);
    }
    for (const handle of [...busyRequests, quietRequest]) {
      await world().discord.waitFor((d) => d.interaction(handle.id).followUps.length > 0, { description: 'every delivery' });
    }

    const order = promptsAtReplicate(world());
    expect(order).toEqual(['busy 1', 'quiet 1', 'busy 2', 'busy 3']);
    expect(order.at(-1)).not.toBe('quiet 1');
  });
});
