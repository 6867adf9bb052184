import { describe, expect, it } from 'vitest';
import { runAdmin } from '../harness/admin-steps.js';
import { useWorld } from '../harness/use-world.js';
import { readyPing, untilNoActiveJobs } from '../harness/video-steps.js';

const amy = { id: '200000000000000011', username: 'amy' };
const pat = { id: '200000000000000012', username: 'pat' };

const world = useWorld({ env: { REPLICATE_MODELS: 'google/veo-3-fast=0.10,lightricks/ltx-video=0.02' } });

describe("/video follows the server's model rules", () => {
  it('offers and runs only the models a member may use, on the server default when none is picked', async () => {
    const w = world();
    const patrons = w.discord.addRole({ name: 'Patrons' }).id;
    await runAdmin(w, 'models allow', { model: 'google/veo-3-fast', role: patrons });
    await runAdmin(w, 'models deny', { model: 'lightricks/ltx-video' });

    // Typing in `model`: amy (no role) is offered kling only; pat (a patron) kling and veo.
    const offered = async (user: typeof amy, roles: string[]) => {
      const typing = w.discord.sendAutocomplete({ name: 'video', options: { prompt: 'x', model: '' }, focused: 'model', user, roles });
      const choices = await w.discord.waitFor((d) => d.interaction(typing.id).choices, { description: 'the model choices' });
      return choices.map((c: { value: unknown }) => c.value);
    };
    expect(await offered(amy, [])).toEqual(['kwaivgi/kling-v1.6-standard']);
    expect(await offered(pat, [patrons])).toEqual(['kwaivgi/kling-v1.6-standard', 'google/veo-3-fast']);

    // amy naming veo is refused, naming what she may use; pat gets veo.
    const refused = w.discord.sendSlashCommand({ name: 'video', user: amy, options: { prompt: 'a heron', model: 'google/veo-3-fast' } });
    const refusal = await w.discord.waitFor((d) => d.interaction(refused.id).original, { description: 'the refusal' });
    expect(refusal.content).toContain('kwaivgi/kling-v1.6-standard');
    expect(refusal.content).not.toContain('lightricks/ltx-video');
    expect(w.discord.interaction(refused.id).ephemeral).toBe(true);

    w.replicate.script({ durationMs: 200 });
    await readyPing(w, w.discord.sendSlashCommand({ name: 'video', user: pat, roles: [patrons], options: { prompt: 'a heron', model: 'google/veo-3-fast' } }));

    // The server default runs when no model is picked.
    await runAdmin(w, 'models allow', { model: 'lightricks/ltx-video' });
    await runAdmin(w, 'models default', { model: 'lightricks/ltx-video' });
    w.replicate.script({ durationMs: 200 });
    await readyPing(w, w.discord.sendSlashCommand({ name: 'video', user: amy, options: { prompt: 'snow' } }));
    await untilNoActiveJobs(w);
    expect(w.replicate.predictions.map((p) => p.model)).toEqual(['google/veo-3-fast', 'lightricks/ltx-video']);
  });
});
