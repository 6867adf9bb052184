import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { failureShown, readyPing, replyShowing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';

const world = useWorld({ tuning: { deliveryRetryBackoffMs: 10 } });
const ida = { id: '1710000000000000001', username: 'ida' };
const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(2048, 7)]);

describe('a Discord 5xx storm at the end of a job', () => {
  it('still shows the member why the job failed, once Discord answers again', async () => {
    const w = world();
    w.replicate.script({ durationMs: 300, outcome: 'failed', error: 'NSFW content detected' });
    const sent = requestVideo(w, ida, 'something the filter dislikes');
    await replyShowing(w, sent, /Generating|Starting/);
    // Every edit of the reply fails for a while: longer than @discordjs/rest's own retries.
    w.discord.failNext({ method: 'PATCH', pathPattern: /\/messages\/(@|%40)original$/, status: 503, times: 12 });
    const record = await failureShown(w, sent, /^❌ The model could not make this video: NSFW content detected/);
    expect(record.original!.components).toEqual([]);
    expect(w.logs.find('final edit failed').length).toBeGreaterThan(0);
  });

  it('shows the end after a restart when the bot stopped before Discord let it', async () => {
    const w = world();
    w.replicate.script({ durationMs: 300, outcome: 'failed', error: 'NSFW content detected' });
    const sent = requestVideo(w, ida, 'something else the filter dislikes');
    await replyShowing(w, sent, /Generating|Starting/);
    w.discord.failNext({ method: 'PATCH', pathPattern: /\/messages\/(@|%40)original$/, status: 503, times: Infinity });
    const line = await w.logs.waitFor('final edit failed');
    const jobId = String(line.jobId);
    expect((await w.bot.store.getJob(jobId))).toMatchObject({ state: 'failed', endShown: false });

    await w.bot.stop();
    w.discord.clearFaults();
    await w.startBot();
    await failureShown(w, sent, /^❌ The model could not make this video: NSFW content detected/);
    await untilNoActiveJobs(w);
    expect((await w.bot.store.getJob(jobId))?.endShown).toBe(true);
    expect(w.logs.find('queue recovered').at(-1)).toMatchObject({ unshown: 1 });
  });

  it('still pings the member, exactly once, when the follow-up fails many times', async () => {
    const w = world();
    w.replicate.script({ durationMs: 300, output: video });
    const sent = requestVideo(w, ida, 'a kite over dunes');
    await replyShowing(w, sent, /Generating|Starting/);
    w.discord.failNext({ method: 'POST', pathPattern: /^\/api\/v10\/webhooks\/\d+\/[^/]+$/, status: 500, times: 6 });
    const record = await readyPing(w, sent, { timeoutMs: 20_000 });
    expect(record.original!.attachments[0]!.bytes.equals(video)).toBe(true);
    await w.logs.waitFor('job done');
    expect(w.discord.interaction(sent.id).followUps).toHaveLength(1);
    expect(w.logs.find('ready ping failed').length).toBeGreaterThan(0);
    const jobId = w.logs.find('job done')[0]!.jobId as string;
    expect((await w.bot.store.getJob(jobId))?.pingedAt).toBeTypeOf('number');
  });
});
