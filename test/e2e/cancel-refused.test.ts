import { describe, expect, it } from 'vitest';
import { refusalText } from '../../src/refusals.js';
import { useWorld } from '../harness/use-world.js';
import { cancelButtonOf, predictionsReach, readyPing, replyShowing, requestVideo } from '../harness/video-steps.js';

const amy = { id: '220000000000000001', username: 'amy' };
const stranger = { id: '220000000000000002', username: 'stranger' };

const world = useWorld();

describe('Cancel pressed by a member who may not cancel', () => {
  it('answers only that member, ephemerally, and the video is still made and delivered', async () => {
    const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(4096, 3)]);
    world().replicate.script({ durationMs: 60_000, output: video });
    const request = requestVideo(world(), amy, 'a hot air balloon over hills');
    await predictionsReach(world(), 1);
    const progress = await replyShowing(world(), request, /Generating/);

    const press = world().discord.pressButton({ message: progress, customId: cancelButtonOf(progress), user: stranger });
    const refused = await world().discord.waitFor((d) => d.interaction(press.id).ackType !== undefined && d.interaction(press.id), {
      description: 'the answer to the press',
    });

    expect(refused.ackType).toBe(4);
    expect(refused.ephemeral).toBe(true);
    expect(refused.ackBody).toMatchObject({
      type: 4,
      data: { content: refusalText('not-allowed-to-cancel'), flags: 64 },
    });
    expect(world().replicate.requestCount('cancel')).toBe(0);
    expect(world().discord.interaction(request.id).original!.content).toMatch(/Generating/);

    world().clock.jump(60_000);
    const delivered = await readyPing(world(), request, { timeoutMs: 10_000, description: 'the delivery' });
    expect(delivered.original!.attachments).toHaveLength(1);
    expect(delivered.original!.attachments[0]!.bytes.equals(video)).toBe(true);
    expect(delivered.followUps[0]!.content).toContain(`<@${amy.id}>`);
    expect(world().replicate.requestCount('cancel')).toBe(0);
  });
});
