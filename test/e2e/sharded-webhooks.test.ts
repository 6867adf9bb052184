import { describe, expect, it } from 'vitest';
import { freePort } from '../harness/free-port.js';
import { linesOf, shardedOnRedisRuns, useShardedWorldOnRedis } from '../harness/sharded-world.js';

const runs = shardedOnRedisRuns;
const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(2048, 6)]);

describe.skipIf(!runs)(
  runs ? 'webhook mode under the sharding manager' : 'webhook mode under the sharding manager (skipped: needs TEST_REDIS_URL and redis-server on PATH)',
  () => {
    const startWorld = useShardedWorldOnRedis();

    it('each shard\'s webhooks reach it through the manager\'s port and deliver its video with no status poll', async () => {
      const world = await startWorld({ shardCount: 2 });
      const port = await freePort();
      world.replicate.script({ durationMs: 400, output: video });
      await world.startManager({ HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port}` });
      const manager = world.processes[0]!;
      const guild = world.guildOf(1);
      const sent = world.discord.sendSlashCommand({
        name: 'video',
        guildId: guild.id,
        channelId: guild.channels[0]!.id,
        user: { id: '555555555555555551', username: 'wy' },
        options: { prompt: 'a lantern on a lake' },
      });
      await world.discord.waitFor((d) => d.interaction(sent.id).followUps.length === 1, {
        timeoutMs: 60_000,
        description: 'the video delivered and pinged',
      }).catch((err: unknown) => {
        // What the operator would read: every shard's lines and the webhooks the fake sent, with their answers.
        const lines = manager.entries().map((e) => JSON.stringify([e.shard, e.msg, e.status, e.via, e.outcome, e.reason]));
        throw new Error(`${(err as Error).message}\nwebhooks: ${JSON.stringify(world.replicate.webhooks.deliveries)}\n${lines.join('\n')}`);
      });
      expect(world.discord.interaction(sent.id).original!.attachments[0]!.bytes.equals(video)).toBe(true);
      expect(world.replicate.predictions[0]!.webhook).toBe(`http://127.0.0.1:${port}/webhooks/replicate/shard-1`);
      expect(world.replicate.webhooks.deliveries.map((d) => [d.event, d.answer])).toEqual([
        ['start', 200],
        ['completed', 200],
      ]);
      expect(world.replicate.requestCount('get')).toBe(0);
      expect(linesOf(manager, 1, 'prediction ended')).toMatchObject([{ via: 'webhook' }]);
    }, 120_000);
  },
);
