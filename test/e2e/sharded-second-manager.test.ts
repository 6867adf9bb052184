import { describe, expect, it } from 'vitest';
import { spawnBot } from '../harness/bot-process.js';
import { readyShards, shardedOnRedisRuns, useShardedWorldOnRedis } from '../harness/sharded-world.js';

const runs = shardedOnRedisRuns;

describe.skipIf(!runs)(
  runs ? 'a second sharding manager' : 'a second sharding manager (skipped: needs TEST_REDIS_URL and redis-server on PATH)',
  () => {
    const startWorld = useShardedWorldOnRedis();

    it('on a store whose shards run already exits 1, naming the shard that is taken, and leaves them running', async () => {
      const world = await startWorld({ shardCount: 2 });
      const first = await world.startManager();
      const running = readyShards(first);

      const second = spawnBot(world.env(), 'src/sharded.ts');
      world.processes.push(second);
      const exit = await second.exited;
      expect(exit.code).toBe(1);
      expect(second.stderr).toMatch(/^Cannot start: another bot process already runs as 'shard-0' on the store at .* \(pid \d+ on host .*\)/m);
      expect(second.stderr.trimEnd().split('\n').at(-1)).toMatch(/^Cannot start: a shard did not start \(.*\); its own line above says why\.$/);
      expect(second.find('bot ready')).toEqual([]);
      expect(first.hasExited).toBe(false);
      expect(readyShards(first)).toEqual(running);
    }, 90_000);
  },
);
