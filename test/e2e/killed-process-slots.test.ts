import { afterEach, describe, expect, it } from 'vitest';
import { AccountWorld } from '../harness/account-world.js';
import { waitUntil } from '../harness/bot-process.js';
import { hasRedisServer } from '../harness/redis-server.js';
import { readyPing } from '../harness/video-steps.js';

const runs = Boolean(process.env.TEST_REDIS_URL) && hasRedisServer;
const ttlMs = 4_000;
const renewEveryMs = 500;

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

    it('a process killed while holding every prediction slot gives them back within the slot TTL, and the other process runs its job', async () => {
      world = await AccountWorld.start(2, {
        MAX_CONCURRENT_PREDICTIONS: '2',
        GUILD_CONCURRENCY: '2',
        TEST_SLOT_TTL_MS: String(ttlMs),
        TEST_SLOT_RENEW_MS: String(renewEveryMs),
      });
      const [doomed] = await Promise.all([world.startBot(0, 'shard-0'), world.startBot(1, 'shard-1')]);
      // The killed process's two predictions end at Replicate before its slots expire: the cap holds throughout.
      world.replicate.script({ durationMs: 2_500 });
      world.replicate.script({ durationMs: 2_500 });
      for (const i of [0, 1]) {
        world.discords[0]!.sendSlashCommand({
          name: 'video',
          user: { id: `20000000000000000${i}`, username: `holder${i}` },
          options: { prompt: `killed ${i}` },
        });
      }
      const r = world.replicate;
      await waitUntil(() => r.predictions.length === 2, { description: 'both slots in use' });

      const waiting = world.discords[1]!.sendSlashCommand({
        name: 'video',
        user: { id: '300000000000000000', username: 'waiter' },
        options: { prompt: 'survivor' },
      });
      const discord = world.discords[1]!;
      await discord.waitFor((d) => /queue/i.test(d.interaction(waiting.id).original?.content ?? ''), {
        description: 'the survivor job waiting for a slot',
      });
      await doomed.kill('SIGKILL');
      const killedAt = Date.now();

      await readyPing({ discord }, waiting, { timeoutMs: 30_000 });
      const [createdAt] = world.createdAt('survivor');
      // Its slots were renewed at most `renewEveryMs` before the kill; the survivor asks every `renewEveryMs`.
      expect(createdAt! - killedAt).toBeGreaterThanOrEqual(ttlMs - renewEveryMs - 200);
      expect(createdAt! - killedAt).toBeLessThan(ttlMs + 2 * renewEveryMs + 1_000);
      expect(r.predictions).toHaveLength(3);
      expect(r.maxRunning()).toBe(2);
    }, 90_000);
  },
);
