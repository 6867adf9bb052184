import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { buttonIds, readyPing, untilNoActiveJobs } from '../harness/video-steps.js';

const world = useWorld();

describe('/video with a prompt only', () => {
  it('shows progress, then delivers the mp4 the model made and pings the member', async () => {
    const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(2048, 7)]);
    world().replicate.script({ durationMs: 400, output: video });
    const sent = world().discord.sendSlashCommand({
      name: 'video',
      user: { id: '123456789012345678', username: 'mia' },
      options: { prompt: 'a red fox running through snow' },
    });

    const record = await readyPing(world(), sent);

    expect(record.ackType).toBe(5);
    expect(record.ephemeral).toBe(false);
    const contents = record.originalHistory.map((m) => m.content);
    // Nothing else was waiting: it went straight to "Starting…", never "In the queue".
    expect(contents.some((c) => /queue/i.test(c))).toBe(false);
    expect(contents.some((c) => /^Starting/.test(c))).toBe(true);
    expect(contents.some((c) => /Generating/.test(c))).toBe(true);
    const final = record.original!;
    expect(final.content).toContain('a red fox running through snow');
    const jobId = world().logs.find('job queued')[0]!.jobId as string;
    expect(buttonIds(final)).toEqual([`regen:${jobId}`, `remix:${jobId}`]);
    expect(final.attachments).toHaveLength(1);
    expect(final.attachments[0]!.bytes.equals(video)).toBe(true);
    expect(record.followUps[0]!.content).toContain('<@123456789012345678>');

    const prediction = world().replicate.predictions[0]!;
    expect(prediction.input).toEqual({ prompt: 'a red fox running through snow' });
    expect(world().replicate.predictions).toHaveLength(1);

    // The record follows the delivery: wait for it rather than race it.
    const deadline = Date.now() + 5_000;
    while ((await world().bot.store.listActiveJobs()).length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await untilNoActiveJobs(world());
    for (const secret of world().secrets()) expect(world().logs.text).not.toContain(secret);
    expect(world().logs.text).not.toContain(sent.token);
  });
});
