import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../harness/bot-process.js';
import { hasRedisServer, RedisServer } from '../harness/redis-server.js';
import { linesOf, readyShards, ShardedWorld } from '../harness/sharded-world.js';

const runs = Boolean(process.env.TEST_REDIS_URL) && hasRedisServer;

describe.skipIf(!runs)(
  runs ? 'a killed sharding manager' : 'a killed sharding manager (skipped: needs TEST_REDIS_URL and redis-server on PATH)',
  () => {
    let redis: RedisServer | undefined;
    let world: ShardedWorld | undefined;
    afterEach(async () => {
      await world?.close();
      await redis?.close();
      world = undefined;
      redis = undefined;
    });

    it('leaves no shard behind: each stops by itself when its manager is gone, freeing its lease', async () => {
      redis = await RedisServer.start();
      world = await ShardedWorld.start({ storageUrl: redis.url, shardCount: 2 });
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
