import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { readyPing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';
import type { World } from '../harness/world.js';

const world = useWorld({ tuning: { deliveryRetryBackoffMs: 10 } });
const kim = { id: '1600000000000000001', username: 'kim' };
const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(2048, 3)]);
const uploadToReply = { method: 'PATCH', pathPattern: /\/messages\/(@|%40)original$/, withFile: true } as const;

/** Waits until an upload hangs at the stand-in, then lets the bot's clock pass its size-scaled timeout. */
async function hangThenTimeOut(w: World): Promise<void> {
  await w.discord.waitFor((d) => d.requests.some((r) => r.status === 0), { description: 'the hung upload' });
  w.clock.jump(5 * 60_000);
}

function channelPosts(w: World) {
  return w.discord.channelMessages(w.discord.defaultChannelId);
}

describe('an upload that times out on a slow link', () => {
  it('falls down the ladder to the link on the reply, posted once and pinged once', async () => {
    const w = world();
    w.replicate.script({ durationMs: 300, output: video });
    w.discord.failNext({ ...uploadToReply, hang: 'before-landing' });
    const sent = requestVideo(w, kim, 'a heron in the rain');
    await hangThenTimeOut(w);

    const record = await readyPing(w, sent);
    await untilNoActiveJobs(w);
    expect(record.original!.attachments).toEqual([]);
    expect(record.original!.content).toContain('the link expires');
    expect(record.followUps).toHaveLength(1);
    expect(channelPosts(w)).toEqual([]);
    const uploads = w.discord.requests.filter((r) => r.method === 'PATCH' && r.headers['content-type']?.startsWith('multipart'));
    expect(uploads.map((r) => r.status)).toEqual([0]);
    const done = await w.discord.waitFor(() => w.logs.find('job done')[0], { description: 'the job done line' });
    expect(done.delivery).toBe('link');
  });

  it('that had landed is read back from the reply and neither sent again nor moved to the channel', async () => {
    const w = world();
    w.replicate.script({ durationMs: 300, output: video });
    w.discord.failNext({ ...uploadToReply, hang: 'after-landing' });
    const sent = requestVideo(w, kim, 'a heron at dusk');
    await hangThenTimeOut(w);

    const record = await readyPing(w, sent);
    await untilNoActiveJobs(w);
    expect(record.original!.attachments.map((a) => a.bytes.equals(video))).toEqual([true]);
    expect(record.followUps).toHaveLength(1);
    expect(channelPosts(w)).toEqual([]);
    const uploads = w.discord.requests.filter((r) => r.method === 'PATCH' && r.headers['content-type']?.startsWith('multipart'));
    expect(uploads).toHaveLength(1);
  });
});
