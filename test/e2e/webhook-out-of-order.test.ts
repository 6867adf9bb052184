import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { readyPing, requestVideo } from '../harness/video-steps.js';
import { deliveryOf, expectLogClean } from '../harness/webhook-steps.js';

const world = useWorld({ webhooks: true });

describe('webhooks out of order', () => {
  it('a start webhook arriving after the completed one is answered and changes nothing', async () => {
    world().replicate.script({ durationMs: 300 });
    world().replicate.webhooks.tamperNext({ event: 'start', delayMs: 5_000 });
    const sent = requestVideo(world(), { id: '123456789012345678', username: 'mia' }, 'a comet over mountains');
    await readyPing(world(), sent);
    const edits = world().discord.interaction(sent.id).originalHistory.length;

    world().clock.jump(5_000);
    const late = await deliveryOf(world(), 'start');
    expect(late).toMatchObject({ answer: 200, status: 'processing' });
    await world().logs.waitFor('webhook for no prediction of ours');

    const record = world().discord.interaction(sent.id);
    expect(record.originalHistory).toHaveLength(edits);
    expect(record.original!.attachments).toHaveLength(1);
    expect(record.followUps).toHaveLength(1);
    expect(world().replicate.requestCount('get')).toBe(0);
    expectLogClean(world());
  });
});
