import { describe, expect, it } from 'vitest';
import { spawnBot, waitUntil } from '../harness/bot-process.js';
import { linesOf, shardedOnRedisRuns, useShardedWorldOnRedis } from '../harness/sharded-world.js';

const runs = shardedOnRedisRuns;
const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(4096, 3)]);

describe.skipIf(!runs)(
  runs ? 'from npm start to shards' : 'from npm start to shards (skipped: needs TEST_REDIS_URL and redis-server on PATH)',
  () => {
    const startWorld = useShardedWorldOnRedis();

    it('a job npm start was running when killed is re-homed to its guild\'s shard and delivered from the same prediction', async () => {
      const world = await startWorld({ shardCount: 2 });
      world.replicate.script({ durationMs: 3_000, output: video });
      const single = spawnBot(world.env({ SHARD_COUNT: '' }));
      world.processes.push(single);
      await single.waitForLog('bot ready');
      const guild = world.guildOf(1);
      const sent = world.discord.sendSlashCommand({
        name: 'video',
        guildId: guild.id,
        channelId: guild.channels[0]!.id,
        user: { id: '333333333333333333', username: 'cy' },
        options: { prompt: 'a kite over dunes' },
      });
      await waitUntil(() => world.replicate.requestCount('get') > 0, { description: 'the first status poll' });
      await single.kill('SIGKILL');

      const manager = await world.startManager();
      expect(manager.find('store layout changed; jobs re-homed by guild')).toMatchObject([
        { manager: true, from: 'one process (npm start)', to: '2 shards', jobs: { 'shard-0': 0, 'shard-1': 1 } },
      ]);
      const record = await world.discord.waitFor(
        (d) => (d.interaction(sent.id).original?.attachments.length ?? 0) > 0 && d.interaction(sent.id),
        { timeoutMs: 30_000, description: 'the video delivered by shard 1' },
      );
      expect(record.original!.attachments[0]!.bytes.equals(video)).toBe(true);
      expect(world.replicate.predictions).toHaveLength(1);
      expect(linesOf(manager, 1, 'queue recovered')).toMatchObject([{ resume: 1 }]);
      expect(linesOf(manager, 0, 'queue recovered').filter((e) => Number(e.resume) > 0)).toEqual([]);
    }, 120_000);
  },
);
