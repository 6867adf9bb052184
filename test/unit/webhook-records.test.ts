import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/storage/keyv-store.js';
import { WebhookRecords } from '../../src/storage/webhook-records.js';
import { testBackends, uniqueId } from './storage-backends.js';

const silent = pino({ level: 'silent' });

for (const backend of testBackends(5)) {
  describe.skipIf(backend.skip)(`${backend.title}: taken webhook ids`, () => {
    const opened: Store[] = [];
    const open = async (url: string) => {
      const store = await openStore(url, silent, { owner: uniqueId('owner') });
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });

    it('a taken id is a replay, for this process and for the next one on the same store', async () => {
      const url = backend.url();
      const id = uniqueId('msg');
      const first = new WebhookRecords(await open(url));
      const [a, b] = await Promise.all([first.claim(id, 1), first.claim(id, 2)]);
      expect([a, b]).toEqual([true, false]);
      await opened[0]!.close();
      opened.length = 0;

      const next = new WebhookRecords(await open(url));
      expect(await next.claim(id, 3)).toBe(false);
      expect(await next.claim(uniqueId('msg'), 3)).toBe(true);
    });

    it('an id is forgotten once its time to live is over', async () => {
      const store = await open(backend.url());
      const id = uniqueId('msg');
      expect(await new WebhookRecords(store, 200).claim(id, 1)).toBe(true);
      const takenAt = Date.now();
      // keyv and the servers expire on their own (real) time: ask again until the id is free, within a deadline.
      let free = false;
      while (!free && Date.now() - takenAt < 5_000) {
        free = await new WebhookRecords(store, 200).claim(id, 2);
        if (!free) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(free).toBe(true);
      expect(Date.now() - takenAt).toBeGreaterThanOrEqual(150);
    });
  });
}
