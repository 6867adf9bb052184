import { spawnSync } from 'node:child_process';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/storage/backend.js';
import { openBackend, openStore, openStoreOn } from '../../src/storage/keyv-store.js';
import { scheduleUpkeep } from '../../src/storage/upkeep.js';
import { LogSink } from '../harness/log-sink.js';
import { JumpClock } from '../harness/test-clock.js';
import { job, testBackends, uniqueId } from './storage-backends.js';

const silent = pino({ level: 'silent' });

/**
 * The backend with some writes refused (keyv's keys: `bot:job:<id>`, `bot:jobs:active:<owner>`): a write cut off
 * there is what a process killed at that moment leaves behind.
 */
async function refusing(url: string, refuse: (key: string) => boolean): Promise<Backend> {
  const backend = await openBackend(url, silent);
  const set = backend.adapter.set.bind(backend.adapter) as (key: string, value: unknown, ttl?: number) => Promise<unknown>;
  backend.adapter.set = (key: string, value: unknown, ttl?: number) =>
    refuse(key) ? Promise.reject(new Error('cut off here')) : set(key, value, ttl);
  return backend;
}

for (const backend of testBackends(12)) {
  describe.skipIf(backend.skip)(`${backend.title}: upkeep`, () => {
    for (const cut of ['index', 'record'] as const) {
      it(`a brand-new job cut off at its ${cut} write is either listed after a restart or was never recorded`, async () => {
        const url = backend.url();
        const owner = uniqueId('main');
        const id = uniqueId('new');
        const failing = await refusing(url, (key) => key.endsWith(cut === 'index' ? `:jobs:active:${owner}` : `:job:${id}`));
        const crashed = await openStoreOn(failing, silent, { owner });
        await expect(crashed.saveJob(job(id, 'queued'))).rejects.toThrow('cut off here');
        await crashed.close();

        const logs = new LogSink();
        const store = await openStore(url, pino({ level: 'info' }, logs), { owner });
        const listed = (await store.listActiveJobs()).some((j) => j.id === id);
        const recorded = (await store.getJob(id)) !== undefined;
        expect({ listed, recorded }).toEqual({ listed: false, recorded: false });
        await store.close();
      });
    }

    it('a job whose first save was refused is listed once a later save succeeds', async () => {
      const url = backend.url();
      const owner = uniqueId('main');
      const id = uniqueId('retried');
      let refuseIndex = true;
      const flaky = await refusing(url, (key) => refuseIndex && key.endsWith(`:jobs:active:${owner}`));
      const first = await openStoreOn(flaky, silent, { owner });
      await expect(first.saveJob(job(id, 'queued'))).rejects.toThrow('cut off here');
      refuseIndex = false;
      await first.saveJob(job(id, 'queued'));
      await first.saveJob(job(id, 'starting'));
      await first.close();

      const store = await openStore(url, silent, { owner });
      expect((await store.listActiveJobs()).map((j) => [j.id, j.state])).toEqual([[id, 'starting']]);
      await store.close();
    });

    const dropped = 'dropped finished or never-written jobs from the active index';

    it('a finished job a crash left in the active index is dropped from it at load, with its image', async () => {
      const url = backend.url();
      const owner = uniqueId('main');
      const [finished, alive] = [uniqueId('finished'), uniqueId('alive')];
      const before = await openStore(url, silent, { owner });
      await before.saveJob(job(alive, 'queued'));
      await before.saveJob(job(finished, 'running'));
      await before.saveImage(finished, Buffer.from('left over'));
      await before.close();
      // Killed after the finished job's record was written, before the index lost it.
      const crashing = await refusing(url, (key) => key.endsWith(`:jobs:active:${owner}`));
      const crashed = await openStoreOn(crashing, silent, { owner });
      await expect(crashed.saveJob(job(finished, 'done'))).rejects.toThrow('cut off here');
      await crashed.close();

      const logs = new LogSink();
      const store = await openStore(url, pino({ level: 'info' }, logs), { owner });
      expect((await store.listActiveJobs()).map((j) => j.id)).toEqual([alive]);
      expect(logs.find(dropped)).toMatchObject([{ jobIds: [finished] }]);
      expect(await store.loadImage(finished)).toBeUndefined();
      expect((await store.getJob(finished))?.state).toBe('done');
      await store.close();

      // The index was rewritten: nothing left to drop.
      const again = new LogSink();
      const reopened = await openStore(url, pino({ level: 'info' }, again), { owner });
      expect(again.find(dropped)).toEqual([]);
      await reopened.close();
    });

    it('a new job a crash left indexed without its record is dropped from the index at load', async () => {
      const url = backend.url();
      const owner = uniqueId('main');
      const ghost = uniqueId('ghost');
      const crashing = await refusing(url, (key) => key.endsWith(`:job:${ghost}`));
      const crashed = await openStoreOn(crashing, silent, { owner });
      await expect(crashed.saveJob(job(ghost, 'queued'))).rejects.toThrow('cut off here');
      await crashed.close();

      const logs = new LogSink();
      const store = await openStore(url, pino({ level: 'info' }, logs), { owner });
      expect(await store.listActiveJobs()).toEqual([]);
      expect(logs.find(dropped)).toMatchObject([{ jobIds: [ghost] }]);
      await store.close();
      const again = new LogSink();
      const reopened = await openStore(url, pino({ level: 'info' }, again), { owner });
      expect(again.find(dropped)).toEqual([]);
      await reopened.close();
    });

    if (backend.title.startsWith('Redis')) {
      it('finished jobs expire in Redis itself after their keeping time', async () => {
        const url = backend.url();
        const id = uniqueId('finished');
        const store = await openStore(url, silent, {});
        await store.saveJob(job(id, 'done'));
        const { port, pathname } = new URL(url);
        const pttl = Number(
          spawnSync('redis-cli', ['-p', port, '-n', pathname.slice(1), 'PTTL', `bot::bot:job:${id}`], { encoding: 'utf8' }).stdout,
        );
        expect(pttl).toBeGreaterThan(89 * 24 * 60 * 60 * 1000);
        expect(pttl).toBeLessThanOrEqual(90 * 24 * 60 * 60 * 1000);
        expect(await store.pruneExpired()).toBe(0);
        await store.close();
      });
    } else {
      it('pruning deletes finished jobs past their keeping time and nothing else', async () => {
        const url = backend.url();
        const owner = uniqueId('main');
        const [old, active] = [uniqueId('old'), uniqueId('active')];
        const store = await openStore(url, silent, { owner, finishedJobTtlMs: 1 });
        await store.saveJob(job(active, 'queued'));
        await store.saveImage(active, Buffer.from('png'));
        await store.setMeta(`kept:${owner}`, 1);
        await store.saveJob(job(old, 'running'));
        await store.saveJob(job(old, 'failed'));
        const expiredAt = Date.now() + 1;
        // Rows outlive their TTL until something deletes them (keyv itself only does on a read).
        // At least the old job's row; other test files on the same database may have expired rows of their own.
        expect(await store.pruneExpired(expiredAt + 1)).toBeGreaterThanOrEqual(1);
        expect(await store.getJob(old)).toBeUndefined();
        expect((await store.listActiveJobs()).map((j) => j.id)).toEqual([active]);
        expect(await store.loadImage(active)).toEqual(Buffer.from('png'));
        expect(await store.getMeta(`kept:${owner}`)).toBe(1);
        await store.close();
      });
    }
  });
}

describe('scheduled upkeep', () => {
  it('prunes at start and every six hours on the clock, and not after it is stopped', async () => {
    const clock = new JumpClock();
    let runs = 0;
    const upkeep = scheduleUpkeep({ pruneExpired: () => Promise.resolve(++runs) }, clock, silent);
    await Promise.resolve();
    expect(runs).toBe(1);
    clock.jump(6 * 60 * 60 * 1000 - 1000);
    expect(runs).toBe(1);
    clock.jump(1000);
    await expect.poll(() => runs).toBe(2);
    clock.jump(6 * 60 * 60 * 1000);
    await expect.poll(() => runs).toBe(3);
    await upkeep.stop();
    clock.jump(24 * 60 * 60 * 1000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toBe(3);
  });

  it('a failed run is logged and the next one still happens', async () => {
    const clock = new JumpClock();
    const logs = new LogSink();
    let runs = 0;
    const upkeep = scheduleUpkeep(
      { pruneExpired: () => (++runs === 1 ? Promise.reject(new Error('connect ECONNREFUSED')) : Promise.resolve(0)) },
      clock,
      pino({ level: 'info' }, logs),
    );
    await expect.poll(() => logs.find('pruning finished jobs failed; trying again later')).toHaveLength(1);
    clock.jump(6 * 60 * 60 * 1000);
    await expect.poll(() => runs).toBe(2);
    await upkeep.stop();
  });
});
