import { describe, expect, it } from 'vitest';
import { linesOf, readyShards, shardedOnRedisRuns, useShardedWorldOnRedis } from '../harness/sharded-world.js';

const runs = shardedOnRedisRuns;

describe.skipIf(!runs)(
  runs ? 'the sharding manager' : 'the sharding manager (skipped: needs TEST_REDIS_URL and redis-server on PATH)',
  () => {
    const startWorld = useShardedWorldOnRedis();

    it('takes Discord\'s recommended count through DISCORD_API_URL, and SIGTERM stops every shard gracefully within 10 s', async () => {
      const world = await startWorld({ shardCount: 2, recommendedShards: 2 });
      const manager = await world.startManager({ SHARD_COUNT: '' });
      expect(manager.find('spawning shards')).toMatchObject([{ manager: true, shardCount: 2, shards: [0, 1], delayMs: 0 }]);
      expect(world.discord.requests.filter((r) => r.path === '/api/v10/gateway/bot').length).toBeGreaterThan(0);
      expect(world.discord.identifiedShards).toEqual([[0, 2], [1, 2]]);
      const pids = [...readyShards(manager).values()];

      const exit = await manager.kill('SIGTERM');
      expect(exit.code).toBe(0);
      expect(exit.afterMs).toBeLessThan(10_000);
      for (const shard of [0, 1]) expect(linesOf(manager, shard, 'bot stopped')).toHaveLength(1);
      expect(manager.find('every shard stopped')).toHaveLength(1);
      expect(manager.find('shard exited; respawning it')).toEqual([]);
      for (const pid of pids) expect(isRunning(pid)).toBe(false);

      // Their leases were given up: the next manager's shards start without taking any over.
      const next = await world.startManager({ SHARD_COUNT: '' });
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
