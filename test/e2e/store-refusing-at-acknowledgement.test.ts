import { describe, expect, it } from 'vitest';
import { refusalText } from '../../src/refusals.js';
import { createFaultyStore, type FaultyStore } from '../harness/faulty-store.js';
import { useWorld } from '../harness/use-world.js';
import { readyPing, requestVideo } from '../harness/video-steps.js';
import type { Store } from '../../src/storage/keyv-store.js';

const world = useWorld();
const ana = { id: '1720000000000000001', username: 'ana' };

describe('a request while the store refuses writes', () => {
  it('is refused plainly, never acknowledged as if it were kept, and the member can ask again once it answers', async () => {
    const w = world();
    let faulty!: FaultyStore<Store>;
    w.wrapStore = (store) => (faulty = createFaultyStore(store)).store;
    await w.restart();
    faulty.failWhen((call) => call.op === 'saveJob', { times: 1_000 });

    const refused = requestVideo(w, ana, 'a lantern on the water');
    const record = await w.discord.waitFor((d) => d.interaction(refused.id).ackType === 4 && d.interaction(refused.id), {
      description: 'the ephemeral refusal',
    });
    expect(record.ephemeral).toBe(true);
    expect(record.original!.content).toBe(refusalText('store-unavailable'));
    expect(w.replicate.predictions).toEqual([]);

    faulty.heal();
    await w.logs.waitFor('job dropped: never acknowledged');
    const again = requestVideo(w, ana, 'a lantern on the water');
    await readyPing(w, again);
    expect(w.replicate.predictions).toHaveLength(1);
  });
});
