import { describe, expect, it } from 'vitest';
import { pressAgain } from '../harness/again-steps.js';
import { onePixelPng } from '../harness/png.js';
import { useWorld } from '../harness/use-world.js';
import { readyPing, untilNoActiveJobs } from '../harness/video-steps.js';

const amy = { id: '200000000000000001', username: 'amy' };
const ben = { id: '200000000000000002', username: 'ben' };

const world = useWorld();

describe('Regenerate on a video delivered before a restart', () => {
  it("makes a new video from the same prompt, options and image, for the member who pressed it", async () => {
    const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(4096, 5)]);
    const again = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(4096, 6)]);
    world().replicate.script({ durationMs: 300, output: video });
    world().replicate.script({ durationMs: 300, output: again });
    const image = world().discord.addAttachment({ bytes: onePixelPng, filename: 'first-frame.png' });
    const asked = world().discord.sendSlashCommand({
      name: 'video',
      user: amy,
      options: {
        prompt: '  a paper boat  drifting\ndown a gutter  ',
        negative_prompt: 'rain, people',
        image,
        duration: 10,
        cfg_scale: 0.25,
      },
    });
    const delivered = (await readyPing(world(), asked)).original!;
    await untilNoActiveJobs(world());
    const versions = world().discord.interaction(asked.id).originalHistory.length;

    await world().restart();
    const press = pressAgain(world(), delivered, 'regen', ben);
    const regenerated = await readyPing(world(), press, { description: "the regenerated video's ping" });

    expect(regenerated.ackType).toBe(5);
    expect(regenerated.ephemeral).toBe(false);
    expect(regenerated.original!.id).not.toBe(delivered.id);
    expect(regenerated.original!.content).toContain(`<@${ben.id}>'s video`);
    expect(regenerated.original!.attachments[0]!.bytes.equals(again)).toBe(true);
    expect(regenerated.followUps[0]!.content).toContain(`<@${ben.id}>`);

    const [first, second] = world().replicate.predictions;
    const { start_image: _a, ...firstInput } = first!.input;
    const { start_image: _b, ...secondInput } = second!.input;
    expect(firstInput).toEqual({ prompt: 'a paper boat  drifting\ndown a gutter', negative_prompt: 'rain, people', duration: 10, cfg_scale: 0.25 });
    expect(secondInput).toEqual(firstInput);
    expect(world().replicate.startImageBytes(second!.id)!.equals(onePixelPng)).toBe(true);

    // The delivered message keeps its video: nothing edited it.
    const original = world().discord.interaction(asked.id);
    expect(original.original!.attachments[0]!.bytes.equals(video)).toBe(true);
    expect(original.originalHistory).toHaveLength(versions);
    await untilNoActiveJobs(world());
    const jobs = await Promise.all(world().logs.find('job queued').map((l) => world().bot.store.getJob(l.jobId as string)));
    expect(jobs.map((j) => [j?.userId, j?.state, j?.seconds])).toEqual([
      [amy.id, 'done', 10],
      [ben.id, 'done', 10],
    ]);
  });
});
