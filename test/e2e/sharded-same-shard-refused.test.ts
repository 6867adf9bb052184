import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { readyShards, shardedOnRedisRuns, useShardedWorldOnRedis } from '../harness/sharded-world.js';

const runs = shardedOnRedisRuns;

describe.skipIf(!runs)(
  runs ? 'one process per shard' : 'one process per shard (skipped: needs TEST_REDIS_URL and redis-server on PATH)',
  () => {
    const startWorld = useShardedWorldOnRedis();

    it('a second process claiming a live shard exits 1 within 10 s with one line naming the shard and its holder', async () => {
      const world = await startWorld({ shardCount: 2 });
      const manager = await world.startManager();
      const holder = readyShards(manager).get(1)!;

      const second = world.spawnShard(1);
      const exit = await second.exited;
      expect(exit.code).toBe(1);
      // The refusal comes right after the store answers (about 2 s here, most of it node and tsx starting); the
      // margin is for a 2-core machine running the whole suite at once.
      expect(exit.afterMs).toBeLessThan(15_000);
      const lines = second.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(`^Cannot start: another bot process already runs as 'shard-1' on the store at .*\\(pid ${holder} on host ${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`),
      );
      expect(second.find('bot ready')).toEqual([]);
      // The shard it tried to be goes on.
      expect(readyShards(manager).get(1)).toBe(holder);
      expect(manager.hasExited).toBe(false);
    }, 90_000);
  },
);
