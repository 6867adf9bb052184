import { describe, expect, it } from 'vitest';
import { OutageDriver } from '../harness/replicate-outage.js';
import { useWorld } from '../harness/use-world.js';
import { replyShowing, requestVideo } from '../harness/video-steps.js';

/** Production-like backoff (1 s doubling to a 10 s cap), so ten minutes of outage are dozens of tries. */
const world = useWorld({ tuning: { retry: { baseDelayMs: 1_000, maxDelayMs: 10_000 } } });
const minutes = (n: number) => n * 60_000;
const member = { id: '530000000000000001', username: 'pia' };

describe('Replicate unreachable for minutes while a prediction runs', () => {
  it('keeps polling through the outage, never cancels, and delivers the video once Replicate answers', async () => {
    const w = world();
    const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(2048, 3)]);
    w.replicate.script({ durationMs: minutes(2), output: video });
    const sent = requestVideo(w, member, 'a train crossing a viaduct');
    await replyShowing(w, sent, /Generating/);
    await w.discord.waitFor(() => w.replicate.requests.some((r) => r.route === 'get' && r.status === 200), {
      description: 'a first good poll',
    });

    const driver = new OutageDriver(w);
    await w.replicate.outage({ reset: true });
    const retries = await driver.rideOut(minutes(10));
    await w.replicate.restore();
    const record = await driver.until(() => w.discord.interaction(sent.id).followUps.length > 0 && w.discord.interaction(sent.id));

    expect(retries).toBeGreaterThan(30);
    expect(record.original!.attachments).toHaveLength(1);
    expect(record.original!.attachments[0]!.bytes.equals(video)).toBe(true);
    expect(record.originalHistory.some((m) => m.content.startsWith('❌'))).toBe(false);
    expect(w.replicate.predictions).toHaveLength(1);
    expect(w.replicate.requestCount('cancel')).toBe(0);
    expect(w.logs.find('prediction poll gave up')).toEqual([]);
    expect(w.logs.find('job failed')).toEqual([]);
  });
});
