import { describe, expect, it } from 'vitest';
import { moderator, moderatorPermissions, runAdmin } from '../harness/admin-steps.js';
import { useWorld } from '../harness/use-world.js';

const world = useWorld({ env: { REPLICATE_MODELS: 'google/veo-3-fast=0.10,lightricks/ltx-video=0.02', PRICE_PER_SECOND_USD: '0.05' } });

describe('/video-admin models', () => {
  it('a moderator allows a second model for a role and sets the default; the list shows it, the mod-log has it, and a restart keeps it', async () => {
    const w = world();
    const modlog = w.discord.addChannel({ name: 'mod-log' }).id;
    await runAdmin(w, 'modlog', { channel: modlog });
    const patrons = w.discord.addRole({ name: 'Patrons' }).id;

    // Typing in a `model` option offers the operator's models with their price.
    const typing = w.discord.sendAutocomplete({
      name: 'video-admin',
      subcommand: 'models allow',
      options: { model: 'veo' },
      focused: 'model',
      user: moderator,
      permissions: moderatorPermissions,
    });
    const choices = await w.discord.waitFor((d) => d.interaction(typing.id).choices, { description: 'the model choices' });
    expect(choices).toEqual([{ name: 'google/veo-3-fast · $0.100/s', value: 'google/veo-3-fast' }]);

    const allowed = await runAdmin(w, 'models allow', { model: 'google/veo-3-fast', role: patrons });
    expect(allowed.original!.content).toBe(`Saved. Now in force:\n• google/veo-3-fast: everyone → <@&${patrons}>`);
    const refused = await runAdmin(w, 'models default', { model: 'google/veo-3-fast' });
    expect(refused.ephemeral).toBe(true);
    expect(refused.original!.content).toBe(
      'google/veo-3-fast is limited to some roles: the server default must be open to everyone (`/video-admin models allow model:google/veo-3-fast` without a role).',
    );
    const set = await runAdmin(w, 'models default', { model: 'lightricks/ltx-video' });
    expect(set.original!.content).toBe('Saved. Now in force:\n• default model: kwaivgi/kling-v1.6-standard → lightricks/ltx-video');
    const denyDefault = await runAdmin(w, 'models deny', { model: 'lightricks/ltx-video' });
    expect(denyDefault.original!.content).toBe('lightricks/ltx-video is the server default: make another model the default first (`/video-admin models default`).');

    const expected = [
      '`kwaivgi/kling-v1.6-standard` · $0.050/s · ✅ everyone',
      `\`google/veo-3-fast\` · $0.100/s · ✅ only <@&${patrons}>`,
      '⭐ `lightricks/ltx-video` · $0.020/s · ✅ everyone',
    ].join('\n');
    const list = await runAdmin(w, 'models list');
    expect(list.ephemeral).toBe(true);
    expect(list.original!.embeds[0]).toMatchObject({ description: expected, fields: [{ name: 'Server default', value: '`lightricks/ltx-video`' }] });

    // Each change is one mod-log line, titled by its subcommand, saying who changed what.
    const lines = await w.discord.waitFor(
      () => {
        const posted = w.discord.channelMessages(modlog).map((m) => JSON.stringify(m.embeds));
        return posted.length === 3 ? posted : undefined;
      },
      { description: 'the modlog line and the two models lines' },
    );
    expect(lines[1]).toContain('models allow');
    expect(lines[1]).toContain(`<@${moderator.id}> changed`);
    expect(lines[1]).toContain(`google/veo-3-fast: everyone → <@&${patrons}>`);
    expect(lines[2]).toContain('models default');
    expect(lines[2]).toContain('default model: kwaivgi/kling-v1.6-standard → lightricks/ltx-video');

    const settings = await runAdmin(w, 'settings');
    expect(JSON.stringify(settings.original!.embeds)).toContain('default `lightricks/ltx-video`; 3 of 3 allowed (1 only to some roles)');

    await w.restart();
    const after = await runAdmin(w, 'models list');
    expect(after.original!.embeds[0]).toMatchObject({ description: expected });
    expect(w.bot.policy.modelsFor(w.discord.guilds[0]!.id, [])).toEqual({
      allowed: ['kwaivgi/kling-v1.6-standard', 'lightricks/ltx-video'],
      defaultModel: 'lightricks/ltx-video',
    });
  });
});
