import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { readyPing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';

const world = useWorld({ webhooks: true });

describe('webhook mode', () => {
  it('delivers the video on Replicate’s signed webhooks without a single status poll', async () => {
    const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(2048, 5)]);
    world().replicate.script({ durationMs: 400, output: video });
    const sent = requestVideo(world(), { id: '123456789012345678', username: 'mia' }, 'a lighthouse in a storm');

    const record = await readyPing(world(), sent);

    expect(record.original!.attachments[0]!.bytes.equals(video)).toBe(true);
    const prediction = world().replicate.predictions[0]!;
    const port = world().bot.http!.port;
    expect(prediction.webhook).toBe(`http://127.0.0.1:${port}/webhooks/replicate/main`);
    expect(prediction.webhookEvents).toEqual(['start', 'completed']);
    expect(world().replicate.requestCount('webhook-secret')).toBe(1);
    expect(world().replicate.requestCount('get')).toBe(0);
    const deliveries = world().replicate.webhooks.deliveries;
    expect(deliveries.map((d) => [d.event, d.status, d.answer])).toEqual([
      ['start', 'processing', 200],
      ['completed', 'succeeded', 200],
    ]);
    expect(world().logs.find('prediction ended')[0]).toMatchObject({ predictionId: prediction.id, status: 'succeeded', via: 'webhook' });
    await untilNoActiveJobs(world());
    for (const secret of world().secrets()) expect(world().logs.text).not.toContain(secret);
    for (const d of deliveries) expect(world().logs.text).not.toContain(d.raw.headers['webhook-signature']!.slice(3));
  });
});
