import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { buttonIds, readyPing } from '../harness/video-steps.js';

/** A real 1x1 RGBA PNG: signature, IHDR, one zlib-compressed IDAT, IEND, with valid CRCs. */
const onePixelPng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** Polls an async condition until it holds, failing after `timeoutMs` of real time. */
async function eventually(check: () => Promise<boolean>, description: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() >= deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const world = useWorld();

describe('/video with an attached image', () => {
  it('gives the model the exact bytes the member attached and delivers the mp4 it made', async () => {
    const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(4096, 3)]);
    world().replicate.script({ durationMs: 400, output: video });
    const image = world().discord.addAttachment({ bytes: onePixelPng, filename: 'first-frame.png' });
    const sent = world().discord.sendSlashCommand({
      name: 'video',
      options: { prompt: 'the pixel slowly blooms into a flower', image },
    });

    const record = await readyPing(world(), sent);

    expect(record.ackType).toBe(5);
    const final = record.original!;
    expect(final.content).toContain('the pixel slowly blooms into a flower');
    expect(final.content).toContain('first-frame.png');
    expect(buttonIds(final).map((id) => id.split(':')[0])).toEqual(['regen', 'remix']);
    expect(final.attachments).toHaveLength(1);
    expect(final.attachments[0]!.bytes.equals(video)).toBe(true);

    expect(world().replicate.predictions).toHaveLength(1);
    const prediction = world().replicate.predictions[0]!;
    expect(prediction.input.prompt).toBe('the pixel slowly blooms into a flower');
    expect(typeof prediction.input.start_image).toBe('string');
    const received = world().replicate.startImageBytes(prediction.id);
    expect(received).toBeDefined();
    expect(received!.equals(onePixelPng)).toBe(true);

    // The member's image is kept a week after delivery for Regenerate and Remix (past that, Regenerate is refused: see regenerate-refused.test.ts).
    const jobId = world().logs.find('job queued')[0]!.jobId as string;
    await eventually(async () => (await world().bot.store.getJob(jobId))?.state === 'done', 'the job to be recorded done');
    const done = await world().bot.store.getJob(jobId);
    expect(Math.abs(done!.image!.keptUntil! - (done!.finishedAt! + 7 * 24 * 60 * 60 * 1000))).toBeLessThan(1000);
    expect((await world().bot.store.loadImage(jobId))?.equals(onePixelPng)).toBe(true);
  });
});
