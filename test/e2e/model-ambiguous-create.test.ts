import { describe, expect, it } from 'vitest';
import { onePixelPng } from '../harness/png.js';
import { useWorld } from '../harness/use-world.js';
import { readyPing } from '../harness/video-steps.js';

const world = useWorld({ env: { REPLICATE_MODELS: 'google/veo-3-fast=0.10' } });

describe('a create on a chosen model whose answer was lost', () => {
  it('adopts the prediction it made, matched on that model and its own field names (image, generate_audio), and makes no second', async () => {
    const w = world();
    w.replicate.script({ durationMs: 300 });
    w.replicate.failNext({ route: 'create', status: 502, processed: true });
    const image = w.discord.addAttachment({ bytes: onePixelPng, filename: 'frame.png' });
    const sent = w.discord.sendSlashCommand({
      name: 'video',
      options: { prompt: 'a tram in the fog', model: 'google/veo-3-fast', image, audio: true, duration: 4 },
    });

    const record = await readyPing(w, sent);

    expect(record.original!.attachments).toHaveLength(1);
    expect(w.replicate.predictions).toHaveLength(1);
    const prediction = w.replicate.predictions[0]!;
    expect(prediction.model).toBe('google/veo-3-fast');
    expect(Object.keys(prediction.input).sort()).toEqual(['duration', 'generate_audio', 'image', 'prompt']);
    expect(w.replicate.requests.filter((r) => r.route === 'create').map((r) => r.status)).toEqual([502]);
    expect(w.logs.find('prediction adopted after an ambiguous create')).toHaveLength(1);
  });
});
