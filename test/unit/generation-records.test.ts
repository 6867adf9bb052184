import { describe, expect, it } from 'vitest';
import { GenerationHistory } from '../../src/queue/eta.js';
import { GenerationRecords } from '../../src/storage/generation-records.js';
import { MemoryStore } from '../harness/memory-store.js';

describe('the generation times in the store', () => {
  it('come back per model after a restart, and a damaged entry is dropped rather than believed', async () => {
    const store = new MemoryStore();
    const history = new GenerationHistory();
    history.record(5, 240_000);
    history.record(10, 480_000);
    await new GenerationRecords(store, 'kwaivgi/kling-v1.6-standard').save(history.toSamples());

    const loaded = new GenerationHistory(await new GenerationRecords(store, 'kwaivgi/kling-v1.6-standard').load());
    expect([loaded.median(5), loaded.median(10)]).toEqual([240_000, 480_000]);
    expect(await new GenerationRecords(store, 'another/model').load()).toEqual([]);

    await store.setMeta('generation-history:broken/model', [{ duration: 5, ms: 'soon' }, null, { duration: 5, ms: 200_000 }]);
    expect(await new GenerationRecords(store, 'broken/model').load()).toEqual([{ duration: 5, ms: 200_000 }]);
  });

  it('land in the order they were saved', async () => {
    const store = new MemoryStore();
    const records = new GenerationRecords(store, 'm/m');
    await Promise.all([records.save([{ duration: 5, ms: 1 }]), records.save([{ duration: 5, ms: 1 }, { duration: 5, ms: 2 }])]);
    expect(await records.load()).toHaveLength(2);
  });
});
