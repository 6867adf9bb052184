import { describe, expect, it } from 'vitest';
import { runAdmin } from '../harness/admin-steps.js';
import { useProcessWorld } from '../harness/use-world.js';

const world = useProcessWorld();

describe('a model the operator stops offering', () => {
  it('is ignored in a server’s stored models settings after a restart, and `models list` says so', async () => {
    const first = await world().startBot({ REPLICATE_MODELS: 'google/veo-3-fast=0.10,lightricks/ltx-video=0.02' });
    expect((await runAdmin(world(), 'models default', { model: 'lightricks/ltx-video' })).original!.content).toContain('Saved.');
    expect((await runAdmin(world(), 'models deny', { model: 'google/veo-3-fast' })).original!.content).toContain('Saved.');
    await first.kill('SIGTERM');

    await world().startBot({ REPLICATE_MODELS: 'google/veo-3-fast=0.10' });

    const list = await runAdmin(world(), 'models list');
    expect(list.original!.embeds[0]).toMatchObject({
      description: '⭐ `kwaivgi/kling-v1.6-standard` · $0.050/s · ✅ everyone\n`google/veo-3-fast` · $0.100/s · ⛔ not allowed',
      fields: [
        { name: 'Server default', value: "`kwaivgi/kling-v1.6-standard` (the operator's default)" },
        { name: 'No longer offered', value: 'Settings stored for `lightricks/ltx-video` are ignored: the operator no longer offers it.' },
      ],
    });
    const again = await runAdmin(world(), 'models default', { model: 'lightricks/ltx-video' });
    expect(again.original!.content).toBe(
      '“lightricks/ltx-video” is not one of the models this bot offers: pick one from the list (`/video-admin models list`).',
    );
  });
});
