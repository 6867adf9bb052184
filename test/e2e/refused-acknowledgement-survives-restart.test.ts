import { describe, expect, it } from 'vitest';
import { refusalText } from '../../src/refusals.js';
import { createFaultyStore, type FaultyStore } from '../harness/faulty-store.js';
import { useWorld } from '../harness/use-world.js';
import { readyPing, requestVideo } from '../harness/video-steps.js';
import type { Store } from '../../src/storage/keyv-store.js';

const world = useWorld();
const ana = { id: '1720000000000000002', username: 'ana' };

describe('a request whose first write was reported refused but landed, then the bot stopped', () => {
  it('is never run after the restart: the member was told to try again, and nothing is made or charged', async () => {
    const w = world();
    let faulty!: FaultyStore<Store>;
    w.wrapStore = (store) => (faulty = createFaultyStore(store)).store;
    await w.restart();
    // Every answer is lost, yet every write lands: the store holds the job as queued.
    faulty.failWhen((call) => call.op === 'saveJob', { times: 1_000, applied: true });

    const refused = requestVideo(w, ana, 'a lantern on the water');
    await w.discord.waitFor((d) => d.interaction(refused.id).ackType === 4, { description: 'the ephemeral refusal' });
    // Stopped before a write of the job's quiet end could land; the next start reads the plain store.
    await w.bot.stop();
    w.wrapStore = undefined;
    await w.startBot();
    await w.logs.waitFor('job dropped: never acknowledged');

    expect(w.logs.find('queue recovered').at(-1)).toMatchObject({ unsure: 1, waiting: 0 });
    expect(w.logs.find('acknowledgement checked')[0]).toMatchObject({ answer: 'not-acknowledged' });
    expect(w.replicate.predictions).toEqual([]);
    const record = w.discord.interaction(refused.id);
    expect(record.ephemeral).toBe(true);
    expect(record.originalHistory).toHaveLength(1);
    expect(record.original!.content).toBe(refusalText('store-unavailable'));

    // Nothing left reserved or in line: the member's next request runs at once.
    const again = requestVideo(w, ana, 'a lantern on the water');
    await readyPing(w, again);
    expect(w.replicate.predictions).toHaveLength(1);
  });

  it('a job that was acknowledged but never stored its place in line runs after the restart', async () => {
    const w = world();
    let faulty!: FaultyStore<Store>;
    w.wrapStore = (store) => (faulty = createFaultyStore(store)).store;
    await w.restart();
    // The first write lands (the member is answered); the write of its place in line never does.
    faulty.failWhen((call) => call.op === 'saveJob' && call.job?.queueRound !== undefined, { times: 1_000 });

    const kept = requestVideo(w, ana, 'a kite over the dunes');
    await w.discord.waitFor((d) => d.interaction(kept.id).ackType === 5, { description: 'the deferred reply' });
    await w.logs.waitFor('job write failed, retrying');
    await w.bot.stop();
    w.wrapStore = undefined;
    await w.startBot();

    await readyPing(w, kept);
    expect(w.logs.find('queue recovered').at(-1)).toMatchObject({ unsure: 1 });
    expect(w.logs.find('acknowledgement checked').at(-1)).toMatchObject({ answer: 'acknowledged' });
    expect(w.replicate.predictions.map((p) => p.input.prompt)).toEqual(['a kite over the dunes']);
  });
});
