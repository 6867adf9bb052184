import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { readyPing, replyShowing, requestVideo } from '../harness/video-steps.js';
import { deliveryOf, expectLogClean, refusals, webhookUrl } from '../harness/webhook-steps.js';

const world = useWorld({ webhooks: true });

describe('a forged webhook', () => {
  it('is refused with 401 and changes nothing; the genuine end still delivers the real video', async () => {
    const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(1024, 3)]);
    world().replicate.script({ durationMs: 30_000, output: video });
    const sent = requestVideo(world(), { id: '123456789012345678', username: 'mia' }, 'a paper boat on a river');
    await deliveryOf(world(), 'start');
    await replyShowing(world(), sent, /Generating/);
    const prediction = world().replicate.predictions[0]!;

    // Someone posing as Replicate says the video is done, with their own file.
    const body = JSON.stringify({ id: prediction.id, status: 'succeeded', output: 'https://evil.example/x.mp4' });
    const forgedHeaders = world().replicate.webhooks.forge(body);
    const answer = await world().replicate.webhooks.postRaw({
      url: webhookUrl(world()),
      body,
      headers: { 'content-type': 'application/json', ...forgedHeaders },
    });
    expect(answer).toBe(401);
    // An unsigned one too.
    const unsigned = await world().replicate.webhooks.postRaw({
      url: webhookUrl(world()),
      body,
      headers: { 'content-type': 'application/json', 'webhook-id': 'msg_unsigned', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) },
    });
    expect(unsigned).toBe(401);
    expect(refusals(world()).map((r) => [r.outcome, r.status])).toEqual([
      ['bad-signature', 401],
      ['bad-signature', 401],
    ]);
    expect((await world().bot.store.listActiveJobs())[0]).toMatchObject({ state: 'running' });

    world().clock.jump(30_000);
    const record = await readyPing(world(), sent);
    expect(record.original!.attachments[0]!.bytes.equals(video)).toBe(true);
    expect(world().logs.find('prediction ended')).toMatchObject([{ status: 'succeeded', via: 'webhook' }]);
    expect(world().replicate.requestCount('get')).toBe(0);
    expectLogClean(world(), [forgedHeaders['webhook-signature']!.slice(3)]);
  });
});
