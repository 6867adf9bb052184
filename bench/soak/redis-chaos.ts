/**
 * Real Redis, real refusals: during `store` storms the soak sets `maxmemory 1` under `noeviction`, so every write
 * is refused with OOM while reads still work, then puts the settings back. The database in the URL is emptied first.
 */
import { createClient } from '@redis/client';
import type { Storm } from './plan.js';

export interface RedisChaos {
  /** Ends any storm now, starts no other, and counts the OOM refusals Redis answered. */
  calm(): Promise<void>;
  counts(): Record<string, number>;
  close(): Promise<void>;
}

export async function startRedisChaos(url: string, storms: readonly Storm[], startedAt: () => number): Promise<RedisChaos> {
  const client = createClient({ url });
  // A dropped connection is the soak's to report, not a crash of the soak (the client reconnects by itself).
  let dropped = 0;
  client.on('error', () => void dropped++);
  await client.connect();
  await client.flushDb();
  const saved = await client.configGet(['maxmemory', 'maxmemory-policy']);
  let calm = false;
  let refusing = false;
  let stormCount = 0;
  let stormMs = 0;
  const baseline = await oomErrors();

  async function oomErrors(): Promise<number> {
    const info = await client.info('errorstats');
    return Number(/errorstat_OOM:count=(\d+)/.exec(info)?.[1] ?? 0);
  }
  async function set(on: boolean): Promise<void> {
    if (on === refusing) return;
    refusing = on;
    if (on) {
      await client.configSet({ 'maxmemory-policy': 'noeviction', maxmemory: '1' });
    } else {
      await client.configSet({ maxmemory: saved.maxmemory ?? '0', 'maxmemory-policy': saved['maxmemory-policy'] ?? 'noeviction' });
    }
  }
  const timer = setInterval(() => {
    const t = Date.now() - startedAt();
    const inStorm = !calm && storms.some((s) => s.target === 'store' && t >= s.startMs && t < s.endMs);
    if (inStorm && !refusing) stormCount++;
    if (inStorm) stormMs += 100;
    void set(inStorm).catch(() => undefined);
  }, 100);
  let oom = 0;
  return {
    async calm() {
      calm = true;
      await set(false).catch(() => undefined);
      oom = (await oomErrors().catch(() => baseline)) - baseline;
    },
    counts() {
      return {
        [`redis refused writes (maxmemory 1, noeviction): storms`]: stormCount,
        [`redis refused writes: seconds`]: Math.round(stormMs / 1000),
        [`redis OOM errors answered`]: oom,
        ...(dropped ? { 'redis chaos connection errors': dropped } : {}),
      };
    },
    async close() {
      clearInterval(timer);
      await set(false).catch(() => undefined);
      await client.quit().catch(() => undefined);
    },
  };
}
