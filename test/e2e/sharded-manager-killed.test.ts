import { describe, expect, it } from 'vitest';
import { waitUntil } from '../harness/bot-process.js';
import { linesOf, readyShards, shardedOnRedisRuns, useShardedWorldOnRedis } from '../harness/sharded-world.js';

const runs = shardedOnRedisRuns;

describe.skipIf(!runs)(
  runs ? 'a killed sharding manager' : 'a killed sharding manager (skipped: needs TEST_REDIS_URL and redis-server on PATH)',
  () => {
    const startWorld = useShardedWorldOnRedis();

    it('leaves no shard behind: each stops by itself when its manager is gone, freeing its lease', async () => {
      const world = await startWorld({ shardCount: 2 });
      const manager = await world.startManager();
      const pids = [...readyShards(manager).values()];
      await manager.kill('SIGKILL');
      await waitUntil(() => pids.every((pid) => !isRunning(pid)), { description: 'both shards gone', timeoutMs: 10_000 });

      for (const shard of [0, 1]) expect(linesOf(manager, shard, 'bot stopped')).toHaveLength(1);
      const next = await world.startManager();
      expect(next.find('taking over the lease of a bot process that is gone')).toEqual([]);
    }, 90_000);
  },
);

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
