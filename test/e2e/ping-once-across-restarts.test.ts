import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/queue/job.js';
import { openStore } from '../../src/storage/keyv-store.js';
import type { FakeUser, InteractionHandle } from '../fakes/discord/fake-discord.js';
import { useWorld } from '../harness/use-world.js';
import { predictionsReach, readyPing, replyShowing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';
import type { World } from '../harness/world.js';

const world = useWorld({ tuning: { deliveryRetryBackoffMs: 10 } });
const minutes = (n: number) => n * 60_000;
const video = (fill: number) => Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(1024, fill)]);
const followUpPath = /^\/api\/v10\/webhooks\/\d+\/[^/]+$/;

/**
 * The ping keeps failing in this first life: the video is up and recorded as posted, the ping is being retried. The
 * restart that follows stops those retries, and the record is what a process killed at that point leaves.
 */
async function postedButNotPinged(w: World): Promise<Job> {
  const line = await w.logs.waitFor('ready ping failed');
  const job = (await w.bot.store.getJob(String(line.jobId)))!;
  expect(job).toMatchObject({ state: 'delivering', delivery: 'attachment' });
  expect(job.postedAt).toBeTypeOf('number');
  expect(job.pingedAt).toBeUndefined();
  return job;
}

async function jobDone(w: World): Promise<Job> {
  const line = await w.discord.waitFor(() => w.logs.find('job done')[0], { description: 'the job done line' });
  await untilNoActiveJobs(w);
  return (await w.bot.store.getJob(String(line.jobId)))!;
}

/**
 * Stops the bot (its retries end there, as a kill would end them), stores the finished job back as `delivering` with
 * `rewind` applied: the record a process leaves when it is killed at that point of the delivery. Discord answers
 * again from now on. Then the bot starts again on the same store.
 */
async function crashAt(w: World, done: Job, rewind: Partial<Job>): Promise<void> {
  await w.bot.stop();
  w.discord.clearFaults();
  const store = await openStore(w.config.storageUrl, pino({ level: 'silent' }));
  try {
    await store.saveJob({ ...done, state: 'delivering', finishedAt: undefined, ...rewind });
  } finally {
    await store.close();
  }
  w.logs.lines.length = 0;
  await w.startBot();
  await w.discord.waitFor(() => w.logs.find('job done')[0], { description: 'the resumed job done line' });
  await untilNoActiveJobs(w);
}

function uploadsTo(w: World, sent: InteractionHandle): number {
  return w.discord.interaction(sent.id).originalHistory.filter((m) => m.attachments.length > 0).length;
}

describe('every delivered video pings its member exactly once, across restarts', () => {
  it('killed after the upload but before it was recorded: not posted again, pinged once', async () => {
    const w = world();
    const uma: FakeUser = { id: '1800000000000000001', username: 'uma' };
    w.replicate.script({ durationMs: 300, output: video(1) });
    // The ping never lands in this first life, as if the process had died right after the upload.
    w.discord.failNext({ method: 'POST', pathPattern: followUpPath, status: 500, times: Infinity });
    const sent = requestVideo(w, uma, 'a canoe at dawn');
    const done = await postedButNotPinged(w);
    expect(w.discord.interaction(sent.id).followUps).toEqual([]);

    await crashAt(w, done, { delivery: undefined, postedAt: undefined, pingedAt: undefined });
    const record = await readyPing(w, sent);
    expect(record.followUps).toHaveLength(1);
    expect(uploadsTo(w, sent)).toBe(1);
    expect((await w.bot.store.getJob(done.id))?.pingedAt).toBeDefined();
  });

  it('killed after the post was recorded, before the ping: pinged once', async () => {
    const w = world();
    const vic: FakeUser = { id: '1800000000000000002', username: 'vic' };
    w.replicate.script({ durationMs: 300, output: video(2) });
    w.discord.failNext({ method: 'POST', pathPattern: followUpPath, status: 500, times: Infinity });
    const sent = requestVideo(w, vic, 'a canoe at noon');
    const done = await postedButNotPinged(w);

    await crashAt(w, done, { pingedAt: undefined });
    expect(w.discord.interaction(sent.id).followUps).toHaveLength(1);
    expect(uploadsTo(w, sent)).toBe(1);
  });

  it('killed after the ping landed but before it was recorded: not pinged again', async () => {
    const w = world();
    const wes: FakeUser = { id: '1800000000000000003', username: 'wes' };
    w.replicate.script({ durationMs: 300, output: video(3) });
    const sent = requestVideo(w, wes, 'a canoe at dusk');
    await readyPing(w, sent);
    const done = await jobDone(w);

    await crashAt(w, done, { pingedAt: undefined });
    expect(w.discord.interaction(sent.id).followUps).toHaveLength(1);
    expect(uploadsTo(w, sent)).toBe(1);
    expect(w.logs.find('member was already pinged before the restart')).toHaveLength(1);
  });

  it('killed after a channel delivery (token dead) but before it was recorded: not posted again', async () => {
    const w = world();
    const xia: FakeUser = { id: '1800000000000000004', username: 'xia' };
    w.replicate.script({ durationMs: minutes(20), output: video(4) });
    const sent = requestVideo(w, xia, 'a canoe at night');
    await predictionsReach(w, 1);
    await replyShowing(w, sent, /Generating/);
    w.clock.jump(minutes(21));
    const done = await jobDone(w);
    const posts = () =>
      w.discord.channelMessages(w.discord.defaultChannelId).filter((m) => m.content.startsWith(`✅ <@${xia.id}>'s video`));
    expect(posts()).toHaveLength(1);
    // Past Discord's memory of the nonce: only reading the channel back can tell.
    w.clock.jump(minutes(10));

    await crashAt(w, done, { delivery: undefined, postedAt: undefined, pingedAt: undefined });
    expect(posts()).toHaveLength(1);
    expect((await w.bot.store.getJob(done.id))?.delivery).toBe('channel');
  });
});
