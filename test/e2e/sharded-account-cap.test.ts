import { describe, expect, it } from 'vitest';
import { linesOf, shardedOnRedisRuns, useShardedWorldOnRedis } from '../harness/sharded-world.js';

const runs = shardedOnRedisRuns;
const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(2048, 4)]);

describe.skipIf(!runs)(
  runs ? 'the account-wide cap across shards' : 'the account-wide cap across shards (skipped: needs TEST_REDIS_URL and redis-server on PATH)',
  () => {
    const startWorld = useShardedWorldOnRedis();

    it('MAX_CONCURRENT_PREDICTIONS=1 with both shards busy: never two predictions at once at Replicate, both shards served', async () => {
      const world = await startWorld({ shardCount: 2 });
      for (let i = 0; i < 4; i++) world.replicate.script({ durationMs: 1_000, output: video });
      const manager = await world.startManager({ MAX_CONCURRENT_PREDICTIONS: '1' });
      const sent = [0, 1, 0, 1].map((shard, i) =>
        world.discord.sendSlashCommand({
          name: 'video',
          guildId: world.guildOf(shard).id,
          channelId: world.guildOf(shard).channels[0]!.id,
          user: { id: `66666666666666666${i}`, username: `c${i}` },
          options: { prompt: `a clock tower ${i}` },
        }),
      );
      for (const handle of sent) {
        await world.discord.waitFor((d) => (d.interaction(handle.id).original?.attachments.length ?? 0) > 0, {
          timeoutMs: 60_000,
          description: 'every video delivered',
        });
      }
      const runsAt = [...world.replicate.predictions].map((p) => [p.createdAt, p.createdAt + p.durationMs] as const).sort((a, b) => a[0] - b[0]);
      expect(runsAt).toHaveLength(4);
      for (let i = 1; i < runsAt.length; i++) expect(runsAt[i]![0]).toBeGreaterThanOrEqual(runsAt[i - 1]![1]);
      for (const shard of [0, 1]) expect(linesOf(manager, shard, 'prediction created')).toHaveLength(2);
    }, 120_000);
  },
);
