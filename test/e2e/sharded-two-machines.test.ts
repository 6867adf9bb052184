import { describe, expect, it } from 'vitest';
import { linesOf, readyShards, shardedOnRedisRuns, useShardedWorldOnRedis } from '../harness/sharded-world.js';

const runs = shardedOnRedisRuns;
const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(4096, 9)]);

describe.skipIf(!runs)(
  runs ? 'shards split over two machines' : 'shards split over two machines (skipped: needs TEST_REDIS_URL and redis-server on PATH)',
  () => {
    const startWorld = useShardedWorldOnRedis();

    it('two managers with SHARD_IDS 0 and 1 of SHARD_COUNT 2 on one Redis each serve their own guild', async () => {
      const world = await startWorld({ shardCount: 2 });
      world.replicate.script({ durationMs: 500, output: video });
      world.replicate.script({ durationMs: 500, output: video });
      const machineA = await world.startManager({ SHARD_IDS: '0' }, 1);
      const machineB = await world.startManager({ SHARD_IDS: '1' }, 1);
      expect([...readyShards(machineA).keys()]).toEqual([0]);
      expect([...readyShards(machineB).keys()]).toEqual([1]);
      expect(world.discord.connectedShards).toEqual([0, 1]);

      const sent = [0, 1].map((shard) =>
        world.discord.sendSlashCommand({
          name: 'video',
          guildId: world.guildOf(shard).id,
          channelId: world.guildOf(shard).channels[0]!.id,
          user: { id: `44444444444444444${shard}`, username: `m${shard}` },
          options: { prompt: `a comet over machine ${shard}` },
        }),
      );
      for (const handle of sent) {
        await world.discord.waitFor((d) => (d.interaction(handle.id).original?.attachments.length ?? 0) > 0, {
          timeoutMs: 30_000,
          description: 'the video delivered',
        });
      }
      expect(linesOf(machineA, 0, 'prediction created').map((e) => e.guildId)).toEqual([world.guildOf(0).id]);
      expect(linesOf(machineB, 1, 'prediction created').map((e) => e.guildId)).toEqual([world.guildOf(1).id]);
      expect(world.replicate.predictions).toHaveLength(2);
    }, 120_000);
  },
);
