import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'vitest';
import { killOneShardMidPrediction } from '../harness/sharded-scenarios.js';
import { ShardedWorld } from '../harness/sharded-world.js';

describe('two shards on one SQLite file (one machine)', () => {
  let dir: string | undefined;
  let world: ShardedWorld | undefined;
  afterEach(async () => {
    await world?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    world = undefined;
    dir = undefined;
  });

  it('a shard killed with SIGKILL mid-prediction is respawned and delivers its job; the other shard never stops', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bot-sharded-sqlite-'));
    world = await ShardedWorld.start({ storageUrl: `sqlite://${join(dir, 'bot.sqlite')}`, shardCount: 2 });
    await killOneShardMidPrediction(world);
  }, 120_000);
});
