import { describe, expect, it } from 'vitest';
import { jobButtonCustomId, regeneratePrefix } from '../../src/discord/custom-id.js';
import type { FakeUser } from '../fakes/discord/fake-discord.js';
import { useWorld } from '../harness/use-world.js';
import { buttonIds, predictionsReach, replyShowing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';

const world = useWorld({ tuning: { deliveryRetryBackoffMs: 10 } });
const minutes = (n: number) => n * 60_000;
const video = (fill: number) => Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(1024, fill)]);
const channelPost = /^\/api\/v10\/channels\/\d+\/messages$/;

describe('the same /video sent twice, both delivered in the channel', () => {
  it('gives each job its own video: a post of the second that went unanswered is not taken for the first’s', async () => {
    const w = world();
    const uma: FakeUser = { id: '1800000000000000011', username: 'uma' };
    w.replicate.script({ durationMs: minutes(20), output: video(1) });
    w.replicate.script({ durationMs: minutes(25), output: video(2) });
    const first = requestVideo(w, uma, 'a canoe at night');
    await replyShowing(w, first, /In the queue|Starting|Generating/);
    const second = requestVideo(w, uma, 'a canoe at night');
    await predictionsReach(w, 2);
    await replyShowing(w, second, /Generating/);

    // Both tokens die; the first video goes out as a channel message.
    w.clock.jump(minutes(21));
    const firstDone = await w.logs.waitFor('job done');
    const posts = () =>
      w.discord.channelMessages(w.discord.defaultChannelId).filter((m) => m.content.startsWith(`✅ <@${uma.id}>'s video`));
    expect(posts()).toHaveLength(1);

    // The second's post gets no answer Discord would have kept (5xx): whether it landed must be looked up.
    w.discord.failNext({ method: 'POST', pathPattern: channelPost, status: 500, times: Infinity });
    w.clock.jump(minutes(5));
    const refused = () => w.discord.requests.filter((r) => r.method === 'POST' && r.route === 'POST /channels/:channel/messages' && r.status === 500);
    await w.discord.waitFor(() => refused().length >= 2, { description: 'the second video’s post, sent and resent unanswered' });
    w.discord.clearFaults();
    await w.logs.waitFor('job done', { count: 2, timeoutMs: 20_000 });
    await untilNoActiveJobs(w);

    const secondId = String(w.logs.find('job done').find((line) => line.jobId !== firstDone.jobId)!.jobId);
    const [one, two] = posts();
    expect(posts()).toHaveLength(2);
    const headline = (content: string) => content.slice(0, content.indexOf(' made in'));
    expect(headline(one!.content)).toBe(headline(two!.content));
    expect(one!.attachments.map((a) => a.bytes.equals(video(1)))).toEqual([true]);
    // The second's own video: as a file, or (should the upload have gone down the ladder) its own link.
    const secondPrediction = w.replicate.predictions.find((p) => p.output.equals(video(2)))!;
    if (two!.attachments.length > 0) expect(two!.attachments.map((a) => a.bytes.equals(video(2)))).toEqual([true]);
    else expect(two!.content).toContain(`/files-out/${secondPrediction.id}.mp4`);
    expect(buttonIds(two!)).toContain(jobButtonCustomId(regeneratePrefix, secondId));
    const record = await w.bot.store.getJob(secondId);
    expect(record).toMatchObject({ state: 'done', delivery: 'channel', postedMessage: { messageId: two!.id } });
  });
});
