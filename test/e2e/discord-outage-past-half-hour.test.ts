import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { replyShowing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';
import type { World } from '../harness/world.js';

const world = useWorld({ tuning: { deliveryRetryBackoffMs: 10 } });
const ola = { id: '2300000000000000001', username: 'ola' };
const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(2048, 8)]);
const minutes = (n: number) => n * 60_000;

const failedAtDiscord = (w: World) => w.discord.requests.filter((r) => r.status >= 500).length;

describe('Discord down everywhere for longer than half an hour while a video waits to be posted', () => {
  it('keeps the downloaded video and posts it once Discord is back, instead of failing the job', async () => {
    const w = world();
    w.replicate.script({ durationMs: 300, output: video });
    const sent = requestVideo(w, ola, 'a crane over the harbour');
    await replyShowing(w, sent, /Generating|In the queue|Starting/);
    w.discord.failNext({ pathPattern: /^\/api\/v10\/webhooks\//, status: 502, times: Infinity });
    w.discord.failNext({ pathPattern: /^\/api\/v10\/channels\//, status: 503, times: Infinity });
    await w.discord.waitFor(() => failedAtDiscord(w) > 0, { timeoutMs: 15_000, description: 'the first failed upload' });

    // Fifty minutes of Discord failing, in steps the bot's capped backoff keeps up with.
    for (let step = 0; step < 10; step++) {
      const before = failedAtDiscord(w);
      w.clock.jump(minutes(5));
      await w.discord.waitFor(() => failedAtDiscord(w) > before, { description: `a try after ${(step + 1) * 5} minutes` });
    }
    w.discord.clearFaults();
    w.clock.jump(minutes(5));

    const posted = await w.discord.waitFor(
      () => w.discord.channelMessages(w.discord.defaultChannelId).find((m) => m.content.startsWith(`✅ <@${ola.id}>'s video`)),
      { timeoutMs: 15_000, description: 'the video in the channel' },
    );
    await untilNoActiveJobs(w);
    expect(posted.attachments.map((a) => a.bytes.equals(video))).toEqual([true]);
    expect(w.discord.channelMessages(w.discord.defaultChannelId).filter((m) => m.attachments.length > 0)).toHaveLength(1);
    expect(w.logs.find('job failed')).toEqual([]);
    expect(w.replicate.requests.filter((r) => r.route === 'output')).toHaveLength(1);
  });
});
