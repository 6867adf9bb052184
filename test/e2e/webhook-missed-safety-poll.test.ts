import { describe, expect, it } from 'vitest';
import { statusAt } from '../fakes/replicate/prediction.js';
import { useWorld } from '../harness/use-world.js';
import { readyPing, requestVideo } from '../harness/video-steps.js';
import { expectLogClean } from '../harness/webhook-steps.js';

const world = useWorld({ webhooks: true });

describe('a completed webhook that never arrives', () => {
  it('is made up for by the safety-net poll a minute after the create: one status request, the video delivered', async () => {
    world().replicate.script({ durationMs: 300 });
    world().replicate.webhooks.tamperNext({ event: 'completed', drop: true });
    const sent = requestVideo(world(), { id: '123456789012345678', username: 'mia' }, 'a whale breaching');
    await world().logs.waitFor('prediction created');
    const prediction = world().replicate.predictions[0]!;
    await world().discord.waitFor(() => statusAt(prediction, world().clock.now()) === 'succeeded', { description: 'the prediction to end' });
    expect(world().replicate.requestCount('get')).toBe(0);

    world().clock.jump(30_000);
    expect(world().discord.interaction(sent.id).followUps).toHaveLength(0);
    expect(world().replicate.requestCount('get')).toBe(0);
    world().clock.jump(30_000);
    const record = await readyPing(world(), sent);

    expect(record.original!.attachments).toHaveLength(1);
    expect(world().replicate.requestCount('get')).toBe(1);
    expect(world().logs.find('prediction ended')).toMatchObject([{ predictionId: prediction.id, status: 'succeeded', via: 'poll' }]);
    expectLogClean(world());
  });
});
