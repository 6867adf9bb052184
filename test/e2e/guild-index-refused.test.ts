import { describe, expect, it } from 'vitest';
import { refusalOf, runAdmin } from '../harness/admin-steps.js';
import { createFaultyStore, type FaultyStore } from '../harness/faulty-store.js';
import { useWorld } from '../harness/use-world.js';
import { replyShowing, requestVideo } from '../harness/video-steps.js';
import type { Store } from '../../src/storage/keyv-store.js';

const world = useWorld();
const ana = { id: '1730000000000000001', username: 'ana' };

describe("a guild's first settings while the store refuses the write of the guild list", () => {
  it('are saved only once a restart can load them, and a later change keeps them', async () => {
    const w = world();
    let faulty!: FaultyStore<Store>;
    w.wrapStore = (store) => (faulty = createFaultyStore(store)).store;
    await w.restart();
    faulty.failWhen((call) => call.op === 'setMeta' && call.key === 'settings:guilds');

    const added = await runAdmin(w, 'words add', { word: 'forbidden' });
    expect(added.original!.content).toMatch(/^Saved\./);
    await w.restart();

    expect(await refusalOf(w, requestVideo(w, ana, 'a forbidden dance'))).toMatch(/“forbidden”/);
    await runAdmin(w, 'limits', { cooldown: 60 });
    await w.restart();
    expect(await refusalOf(w, requestVideo(w, ana, 'another forbidden dance'))).toMatch(/“forbidden”/);
    const words = await runAdmin(w, 'words list');
    expect(JSON.stringify(words.original!.embeds)).toContain('“forbidden”');
    await replyShowing(w, requestVideo(w, ana, 'a calm lake'), /./);
  });
});
