import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { readyPing } from '../harness/video-steps.js';

const world = useWorld({ env: { REPLICATE_MODEL: 'lightricks/ltx-video' } });

describe('a community model as the default model', () => {
  it('is created through POST /v1/predictions with its latest version id, and the video is delivered', async () => {
    const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(2048, 5)]);
    world().replicate.script({ durationMs: 300, output: video });
    const sent = world().discord.sendSlashCommand({
      name: 'video',
      user: { id: '123456789012345678', username: 'mia' },
      options: { prompt: 'a lantern festival at dusk' },
    });

    const record = await readyPing(world(), sent);

    expect(record.original!.attachments[0]!.bytes.equals(video)).toBe(true);
    const creates = world().replicate.requests.filter((r) => r.route === 'create');
    expect(creates.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['POST /v1/predictions 201']);
    const prediction = world().replicate.predictions[0]!;
    expect(prediction.model).toBe('lightricks/ltx-video');
    expect(prediction.version).toBe(world().replicate.models.latestVersionId('lightricks/ltx-video'));
    expect(prediction.input).toEqual({ prompt: 'a lantern festival at dusk' });
  });
});
