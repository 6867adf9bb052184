import { afterEach, describe, it } from 'vitest';
import { PostgresDatabase } from '../harness/postgres-database.js';
import { killOneShardMidPrediction } from '../harness/sharded-scenarios.js';
import { ShardedWorld } from '../harness/sharded-world.js';

const postgresUrl = process.env.TEST_POSTGRES_URL;

describe.skipIf(!postgresUrl)(
  postgresUrl ? 'two shards on PostgreSQL' : 'two shards on PostgreSQL (skipped: TEST_POSTGRES_URL is not set)',
  () => {
    let database: PostgresDatabase | undefined;
    let world: ShardedWorld | undefined;
    afterEach(async () => {
      await world?.close();
      await database?.drop();
      world = undefined;
      database = undefined;
    });

    it('a shard killed with SIGKILL mid-prediction is respawned and delivers its job; the other shard never stops', async () => {
      database = await PostgresDatabase.create(postgresUrl!);
      world = await ShardedWorld.start({ storageUrl: database.url, shardCount: 2 });
      await killOneShardMidPrediction(world);
    }, 120_000);
  },
);
