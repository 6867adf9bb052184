import { describe, expect, it } from 'vitest';
import type { FakeUser } from '../fakes/discord/fake-discord.js';
import { useWorld } from '../harness/use-world.js';
import { readyPing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';
import type { World } from '../harness/world.js';
import type { Job } from '../../src/queue/job.js';

const world = useWorld();

/**
 * Runs a job to the end, then stores it back as `delivering`: the record a process leaves when it dies between
 * "delivering" stored and "done" stored.
 */
async function deliveredThenRewound(w: World, member: FakeUser, prompt: string, fill: number, rewind: Partial<Job> = {}) {
  const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(1024, fill)]);
  w.replicate.script({ durationMs: 300, output: video });
  const sent = requestVideo(w, member, prompt);
  await readyPing(w, sent);
  const jobId = (await w.logs.waitFor('job done')).jobId as string;
  await untilNoActiveJobs(w);
  const done = (await w.bot.store.getJob(jobId))!;
  await w.bot.store.saveJob({ ...done, state: 'delivering', delivery: undefined, finishedAt: undefined, ...rewind });
  return { video, sent, jobId, done };
}

describe('a restart while a job was being delivered', () => {
  it('does not post the video a second time when the reply already shows it', async () => {
    const w = world();
    // The crash this stands for: the video was posted, then the process died before "done" was stored.
    const { video, sent, jobId } = await deliveredThenRewound(w, { id: '1400000000000000077', username: 'ivy' }, 'a kite over dunes', 5);
    const versionsBefore = w.discord.interaction(sent.id).originalHistory.length;
    await w.restart();

    await untilNoActiveJobs(w);
    expect((await w.bot.store.getJob(jobId))?.state).toBe('done');
    const record = w.discord.interaction(sent.id);
    expect(record.originalHistory).toHaveLength(versionsBefore);
    expect(record.followUps).toHaveLength(1);
    expect(record.original!.attachments[0]!.bytes.equals(video)).toBe(true);
    expect(w.logs.find('video was already delivered before the restart')).toHaveLength(1);
    expect(w.replicate.requestCount('output')).toBe(1);
  });

  it('posts the video when the reply does not show it yet', async () => {
    const w = world();
    // Stopped just after "delivering" was stored, before anything was posted: the reply still says so.
    const { video, sent, jobId, done } = await deliveredThenRewound(w, { id: '1400000000000000078', username: 'joe' }, 'a tram at night', 6, {
      postedAt: undefined,
      pingedAt: undefined,
    });
    await w.bot.client.rest.patch(`/webhooks/${done.reply.applicationId}/${done.reply.interactionToken}/messages/@original`, {
      body: { content: '📦 Preparing your video…', attachments: [], components: [] },
      auth: false,
    });
    await w.restart();

    const again = await w.discord.waitFor((d) => d.interaction(sent.id).followUps.length === 2 && d.interaction(sent.id), {
      description: 'the second ping',
    });
    expect(again.original!.attachments[0]!.bytes.equals(video)).toBe(true);
    await untilNoActiveJobs(w);
    expect((await w.bot.store.getJob(jobId))?.state).toBe('done');
  });
});
