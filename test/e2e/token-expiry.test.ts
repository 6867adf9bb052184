import { describe, expect, it } from 'vitest';
import type { MessageWithHistory } from '../fakes/discord/fake-discord.js';
import { useWorldPerTest } from '../harness/use-world.js';
import {
  buttonIds,
  cancelButtonOf,
  predictionsReach,
  replyShowing,
  requestVideo,
  untilNoActiveJobs,
} from '../harness/video-steps.js';
import type { World } from '../harness/world.js';

const amy = { id: '270000000000000001', username: 'amy' };
const ben = { id: '270000000000000002', username: 'ben' };
const minutes = (n: number) => n * 60_000;
const mp4 = (fill: number) => Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(4096, fill)]);

const start = useWorldPerTest();

/** The channel message whose text mentions `userId` and carries a file: how a video arrives once the token is dead. */
function channelDelivery(w: World, userId: string): Promise<MessageWithHistory> {
  return w.discord.waitFor(
    (d) =>
      d.channelMessages(d.defaultChannelId).find((m) => m.content.includes(`<@${userId}>`) && m.attachments.length > 0),
    { timeoutMs: 15_000, description: `a channel delivery for ${userId}` },
  );
}

describe('a job that outlives its 15-minute interaction token', () => {
  it('moves a long wait to a channel message before the token expires, then delivers there', async () => {
    const w = await start({ env: { GUILD_CONCURRENCY: '1' } });
    const video = mp4(5);
    w.replicate.script({ durationMs: minutes(20) });
    w.replicate.script({ durationMs: 60_000, output: video });
    const first = requestVideo(w, amy, 'a very long sunset');
    await predictionsReach(w, 1);
    const firstJob = cancelButtonOf(await replyShowing(w, first, /Generating/)).slice('cancel:'.length);
    const second = requestVideo(w, ben, 'a short sunrise');
    const waiting = await replyShowing(w, second, /position 1/);
    const cancelId = cancelButtonOf(waiting);

    w.clock.jump(minutes(13.5));
    const moved = await w.discord.waitFor(
      (d) => d.channelMessages(d.defaultChannelId).find((m) => buttonIds(m).includes(cancelId)),
      { description: "the waiting job's progress in the channel" },
    );
    expect(moved.history[0]!.at - w.discord.interaction(second.id).dispatchedAt).toBeLessThan(minutes(15));
    expect(moved.content).toMatch(/In the queue — position 1/);
    expect(moved.content).toContain('a short sunrise');
    expect(moved.allowedMentions).toEqual({ parse: [] });
    const pointer = await replyShowing(w, second, /Progress continues in the channel message below/);
    expect(pointer.content).toContain('a short sunrise');
    expect(pointer.components).toEqual([]);

    // Past the token's lifetime, the first job ends and the second runs and is delivered.
    w.clock.jump(minutes(2));
    w.clock.jump(minutes(4.5));
    await predictionsReach(w, 2);
    w.clock.jump(60_000);
    const delivered = await channelDelivery(w, ben.id);

    expect(delivered.attachments).toHaveLength(1);
    expect(delivered.attachments[0]!.filename).toMatch(/\.mp4$/);
    expect(delivered.attachments[0]!.bytes.equals(video)).toBe(true);
    expect(delivered.content).toContain('a short sunrise');
    expect(delivered.allowedMentions).toEqual({ parse: [], users: [ben.id] });
    expect(buttonIds(delivered).map((id) => id.split(':')[0])).toEqual(['regen', 'remix']);
    await channelDelivery(w, amy.id);
    expect(w.discord.interaction(second.id).original!.content).toMatch(/Progress continues/);
    // The moved progress message does not stay on "Preparing your video…": it points at the delivery.
    const finalProgress = await w.discord.waitFor(
      (d) => d.channelMessages(d.defaultChannelId).find((m) => m.id === moved.id && !/Preparing/.test(m.content)),
      { description: 'the moved progress message after delivery' },
    );
    expect(finalProgress.content).toMatch(/^✅ Done — the video is in the message below/);
    expect(finalProgress.content).toContain('a short sunrise');
    expect(finalProgress.components).toEqual([]);
    await untilNoActiveJobs(w);
    const jobs = await Promise.all([firstJob, cancelId.slice('cancel:'.length)].map((id) => w.bot.store.getJob(id)));
    expect(jobs.map((j) => [j?.state, j?.delivery])).toEqual([
      ['done', 'channel'],
      ['done', 'channel'],
    ]);
  });

  it('delivers through a channel message when the token died while the video was generating', async () => {
    const w = await start();
    const video = mp4(9);
    w.replicate.script({ durationMs: 60_000, output: video });
    const request = requestVideo(w, amy, 'a slow glacier');
    await predictionsReach(w, 1);
    await replyShowing(w, request, /Generating/);

    w.clock.jump(minutes(16));
    const delivered = await channelDelivery(w, amy.id);

    expect(delivered.attachments[0]!.bytes.equals(video)).toBe(true);
    expect(delivered.content).toContain('a slow glacier');
    expect(delivered.allowedMentions).toEqual({ parse: [], users: [amy.id] });
    await untilNoActiveJobs(w);
    expect(w.logs.text).not.toContain(request.token);
    // Whatever else reached the channel (progress moved at the last moment) no longer shows a live state.
    const others = w.discord.channelMessages(w.discord.defaultChannelId).filter((m) => m.id !== delivered.id);
    for (const m of others) {
      expect(m.content).not.toMatch(/Generating|Preparing|In the queue/);
      expect(m.components).toEqual([]);
    }
  });

  it('falls back to the channel when Discord refuses the token early with 10015 Unknown Webhook', async () => {
    // Discord decides when a token is dead: here at 10 minutes, before the bot's own 13-minute move.
    const w = await start({ discord: { tokenLifetimeMs: minutes(10), expiredTokenCode: 10015 } });
    const video = mp4(7);
    w.replicate.script({ durationMs: minutes(11), output: video });
    const request = requestVideo(w, amy, 'a comet over the sea');
    await predictionsReach(w, 1);
    const jobId = cancelButtonOf(await replyShowing(w, request, /Generating/)).slice('cancel:'.length);

    w.clock.jump(minutes(11.5));
    const delivered = await channelDelivery(w, amy.id);

    expect(delivered.attachments[0]!.bytes.equals(video)).toBe(true);
    expect(delivered.allowedMentions).toEqual({ parse: [], users: [amy.id] });
    const refused = w.discord.requests.filter((r) => r.status === 404 && /webhooks/.test(r.path));
    expect(refused.length).toBeGreaterThan(0);
    await untilNoActiveJobs(w);
    expect((await w.bot.store.getJob(jobId))?.delivery).toBe('channel');
  });
});
