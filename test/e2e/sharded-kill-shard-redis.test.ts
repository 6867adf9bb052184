import { describe, it } from 'vitest';
import { killOneShardMidPrediction } from '../harness/sharded-scenarios.js';
import { shardedOnRedisRuns, useShardedWorldOnRedis } from '../harness/sharded-world.js';

const runs = shardedOnRedisRuns;

describe.skipIf(!runs)(
  runs ? 'two shards on Redis' : 'two shards on Redis (skipped: needs TEST_REDIS_URL and redis-server on PATH)',
  () => {
    const startWorld = useShardedWorldOnRedis();

    it('a shard killed with SIGKILL mid-prediction is respawned and delivers its job; the other shard never stops', async () => {
      const world = await startWorld({ shardCount: 2 });
      await killOneShardMidPrediction(world);
    }, 120_000);
  },
);
