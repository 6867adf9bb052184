import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { readyPing } from '../harness/video-steps.js';

const world = useWorld();

describe('/video options', () => {
  it('reach Replicate under the model’s own names and types, and nothing the member left unset is sent', async () => {
    world().replicate.script({ durationMs: 300 });
    const sent = world().discord.sendSlashCommand({
      name: 'video',
      options: {
        prompt: 'a lighthouse in a storm',
        negative_prompt: 'people, text',
        aspect_ratio: '9:16',
        duration: 10,
        cfg_scale: 0.7,
      },
    });

    const record = await readyPing(world(), sent);

    expect(world().replicate.predictions).toHaveLength(1);
    expect(world().replicate.predictions[0]!.input).toEqual({
      prompt: 'a lighthouse in a storm',
      negative_prompt: 'people, text',
      aspect_ratio: '9:16',
      duration: 10,
      cfg_scale: 0.7,
    });
    const final = record.original!.content;
    expect(final).toContain('9:16');
    expect(final).toContain('10 s');
    expect(final).toContain('cfg 0.7');
    expect(final).toContain('people, text');
  });

  it('sends only the prompt when the member sets a prompt and nothing else', async () => {
    world().replicate.script({ durationMs: 300 });
    const sent = world().discord.sendSlashCommand({ name: 'video', options: { prompt: '  a quiet pond  ' } });

    await world().discord.waitFor((d) => d.interaction(sent.id).followUps.length > 0, {
      timeoutMs: 15_000,
      description: 'the ready ping',
    });

    expect(world().replicate.predictions.map((p) => p.input)).toEqual([{ prompt: 'a quiet pond' }]);
  });
});
