import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import type { Backend } from '../../src/storage/backend.js';
import { openBackend } from '../../src/storage/keyv-store.js';
import { createSlotPool, type SlotPool } from '../../src/storage/slot-pool.js';
import { testBackends, uniqueId } from './storage-backends.js';

const silent = pino({ level: 'silent' });

async function eventually<T>(fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

for (const backend of testBackends(10)) {
  describe.skipIf(backend.skip)(`${backend.title}: account-wide prediction slots and request budget`, () => {
    const opened: Backend[] = [];
    const pools: SlotPool[] = [];
    afterEach(async () => {
      for (const pool of pools.splice(0)) await pool.stop();
      for (const b of opened.splice(0)) await b.close();
    });
    /** Two processes on one store: two connections of their own. */
    async function twoProcesses(): Promise<[Backend, Backend]> {
      const url = backend.url();
      const pair: [Backend, Backend] = [await openBackend(url, silent), await openBackend(url, silent)];
      opened.push(...pair);
      return pair;
    }
    const claim = (pool: string, holder: string, cap: number, ttlMs = 30_000) => ({ pool, holder, cap, ttlMs, now: Date.now() });

    it('processes taking slots at once never hold more than the cap between them', async () => {
      const [a, b] = await twoProcesses();
      const pool = uniqueId('pool');
      const takes = Array.from({ length: 12 }, (_, i) =>
        (i % 2 ? b : a).slots.take({ ...claim(pool, i % 2 ? 'shard-1' : 'shard-0', 5), count: 2 }),
      );
      const taken = (await Promise.all(takes)).flat();
      expect(taken.sort()).toEqual([0, 1, 2, 3, 4]);
      expect(await a.slots.take({ ...claim(pool, 'shard-2', 5), count: 1 })).toEqual([]);
      const held = [...(await a.slots.renew(claim(pool, 'shard-0', 5))), ...(await b.slots.renew(claim(pool, 'shard-1', 5)))];
      expect(held.sort()).toEqual([0, 1, 2, 3, 4]);
    });

    it('a holder that stops renewing loses its slots after the TTL, and another process takes them', async () => {
      const [a, b] = await twoProcesses();
      const pool = uniqueId('pool');
      expect(await a.slots.take({ ...claim(pool, 'shard-0', 3, 600), count: 3 })).toEqual([0, 1, 2]);
      expect(await b.slots.take({ ...claim(pool, 'shard-1', 3), count: 3 })).toEqual([]);
      const started = Date.now();
      const taken = await eventually(async () => {
        const got = await b.slots.take({ ...claim(pool, 'shard-1', 3), count: 3 });
        expect(got).toEqual([0, 1, 2]);
        return got;
      });
      expect(taken).toHaveLength(3);
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
      // The old holder learns at its next renewal that it holds none.
      expect(await a.slots.renew(claim(pool, 'shard-0', 3))).toEqual([]);
    });

    it('a renewal keeps the slots, a release gives them back at once, and only the holder can release', async () => {
      const [a, b] = await twoProcesses();
      const pool = uniqueId('pool');
      expect(await a.slots.take({ ...claim(pool, 'shard-0', 2, 600), count: 2 })).toEqual([0, 1]);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(await a.slots.renew(claim(pool, 'shard-0', 2, 30_000))).toEqual([0, 1]);
      await new Promise((resolve) => setTimeout(resolve, 400));
      await b.slots.release(pool, 'shard-1', [0, 1]);
      expect(await b.slots.take({ ...claim(pool, 'shard-1', 2), count: 2 })).toEqual([]);
      await a.slots.release(pool, 'shard-0', [1]);
      expect(await b.slots.take({ ...claim(pool, 'shard-1', 2), count: 2 })).toEqual([1]);
    });

    it('each process sees every live demand, and a demand not told again expires', async () => {
      const [a, b] = await twoProcesses();
      const pool = uniqueId('pool');
      const now = Date.now();
      await a.slots.reportDemand({ pool, holder: 'shard-0', want: 3, held: 3, ttlMs: 500, now });
      const seen = await b.slots.reportDemand({ pool, holder: 'shard-1', want: 2, held: 0, ttlMs: 30_000, now });
      expect(seen.sort((x, y) => x.holder.localeCompare(y.holder))).toEqual([
        { holder: 'shard-0', want: 3, held: 3 },
        { holder: 'shard-1', want: 2, held: 0 },
      ]);
      const later = await b.slots.reportDemand({ pool, holder: 'shard-1', want: 2, held: 1, ttlMs: 30_000, now: now + 600 });
      expect(later).toEqual([{ holder: 'shard-1', want: 2, held: 1 }]);
    });

    it('a window of the request budget grants its limit across processes, and the next window grants again', async () => {
      const [a, b] = await twoProcesses();
      const bucket = uniqueId('budget');
      const take = (window: number, i: number) => (i % 2 ? b : a).takeTokens({ bucket, window, count: 10, limit: 55, ttlMs: 60_000 });
      const granted = await Promise.all(Array.from({ length: 8 }, (_, i) => take(7, i)));
      expect(granted.reduce((x, y) => x + y, 0)).toBe(55);
      expect(await take(7, 0)).toBe(0);
      expect(await take(8, 1)).toBe(10);
    });

    it('two processes running as the same owner (a paused one and its successor) never count one slot as both theirs', async () => {
      const [a, b] = await twoProcesses();
      const pool = uniqueId('pool');
      const make = (backendOf: Backend, holder: string) => {
        const slots = createSlotPool({ slots: backendOf.slots, cap: 2, holder, clock: systemClock, log: silent, pool, renewEveryMs: 60_000, askEveryMs: 60_000 });
        pools.push(slots);
        return slots;
      };
      const stale = make(a, `main:${uniqueId('p')}`);
      const successor = make(b, `main:${uniqueId('p')}`);
      stale.attach(() => 2, () => undefined);
      successor.attach(() => 2, () => undefined);
      await stale.start();
      await successor.start();
      await stale.refresh();
      expect(stale.held() + successor.held()).toBeLessThanOrEqual(2);
    });

    it('pools of two owners share the cap fairly: the first gives back what it holds beyond its share as its jobs end', async () => {
      const [a, b] = await twoProcesses();
      const pool = uniqueId('pool');
      const make = (backendOf: Backend, owner: string) => {
        const slots = createSlotPool({ slots: backendOf.slots, cap: 4, holder: owner, clock: systemClock, log: silent, pool, renewEveryMs: 60_000, askEveryMs: 60_000 });
        pools.push(slots);
        return slots;
      };
      const first = make(a, 'shard-0');
      const second = make(b, 'shard-1');
      let firstReady = 6;
      let secondReady = 0;
      first.attach(() => firstReady, () => undefined);
      second.attach(() => secondReady, () => undefined);
      const heldTotal = () => first.held() + second.held();

      await first.start();
      await second.start();
      expect([first.held(), second.held()]).toEqual([4, 0]);
      for (const id of ['a1', 'a2', 'a3', 'a4']) first.use(id);
      firstReady = 2;

      secondReady = 3;
      await second.refresh();
      expect(second.held()).toBe(0); // every slot is in use by the first
      await first.refresh();
      expect(first.held()).toBe(4); // running predictions are never stopped for fairness

      first.release('a1');
      await first.refresh();
      expect(first.held()).toBe(3);
      await second.refresh();
      expect([first.held(), second.held()]).toEqual([3, 1]);
      first.release('a2');
      await first.refresh();
      await second.refresh();
      expect([first.held(), second.held()]).toEqual([2, 2]);
      expect(heldTotal()).toBeLessThanOrEqual(4);
      // At its share, the first keeps a freed slot for its own next job.
      first.release('a3');
      first.use('a5');
      await first.refresh();
      await second.refresh();
      expect([first.held(), second.held()]).toEqual([2, 2]);
    });
  });
}
