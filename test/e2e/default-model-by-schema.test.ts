import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { readyPing } from '../harness/video-steps.js';

/** A real 1x1 RGBA PNG. */
const onePixelPng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

const world = useWorld({ env: { REPLICATE_MODEL: 'google/veo-3-fast' } });

describe('a default model that spells its fields otherwise than kling', () => {
  it('gets the member’s image and options under its own field names (veo: image, not start_image)', async () => {
    world().replicate.script({ durationMs: 300 });
    const image = world().discord.addAttachment({ bytes: onePixelPng, filename: 'first-frame.png' });
    const sent = world().discord.sendSlashCommand({
      name: 'video',
      options: { prompt: 'a paper boat on a puddle', image, aspect_ratio: '9:16' },
    });

    await readyPing(world(), sent);

    const prediction = world().replicate.predictions[0]!;
    expect(prediction.model).toBe('google/veo-3-fast');
    expect(Object.keys(prediction.input).sort()).toEqual(['aspect_ratio', 'image', 'prompt']);
    expect(prediction.input).toMatchObject({ prompt: 'a paper boat on a puddle', aspect_ratio: '9:16' });
    expect(world().replicate.inputFileBytes(prediction.id, 'image')?.equals(onePixelPng)).toBe(true);
  });
});
