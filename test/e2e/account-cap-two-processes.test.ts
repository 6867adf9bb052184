import { afterEach, describe, expect, it } from 'vitest';
import { AccountWorld } from '../harness/account-world.js';
import { hasRedisServer } from '../harness/redis-server.js';
import { readyPing } from '../harness/video-steps.js';

const runs = Boolean(process.env.TEST_REDIS_URL) && hasRedisServer;

describe.skipIf(!runs)(
  runs ? 'the account-wide cap' : 'the account-wide cap (skipped: needs TEST_REDIS_URL and redis-server on PATH)',
  () => {
    let world: AccountWorld | undefined;
    afterEach(async () => {
      const done = world;
      world = undefined;
      if (!done) return;
      await done.close();
      done.assertNoUnexpectedRequests();
    });

    it('two busy processes on one store never have more predictions running at Replicate than MAX_CONCURRENT_PREDICTIONS, and both get their turns', async () => {
      world = await AccountWorld.start(2, { MAX_CONCURRENT_PREDICTIONS: '3', GUILD_CONCURRENCY: '3', GUILD_QUEUE_LIMIT: '20' });
      await Promise.all([world.startBot(0, 'shard-0'), world.startBot(1, 'shard-1')]);
      const sent = world.discords.flatMap((discord, bot) =>
        Array.from({ length: 6 }, (_, i) => ({
          discord,
          handle: discord.sendSlashCommand({
            name: 'video',
            user: { id: `10000000000000${bot}${String(i).padStart(3, '0')}`, username: `member${bot}${i}` },
            options: { prompt: `bot${bot} clip ${i}` },
          }),
        })),
      );
      for (const { discord, handle } of sent) await readyPing({ discord }, handle, { timeoutMs: 60_000 });

      expect(world.replicate.predictions).toHaveLength(12);
      expect(world.replicate.maxRunning()).toBe(3);
      // Neither process waited for the other to finish everything: their predictions interleave.
      const [first, second] = [world.createdAt('bot0'), world.createdAt('bot1')];
      expect(Math.min(...second)).toBeLessThan(Math.max(...first));
      expect(Math.min(...first)).toBeLessThan(Math.max(...second));
    }, 120_000);
  },
);
