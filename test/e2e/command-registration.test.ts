import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import type { World } from '../harness/world.js';

const putsOf = (w: World) => w.discord.requests.filter((r) => r.method === 'PUT' && /\/commands$/.test(r.path));

/** /video as Discord stores it: what a member's client shows. */
function expectVideoCommand(w: World, guildId?: string): void {
  const commands = w.discord.commands(guildId);
  expect(commands.map((c) => c.name)).toEqual(['video', 'video-admin', 'usage', 'queue', 'Animate image']);
  // The message context menu: no description, guild-only like /video.
  expect(commands.find((c) => c.name === 'Animate image')).toMatchObject({ type: 3, contexts: [0], integration_types: [0] });
  const video = commands.find((c) => c.name === 'video')!;
  expect(video.type).toBe(1);
  expect(video.contexts).toEqual([0]);
  expect(video.integration_types).toEqual([0]);
  const options = video.options as Record<string, unknown>[];
  expect(options.map((o) => o.name)).toEqual([
    'prompt', 'model', 'image', 'negative_prompt', 'aspect_ratio', 'duration', 'cfg_scale', 'resolution', 'audio', 'seed',
  ]);
  const byName = new Map(options.map((o) => [o.name, o]));
  expect(byName.get('prompt')).toMatchObject({ type: 3, required: true, max_length: 2500 });
  // The model and its values are suggested as typed (the chosen model's own), never fixed choices: any model fits.
  expect(byName.get('model')).toMatchObject({ type: 3, autocomplete: true, max_length: 100 });
  expect(byName.get('image')).toMatchObject({ type: 11 });
  expect(byName.get('image')!.required).not.toBe(true);
  expect(byName.get('negative_prompt')).toMatchObject({ type: 3, max_length: 2500 });
  expect(byName.get('aspect_ratio')).toMatchObject({ type: 3, autocomplete: true });
  expect(byName.get('duration')).toMatchObject({ type: 4, autocomplete: true });
  expect(byName.get('resolution')).toMatchObject({ type: 3, autocomplete: true });
  for (const name of ['aspect_ratio', 'duration', 'resolution']) expect(byName.get(name)!.choices).toBeUndefined();
  expect(byName.get('cfg_scale')).toMatchObject({ type: 10, min_value: 0, max_value: 1 });
  expect(byName.get('audio')).toMatchObject({ type: 5 });
  expect(byName.get('seed')).toMatchObject({ type: 4, min_value: 0 });
  for (const name of ['model', 'image', 'negative_prompt', 'aspect_ratio', 'duration', 'cfg_scale', 'resolution', 'audio', 'seed']) {
    expect(byName.get(name)!.required).not.toBe(true);
  }
  expectVideoAdminCommand(commands.find((c) => c.name === 'video-admin')! as unknown as Option);
}

interface Option {
  name: string;
  description?: string;
  type?: number;
  options?: Option[];
  choices?: { name: string; value: unknown }[];
  [key: string]: unknown;
}

/** Names, descriptions and choices at every level: what Discord counts towards a command's 8,000 characters. */
const charsOf = (o: Option): number =>
  o.name.length + (o.description ?? '').length + (o.choices ?? []).reduce((n, c) => n + c.name.length + String(c.value).length, 0) +
  (o.options ?? []).reduce((n, child) => n + charsOf(child), 0);

/** /video-admin within Discord's limits, with the models group whose `model` options autocomplete. */
function expectVideoAdminCommand(admin: Option): void {
  const top = admin.options!;
  expect(top.length).toBeLessThanOrEqual(25);
  expect(charsOf(admin)).toBeLessThanOrEqual(8000);
  for (const group of top) expect((group.options ?? []).length).toBeLessThanOrEqual(25);
  const models = top.find((o) => o.name === 'models')!;
  expect(models.type).toBe(2);
  expect(models.options!.map((c) => c.name)).toEqual(['list', 'allow', 'deny', 'default']);
  const sub = new Map(models.options!.map((c) => [c.name, c.options ?? []]));
  expect(sub.get('list')).toEqual([]);
  expect(sub.get('allow')!.map((o) => [o.name, o.type, o.required === true])).toEqual([['model', 3, true], ['role', 8, false]]);
  for (const name of ['allow', 'deny', 'default']) {
    expect(sub.get(name)![0]).toMatchObject({ name: 'model', type: 3, required: true, autocomplete: true, max_length: 100 });
  }
}

describe('/video registration without DISCORD_GUILD_ID', () => {
  const world = useWorld();

  it('registers /video globally, and not again after a restart with the same definition', async () => {
    expectVideoCommand(world());
    expect(world().discord.commands(world().discord.defaultGuildId)).toEqual([]);
    expect(putsOf(world()).map((r) => r.route)).toEqual([expect.stringMatching(/^PUT \/applications\/[^/]+\/commands$/)]);

    await world().restart();

    expect(world().logs.find('bot ready')).toHaveLength(2);
    expect(world().logs.find('commands unchanged')).toHaveLength(1);
    expect(putsOf(world())).toHaveLength(1);
    expectVideoCommand(world());
  });
});

describe('/video registration with DISCORD_GUILD_ID', () => {
  const guildId = '112233445566778899';
  const world = useWorld({
    discord: { guilds: [{ id: guildId, name: 'Studio', channels: [{ id: '112233445566778900', name: 'general' }] }] },
    env: { DISCORD_GUILD_ID: guildId },
  });

  it('registers /video in that server only', async () => {
    expect(world().discord.defaultGuildId).toBe(guildId);
    expectVideoCommand(world(), guildId);
    expect(world().discord.commands(guildId).map((c) => c.guild_id)).toEqual([guildId, guildId, guildId, guildId, guildId]);
    expect(world().discord.commands()).toEqual([]);
    expect(putsOf(world()).map((r) => r.path)).toEqual([expect.stringContaining(`/guilds/${guildId}/commands`)]);
  });
});
