import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { replyShowing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';

const world = useWorld();

describe('a bot that was down longer than Replicate keeps outputs', () => {
  it('tells the member plainly that the video is gone, in the channel since the token is dead', async () => {
    world().replicate.script({ durationMs: 5_000 });
    const member = { id: '1400000000000000042', username: 'sam' };
    const sent = requestVideo(world(), member, 'a lighthouse in a storm');
    await replyShowing(world(), sent, /Generating/);

    await world().bot.stop();
    world().clock.jump(2 * 60 * 60_000); // the video finished, then Replicate removed it an hour later
    await world().startBot();

    const channelId = world().discord.interaction(sent.id).channelId;
    const notice = await world().discord.waitFor(
      (d) => d.channelMessages(channelId).find((m) => /no longer has it/.test(m.content)),
      { timeoutMs: 10_000, description: 'the notice in the channel' },
    );
    expect(notice.content).toContain('Please run /video again');
    expect(notice.content).toMatch(new RegExp(`^<@${member.id}> `));
    expect(notice.attachments).toEqual([]);
    expect(notice.components).toEqual([]);
    expect(world().replicate.predictions).toHaveLength(1);
    await untilNoActiveJobs(world());
    const jobs = await world().bot.store.listActiveJobs();
    expect(jobs).toEqual([]);
  });
});
