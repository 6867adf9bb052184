import { describe, expect, it } from 'vitest';
import type { SlashCommandInput } from '../fakes/discord/fake-discord.js';
import { useWorld } from '../harness/use-world.js';

const ephemeral = 64;

const world = useWorld({ env: { REPLICATE_MODELS: 'google/veo-3-fast=0.10' } });

/** Sends /video and returns the ephemeral refusal's text, checking nothing reached Replicate or the queue. */
async function refusalOf(options: SlashCommandInput['options']): Promise<string> {
  const sent = world().discord.sendSlashCommand({ name: 'video', options });
  const record = await world().discord.waitFor((d) => d.interaction(sent.id).ackType !== undefined && d.interaction(sent.id), {
    description: 'the refusal',
  });
  expect(record.ackType).toBe(4);
  expect(record.original!.flags & ephemeral).toBe(ephemeral);
  expect(world().replicate.predictions).toEqual([]);
  expect(world().logs.find('job queued')).toEqual([]);
  return record.original!.content;
}

describe('/video options that do not fit the chosen model', () => {
  it('are refused ephemerally before the acknowledgement, naming what the model takes', async () => {
    expect(await refusalOf({ prompt: 'a fox', model: 'google/veo-3-fast', cfg_scale: 0.5 })).toBe(
      'google/veo-3-fast does not take a guidance. It takes: prompt, negative prompt, first frame image, length, aspect ratio, resolution, audio, seed.',
    );
    expect(await refusalOf({ prompt: 'a fox', model: 'google/veo-3-fast', duration: 5 })).toBe(
      'google/veo-3-fast takes a length of 4, 6 or 8 seconds.',
    );
    expect(await refusalOf({ prompt: 'a fox', duration: 6 })).toBe('kwaivgi/kling-v1.6-standard takes a length of 5 or 10 seconds.');
    expect(await refusalOf({ prompt: 'a fox', model: 'acme/nope' })).toBe(
      'There is no model called “acme/nope” here. Pick one of: kwaivgi/kling-v1.6-standard, google/veo-3-fast.',
    );
  });

  it('are suggested while typed: the models, the default first, then the chosen model’s own values', async () => {
    const models = world().discord.sendAutocomplete({ name: 'video', options: { prompt: 'a fox', model: '' }, focused: 'model' });
    const durations = world().discord.sendAutocomplete({
      name: 'video',
      options: { prompt: 'a fox', model: 'google/veo-3-fast', duration: '' },
      focused: 'duration',
    });
    const ratios = world().discord.sendAutocomplete({ name: 'video', options: { prompt: 'a fox', aspect_ratio: '' }, focused: 'aspect_ratio' });
    const choices = async (id: string) =>
      world().discord.waitFor((d) => d.interaction(id).choices, { description: 'the autocomplete answer' });

    expect(await choices(models.id)).toEqual([
      { name: 'kwaivgi/kling-v1.6-standard', value: 'kwaivgi/kling-v1.6-standard' },
      { name: 'google/veo-3-fast', value: 'google/veo-3-fast' },
    ]);
    expect(await choices(durations.id)).toEqual([
      { name: '4 seconds', value: 4 },
      { name: '6 seconds', value: 6 },
      { name: '8 seconds', value: 8 },
    ]);
    expect((await choices(ratios.id)).map((c) => c.value)).toEqual(['16:9', '9:16', '1:1']);
  });
});
