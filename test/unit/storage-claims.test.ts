import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/storage/backend.js';
import { openBackend } from '../../src/storage/keyv-store.js';
import { testBackends, uniqueId } from './storage-backends.js';

const silent = pino({ level: 'silent' });

for (const backend of testBackends(12)) {
  describe.skipIf(backend.skip)(`${backend.title}: claims shared by every process (first claimer wins)`, () => {
    const opened: Backend[] = [];
    afterEach(async () => {
      for (const b of opened.splice(0)) await b.close();
    });
    /** Two processes on one store: two connections of their own. */
    async function twoProcesses(): Promise<[Backend, Backend]> {
      const url = backend.url();
      const pair: [Backend, Backend] = [await openBackend(url, silent), await openBackend(url, silent)];
      opened.push(...pair);
      return pair;
    }
    const claim = (key: string, holder: string, ttlMs = 60_000) => ({ key, holder, ttlMs, now: Date.now() });

    it('processes claiming one key at once: exactly one wins, and every answer names it', async () => {
      const [a, b] = await twoProcesses();
      const key = uniqueId('prediction');
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? b : a).claims.claim(claim(key, `job-${i}`))),
      );
      const winners = answers.filter((holder, i) => holder === `job-${i}`);
      expect(winners).toHaveLength(1);
      expect(new Set(answers)).toEqual(new Set(winners));
      expect(await b.claims.claim(claim(key, 'job-late'))).toBe(winners[0]);
    });

    it('the holder claiming again keeps it; a release by anyone else leaves it; its own release frees it', async () => {
      const [a, b] = await twoProcesses();
      const key = uniqueId('input');
      expect(await a.claims.claim(claim(key, 'job-a'))).toBe('job-a');
      expect(await b.claims.claim(claim(key, 'job-a'))).toBe('job-a');
      await b.claims.release(key, 'job-b');
      expect(await b.claims.claim(claim(key, 'job-b'))).toBe('job-a');
      await a.claims.release(key, 'job-a');
      expect(await b.claims.claim(claim(key, 'job-b'))).toBe('job-b');
    });

    it('an expired claim goes to the next claimer; one renewed in time does not', async () => {
      const [a, b] = await twoProcesses();
      const lapsing = uniqueId('input');
      const renewed = uniqueId('input');
      expect(await a.claims.claim(claim(lapsing, 'job-a', 300))).toBe('job-a');
      expect(await a.claims.claim(claim(renewed, 'job-a', 300))).toBe('job-a');
      expect(await a.claims.claim(claim(renewed, 'job-a', 60_000))).toBe('job-a');
      const deadline = Date.now() + 10_000;
      let holder = await b.claims.claim(claim(lapsing, 'job-b'));
      while (holder !== 'job-b' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        holder = await b.claims.claim(claim(lapsing, 'job-b'));
      }
      expect(holder).toBe('job-b');
      expect(await b.claims.claim(claim(renewed, 'job-b'))).toBe('job-a');
    });
  });
}
