import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/keyv-store.js';
import { job, testBackends, uniqueId } from './storage-backends.js';

const log = pino({ level: 'silent' });

for (const backend of testBackends(1)) {
  describe.skipIf(backend.skip)(backend.title, () => {
    it('keeps active jobs, images and meta across a reopen', async () => {
      const url = backend.url();
      const owner = uniqueId('reopen');
      const [a, b, c] = [uniqueId('a'), uniqueId('b'), uniqueId('c')];
      const first = await openStore(url, log, { owner });
      await Promise.all([first.saveJob(job(a, 'queued', 1)), first.saveJob(job(b, 'running', 2))]);
      await first.saveJob(job(c, 'queued', 3));
      await first.saveJob(job(c, 'done', 3));
      await first.saveImage(a, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]));
      await first.setMeta(`commands:${owner}`, 'hash-1');
      await first.close();

      const second = await openStore(url, log, { owner });
      const active = (await second.listActiveJobs()).map((j) => j.id).sort();
      expect(active).toEqual([a, b].sort());
      expect((await second.getJob(c))?.state).toBe('done');
      expect(await second.loadImage(a)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]));
      await second.deleteImage(a);
      expect(await second.loadImage(a)).toBeUndefined();
      expect(await second.getMeta(`commands:${owner}`)).toBe('hash-1');
      await second.close();
    });

    it('does not lose index entries when many jobs are accepted at once', async () => {
      const url = backend.url();
      const owner = uniqueId('burst');
      const store = await openStore(url, log, { owner });
      await Promise.all(Array.from({ length: 200 }, (_, i) => store.saveJob(job(`${owner}-j${i}`, 'queued', i))));
      await store.close();
      const again = await openStore(url, log, { owner });
      expect(await again.listActiveJobs()).toHaveLength(200);
      await again.close();
    });

    it('keeps the active jobs of two owners on one store apart', async () => {
      const url = backend.url();
      const [one, two] = [uniqueId('shard-0'), uniqueId('shard-1')];
      const first = await openStore(url, log, { owner: one });
      const second = await openStore(url, log, { owner: two });
      await first.saveJob(job(`${one}-x`, 'queued'));
      await second.saveJob(job(`${two}-y`, 'queued'));
      await Promise.all([first.close(), second.close()]);
      const reopened = await openStore(url, log, { owner: one });
      expect((await reopened.listActiveJobs()).map((j) => j.id)).toEqual([`${one}-x`]);
      await reopened.close();
    });
  });
}
