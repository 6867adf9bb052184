import { afterEach, describe, it } from 'vitest';
import { hasRedisServer, RedisServer } from '../harness/redis-server.js';
import { killOneShardMidPrediction } from '../harness/sharded-scenarios.js';
import { ShardedWorld } from '../harness/sharded-world.js';

const runs = Boolean(process.env.TEST_REDIS_URL) && hasRedisServer;

describe.skipIf(!runs)(
  runs ? 'two shards on Redis' : 'two shards on Redis (skipped: needs TEST_REDIS_URL and redis-server on PATH)',
  () => {
    let redis: RedisServer | undefined;
    let world: ShardedWorld | undefined;
    afterEach(async () => {
      await world?.close();
      await redis?.close();
      world = undefined;
      redis = undefined;
    });

    it('a shard killed with SIGKILL mid-prediction is respawned and delivers its job; the other shard never stops', async () => {
      redis = await RedisServer.start();
      world = await ShardedWorld.start({ storageUrl: redis.url, shardCount: 2 });
      await killOneShardMidPrediction(world);
    }, 120_000);
  },
);
