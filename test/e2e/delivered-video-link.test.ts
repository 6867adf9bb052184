import { describe, expect, it } from 'vitest';
import { videoLinkOf } from '../../src/queue/video-link.js';
import { messageLink } from '../harness/member-steps.js';
import { useWorldPerTest } from '../harness/use-world.js';
import { cancelButtonOf, predictionsReach, readyPing, replyShowing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';
import type { World } from '../harness/world.js';

const ivy = { id: '284000000000000001', username: 'ivy' };
const minutes = (n: number) => n * 60_000;

const start = useWorldPerTest();

async function storedJob(w: World, jobId: string) {
  await untilNoActiveJobs(w);
  const job = await w.bot.store.getJob(jobId);
  if (!job) throw new Error(`job ${jobId} not stored`);
  return job;
}

describe('where a delivered video landed', () => {
  it('is recorded with the delivery: the reply that carries the video, linked after a restart', async () => {
    const w = await start();
    const handle = requestVideo(w, ivy, 'a linked heron');
    const jobId = cancelButtonOf(await replyShowing(w, handle, /Starting|Generating/)).slice('cancel:'.length);
    const record = await readyPing(w, handle);
    await w.restart();

    const job = await storedJob(w, jobId);
    expect(job.postedMessage).toEqual({ channelId: record.channelId, messageId: record.original!.id });
    expect(videoLinkOf(job)).toBe(messageLink(w.discord.defaultGuildId, record.channelId, record.original!.id));
  });

  it('is the channel message when the video went out after the interaction token died', async () => {
    const w = await start();
    w.replicate.script({ durationMs: minutes(16) });
    const handle = requestVideo(w, ivy, 'a heron that took its time');
    await predictionsReach(w, 1);
    const jobId = cancelButtonOf(await replyShowing(w, handle, /Generating/)).slice('cancel:'.length);
    w.clock.jump(minutes(16));
    const posted = await w.discord.waitFor(
      (d) => d.channelMessages(d.defaultChannelId).find((m) => m.content.includes(`<@${ivy.id}>`) && m.attachments.length > 0),
      { timeoutMs: 15_000, description: 'the channel delivery' },
    );

    const job = await storedJob(w, jobId);
    expect(job.delivery).toBe('channel');
    expect(job.postedMessage).toEqual({ channelId: w.discord.defaultChannelId, messageId: posted.id });
    expect(videoLinkOf(job)).toBe(messageLink(w.discord.defaultGuildId, w.discord.defaultChannelId, posted.id));
  });
});
