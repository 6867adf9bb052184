import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/storage/backend.js';
import { openBackend, openStore, openStoreOn } from '../../src/storage/keyv-store.js';
import { scheduleUpkeep } from '../../src/storage/upkeep.js';
import { LogSink } from '../harness/log-sink.js';
import { JumpClock } from '../harness/test-clock.js';
import { job, testBackends, uniqueId } from './storage-backends.js';

const silent = pino({ level: 'silent' });
const day = 24 * 60 * 60 * 1000;
const t0 = Date.UTC(2026, 2, 10, 18);

/** The backend with the active index's writes refused: what a process killed just before that write leaves. */
async function indexRefused(url: string, owner: string): Promise<Backend> {
  const backend = await openBackend(url, silent);
  const set = backend.adapter.set.bind(backend.adapter) as (key: string, value: unknown, ttl?: number) => Promise<unknown>;
  backend.adapter.set = (key: string, value: unknown, ttl?: number) =>
    key.endsWith(`:jobs:active:${owner}`) ? Promise.reject(new Error('cut off here')) : set(key, value, ttl);
  return backend;
}

for (const backend of testBackends(14)) {
  describe.skipIf(backend.skip)(`${backend.title}: kept images`, () => {
    it('keeps an image until its time, then drops it, across a reopen', async () => {
      const url = backend.url();
      const owner = uniqueId('main');
      const [soon, later] = [uniqueId('soon'), uniqueId('later')];
      const first = await openStore(url, silent, { owner });
      await first.saveImage(soon, Buffer.from('soon bytes'));
      await first.saveImage(later, Buffer.from('later bytes'));
      await first.keepImage(soon, t0 + 7 * day);
      await first.keepImage(later, t0 + 7 * day + 3 * 60 * 60 * 1000);
      await first.keepImage(soon, t0 + 7 * day);
      await first.close();

      const store = await openStore(url, silent, { owner });
      expect(await store.dropExpiredImages(t0 + 7 * day - 1)).toBe(0);
      expect(await store.dropExpiredImages(t0 + 7 * day)).toBe(1);
      expect(await store.loadImage(soon)).toBeUndefined();
      expect((await store.loadImage(later))?.toString()).toBe('later bytes');
      expect(await store.dropExpiredImages(t0 + 8 * day)).toBe(1);
      expect(await store.loadImage(later)).toBeUndefined();
      expect(await store.dropExpiredImages(t0 + 30 * day)).toBe(0);
      await store.close();
    });

    it('a delivered job a crash left in the active index keeps its image at load; another finished one loses it', async () => {
      const url = backend.url();
      const owner = uniqueId('main');
      const [kept, failed] = [uniqueId('kept'), uniqueId('failed')];
      const image = { filename: 'a.png', contentType: 'image/png', size: 3, url: 'https://cdn/a.png', stored: true };
      const before = await openStore(url, silent, { owner });
      for (const id of [kept, failed]) {
        await before.saveJob(job(id, 'running'));
        await before.saveImage(id, Buffer.from(`${id} bytes`));
      }
      await before.keepImage(kept, t0 + 7 * day);
      await before.close();
      const crashing = await openStoreOn(await indexRefused(url, owner), silent, { owner });
      await expect(crashing.saveJob({ ...job(kept, 'done'), image: { ...image, keptUntil: t0 + 7 * day } })).rejects.toThrow();
      await expect(crashing.saveJob({ ...job(failed, 'failed'), image })).rejects.toThrow();
      await crashing.close();

      const store = await openStore(url, silent, { owner });
      expect(await store.listActiveJobs()).toEqual([]);
      expect((await store.loadImage(kept))?.toString()).toBe(`${kept} bytes`);
      expect(await store.loadImage(failed)).toBeUndefined();
      await store.close();
    });
  });
}

describe('scheduled upkeep of kept images', () => {
  it('drops kept images on the bot clock once their time is up', async () => {
    const clock = new JumpClock();
    const logs = new LogSink();
    const calls: number[] = [];
    const upkeep = scheduleUpkeep(
      {
        pruneExpired: () => Promise.resolve(0),
        dropExpiredImages: (now) => {
          calls.push(now);
          return Promise.resolve(calls.length === 2 ? 3 : 0);
        },
      },
      clock,
      pino({ level: 'info' }, logs),
    );
    await expect.poll(() => calls.length).toBe(1);
    const start = clock.now();
    clock.jump(8 * day);
    await expect.poll(() => calls.length).toBe(2);
    expect(calls[1]! - start).toBeGreaterThanOrEqual(8 * day);
    await expect.poll(() => logs.find('dropped start images past their keeping time')).toMatchObject([{ images: 3 }]);
    await upkeep.stop();
  });
});
