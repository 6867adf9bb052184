import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { readyPing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';

const world = useWorld({ tuning: { deliveryRetryBackoffMs: 10 } });
const ivo = { id: '2200000000000000001', username: 'ivo' };
const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(2048, 6)]);
const uploadToReply = { method: 'PATCH', pathPattern: /\/messages\/(@|%40)original$/, withFile: true } as const;

describe('Discord answering the upload with 500 a few times', () => {
  it('sends the same file again after a backoff, and the member gets the video on the reply, not a link', async () => {
    const w = world();
    w.replicate.script({ durationMs: 300, output: video });
    w.discord.failNext({ ...uploadToReply, status: 500, times: 3 });
    const sent = requestVideo(w, ivo, 'a kettle on a stove');

    const record = await readyPing(w, sent);
    await untilNoActiveJobs(w);
    expect(record.original!.attachments.map((a) => a.bytes.equals(video))).toEqual([true]);
    expect(record.original!.content).not.toMatch(/https?:\/\//);
    expect(record.followUps).toHaveLength(1);
    expect(w.discord.channelMessages(w.discord.defaultChannelId)).toEqual([]);
    const uploads = w.discord.requests.filter((r) => r.method === 'PATCH' && r.headers['content-type']?.startsWith('multipart'));
    expect(uploads.map((r) => r.status)).toEqual([500, 500, 500, 200]);
    expect(w.logs.find('job done')[0]!.delivery).toBe('attachment');
  });
  it('waits out a 429 on the upload and sends the same file, not a smaller one', async () => {
    const w = world();
    w.replicate.script({ durationMs: 300, output: video });
    w.discord.failNext({ ...uploadToReply, status: 429, retryAfterSeconds: 1, times: 2 });
    const sent = requestVideo(w, ivo, 'a kettle in the rain');

    const record = await readyPing(w, sent);
    await untilNoActiveJobs(w);
    expect(record.original!.attachments.map((a) => a.bytes.equals(video))).toEqual([true]);
    expect(record.followUps).toHaveLength(1);
    const uploads = w.discord.requests.filter((r) => r.method === 'PATCH' && r.headers['content-type']?.startsWith('multipart'));
    expect(uploads.map((r) => r.status)).toEqual([429, 429, 200]);
  });
});
